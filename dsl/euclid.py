"""Euclidean rhythms: Bjorklund's algorithm as Tidal orders it, rotated to the left."""

from __future__ import annotations

from .rational import Fraction
from functools import lru_cache

from .pattern import Pattern, _atoms, fastcat, silence


@lru_cache(maxsize=1024)
def bjorklund(k: int, n: int) -> tuple[bool, ...]:
    """k onsets spread as evenly as possible over n steps; (3, 8) is x..x..x."""
    if n <= 0 or k <= 0:
        return (False,) * max(n, 0)
    k = min(k, n)
    xs: list[list[bool]] = [[True] for _ in range(k)]
    ys: list[list[bool]] = [[False] for _ in range(n - k)]
    while min(len(xs), len(ys)) > 1:
        if len(xs) > len(ys):
            j = len(ys)
            xs, ys = [a + b for a, b in zip(xs[:j], ys)], xs[j:]
        else:
            i = len(xs)
            xs, ys = [a + b for a, b in zip(xs, ys[:i])], ys[i:]
    return tuple(b for group in xs + ys for b in group)


def euclid_off(k: int, n: int, rotation: int, pat: Pattern, fill: bool = False) -> Pattern:
    """Play pat on the k-of-n Euclidean steps rotated left by rotation; negative k inverts.

    With fill (boolean patterns, as Tidal's _euclidOffBool), the off-steps play `not value`.
    """
    if n <= 0:
        return silence
    bits = bjorklund(abs(k), n)
    if k < 0:
        bits = tuple(not b for b in bits)
    off = pat.fmap(lambda v: not v) if fill else silence
    return fastcat([pat if b else off for b in bits])._early(Fraction(rotation % n, n))



def euclid_atoms(k: int, n: int, rotation: int, atom: Pattern) -> Pattern | None:
    """euclid_off(k, n, rotation, atom).split_queries() of a steady atom, made directly: the atom in
    each of the n steps that is an onset, the steps rotated left (each stays inside its cycle, and a
    query of one cycle gives them in the same order); None where n is not positive."""
    if n <= 0:
        return None
    bits = bjorklund(abs(k), n)
    if k < 0:
        bits = tuple(not b for b in bits)
    r = rotation % n
    value, locations = atom.steady, atom.locations
    return _atoms([[(Fraction(i, n), Fraction(i + 1, n), value, locations)
                    for i in range(n) if bits[(i + r) % n]]])
