"""The chord vocabulary: 12 roots x 10 qualities, as small integers so tables and tensors index them.

A chord index is `root * len(QUALITIES) + quality`. Richer labels (ninths, sixths, added notes,
inversions) fold onto the nearest member, because the accompanist only needs the harmony's
colour class, and a small vocabulary keeps the model's output and the bigram table tiny.
"""

from __future__ import annotations

import re

import numpy as np

# name -> intervals above the root
QUALITIES: dict[str, tuple[int, ...]] = {
    "maj": (0, 4, 7), "min": (0, 3, 7), "dim": (0, 3, 6), "aug": (0, 4, 8),
    "sus2": (0, 2, 7), "sus4": (0, 5, 7),
    "7": (0, 4, 7, 10), "maj7": (0, 4, 7, 11), "min7": (0, 3, 7, 10), "hdim7": (0, 3, 6, 10),
}
QUALITY_NAMES = list(QUALITIES)
NQ = len(QUALITY_NAMES)
NCHORDS = 12 * NQ
# triad class, for "same root and triad" agreement: sevenths count as their triad
TRIAD = {"maj": "maj", "7": "maj", "maj7": "maj", "min": "min", "min7": "min", "dim": "dim",
         "hdim7": "dim", "aug": "aug", "sus2": "sus", "sus4": "sus"}
NOTE_NAMES = ["C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B"]

# Harte shorthands and lead-sheet suffixes -> vocabulary quality
_SUFFIX = {
    "": "maj", "maj": "maj", "M": "maj", "6": "maj", "maj6": "maj", "5": "maj", "1": "maj",
    "add9": "maj", "9": "7", "11": "7", "13": "7", "7": "7", "dom7": "7",
    "maj7": "maj7", "M7": "maj7", "maj9": "maj7", "maj11": "maj7", "maj13": "maj7",
    "min": "min", "m": "min", "min6": "min", "m6": "min", "minmaj7": "min", "mmaj7": "min",
    "min7": "min7", "m7": "min7", "min9": "min7", "m9": "min7", "min11": "min7", "min13": "min7",
    "dim": "dim", "o": "dim", "dim7": "dim", "o7": "dim", "hdim7": "hdim7", "m7b5": "hdim7",
    "aug": "aug", "+": "aug", "sus2": "sus2", "sus4": "sus4", "sus": "sus4",
}
# the data sets' `kind` field -> vocabulary quality (None: not a chord we can name)
KIND = {
    "major": "maj", "major-sixth": "maj", "power": "maj", "pedal": "maj",
    "minor": "min", "minor-sixth": "min", "minor-major-seventh": "min",
    "diminished": "dim", "diminished-seventh": "dim", "half-diminished-seventh": "hdim7",
    "augmented": "aug", "suspended-second": "sus2", "suspended-fourth": "sus4",
    "dominant-seventh": "7", "dominant-ninth": "7", "dominant-11th": "7", "dominant-13th": "7",
    "major-seventh": "maj7", "major-ninth": "maj7", "major-13th": "maj7",
    "minor-seventh": "min7", "minor-ninth": "min7", "minor-11th": "min7", "minor-13th": "min7",
}
_LABEL = re.compile(r"^([A-G])([#b]*)(?::?([^/(]*))(\([^)]*\))?(?:/(.+))?$")


def index(root: int, quality: str) -> int:
    return (root % 12) * NQ + QUALITY_NAMES.index(quality)


def root(chord: int) -> int:
    return chord // NQ


def quality(chord: int) -> str:
    return QUALITY_NAMES[chord % NQ]


def triad(chord: int) -> tuple[int, str]:
    return chord // NQ, TRIAD[QUALITY_NAMES[chord % NQ]]


def pcs(chord: int) -> list[int]:
    r = chord // NQ
    return sorted((r + i) % 12 for i in QUALITIES[QUALITY_NAMES[chord % NQ]])


def rotate(chord: int, semitones: int) -> int:
    """The same chord transposed: how key-relative indices map to absolute ones and back."""
    return ((chord // NQ + semitones) % 12) * NQ + chord % NQ


def name(chord: int | None) -> str:
    return "N" if chord is None else f"{NOTE_NAMES[chord // NQ]}:{quality(chord)}"


def parse(label: str) -> int | None:
    """A chord label of the data sets (Harte `C#:min7/5`, `E:7(#9)`; lead sheet `Em`, `D7`, `C/E`).

    Returns None for no-chord (`N`, `X`) and labels that name no chord of the vocabulary.
    """
    m = _LABEL.match(label.strip())
    if not m:
        return None
    letter, accidentals, suffix, _added, _bass = m.groups()
    q = _SUFFIX.get(suffix or "")
    if q is None:
        return None
    pc = "C D EF G A B".index(letter) + accidentals.count("#") - accidentals.count("b")
    return index(pc, q)


def from_kind(root_pc: int, kind: str) -> int | None:
    q = KIND.get(kind)
    return None if q is None else index(root_pc, q)


def _pc_matrix() -> np.ndarray:
    m = np.zeros((NCHORDS, 12), dtype=np.float32)
    for c in range(NCHORDS):
        m[c, pcs(c)] = 1.0
    return m


PC_MATRIX = _pc_matrix()  # (NCHORDS, 12): 1 where the chord holds the pitch class
ROTATE = np.array([[rotate(c, k) for c in range(NCHORDS)] for k in range(12)])  # ROTATE[k, c]
