"""Exact rational time. quicktions is a C build of `fractions.Fraction` with the same API,
about ten times faster: pattern queries are mostly Fraction arithmetic."""

from quicktions import Fraction

__all__ = ["Fraction"]
