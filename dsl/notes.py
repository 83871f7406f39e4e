"""Note names and ratio shorthands as Tidal reads them (c5 = 0 for `note` and `n`)."""

from __future__ import annotations

import re
from .rational import Fraction, parse_fraction

_LETTERS = {"c": 0, "d": 2, "e": 4, "f": 5, "g": 7, "a": 9, "b": 11}
_NOTE = re.compile(r"^([a-g])((?:s|f|n|#)*)(-?[0-9]+)?$")
_RATIOS = {"w": Fraction(1), "h": Fraction(1, 2), "q": Fraction(1, 4), "e": Fraction(1, 8),
           "s": Fraction(1, 16), "t": Fraction(1, 3), "f": Fraction(1, 5), "x": Fraction(1, 6)}


def note_value(name: str) -> int | None:
    """Semitones from c5: `c` = 0, `a5` = 9, `cs` = 1, `ef4` = -9; None if not a note name."""
    m = _NOTE.match(name)
    if not m:
        return None
    letter, accidentals, octave = m.groups()
    shift = sum(1 if a in "s#" else -1 if a == "f" else 0 for a in accidentals)
    return _LETTERS[letter] + shift + (int(octave) - 5 if octave else 0) * 12


_RATIO = re.compile(r"^([0-9]+(?:\.[0-9]+)?)?([whqestfx])$")


def ratio_shorthand(name: str) -> Fraction | None:
    """`q` = 1/4, `e` = 1/8, `3q` = 3/4; None if not a shorthand."""
    m = _RATIO.match(name)
    if not m:
        return None
    count = parse_fraction(m.group(1)) if m.group(1) else Fraction(1)  # (never quicktions on text)
    return count * _RATIOS[m.group(2)]


# Tidal's scale table (Sound.Tidal.Scales), the common part: semitones above the tonic.
SCALES: dict[str, tuple[int, ...]] = {
    "major": (0, 2, 4, 5, 7, 9, 11), "ionian": (0, 2, 4, 5, 7, 9, 11), "minor": (0, 2, 3, 5, 7, 8, 10),
    "aeolian": (0, 2, 3, 5, 7, 8, 10), "dorian": (0, 2, 3, 5, 7, 9, 10), "phrygian": (0, 1, 3, 5, 7, 8, 10),
    "lydian": (0, 2, 4, 6, 7, 9, 11), "mixolydian": (0, 2, 4, 5, 7, 9, 10), "locrian": (0, 1, 3, 5, 6, 8, 10),
    "majPent": (0, 2, 4, 7, 9), "minPent": (0, 3, 5, 7, 10), "ritusen": (0, 2, 5, 7, 9),
    "egyptian": (0, 2, 5, 7, 10), "harmonicMinor": (0, 2, 3, 5, 7, 8, 11), "melodicMinor": (0, 2, 3, 5, 7, 9, 11),
    "whole": (0, 2, 4, 6, 8, 10), "wholetone": (0, 2, 4, 6, 8, 10), "chromatic": tuple(range(12)),
    "blues": (0, 3, 5, 6, 7, 10), "hexMajor7": (0, 2, 4, 7, 9, 11), "hexDorian": (0, 2, 3, 5, 7, 10),
    "bhairav": (0, 1, 4, 5, 7, 8, 11), "superLocrian": (0, 1, 3, 4, 6, 8, 10),
    "diminished": (0, 2, 3, 5, 6, 8, 9, 11), "diminished2": (0, 1, 3, 4, 6, 7, 9, 10),
}

