"""The reference deciders the model must beat, driven through the same online interface.

- `AlwaysTonic`: the tonic triad of the piece's annotated key (it is told the key: an upper
  bound for "play the tonic").
- `KeyTonic`: the tonic triad of the ear's online key estimate.
- `Bigram`: beat-level chord bigrams P(chord | previous chord), key-relative like the model,
  counted on the training split, fused with the ear exactly as the model is.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from . import chords
from .decide import BeatDecider
from .ear import Ear, collection

BIGRAM = Path(__file__).resolve().parent / "weights" / "bigram.npz"


def tonic_triad(tonic: int, minor: bool) -> int:
    return chords.index(tonic, "min" if minor else "maj")


class AlwaysTonic:
    def __init__(self, key_changes: list[tuple[float, int, bool]]):
        self.key_changes = key_changes

    def reset(self, style, beats_per_bar) -> None:
        pass

    def on_beat(self, ear: Ear, beat: int) -> None:
        pass

    def decide(self, ear: Ear, t: float) -> int | None:
        passed = [k for k in self.key_changes if k[0] <= t] or self.key_changes[:1]
        return tonic_triad(passed[-1][1], passed[-1][2]) if passed else None


class KeyTonic(AlwaysTonic):
    def __init__(self):
        super().__init__([])

    def decide(self, ear: Ear, t: float) -> int | None:
        if not ear.heard:
            return None
        key = ear.key()
        return tonic_triad(key % 12, key >= 12)


def fit_bigram(sequences: list[tuple[np.ndarray, np.ndarray]], smoothing: float = 0.5) -> np.ndarray:
    """(NCHORDS + 1, NCHORDS) log P(chord | previous) from (previous, target) relative-chord arrays."""
    counts = np.full((chords.NCHORDS + 1, chords.NCHORDS), smoothing)
    for prev, target in sequences:
        ok = target >= 0
        np.add.at(counts, (prev[ok], target[ok]), 1.0)
    return np.log(counts / counts.sum(axis=1, keepdims=True))


class Bigram(BeatDecider):
    def __init__(self, table: np.ndarray | None = None, ear_weight: float = 1.0, stay: float = 0.0):
        self.table = np.load(BIGRAM)["logp"] if table is None else table
        super().__init__(ear_weight, stay)

    def prior(self, ear: Ear, beat: int) -> np.ndarray:
        r = collection(ear.key())
        prev = chords.NCHORDS if self.current is None else chords.rotate(self.current, -r)
        return self.table[prev][chords.ROTATE[(-r) % 12]]
