"""Deterministic randomness, a function of time exactly as in Tidal, so a patch replays identically."""

from __future__ import annotations

from .rational import Fraction
from math import floor
from typing import Sequence

from .pattern import Event, Pattern, Time, TimeSpan

_MASK = (1 << 64) - 1


def _int64(x: int) -> int:
    x &= _MASK
    return x - (1 << 64) if x >> 63 else x


def _xorwise(x: int) -> int:
    a = _int64((x << 13) ^ x)
    b = _int64((a >> 17) ^ a)
    return _int64((b << 5) ^ b)


def time_to_rand(t: Time) -> float:
    """Tidal's timeToRand: xorshift of the fractional part of t/300, in [0, 1)."""
    x = float(t) / 300
    frac = x - int(x)  # Haskell's properFraction keeps the sign
    seed = _xorwise(int(frac * (1 << 29)))
    return (seed % (1 << 29)) / (1 << 29)


def _rand_query(span: TimeSpan) -> list[Event]:
    return [Event(None, span, time_to_rand((span.begin + span.end) / 2))]


rand = Pattern(_rand_query)
"""A continuous random signal in [0, 1), sampled at the middle of the query (as Tidal does)."""


def seeded_rand(seed: int) -> Pattern:
    """rand shifted by 0.0001 cycles per seed: each mini-notation `?` and `|` gets its own."""
    return rand._early(Fraction(seed, 10000)) if seed else rand


def degrade_by_with(random: Pattern, amount: float, pat: Pattern) -> Pattern:
    """Keep the events whose random value at their whole is at least amount."""
    return pat.app_left(random, lambda v, r: (v, r)).filter_events(lambda e: e.value[1] >= amount) \
        .fmap(lambda vr: vr[0])


def undegrade_by_with(random: Pattern, amount: float, pat: Pattern) -> Pattern:
    """The complement of degrade_by_with: the events it drops."""
    return pat.app_left(random, lambda v, r: (v, r)).filter_events(lambda e: e.value[1] < amount) \
        .fmap(lambda vr: vr[0])


def choose_cycle(seed: int, patterns: Sequence[Pattern]) -> Pattern:
    """Pick one of the patterns per cycle at random (mini-notation `|`)."""
    n = len(patterns)
    chooser = seeded_rand(seed)

    def query(span: TimeSpan) -> list[Event]:
        out = []
        for s in span.cycles():
            cycle = Fraction(floor(s.begin))
            r = chooser.query(TimeSpan(cycle, cycle + 1))[0].value
            chosen = patterns[min(int(r * n), n - 1)]
            for e in chosen.query(s):
                whole = None if e.whole is None else e.whole.intersection(TimeSpan(cycle, cycle + 1))
                out.append(Event(whole, e.part, e.value, e.locations))
        return out

    return Pattern(query)

