"""Offline rendering: the real-time engine's code, run as fast as it goes, deterministically.

An offline render starts at cycle 0 on sample 0. The same seed gives the same bytes.
"""

from __future__ import annotations

import math
from dsl.rational import Fraction

import numpy as np

from dsl.patch import Patch

from .kernel import EventRing, warm_up
from .scheduler import Scheduler

BLOCK = 128
WINDOW = 24000  # samples of pattern queried at a time (the kernel still renders in BLOCKs)


def render_patch(patch: Patch, rate: int = 48000, cycles: float | None = None, seconds: float | None = None,
                 seed: int = 0) -> np.ndarray:
    """Render a patch to float32 stereo frames."""
    scheduler = Scheduler(rate, seed=seed)
    scheduler.apply(patch, 0)
    if seconds is None:
        seconds = float(Fraction(cycles if cycles is not None else 4) / scheduler.cps)
    frames = int(math.ceil(seconds * rate))
    warm_up(rate)
    ring = EventRing()
    out = np.zeros((frames, 2), dtype=np.float32)
    scheduled = 0  # events up to this sample are in the ring
    for start in range(0, frames, BLOCK):
        end = min(start + BLOCK, frames)
        while scheduled < end:  # every event of this block is queued before it renders
            ring.push(scheduler.rows_between(scheduled, scheduled + WINDOW))
            scheduled += WINDOW
        ring.render(out[start:end], start, float(rate))
    return out
