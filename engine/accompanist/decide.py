"""From evidence to one chord: fuse a prior over the next beat with the ear, then hold or change.

A chord may change only at the first decision of a beat, and only when the fused score of the
best chord beats the one playing by more than the `stay` bonus; so the harmony moves on beats,
not on every note. The weights are tuned on validation songs by `train.tune` and saved with the
network. The prior comes from the trained
network (`ModelDecider`, with its memory of repeated passages) or, for the baseline, from a bigram
table (`baselines.Bigram`).
"""

from __future__ import annotations

import math

import numpy as np

from . import chords
from .ear import Ear
from .model import NO_CHORD, Predictor, beat_features

DEFAULT_FUSION = {"ear": 0.5, "stay": 1.0}
# Hindsight chord memory (`ModelDecider`), tuned on POP909's validation songs (MODEL_CARD.md)
MEMORY_WEIGHT = 1.0  # weight of each remembered passage's hindsight log-probabilities
MATCH_WINDOW = 3  # beats of melody before the boundary compared with earlier passages
MATCH_COSINE = 0.92  # how alike those melodies must be (cosine of pitch-class durations per beat)
HINDSIGHT_EAR = 0.6  # weight of a past beat's own melody (and a quarter of its neighbours') on its prior
HINDSIGHT_NEIGHBOURS = 0.25


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


def melody_logp(pcs: np.ndarray) -> np.ndarray:
    """(NCHORDS,) log-probabilities of the chord under pitch-class durations (the ear's fit and
    clash, without its key prior: the network's prior already knows the key)."""
    total = pcs.sum()
    inside = chords.PC_MATRIX @ (pcs / total if total > 0 else pcs)
    score = 6.0 * inside - 4.0 * (1.0 - inside)
    score -= score.max()
    return score - np.log(np.exp(score).sum())


class ModelDecider(BeatDecider):
    """The accompanist proper: the LSTM's next-beat prediction fused with the ear, and a memory.

    The chord played is handed to the network as its previous chord; the shipped network ignores
    it (`Predictor.feedback` is False: it predicts from what it heard alone), older files use it.

    Memory: pop songs repeat, and the chord of a beat whose preceding melody matches an earlier
    passage (same place in the bar) is that passage's chord four times in five on POP909. Two beats
    after each beat is over, its chord is re-estimated in hindsight (the network's prior then, plus
    the melody of the beat itself and its neighbours: 0.32 right where the online choice is 0.28);
    at each boundary the hindsight estimates of every earlier bar-aligned passage whose last
    `MATCH_WINDOW` beats of melody match the last ones heard are added to the prior, `memory` times
    their log-probabilities. All of it is from notes before the boundary."""

    def __init__(self, predictor: Predictor | None = None, ear_weight: float | None = None,
                 stay: float | None = None, memory: float = MEMORY_WEIGHT):
        self.predictor = predictor or Predictor()
        self.memory = memory
        fusion = {**DEFAULT_FUSION, **self.predictor.fusion}
        super().__init__(fusion["ear"] if ear_weight is None else ear_weight,
                         fusion["stay"] if stay is None else stay)

    def reset(self, style: str | None, beats_per_bar: int) -> None:
        super().reset(style, beats_per_bar)
        self.predictor.reset(style)
        self.melody = np.zeros((256, 12))  # row b: pitch-class durations of beat b
        self.windows = np.zeros((256, MATCH_WINDOW * 12))  # row b: unit melody of beats b-W..b-1
        self.network = np.zeros((256, chords.NCHORDS))  # row b: the network's prior for beat b
        self.hindsight = np.zeros((256, chords.NCHORDS))  # row b: log P(chord of beat b), in hindsight
        self.known = np.zeros(256, dtype=bool)  # rows of `hindsight` filled

    def _grow(self, beat: int) -> None:
        if beat >= len(self.known):
            for name in ("melody", "windows", "network", "hindsight", "known"):
                old = getattr(self, name)
                setattr(self, name, np.concatenate([old, np.zeros_like(old)]))

    def prior(self, ear: Ear, beat: int) -> np.ndarray | None:
        snap = ear.snapshot(beat)
        feats, r = beat_features(snap, beat, self.beats_per_bar)
        prev = NO_CHORD if self.current is None else chords.rotate(self.current, -r)
        relative = self.predictor.step(feats, prev)  # stepped from beat 0 on, as in training
        if not snap.heard:
            return None  # no key yet: no frame
        network = relative[chords.ROTATE[(-r) % 12]]
        return network + self.memory * self._remember(beat, snap.beat_pcs, network) if self.memory else network

    def _remember(self, beat: int, last_beat: np.ndarray, network: np.ndarray) -> np.ndarray:
        """Store what beat-1 held and beat-2 in hindsight; the summed hindsight of matching passages."""
        self._grow(beat)
        if beat >= 1:
            self.melody[beat - 1] = last_beat
        window = self.melody[max(0, beat - MATCH_WINDOW):beat].ravel()
        norm = np.linalg.norm(window)
        if norm > 0:
            self.windows[beat, -len(window):] = window / norm
        past = beat - 2
        if past >= 0 and self.network[past].any():  # heard then: it has a prior to correct
            around = self.melody[past] + HINDSIGHT_NEIGHBOURS * (self.melody[past + 1] + self.melody[past - 1] * (past > 0))
            self.hindsight[past] = _log_softmax(self.network[past] + HINDSIGHT_EAR * melody_logp(around))
            self.known[past] = True
        self.network[beat] = network
        sources = np.arange(beat - self.beats_per_bar, -1, -self.beats_per_bar)
        sources = sources[self.known[sources]]
        if norm == 0 or not len(sources):
            return np.zeros(chords.NCHORDS)
        alike = sources[self.windows[sources] @ self.windows[beat] > MATCH_COSINE]
        return self.hindsight[alike].sum(axis=0)


def _log_softmax(x: np.ndarray) -> np.ndarray:
    x = x - x.max()
    return x - np.log(np.exp(x).sum())
