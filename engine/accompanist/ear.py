"""The ear: what the performer's notes say so far — the key, the harmony of the last beats, how they play.

Everything is online: the ear only ever sees notes that have started, and a held note counts
for the time it has sounded up to now. Time is in beats.

- Key: Krumhansl-Schmuckler key finding (with Temperley's profiles) on a duration-weighted
  pitch-class histogram that decays (half-life `KEY_HALF_LIFE` beats), so an old key fades and a modulation wins
  after a few bars; a margin (hysteresis) keeps the key from flickering between close rivals.
  A key the performer names (the patch's `key`, "key of A minor") is the key while the recent
  notes stay on its scale (`DECLARED_FIT` of their sounding time): it settles what the notes leave
  open (F major or D minor?) and holds before the first note; notes off its scale hand the choice
  back to the ear, so a modulation is still followed.
- Harmony: a short-memory histogram (half-life one beat) scored against every chord of the
  vocabulary — chord tones count for, other tones against — plus a prior from the key.
- Playing: note density, syncopation and register over the last bars.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np

from . import chords

KEY_HALF_LIFE = 16.0  # beats
CHORD_HALF_LIFE = 1.0
KEY_MARGIN = 0.1  # correlation a rival key must gain over the current one to replace it
DECLARED_FIT = 0.9  # share of the recent sounding time on the named key's scale that keeps it
MINOR_MODES = ("minor", "aeolian", "dorian", "phrygian", "locrian")  # the modes with a minor third
ONSET_WEIGHT = 0.25  # beats of sounding time an onset is worth, so short notes count
MAX_NOTE_WEIGHT = 2.0  # beats: a long-held note stops adding evidence after this
MEMORY = 8.0  # beats of finished notes kept for the beat features and playing statistics

# Temperley's Kostka-Payne profiles (Music and Probability, 2007): on POP909 melodies they find the
# annotated key in 72 % of beats (the scale in 91 %), Krumhansl-Kessler's only in 49 % (63 %).
_MAJOR = np.array([0.748, 0.060, 0.488, 0.082, 0.670, 0.460, 0.096, 0.715, 0.104, 0.366, 0.057, 0.400])
_MINOR = np.array([0.712, 0.084, 0.474, 0.618, 0.049, 0.460, 0.105, 0.747, 0.404, 0.067, 0.133, 0.330])


def _profiles() -> np.ndarray:
    """(24, 12) centred, unit-norm profiles: rows 0-11 major keys on C..B, 12-23 minor keys."""
    rows = [np.roll(p, k) for p in (_MAJOR, _MINOR) for k in range(12)]
    m = np.array(rows) - np.mean(rows, axis=1, keepdims=True)
    return m / np.linalg.norm(m, axis=1, keepdims=True)


PROFILES = _profiles()
_MAJOR_SCALE = np.array([1, 0, 1, 0, 1, 1, 0, 1, 0, 1, 0, 1], dtype=np.float32)
_MINOR_SCALE = np.array([1, 0, 1, 1, 0, 1, 0, 1, 1, 0, 1, 1], dtype=np.float32)  # natural + raised 7th
# (24, NCHORDS): share of the chord's tones that lie in the key's scale
_SCALES = np.array([np.roll(s, k) for s in (_MAJOR_SCALE, _MINOR_SCALE) for k in range(12)])
DIATONIC = _SCALES @ chords.PC_MATRIX.T / chords.PC_MATRIX.sum(axis=1)
_FOUR_NOTES = (chords.PC_MATRIX.sum(axis=1) > 3).astype(np.float32)


def key_name(key: int) -> str:
    return f"{chords.NOTE_NAMES[key % 12]} {'minor' if key >= 12 else 'major'}"


def key_index(tonic: int, mode: str) -> int:
    """The ear's key (0-11 major, 12-23 minor) nearest a named key and mode: a mode with a minor
    third is heard as the minor key on its tonic (E dorian as E minor), the others as major."""
    return tonic % 12 + (12 if mode in MINOR_MODES else 0)


def mode_scale(tonic: int, degrees) -> np.ndarray:
    """(12,) ones on a mode's pitch classes (its degrees above the tonic), for `Ear.declare`."""
    scale = np.zeros(12, dtype=np.float32)
    scale[[(tonic + d) % 12 for d in degrees]] = 1.0
    return scale


