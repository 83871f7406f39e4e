"""How much the engine can play on this machine: the figures `jam bench` prints.

Measured in-process on the real kernel: W1-style voices (band-limited saw -> resonant
low-pass -> ADSR -> pan) rendered in 128-frame blocks, timed per voice per block, and
the headroom that leaves at a given block size.
"""

from __future__ import annotations

import statistics
import time

import numpy as np

from .kernel import EventRing, warm_up
from .voices import (EV_ATTACK, EV_CUTOFF, EV_DECAY, EV_FREQ, EV_GAIN, EV_GATE, EV_KIND, EV_PAN, EV_RELEASE,
                     EV_RESONANCE, EV_SAMPLE, EV_SEED, EV_SPEED, EV_SUSTAIN_LEVEL, EV_WIDTH, EVENT_FIELDS, SAW)


def w1_voices(count: int, rate: int, seconds: float) -> np.ndarray:
    """Event rows for `count` W1 voices started together, gated for the whole run."""
    rows = np.zeros((count, EVENT_FIELDS))
    for v in range(count):
        rows[v, EV_SAMPLE], rows[v, EV_KIND] = 0, SAW
        rows[v, EV_GAIN], rows[v, EV_PAN] = 0.05, v / max(count - 1, 1)
        rows[v, EV_FREQ] = 55.0 * 2 ** ((v % 64) / 12) * (1 + 0.003 * (v // 64))
        rows[v, EV_GATE] = seconds * rate
        rows[v, EV_SEED], rows[v, EV_SPEED] = v + 1, 1.0
        rows[v, EV_ATTACK], rows[v, EV_DECAY] = 0.005 * rate, 0.1 * rate
        rows[v, EV_SUSTAIN_LEVEL], rows[v, EV_RELEASE] = 0.6, 0.2 * rate
        rows[v, EV_CUTOFF], rows[v, EV_RESONANCE], rows[v, EV_WIDTH] = 1200.0, 0.7576, 0.5
    return rows


def voice_cost(count: int, block: int = 128, rate: int = 48000, blocks: int = 400, runs: int = 5) -> float:
    """Median seconds of rendering one voice for one block, with `count` voices sounding."""
    warm_up(float(rate))
    times = []
    for _ in range(runs):
        ring = EventRing(capacity=max(16, count), voices=count, max_block=block)
        ring.push(w1_voices(count, rate, blocks * block / rate + 1))
        out = np.zeros((block, 2), dtype=np.float32)
        ring.render(out, 0, float(rate))  # start the voices
        start = time.perf_counter()
        for b in range(1, blocks + 1):
            ring.render(out, b * block, float(rate))
        times.append((time.perf_counter() - start) / blocks / count)
    return statistics.median(times)


def headroom(block: int = 128, rate: int = 48000, counts: tuple[int, ...] = (64, 256, 1000)) -> dict:
    costs = {n: voice_cost(n, block, rate) for n in counts}
    per_voice = costs[max(counts)]
    block_seconds = block / rate
    return {
        "block": block, "rate": rate,
        "us_per_voice_per_block": {n: round(c * 1e6, 3) for n, c in costs.items()},
        # half a core is what we let the audio take; the rest is for the scheduler and the console
        "voices_at_half_a_core": int(0.5 * block_seconds / per_voice),
        "share_of_a_core_for_1000_voices": round(1000 * per_voice / block_seconds, 3),
    }


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="jam bench", description="Measure the engine's headroom on this machine.")
    parser.add_argument("--block", type=int, default=128, choices=(64, 128, 256, 512, 1024))
    parser.add_argument("--rate", type=int, default=48000, choices=(44100, 48000, 96000))
    args = parser.parse_args(argv)
    figures = headroom(args.block, args.rate)
    for n, us in figures["us_per_voice_per_block"].items():
        print(f"{n:5d} voices: {us:.3f} µs per voice per {args.block}-frame block")
    print(f"1000 voices take {figures['share_of_a_core_for_1000_voices'] * 100:.0f}% of one core")
    print(f"you can play about {figures['voices_at_half_a_core']} voices at {args.block} frames "
          f"(using half of one core for audio)")
    return 0
