"""Note names and ratio shorthands as Tidal reads them (c5 = 0 for `note` and `n`)."""

from __future__ import annotations

import re
from fractions import Fraction

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


def ratio_shorthand(name: str) -> Fraction | None:
    """`q` = 1/4, `e` = 1/8, `3q` handled by the number path; None if not a shorthand."""
    return _RATIOS.get(name)