def collection(key: int) -> int:
    """The tonic of the key's major scale (A minor -> C): stable when major and relative minor are confused."""
    return (key + 3) % 12 if key >= 12 else key


@dataclass
class Playing:
    density: float  # onsets per beat over the last bar
    syncopation: float  # 0..1: share of onsets off the beat (eighths count half, sixteenths fully)
    register: float  # mean MIDI pitch of the notes of the last bars (0 when silent)


@dataclass
class Snapshot:
    """What the model hears at a beat boundary b: all from notes that started before b."""
    beat_pcs: np.ndarray  # (12,) beats each pitch class sounded in [b-1, b)
    held_pcs: np.ndarray  # (12,) 1 for pitch classes still sounding at b
    key_posterior: np.ndarray  # (24,)
    key: int  # 0-11 major, 12-23 minor
    onsets: int  # notes started in [b-1, b)
    heard: bool  # any note since the reset
    frames: np.ndarray  # (4, 12) 1 for the pitch class sounding in the middle of each sixteenth of [b-1, b)
    frame_onsets: np.ndarray  # (4,) 1 where a note starts on that sixteenth (its onset rounds to it)


class _Decayed:
    """A pitch-class histogram of sounding time whose past halves every `half_life` beats."""

    def __init__(self, half_life: float):
        self.rate = np.log(2.0) / half_life
        self.h = np.zeros(12)

    def advance(self, dt: float, sounding: np.ndarray) -> None:
        self.h *= np.exp(-self.rate * dt)
        self.h += sounding * dt

    def add(self, pc: int, weight: float) -> None:
        self.h[pc] += weight


