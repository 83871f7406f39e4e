"""Deterministic randomness, a function of time exactly as in Tidal, so a patch replays identically."""

from __future__ import annotations

from .rational import Fraction
from math import floor
from typing import Any, Callable, Sequence

from .pattern import UNCHANGED, Event, Pattern, Time, TimeSpan, current_query, partition, partition_sorter

_MASK = (1 << 64) - 1


def _int64(x: int) -> int:
    x &= _MASK
    return x - (1 << 64) if x >> 63 else x


def _xorwise(x: int) -> int:
    """Tidal's xorwise on a signed 64-bit Int, as written there (time_to_rand does without the
    wrapping; the tests hold the two equal)."""
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


def time_to_rands(t: Time, n: int) -> list[float]:
    """Tidal's timeToRands: n numbers in [0, 1) from the seed of t (exact: t is a cycle number
    where Tidal uses it), each seed the xorwise of the one before, wrapping as Haskell's Int does."""
    x = Fraction(t) / 300
    seed = _xorwise(int((x - int(x)) * 536870912))  # (int truncates toward zero: properFraction, truncate)
    out = []
    for _ in range(n):
        out.append((seed % 536870912) / 536870912)
        seed = _xorwise(seed)
    return out


def _rand_query(span: TimeSpan) -> list[Event]:
    return [Event(None, span, time_to_rand((span.begin + span.end) / 2))]


rand = Pattern(_rand_query, node=("rand", Fraction(0)))
"""A continuous random signal in [0, 1), sampled at the middle of the query (as Tidal does)."""


def seeded_rand(seed: int) -> Pattern:
    """rand shifted by 0.0001 cycles per seed: each mini-notation `?` and `|` gets its own."""
    if not seed:
        return rand
    return Pattern(None, node=("rand", Fraction(seed, 10000)), make=_shifted_rand_query)


def _shifted_rand_query(node: tuple) -> Callable[[TimeSpan], list[Event]]:
    return rand._early(node[1]).query


def degrade_by_with(random: Pattern, amount: float, pat: Pattern) -> Pattern:
    """Keep the events whose random value at their whole is at least amount."""
    return partition_by_rand(random, amount, pat)[0]


def undegrade_by_with(random: Pattern, amount: float, pat: Pattern) -> Pattern:
    """The complement of degrade_by_with: the events it drops."""
    return partition_by_rand(random, amount, pat)[1]


def partition_by_rand(random: Pattern, amount: float, pat: Pattern) -> tuple[Pattern, Pattern]:
    """(degrade_by_with, undegrade_by_with) of the same arguments, as Tidal's _degradeByUsing and
    _unDegradeBy: pat's events, each with the random value sampled over its whole (`app_left`),
    kept where it is at least amount, or where it is less. For `rand` itself, the value is
    computed directly, a kept event goes through as it came, and the halves are the sides of one
    `partition` (a stack of the two, as `sometimesBy` makes, reads pat once); asked for the same
    span in one top-level query, they share one reading of pat even apart."""
    node = random.node
    if node is None or node[0] != "rand":
        tagged = pat.app_left(random, lambda v, r: (v, r))
        return (tagged.filter_events(lambda e: e.value[1] >= amount).fmap(lambda vr: vr[0]),
                tagged.filter_events(lambda e: e.value[1] < amount).fmap(lambda vr: vr[0]))

    def below(s: Time) -> bool:
        """Whether rand at s / 2 (the middle of a whole, s the sum of its ends) is below amount:
        time_to_rand inlined, with float(s / 2) / 300 as float(s) / 600, the same float (halving
        a float is exact away from the subnormals)."""
        x = float(s)
        if -1e-300 < x < 1e-300:
            return time_to_rand(s / 2) < amount
        x /= 600
        x = int((x - int(x)) * 536870912)
        x ^= x << 13
        x ^= x >> 17
        x ^= x << 5
        return (x & 536870911) / 536870912 < amount

    if isinstance(amount, float):
        below.rand_below = amount  # type: ignore[attr-defined]  (a cycle plan computes it itself: dsl/plan.py)
    shift2 = 2 * node[1]
    memo: list[Any] = [None, None]  # the last answer, and the sorter (made when first asked: the halves of
    #                                  `sometimesBy` are fused into one partition, and this is never asked)

    def halves(span: TimeSpan) -> tuple[list[Event], list[Event]]:
        token = current_query()
        m = memo[0]
        if m is not None and token is not None and m[0] is token and m[1] == span.begin and m[2] == span.end:
            return m[3]
        sort = memo[1]
        if sort is None:
            sort = memo[1] = partition_sorter(pat, below, _ONE, shift2, UNCHANGED, UNCHANGED)
        sides = sort(span)
        memo[0] = (token, span.begin, span.end, sides)
        return sides

    return (partition(pat, below, _ONE, shift2, UNCHANGED, None, lambda span: list(halves(span)[0])),
            partition(pat, below, _ONE, shift2, None, UNCHANGED, lambda span: list(halves(span)[1])))


_ONE = Fraction(1)


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

