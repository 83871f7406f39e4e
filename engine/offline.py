"""Offline rendering: the real-time engine's code, run as fast as it goes, deterministically.

An offline render starts at cycle 0 on sample 0. The same seed gives the same bytes.
Samples come from `samples` (a path, several joined by os.pathsep, or a list), or from
JAM_SAMPLES when it is None (engine/samples.py).
"""

from __future__ import annotations

import math
import os
from typing import TYPE_CHECKING, Callable

import numpy as np

from .kernel import EventRing, Helper
from .samples import SampleBank

if TYPE_CHECKING:
    from dsl.patch import Patch

BLOCK = 128
WINDOW = 24000  # samples of pattern queried at a time (the kernel still renders in BLOCKs)
HELPED_FROM = 8  # blocks in one call from which the Helper's thread is woken for it


def _render(next_rows: Callable[[int, int], np.ndarray], frames: int, rate: int, bank: SampleBank | None = None,
            voices: int = 128, compressor: bool = True, threads: int | None = None) -> np.ndarray:
    """Render frames, asking next_rows(start, end) for the events of each window before they are due,
    many voices in two halves (EventRing.split), the second on a Helper's thread unless `threads`
    is 1 or only one core is ours (the same bytes). The kernel loads (or compiles) on its first
    call, with the types the render gives it: no warm-up, whose block would be thrown away."""
    ring = EventRing(voices=voices, rate=rate, samples=bank, compressor=compressor)
    ring.split(BLOCK)
    helper = Helper(ring) if (threads or _cores()) > 1 else None
    out = np.zeros((frames, 2), dtype=np.float32)
    scheduled = 0  # events before this sample have been asked for
    pending = np.zeros((0, ring.events.shape[1]))  # asked for, not yet in the ring (it was full)
    start = 0
    try:
        while start < frames:
            while scheduled < min(start + BLOCK, frames):  # every event of a block is asked for before it renders
                pending = np.concatenate([pending, next_rows(scheduled, scheduled + WINDOW)])
                scheduled += WINDOW
            if len(pending):
                pending = pending[ring.push(pending):]
            # render every whole block whose events are all in the ring in one call; while the ring is
            # full, a block at a time, so that what is pending goes in as voices free it
            stop = start + BLOCK if len(pending) else max(start + BLOCK, scheduled - (scheduled - start) % BLOCK)
            stop = min(stop, frames)
            ring.render_blocks(out[start:stop], BLOCK, start, float(rate),
                               helper if stop - start >= HELPED_FROM * BLOCK else None)
            start = stop
    finally:
        if helper is not None:
            helper.close()
    return out


def _cores() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def render_patch(patch: Patch, rate: int = 48000, cycles: float | None = None, seconds: float | None = None,
                 seed: int = 0, only: str | None = None, played: list[np.ndarray] | None = None,
                 samples=None, voices: int = 128, compressor: bool = True, threads: int | None = None) -> np.ndarray:
    """Render a patch to float32 stereo frames; `only` renders one channel (a stem); `played`
    collects the event rows (for writing them as MIDI); `samples`: the sample folders (None:
    JAM_SAMPLES), or a SampleBank already made; `voices`: the voice pool; `compressor`: the
    master compressor on or off; `threads`: 1 or 2 (None: 2 where this process has two cores)."""
    from dsl.rational import Fraction  # here: a MIDI file's render needs no pattern language

    from .scheduler import Scheduler

    bank = samples if isinstance(samples, SampleBank) else SampleBank(samples, rate)
    scheduler = Scheduler(rate, seed=seed, samples=bank)
    scheduler.apply(patch, 0)
    if only is not None:
        scheduler.soloed = {only}
    if seconds is None:
        seconds = float(Fraction(cycles if cycles is not None else 4) / scheduler.cps)
    frames = int(math.ceil(seconds * rate))

    def rows(start: int, end: int) -> np.ndarray:
        found = scheduler.rows_between(start, min(end, frames))
        if played is not None:
            played.append(found)
        return found

    return _render(rows, frames, rate, bank, voices, compressor, threads)


def render_events(events: np.ndarray, seconds: float, rate: int = 48000, samples=None,
                  threads: int | None = None) -> np.ndarray:
    """Render event rows sorted by sample (a MIDI file's notes); sample rows name files in the
    SampleBank `samples` (a path or None, JAM_SAMPLES, make one)."""
    frames = int(math.ceil(seconds * rate))
    bank = samples if isinstance(samples, SampleBank) else SampleBank(samples, rate)
    onsets = events[:, 0] if len(events) else np.zeros(0)

    def rows(start: int, end: int) -> np.ndarray:
        return events[np.searchsorted(onsets, start):np.searchsorted(onsets, end)]

    return _render(rows, frames, rate, bank, threads=threads)
