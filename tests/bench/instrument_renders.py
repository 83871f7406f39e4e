"""Old against new, by ear's proxies: each instrument's partials and each drum's bands and envelope.

    .venv/bin/python tests/bench/instrument_renders.py save OLD.npz   # in a checkout of the old code
    .venv/bin/python tests/bench/instrument_renders.py save NEW.npz
    .venv/bin/python tests/bench/instrument_renders.py compare OLD.npz NEW.npz

Each instrument plays a low, a middle and a high note (velocity 0.5 and 1, 0.6 s held, then its
release); each drum and percussion sound hits once at velocity 0.5 and 1. `compare` prints, per
sound, the largest difference in dB of any of the first 8 partials (instruments) or of any octave
band (drums) in three windows of the note's life (a partial or band more than 60 dB under the
loudest one is skipped), the largest difference of the 10 ms RMS envelope (where it is within
60 dB of its peak), and the level of (new - old) against old: a change of bytes by rounding
alone reads below -100 dB.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path.cwd()))  # the checkout the command runs in, old or new

RATE = 48000
NOTES = (40, 60, 84)
VELOCITIES = (0.5, 1.0)
WINDOWS = ((0.0, 0.1), (0.1, 0.5), (0.5, 1.0))
FLOOR_DB = -60.0
NAMES = ("KICK SNARE HAT OPEN_HAT CLAP RIM LOW_TOM MID_TOM HIGH_TOM RIDE CRASH CONGA BONGO SHAKER COWBELL CLAVES "
         "TAMBOURINE PIANO EPIANO ORGAN LEAD ACOUSTIC_GUITAR ELECTRIC_GUITAR BASS_GUITAR VIOLIN CELLO SAXOPHONE "
         "TRUMPET BRASS FLUTE PAD").split()


def renders() -> dict[str, np.ndarray]:
    from engine.midifile import midi_hz
    from engine.offline import render_events
    from engine.voices import (EV_FREQ, EV_GAIN, EV_GATE, EV_KIND, EV_PAN, EV_RELEASE, EV_SEED, EV_SPEED,
                               EV_VELOCITY, EVENT_FIELDS, INSTRUMENT_RELEASE, INSTRUMENTS, RING_SECONDS)

    found = {}
    for kind in list(range(5)) + list(range(11, 23)) + list(INSTRUMENTS):
        for velocity in VELOCITIES:
            for note in NOTES if kind in INSTRUMENTS else (60,):
                row = np.zeros((1, EVENT_FIELDS))
                row[0, EV_KIND], row[0, EV_FREQ], row[0, EV_VELOCITY] = kind, midi_hz(note), velocity
                row[0, EV_GAIN], row[0, EV_PAN], row[0, EV_SPEED], row[0, EV_SEED] = 0.5, 0.5, 1.0, 7.0
                seconds = 1.2 if kind in INSTRUMENTS else RING_SECONDS[kind]
                if kind in INSTRUMENTS:
                    row[0, EV_GATE], row[0, EV_RELEASE] = 0.6 * RATE, INSTRUMENT_RELEASE[kind] * RATE
                found[f"{kind}/{note}/{velocity}"] = render_events(row, seconds)[:, 0].astype(np.float64)
    return found


def db(x: np.ndarray) -> np.ndarray:
    return 20.0 * np.log10(np.maximum(x, 1e-12))


def levels(audio: np.ndarray, f0: float | None) -> np.ndarray:
    """Per window: the first 8 partials' peak magnitudes (f0 given) or octave bands' energies, in dB."""
    rows = []
    for a, b in WINDOWS:
        part = audio[int(a * RATE):int(b * RATE)]
        if len(part) < 256:
            continue
        spectrum = np.abs(np.fft.rfft(part * np.hanning(len(part))))
        freqs = np.fft.rfftfreq(len(part), 1.0 / RATE)
        if f0 is not None:  # the partials (the piano's run sharp: search +-4 % around each)
            rows.append(db(np.array([spectrum[(freqs > k * f0 * 0.96) & (freqs < k * f0 * 1.04)].max(initial=0.0)
                                     for k in range(1, 9) if k * f0 * 1.04 < RATE / 2])))
        else:
            edges = 31.25 * 2.0 ** np.arange(11)
            rows.append(0.5 * db(np.array([(spectrum[(freqs >= lo) & (freqs < 2 * lo)] ** 2).sum() for lo in edges])))
    return np.array(rows)


def compare(old: dict, new: dict) -> None:
    from engine import voices
    from engine.midifile import midi_hz
    from engine.voices import INSTRUMENTS

    worst: dict[int, list[float]] = {}
    for key in old.files:
        kind, note, _ = key.split("/")
        a, b = old[key], new[key]
        f0 = midi_hz(int(note)) if int(kind) in INSTRUMENTS else None
        la, lb = levels(a, f0), levels(b, f0)
        audible = la > la.max() + FLOOR_DB
        spectral = np.abs(la - lb)[audible].max(initial=0.0)
        frames = len(a) // 480 * 480
        ea = db(np.sqrt((a[:frames].reshape(-1, 480) ** 2).mean(axis=1)))
        eb = db(np.sqrt((b[:frames].reshape(-1, 480) ** 2).mean(axis=1)))
        envelope = np.abs(ea - eb)[ea > ea.max() + FLOOR_DB].max(initial=0.0)
        residual = 20.0 * np.log10(max(np.sqrt(((b - a) ** 2).mean()), 1e-300) / np.sqrt((a ** 2).mean()))
        w = worst.setdefault(int(kind), [0.0, 0.0, -math.inf])
        w[0], w[1], w[2] = max(w[0], spectral), max(w[1], envelope), max(w[2], residual)
    names = {kind: name for name, kind in vars(voices).items() if name.isupper() and isinstance(kind, int)
             and name in NAMES}
    print("sound            partials/bands max |dB|  envelope max |dB|  (new - old) vs old, dB")
    for kind, (spectral, envelope, residual) in sorted(worst.items()):
        same = "same bytes" if residual < -1000 else f"{residual:.1f}"
        print(f"{names[kind]:15s}  {spectral:22.3f}  {envelope:17.3f}  {same:>10s}")


def main() -> None:
    if sys.argv[1] == "save":
        np.savez(sys.argv[2], **renders())
    else:
        compare(np.load(sys.argv[2]), np.load(sys.argv[3]))


if __name__ == "__main__":
    main()
