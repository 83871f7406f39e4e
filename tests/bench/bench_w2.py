"""W2 'groove' in-process, taken apart (issue 4): prints figures, asserts nothing.

    .venv/bin/python tests/bench/bench_w2.py [--runs N]

- the whole of W2 (../shared/bench/w2_groove.mid) rendered in-process as `jam render --midi-in`
  renders it (engine/offline.py: render_events), 60 s, with our reverb on by GM's CC 91 default
- each of its four tracks alone (drums, bass, electric piano, synth lead), dry (no reverb send), as
  µs per sounding voice per 128-frame block: (its render - an empty render) / voice-blocks
- the engine with no voices (µs per block: the master compressor and limiter, the idle buses)
- each send effect (reverb, chorus, delay) and the compressor on W2's own mix, µs per block
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

from engine.dsp.effects import buses, new_buses  # noqa: E402
from engine.kernel import EventRing, warm_up  # noqa: E402
from engine.midifile import read_midi  # noqa: E402
from engine.offline import BLOCK, _render, render_events  # noqa: E402
from engine.voices import ACTIVE, BASS_GUITAR, EPIANO, EV_KIND, EV_ROOM, HAT, KICK, LEAD, SERIAL, SNARE  # noqa: E402

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
    """The send buses over `blocks` blocks of their sends, in one call (as the kernel runs them)."""
    for b in range(blocks):
        s, e = b * BLOCK, (b + 1) * BLOCK
        buses(buf, room[s:e], echo[s:e], chorus[s:e], lines, delay, chorus_line, settings, BLOCK, sr)


def bus_cost(mix: np.ndarray, sends: tuple[float, float, float], runs: int) -> float:
    """µs per block of the send buses over W2's mix sent by (room, delay, chorus)."""
    blocks = mix.shape[0] // BLOCK
    buf = np.zeros((BLOCK, 2))
    sent = [np.ascontiguousarray(mix[:blocks * BLOCK] * s) for s in sends]

    def run():
        run_buses(buf, *sent, *new_buses(RATE), blocks, float(RATE))

    run()
    return timed(run, runs) / blocks * 1e6


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


if __name__ == "__main__":
    main()
