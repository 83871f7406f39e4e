"""From evidence to one chord: fuse a prior over the next beat with the ear, then hold or change.

A chord changes at the first decision of a beat when the fused score of the best chord beats the
one playing by more than the `stay` bonus; so the harmony moves on beats, not on every note. The
weights are tuned on validation songs by `train.tune` and saved with the network. The prior comes
from the trained network (`ModelDecider`, with its memory of repeated passages) or, for the
baseline, from a bigram table (`baselines.Bigram`). `ModelDecider` may also correct itself once
the beat has begun: when the notes heard since the beat started clearly fit another chord better.
"""

from __future__ import annotations

import math

import numpy as np

from . import chords
from .ear import Ear, Snapshot
from .hindsight import Recogniser, hindsight_features
from .model import NO_CHORD, Predictor, beat_features

DEFAULT_FUSION = {"ear": 0.5, "stay": 1.0}
# Hindsight chord memory (`ModelDecider`), tuned on POP909's validation songs (MODEL_CARD.md)
MEMORY_WEIGHT = 2.0  # weight of each remembered passage's hindsight log-probabilities
MATCH_WINDOW = 3  # beats of melody before the boundary compared with earlier passages
MATCH_COSINE = 0.92  # how alike those melodies must be (cosine of pitch-class durations per beat)
# Correction inside a beat (`ModelDecider.within_beat`), tuned on the same songs
WITHIN_WEIGHT = 0.5  # weight of the fit of the notes heard since the beat began
WITHIN_MARGIN = 4.0  # how much better the corrected chord must score than the one playing


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
        self.beat_score: np.ndarray | None = None  # the fused score the beat's chord was chosen by

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
            return self.within_beat(ear, beat, t)
        self.checked_beat = beat
        score = self.ear_weight * ear.chord_logp(ear.key())
        if self.prior_logp is not None:
            score = score + self.prior_logp
        if self.current is not None:
            score[self.current] += self.stay
        self.beat_score = score
        self.current = int(np.argmax(score))
        return self.current

    def within_beat(self, ear: Ear, beat: int, t: float) -> int:
        """A later decision in the beat whose chord is chosen: hold it."""
        return self.current


def melody_logp(pcs: np.ndarray) -> np.ndarray:
    """(NCHORDS,) log-probabilities of the chord under pitch-class durations (the ear's fit and
    clash, without its key prior: the beat's score already knows the key)."""
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
    passage (same place in the bar) is that passage's chord four times in five on POP909. Every
    beat's chord is recognised in hindsight, `LOOKAHEAD` beats after it is over, from the melody on
    both sides (`hindsight.Recogniser`: 0.41 right where the online choice is 0.30); at each
    boundary the hindsight log-probabilities of every earlier bar-aligned passage whose last
    `MATCH_WINDOW` beats of melody match the last ones heard are added to the prior, `memory` times.
    All of it is from notes before the boundary."""

    def __init__(self, predictor: Predictor | None = None, ear_weight: float | None = None,
                 stay: float | None = None, memory: float = MEMORY_WEIGHT, recogniser: Recogniser | None = None):
        self.predictor = predictor or Predictor()
        self.memory = memory
        self.recogniser = (recogniser or Recogniser()) if memory else None
        fusion = {**DEFAULT_FUSION, **self.predictor.fusion}
        super().__init__(fusion["ear"] if ear_weight is None else ear_weight,
                         fusion["stay"] if stay is None else stay)

    def reset(self, style: str | None, beats_per_bar: int) -> None:
        super().reset(style, beats_per_bar)
        self.predictor.reset(style)
        if self.recogniser:
            self.recogniser.reset()
        self.melody = np.zeros((256, 12))  # row b: pitch-class durations of beat b
        self.windows = np.zeros((256, MATCH_WINDOW * 12))  # row b: unit melody of beats b-W..b-1
        self.hindsight = np.zeros((256, chords.NCHORDS))  # row b: log P(chord of beat b), in hindsight
        self.known = np.zeros(256, dtype=bool)  # rows of `hindsight` filled

    def _grow(self, beat: int) -> None:
        if beat >= len(self.known):
            for name in ("melody", "windows", "hindsight", "known"):
                old = getattr(self, name)
                setattr(self, name, np.concatenate([old, np.zeros_like(old)]))

    def prior(self, ear: Ear, beat: int) -> np.ndarray | None:
        snap = ear.snapshot(beat)
        feats, r = beat_features(snap, beat, self.beats_per_bar)
        prev = NO_CHORD if self.current is None else chords.rotate(self.current, -r)
        relative = self.predictor.step(feats, prev)  # stepped from beat 0 on, as in training
        remembered = self._remember(beat, snap) if self.memory else None
        if not snap.heard:
            return None  # no key yet: no frame
        network = relative[chords.ROTATE[(-r) % 12]]
        return network if remembered is None else network + self.memory * remembered

    def within_beat(self, ear: Ear, beat: int, t: float) -> int:
        """Change to the chord that the beat's score plus `WITHIN_WEIGHT` x the fit of the notes
        heard since the beat began (all before t) puts more than `WITHIN_MARGIN` above the one playing."""
        heard = ear.sounded(beat, t)
        if heard.any():
            score = self.beat_score + WITHIN_WEIGHT * melody_logp(heard)
            best = int(np.argmax(score))
            if score[best] > score[self.current] + WITHIN_MARGIN:
                self.current = best
        return self.current

    def _remember(self, beat: int, snap: Snapshot) -> np.ndarray:
        """Store what beat-1 held and, in hindsight, the chord of beat-1-LOOKAHEAD; the summed
        hindsight of the passages that match the last beats."""
        self._grow(beat)
        if beat >= 1:
            self.melody[beat - 1] = snap.beat_pcs
            label = self.recogniser.step(*hindsight_features(snap, beat, self.beats_per_bar))  # stepped from beat 1 on
            if label is not None and snap.heard:
                past = beat - 1 - self.recogniser.lookahead
                self.hindsight[past], self.known[past] = label, True
        window = self.melody[max(0, beat - MATCH_WINDOW):beat].ravel()
        norm = np.linalg.norm(window)
        if norm > 0:
            self.windows[beat, -len(window):] = window / norm
        sources = np.arange(beat - self.beats_per_bar, -1, -self.beats_per_bar)
        sources = sources[self.known[sources]]
        if norm == 0 or not len(sources):
            return np.zeros(chords.NCHORDS)
        alike = sources[self.windows[sources] @ self.windows[beat] > MATCH_COSINE]
        return self.hindsight[alike].sum(axis=0)
