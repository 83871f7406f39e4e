"""Exact rational time. quicktions is a C build of `fractions.Fraction` with the same API,
about ten times faster: pattern queries are mostly Fraction arithmetic.

Numbers written as text go through `parse_fraction`, never `Fraction(text)`: quicktions' string
parser (1.14 to 1.24 at least, CPython 3.11) writes the text's first character into CPython's
shared one-byte bytes object for NUL, so that afterwards `b"\\x00"` read from any file or socket
in the process comes back as that character (mido then misread MIDI files, torch its weights).
A pattern's values may be text (wchoose's), so they become times through `pattern.to_time`. The
test suite fails the test during which the NUL object changes (tests/conftest.py).
"""

from fractions import Fraction as _Exact

from quicktions import Fraction

__all__ = ["MAX_EXPONENT", "Fraction", "parse_fraction"]


MAX_EXPONENT = 400  # (past any float's; Python would spend hours writing out 10 ** 999999999)


def parse_fraction(text: str) -> Fraction:
    """A number written as text ("3", "-0.25", "1/3", "1e-3") as an exact Fraction; ValueError
    for what is not one, or has an exponent beyond MAX_EXPONENT."""
    whole, dot, decimals = text.partition(".")
    if whole.isdigit() and (not dot or decimals.isdigit()):  # "3", "0.25": the common forms, directly
        return Fraction(int(whole + decimals), 10 ** len(decimals))
    exponent = text.lower().partition("e")[2].strip().lstrip("+-")
    if exponent.isdigit() and (len(exponent) > 3 or int(exponent) > MAX_EXPONENT):
        raise ValueError(f"`{text.strip()}` is out of range (powers of ten up to e{MAX_EXPONENT})")
    exact = _Exact(text)
    return Fraction(exact.numerator, exact.denominator)
