"""W2 'groove' in-process, taken apart (issue 4): prints figures, asserts nothing.

    .venv/bin/python tests/bench/bench_w2.py [--runs N]

- the whole of W2 (../shared/bench/w2_groove.mid) rendered in-process as `jam render --midi-in`
  renders it (engine/offline.py: render_events), 60 s, with our reverb on by GM's CC 91 default
- each of its four tracks alone (drums, bass, electric piano, synth lead), dry (no reverb send), as
  µs per sounding voice per 128-frame block: (its render - an empty render) / voice-blocks
- the engine with no voices (µs per block: the master compressor and limiter, the idle buses)
- each send effect (reverb, chorus, delay) and the compressor on W2's own mix, µs per block
- each of W2's sounds alone, four voices at a time through the kernel's render_voice (a voice that
  ends starts again), µs per voice per block: the instruments' own cost, without the engine's
Timings are medians of --runs renders, in the thread's CPU time (a render is one thread; time
the scheduler gave to other processes is not counted); the machine is shared, so compare figures
of one run.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from numba import njit

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from engine.dsp.effects import chorus as chorus_fx, echo as echo_fx, new_buses, reverb  # noqa: E402
from engine.dsp.synths import WAVETABLES  # noqa: E402
from engine.kernel import EventRing, render_voice, warm_up  # noqa: E402
from engine.midifile import read_midi  # noqa: E402
from engine.offline import BLOCK, _render, render_events  # noqa: E402
from engine.voices import (ACTIVE, AGE, BASS_GUITAR, EPIANO, EV_FREQ, EV_GAIN, EV_GATE, EV_KIND, EV_PAN,  # noqa: E402
                           EV_RELEASE, EV_ROOM, EV_SEED, EV_SPEED, EV_VELOCITY, EVENT_FIELDS, HAT, KICK, LEAD, LENGTH,
                           SERIAL, SNARE)

W2 = ROOT.parent / "shared" / "bench" / "w2_groove.mid"
RATE = 48000
TRACKS = {"drums": (KICK, SNARE, HAT), "bass (program 33)": (BASS_GUITAR,), "electric piano (program 4)": (EPIANO,),
          "synth lead (program 81)": (LEAD,)}


def timed(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.thread_time()
        fn()
        times.append(time.thread_time() - start)
    return statistics.median(times)


def voice_blocks(events: np.ndarray, seconds: float) -> int:
    """How many (voice, block) pairs the render of these events renders: a block at a time,
    the voices sounding before it or after it."""
    ring = EventRing(rate=RATE)
    ring.push(events)
    out = np.zeros((BLOCK, 2), dtype=np.float32)
    total = 0
    for b in range(int(np.ceil(seconds * RATE / BLOCK))):
        before = set(ring.voices[ring.voices[:, ACTIVE] != 0.0, SERIAL])
        ring.render(out, b * BLOCK, float(RATE))
        total += len(before | set(ring.voices[ring.voices[:, ACTIVE] != 0.0, SERIAL]))
    return total


@njit(cache=True, nogil=True)
def run_buses(buf, room, echo, chorus, lines, delay, chorus_line, settings, blocks, sr):
    """The send buses over `blocks` blocks of their sends, in one call, in the kernel's order
    (an orbit's chorus, reverb, then delay; no `dry`)."""
    for b in range(blocks):
        s, e = b * BLOCK, (b + 1) * BLOCK
        chorus_fx(buf, chorus[s:e], chorus_line, settings, BLOCK, sr)
        reverb(buf, room[s:e], lines, settings, BLOCK, sr)
        echo_fx(buf, echo[s:e], delay, settings, BLOCK)


def bus_cost(mix: np.ndarray, sends: tuple[float, float, float], runs: int) -> float:
    """µs per block of the send buses over W2's mix sent by (room, delay, chorus)."""
    blocks = mix.shape[0] // BLOCK
    buf = np.zeros((BLOCK, 2))
    sent = [np.ascontiguousarray(mix[:blocks * BLOCK] * s) for s in sends]

    def run():
        run_buses(buf, *sent, *new_buses(RATE), blocks, float(RATE))

    run()
    return timed(run, runs) / blocks * 1e6


@njit(cache=True, nogil=True)
def run_voices(voices, lines, bank, out, kind, blocks, sr, tables):
    """Render every voice for `blocks` blocks; one that would end starts again (age 0)."""
    for _ in range(blocks):
        for k in range(voices.shape[0]):
            v = voices[k]
            if v[AGE] + out.shape[0] >= v[LENGTH]:
                v[AGE] = 0.0
            render_voice(v, lines[k], bank, out, 0, sr, kind, tables)


def sound_alone(kind: int, runs: int, count: int = 4, blocks: int = 5000) -> float:
    """µs per voice per block of `count` voices of one kind (notes a third apart, ages spread)."""
    rows = np.zeros((count, EVENT_FIELDS))
    rows[:, EV_KIND], rows[:, EV_GAIN], rows[:, EV_PAN], rows[:, EV_SPEED] = kind, 0.5, 0.5, 1.0
    rows[:, EV_FREQ] = 110.0 * 2.0 ** (np.arange(count) / 3.0)
    rows[:, EV_GATE], rows[:, EV_RELEASE], rows[:, EV_VELOCITY] = RATE, 0.1 * RATE, 0.8
    rows[:, EV_SEED] = np.arange(count) + 1.0
    ring = EventRing(voices=count, rate=RATE)
    ring.push(rows)
    out = np.zeros((BLOCK, 2), dtype=np.float32)
    ring.render(out, 0, float(RATE))
    voices, lines, scratch = ring.voices[:count], ring.lines[:count], np.zeros((BLOCK, 2))
    voices[:, AGE] = np.arange(count) * 0.1 * RATE
    bank = np.zeros(16, dtype=np.float32)
    run_voices(voices, lines, bank, scratch, kind, 10, float(RATE), WAVETABLES)
    return timed(lambda: run_voices(voices, lines, bank, scratch, kind, blocks, float(RATE), WAVETABLES),
                 runs) / blocks / count * 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    events, seconds = read_midi(W2, RATE)
    blocks = int(np.ceil(seconds * RATE / BLOCK))
    warm_up(float(RATE))
    render_events(events, 1.0)

    whole = timed(lambda: render_events(events, seconds), runs)
    print(f"W2 in-process, {seconds:.0f} s: {whole:.3f} s ({seconds / whole:.0f}x real time, "
          f"{whole / blocks * 1e6:.1f} µs per block)")
    empty = timed(lambda: render_events(events[:0], seconds), runs)
    print(f"no voices: {empty / blocks * 1e6:.2f} µs per block (the master, the idle buses)")
    no_comp = timed(lambda: _render(lambda a, b: events[(events[:, 0] >= a) & (events[:, 0] < b)],
                                    blocks * BLOCK, RATE, compressor=False), runs)
    print(f"W2 without the master compressor: {no_comp:.3f} s")
    dry = events.copy()
    dry[:, EV_ROOM] = 0.0
    t_dry = timed(lambda: render_events(dry, seconds), runs)
    print(f"W2 dry (no reverb send): {t_dry:.3f} s; the reverb send costs {(whole - t_dry) / blocks * 1e6:.1f} "
          "µs per block")
    for name, kinds in TRACKS.items():
        part = dry[np.isin(dry[:, EV_KIND], kinds)]
        t = timed(lambda: render_events(part, seconds), runs)
        count = voice_blocks(part, seconds)
        print(f"{name}: {t - empty:.3f} s over an empty render, {count / blocks:.1f} voices sounding on average, "
              f"{(t - empty) / count * 1e6:.2f} µs per voice per block")
    mix = render_events(dry, seconds).astype(np.float64)
    for name, sends in (("reverb", (0.2, 0.0, 0.0)), ("delay", (0.0, 0.2, 0.0)), ("chorus", (0.0, 0.0, 0.2))):
        print(f"{name} bus over W2's dry mix: {bus_cost(mix, sends, runs):.2f} µs per block")
    for name, kind in (("kick", KICK), ("snare", SNARE), ("closed hat", HAT), ("bass guitar", BASS_GUITAR),
                       ("electric piano", EPIANO), ("synth lead", LEAD)):
        print(f"{name} alone, 4 voices: {sound_alone(kind, runs):.3f} µs per voice per block")


if __name__ == "__main__":
    main()