# Tidal's chord table (Sound.Tidal.Chords), the common part.
CHORDS: dict[str, tuple[int, ...]] = {
    "major": (0, 4, 7), "maj": (0, 4, 7), "M": (0, 4, 7), "aug": (0, 4, 8), "plus": (0, 4, 8),
    "sharp5": (0, 4, 8), "six": (0, 4, 7, 9), "6": (0, 4, 7, 9), "sixby9": (0, 4, 7, 9, 14),
    "six9": (0, 4, 7, 9, 14), "major7": (0, 4, 7, 11), "maj7": (0, 4, 7, 11), "major9": (0, 4, 7, 11, 14),
    "maj9": (0, 4, 7, 11, 14), "add9": (0, 4, 7, 14), "major11": (0, 4, 7, 11, 14, 17),
    "maj11": (0, 4, 7, 11, 14, 17), "add11": (0, 4, 7, 17), "major13": (0, 4, 7, 11, 14, 21),
    "maj13": (0, 4, 7, 11, 14, 21), "add13": (0, 4, 7, 21), "dom7": (0, 4, 7, 10), "dom9": (0, 4, 7, 14),
    "dom11": (0, 4, 7, 17), "dom13": (0, 4, 7, 21), "sevenFlat5": (0, 4, 6, 10), "7f5": (0, 4, 6, 10),
    "sevenSharp5": (0, 4, 8, 10), "7s5": (0, 4, 8, 10), "sevenFlat9": (0, 4, 7, 10, 13), "7f9": (0, 4, 7, 10, 13),
    "nine": (0, 4, 7, 10, 14), "eleven": (0, 4, 7, 10, 14, 17), "11": (0, 4, 7, 10, 14, 17),
    "thirteen": (0, 4, 7, 10, 14, 17, 21), "13": (0, 4, 7, 10, 14, 17, 21), "minor": (0, 3, 7),
    "min": (0, 3, 7), "m": (0, 3, 7), "diminished": (0, 3, 6), "dim": (0, 3, 6), "minorSharp5": (0, 3, 8),
    "msharp5": (0, 3, 8), "mS5": (0, 3, 8), "minor6": (0, 3, 7, 9), "min6": (0, 3, 7, 9), "m6": (0, 3, 7, 9),
    "minorSixNine": (0, 3, 9, 7, 14), "minor69": (0, 3, 9, 7, 14), "min69": (0, 3, 9, 7, 14),
    "minor7flat5": (0, 3, 6, 10), "min7flat5": (0, 3, 6, 10), "m7flat5": (0, 3, 6, 10), "m7f5": (0, 3, 6, 10),
    "minorMajor7": (0, 3, 7, 11), "minMaj7": (0, 3, 7, 11), "mmaj7": (0, 3, 7, 11),
    "diminished7": (0, 3, 6, 9), "dim7": (0, 3, 6, 9), "minor7": (0, 3, 7, 10), "min7": (0, 3, 7, 10),
    "m7": (0, 3, 7, 10), "minor9": (0, 3, 7, 10, 14), "min9": (0, 3, 7, 10, 14), "m9": (0, 3, 7, 10, 14),
    "minor11": (0, 3, 7, 10, 14, 17), "min11": (0, 3, 7, 10, 14, 17), "m11": (0, 3, 7, 10, 14, 17),
    "minor13": (0, 3, 7, 10, 14, 17, 21), "min13": (0, 3, 7, 10, 14, 17, 21),
    "m13": (0, 3, 7, 10, 14, 17, 21), "one": (0,), "1": (0,), "five": (0, 7), "5": (0, 7),
    "sus2": (0, 2, 7), "sus4": (0, 5, 7), "sevenSus2": (0, 2, 7, 10), "7sus2": (0, 2, 7, 10),
    "sevenSus4": (0, 5, 7, 10), "7sus4": (0, 5, 7, 10), "nineSus4": (0, 5, 7, 10, 14), "ninesus4": (0, 5, 7, 10, 14),
    "9sus4": (0, 5, 7, 10, 14), "sevenFlat10": (0, 4, 7, 10, 15), "7f10": (0, 4, 7, 10, 15),
    "nineSharp5": (0, 1, 13), "9sharp5": (0, 1, 13), "9s5": (0, 1, 13), "minor9sharp5": (0, 1, 14),
    "minor9s5": (0, 1, 14), "min9sharp5": (0, 1, 14), "min9s5": (0, 1, 14), "m9sharp5": (0, 1, 14),
    "m9s5": (0, 1, 14), "sevenSharp5flat9": (0, 4, 8, 10, 13), "7s5f9": (0, 4, 8, 10, 13),
    "minor7sharp5": (0, 3, 8, 10), "min7sharp5": (0, 3, 8, 10), "m7sharp5": (0, 3, 8, 10), "m7s5": (0, 3, 8, 10),
    "elevenSharp": (0, 4, 7, 10, 14, 18), "11s": (0, 4, 7, 10, 14, 18), "minor11sharp": (0, 3, 7, 10, 14, 18),
    "m11sharp": (0, 3, 7, 10, 14, 18), "m11s": (0, 3, 7, 10, 14, 18), "seven": (0, 4, 7, 10), "7": (0, 4, 7, 10),
    "major6": (0, 4, 7, 9), "maj6": (0, 4, 7, 9), "nine6": (0, 4, 7, 9, 14),
}

MODES = ("major", "minor", "dorian", "phrygian", "lydian", "mixolydian", "aeolian", "locrian", "ionian")


def chord_notes(name: str) -> list[int] | None:
    """`c'maj` -> [0, 4, 7]; modifiers after a second `'`: `'i` `'ii` (inversions), `'o` (open),
    `'d` (drop), `'5` (number of notes), `'e` (up an octave); None if it is not a chord."""
    root_name, *parts = name.split("'")
    if not parts:
        return None
    root = note_value(root_name) if root_name else 0
    if root is None and root_name.lstrip("-").isdigit():
        root = int(root_name)
    shape = CHORDS.get(parts[0])
    if root is None or shape is None:
        return None
    notes = [root + n for n in shape]
    for mod in parts[1:]:
        if mod and set(mod) == {"i"}:
            for _ in range(len(mod)):
                notes = notes[1:] + [notes[0] + 12]
        elif mod == "o" and len(notes) > 2:
            notes = [notes[0] - 12, notes[2] - 12] + [n for i, n in enumerate(notes) if i not in (0, 2)]
        elif mod.isdigit() and int(mod) > 0:
            count = int(mod)
            notes = [notes[i % len(notes)] + 12 * (i // len(notes)) for i in range(count)]
        elif mod == "d" and len(notes) > 1:
            notes = [notes[-2] - 12] + notes[:-2] + notes[-1:]
        elif mod == "e":
            notes = [n + 12 for n in notes]
        else:
            return None
    return notes


def parse_key(text: str) -> tuple[int, str] | None:
    """`e minor`, `A minor`, `f# major`, `bb dorian`, `c` -> (tonic pitch class, mode); None if not a key."""
    words = text.strip().lower().replace("♯", "#").replace("♭", "b").split()
    if not words or len(words) > 2:
        return None
    tonic = words[0]
    mode = words[1] if len(words) == 2 else "major"
    if mode in ("maj", "m", "min"):
        mode = "major" if mode == "maj" else "minor"
    if not tonic or tonic[0] not in _LETTERS or mode not in MODES:
        return None
    shift = 0
    for ch in tonic[1:]:
        if ch in "#s":
            shift += 1
        elif ch in "bf":
            shift -= 1
        else:
            return None
    return (_LETTERS[tonic[0]] + shift) % 12, mode
