"""From evidence to one chord: fuse a prior over the next beat with the ear, then hold or change.

A chord may change only at the first decision of a beat, and only when the fused score of the
best chord beats the one playing by more than the `stay` bonus; so the harmony moves on beats,
not on every note. The weights are tuned on validation songs by `train.tune` and saved with the
network. The prior comes from the trained
network (`ModelDecider`) or, for the baseline, from a bigram table (`baselines.Bigram`).
"""

from __future__ import annotations

import math

import numpy as np

from . import chords
from .ear import Ear
from .model import NO_CHORD, Predictor, beat_features

DEFAULT_FUSION = {"ear": 0.5, "stay": 1.0}


class BeatDecider:
    """Holds the chord and the per-beat prior; subclasses say where the prior comes from."""

    def __init__(self, ear_weight: float, stay: float):
        self.ear_weight = ear_weight
        self.stay = stay
        self.reset(None, 4)

    def reset(self, style: str | None, beats_per_bar: int) -> None:
        self.beats_per_bar = beats_per_bar
        self.current: int | None = None
        self.prior_logp: np.ndarray | None = None
        self.checked_beat: int | None = None

    def prior(self, ear: Ear, beat: int) -> np.ndarray | None:
        """(NCHORDS,) absolute log-probabilities of the chord of the beat that starts at `beat`."""
        raise NotImplementedError

    def on_beat(self, ear: Ear, beat: int) -> None:
        self.prior_logp = self.prior(ear, beat)

    def decide(self, ear: Ear, t: float) -> int | None:
        if not ear.heard:
            return None
        beat = math.floor(t)
        if self.current is not None and self.checked_beat == beat:
            return self.current
        self.checked_beat = beat
        score = self.ear_weight * ear.chord_logp(ear.key())
        if self.prior_logp is not None:
            score = score + self.prior_logp
        if self.current is not None:
            score[self.current] += self.stay
        self.current = int(np.argmax(score))
        return self.current


class ModelDecider(BeatDecider):
    """The accompanist proper: the LSTM's next-beat prediction fused with the ear.

    The chord played is handed to the network as its previous chord; the shipped network ignores
    it (`Predictor.feedback` is False: it predicts from what it heard alone), older files use it."""

    def __init__(self, predictor: Predictor | None = None, ear_weight: float | None = None,
                 stay: float | None = None):
        self.predictor = predictor or Predictor()
        fusion = {**DEFAULT_FUSION, **self.predictor.fusion}
        super().__init__(fusion["ear"] if ear_weight is None else ear_weight,
                         fusion["stay"] if stay is None else stay)

    def reset(self, style: str | None, beats_per_bar: int) -> None:
        super().reset(style, beats_per_bar)
        self.predictor.reset(style)

    def prior(self, ear: Ear, beat: int) -> np.ndarray | None:
        snap = ear.snapshot(beat)
        feats, r = beat_features(snap, beat, self.beats_per_bar)
        prev = NO_CHORD if self.current is None else chords.rotate(self.current, -r)
        relative = self.predictor.step(feats, prev)  # stepped from beat 0 on, as in training
        return relative[chords.ROTATE[(-r) % 12]] if snap.heard else None  # no key yet: no frame