class Ear:
    def __init__(self, beats_per_bar: int = 4):
        self.beats_per_bar = beats_per_bar
        self.now = 0.0
        self.sounding: dict[int, tuple[float, float]] = {}  # pitch -> (onset, velocity weight)
        self.finished: deque[tuple[float, float, int]] = deque()  # (onset, offset, pitch)
        self.key_hist = _Decayed(KEY_HALF_LIFE)
        self.chord_hist = _Decayed(CHORD_HALF_LIFE)
        self._key: int | None = None  # no favourite before the first note: transposing stays exact
        self.declared: int | None = None  # the key the performer named, if any, and its scale
        self.declared_scale: np.ndarray | None = None
        self.heard = False

    def declare(self, key: int | None, scale: np.ndarray | None = None) -> None:
        """The key the performer named (an index as `key_index` gives) and the pitch classes of its
        mode (12 zeros and ones; default the key's major or minor scale), or None: by ear alone."""
        self.declared = key
        self.declared_scale = None if key is None else _SCALES[key] if scale is None else scale
        if key is not None:
            self._key = key

    # -- events ---------------------------------------------------------------------
    def advance(self, t: float) -> None:
        """Move the clock to t, adding the sounding notes' time since the last event."""
        dt = t - self.now
        if dt <= 0:
            return
        weights = np.zeros(12)
        for pitch, (onset, vel) in self.sounding.items():
            held = max(0.0, min(dt, onset + MAX_NOTE_WEIGHT - self.now))
            weights[pitch % 12] += vel * held / dt if held else 0.0
        self.key_hist.advance(dt, weights)
        self.chord_hist.advance(dt, weights)
        self.now = t
        while self.finished and self.finished[0][1] < t - MEMORY:
            self.finished.popleft()

    def note_on(self, t: float, pitch: int, velocity: int = 90) -> None:
        self.advance(t)
        if pitch in self.sounding:
            self.note_off(t, pitch)
        vel = 0.5 + velocity / 254.0  # soft notes count a little less, never nothing
        self.sounding[pitch] = (t, vel)
        self.key_hist.add(pitch % 12, ONSET_WEIGHT * vel)
        self.chord_hist.add(pitch % 12, ONSET_WEIGHT * vel)
        self.heard = True

    def note_off(self, t: float, pitch: int) -> None:
        self.advance(t)
        if pitch in self.sounding:
            onset, _ = self.sounding.pop(pitch)
            self.finished.append((onset, t, pitch))

    # -- the key ----------------------------------------------------------------------
    def key_scores(self) -> np.ndarray:
        """(24,) correlation of the recent pitch classes with each key's profile."""
        h = self.key_hist.h - self.key_hist.h.mean()
        norm = np.linalg.norm(h)
        scores = PROFILES @ h / norm if norm > 1e-9 else np.zeros(24)
        named, scale = self.declared, self.declared_scale
        if named is not None and scale @ self.key_hist.h >= DECLARED_FIT * self.key_hist.h.sum():
            scores[named] = scores.max() + KEY_MARGIN  # the notes fit the named key's scale: it wins
        return scores

    def key(self) -> int:
        """The current key (0-11 major, 12-23 minor), kept until a rival is clearly better."""
        if not self.heard:  # nothing heard yet
            return 0 if self._key is None else self._key
        scores = self.key_scores()
        best = int(np.argmax(scores))
        if self._key is None or scores[best] > scores[self._key] + KEY_MARGIN:
            self._key = best
        return self._key

    # -- the harmony -----------------------------------------------------------------
    def chord_logp(self, key: int, fit: float = 6.0, clash: float = 4.0, key_prior: float = 1.5,
                   seventh_cost: float = 0.3) -> np.ndarray:
        """(NCHORDS,) log-probabilities of the chord under the last beat or two of notes."""
        h = self.chord_hist.h
        total = h.sum()
        w = h / total if total > 1e-9 else h
        inside = chords.PC_MATRIX @ w
        score = fit * inside - clash * (1.0 - inside) + key_prior * DIATONIC[key] - seventh_cost * _FOUR_NOTES
        score -= score.max()
        return score - np.log(np.exp(score).sum())

    # -- beat features and playing ------------------------------------------------------
    def _notes(self):
        yield from self.finished
        for pitch, (onset, _) in self.sounding.items():
            yield onset, None, pitch

    def sounded(self, start: float, end: float) -> np.ndarray:
        """(12,) beats each pitch class sounded in [start, end), from the notes heard so far (a
        held note up to `end`); the ear's state is left as it is."""
        pcs = np.zeros(12)
        for onset, offset, pitch in self._notes():
            stop = end if offset is None else min(offset, end)
            if stop > max(onset, start):
                pcs[pitch % 12] += stop - max(onset, start)
        return pcs

    def snapshot(self, b: float) -> Snapshot:
        """The features at boundary b; call it before any event at or after b."""
        self.advance(b)
        held = np.zeros(12)
        onsets = 0
        frames, frame_onsets = np.zeros((4, 12)), np.zeros(4)
        latest = np.full(4, -np.inf)  # onset of the note each sixteenth holds: the latest one wins
        mids = b - 1.0 + (np.arange(4) + 0.5) / 4
        for onset, offset, pitch in self._notes():
            end = b if offset is None else min(offset, b)
            if offset is None:
                held[pitch % 12] = 1.0
            onsets += onset >= b - 1.0
            sixteenth = round((onset - (b - 1.0)) * 4)
            if 0 <= sixteenth < 4:
                frame_onsets[sixteenth] = 1.0
            for f in np.flatnonzero((onset <= mids) & (mids < end) & (onset > latest)):
                frames[f] = 0.0
                frames[f, pitch % 12] = 1.0
                latest[f] = onset
        scores = self.key_scores()
        post = np.exp(8.0 * (scores - scores.max()))
        return Snapshot(np.minimum(self.sounded(b - 1.0, b), 1.0), held, post / post.sum(), self.key(), onsets, self.heard,
                        frames, frame_onsets)

    def playing(self) -> Playing:
        window = float(self.beats_per_bar)
        onsets = [onset for onset, _, _ in self._notes() if onset >= self.now - window]
        pitches = [p for onset, _, p in self._notes() if onset >= self.now - 2 * window]
        off = [0.0 if abs(o - round(o)) < 1e-3 else 0.5 if abs(o * 2 - round(o * 2)) < 1e-3 else 1.0
               for o in onsets]
        return Playing(len(onsets) / window, float(np.mean(off)) if off else 0.0,
                       float(np.mean(pitches)) if pitches else 0.0)
