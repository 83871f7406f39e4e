"""Deterministic randomness, a function of time exactly as in Tidal, so a patch replays identically."""

from __future__ import annotations

from .rational import Fraction
from math import floor
from typing import Callable, Sequence

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
    """Tidal's timeToRand: xorshift of the fractional part of t/300, in [0, 1).

    Tidal shifts a signed 64-bit Int; only the low 29 bits are kept, and those come out
    the same from Python's unbounded integers (a right shift by 17 brings down bits that
    64-bit wrapping would have changed only from bit 47 up), so no masking is needed."""
    x = float(t) / 300
    x = int((x - int(x)) * 536870912)  # Haskell's properFraction keeps the sign; 2^29
    x ^= x << 13
    x ^= x >> 17
    x ^= x << 5
    return (x & 536870911) / 536870912


def _rand_query(span: TimeSpan) -> list[Event]:
    return [Event(None, span, time_to_rand((span.begin + span.end) / 2))]


rand = Pattern(_rand_query, node=("rand", Fraction(0)))
"""A continuous random signal in [0, 1), sampled at the middle of the query (as Tidal does)."""


def seeded_rand(seed: int) -> Pattern:
    """rand shifted by 0.0001 cycles per seed: each mini-notation `?` and `|` gets its own."""
    if not seed:
        return rand
    shift = Fraction(seed, 10000)
    return Pattern(rand._early(shift).query, node=("rand", shift))


def degrade_by_with(random: Pattern, amount: float, pat: Pattern) -> Pattern:
    """Keep the events whose random value at their whole is at least amount."""
    return _filter_by_rand(random, pat, lambda r: r >= amount)


def undegrade_by_with(random: Pattern, amount: float, pat: Pattern) -> Pattern:
    """The complement of degrade_by_with: the events it drops."""
    return _filter_by_rand(random, pat, lambda r: r < amount)


def _filter_by_rand(random: Pattern, pat: Pattern, keep: Callable[[float], bool]) -> Pattern:
    """Tidal's _degradeByUsing: pat's events, each with the random value sampled over its whole
    (`app_left`), kept where `keep` says so. For `rand` itself, the value is computed directly
    and a kept event goes through as it came."""
    node = random.node
    if node is None or node[0] != "rand":
        return pat.app_left(random, lambda v, r: (v, r)).filter_events(lambda e: keep(e.value[1])) \
            .fmap(lambda vr: vr[0])
    shift = node[1]
    q = pat.query

    def query(span: TimeSpan) -> list[Event]:
        out = []
        for e in q(span):
            w = e.whole
            if w is None:
                w = e.part
            # rand queried over the whole: its value at the middle of the (shifted) whole
            if not keep(time_to_rand((w.begin + w.end) / 2 + shift)):
                continue
            p = e.part
            if p is not w:  # the part, cut to the whole (the random event's part), as app_left does
                cut = p.intersection(w)
                if cut is None:
                    continue
                if cut.begin != p.begin or cut.end != p.end:
                    e = Event(e.whole, cut, e.value, e.locations)
            out.append(e)
        return out

    return Pattern(query)


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

