"""A MIDI file played as if the performer played it: for rehearsal, demos and tests.

Its notes go through the scheduler thread with the patterns (so they are heard, shown in the
piano roll, and followed by the band like the performer's own), looped over whole bars from
the cycle it started at. Its first tempo becomes the engine's, so the band's beats are its beats.
"""

from __future__ import annotations

import math
from pathlib import Path

import mido
import numpy as np

from .midifile import read_midi
from .voices import EV_CHANNEL, EV_SAMPLE


class Rehearsal:
    def __init__(self, path: str | Path, rate: int):
        self.rows, seconds = read_midi(path, rate)
        if not len(self.rows):
            raise ValueError(f"{path} has no notes")
        tempos = [m.tempo for track in mido.MidiFile(str(path)).tracks for m in track if m.type == "set_tempo"]
        self.bpm = mido.tempo2bpm(tempos[0]) if tempos else 120.0
        bar = 4 * 60.0 / self.bpm * rate
        self.length = int(round(max(1, math.ceil(seconds * rate / bar - 1e-6)) * bar))  # whole bars
        self.start: int | None = None  # the sample its first loop starts at

    def rows_between(self, start: int, end: int, slot: int) -> np.ndarray:
        """Its rows with onsets in samples [start, end), looped, on the meter slot given."""
        if self.start is None or end <= self.start:
            return self.rows[:0]
        out = []
        first = max(start - self.start, 0) // self.length
        for loop in range(first, (end - 1 - self.start) // self.length + 1):
            offset = self.start + loop * self.length
            times = self.rows[:, EV_SAMPLE] + offset
            chosen = self.rows[(times >= start) & (times < end)].copy()
            chosen[:, EV_SAMPLE] += offset
            out.append(chosen)
        rows = np.concatenate(out) if out else self.rows[:0]
        rows[:, EV_CHANNEL] = slot
        return rows
