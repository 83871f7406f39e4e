"""Cycle plans: a query inside one cycle answered from tables compiled once per pattern.

A pattern made of atoms, sequences, stacks, maps of time and cuts at cycle boundaries is
periodic: cycle c + P plays the events of cycle c, P cycles later (P is 1 for most). Its plan
asks the plain definition once for each phase of the period, keeps those events as whole
numbers over a common denominator, counted from the cycle's start, and from then on answers a
query in any cycle by shifting them: no Fraction arithmetic and one Event made per event
played, whatever chain of transformations made them. What is not periodic is planned around
such tables: a random choice of events (`sometimesBy`, `degradeBy`: a partition) tests each
event of its table at the event's own time, a choice of pattern by cycle (`every`, `whenmod`)
asks the plan of the pattern it plays, a map of time (`fast 2` of those) maps the numbers, and a
stack joins its plans' events. Anything else has no plan and is queried as it is defined, as is
any query across a cycle boundary.

A query inside a cycle gets the events of its cycle's table that it overlaps, cut to it, as the
plain definition gives them (tests/test_dsl_plan.py holds the two equal, event for event and in
order). Tables are kept for at most MAX_HELD events in all, then made again as asked.
"""

from __future__ import annotations

from math import gcd, lcm
from typing import Any

from .pattern import Event, Pattern, TimeSpan, _aligned, _cut, _side, inside_whole
from .rational import Fraction

MAX_PERIOD = 64  # cycles: a pattern that repeats only after more is queried as it is defined
MAX_ROWS = 4096  # events in one cycle's table
MAX_HELD = 100_000  # events in all the tables kept; beyond, they are forgotten and made again as asked

Rows = tuple  # of (whole begin, whole end, part begin, part end, value, locations), see Chunk
Chunk = tuple  # (d, m, k, rows, lo, hi): a time x of a row is (k + m * x) / d; a part's begin None is lo,
#                its end None is hi (the bounds of the query that cut it, Fractions, mapped as the rows are)


class _Unplanned(Exception):
    """The plan cannot answer after all (a table too big, a choice it was not told of)."""


_held: dict[tuple[Any, int], tuple[int, Rows]] = {}  # (table, phase) -> (d, its rows)
_held_rows = [0]


def planned_query(pat: Pattern, span: TimeSpan) -> list[Event] | None:
    """pat's events in span, which lies inside one cycle and is not a point, from its plan; None
    where it has none."""
    plan = plan_of(pat)
    if plan is None:
        return None
    c = span.begin.__floor__()
    try:
        chunks = plan.chunks(c, None if span.begin == c and span.end == c + 1 else span)
    except _Unplanned:
        pat.plan = False
        return None
    out: list[Event] = []
    for d, m, k, rows, lo, hi in chunks:
        if m == 1:
            for wb, we, pb, pe, value, locations in rows:
                whole = TimeSpan(Fraction(k + wb, d), Fraction(k + we, d))
                if pb != wb or pe != we:
                    out.append(Event(whole, TimeSpan(lo if pb is None else Fraction(k + pb, d),
                                                     hi if pe is None else Fraction(k + pe, d)), value, locations))
                else:
                    out.append(Event(whole, whole, value, locations))
        else:
            for wb, we, pb, pe, value, locations in rows:
                whole = TimeSpan(Fraction(k + m * wb, d), Fraction(k + m * we, d))
                if pb != wb or pe != we:
                    out.append(Event(whole, TimeSpan(lo if pb is None else Fraction(k + m * pb, d),
                                                     hi if pe is None else Fraction(k + m * pe, d)),
                                     value, locations))
                else:
                    out.append(Event(whole, whole, value, locations))
    return out


def plan_of(pat: Pattern) -> Any:
    """pat's plan, made the first time it is asked for; None where it has none."""
    plan = pat.plan
    if plan is None:
        plan = pat.plan = _make(pat) or False
    return plan or None


def period(pat: Pattern) -> int | None:
    """The number of cycles after which pat plays the same again, where its node shows one (a
    map of time a*t + b repeats when a times its period is a multiple of the inner one's; `cat`
    of n patterns plays each every n cycles, and moves it on one cycle each time)."""
    node = pat.node
    kind = node[0] if node is not None else None
    if kind == "silence":
        return 1
    if kind == "atoms" or kind == "chain":
        a = node[2]
        inner = 1 if kind == "atoms" else period(node[1])
        if inner is None:
            return None
        p = inner * a.denominator // gcd(a.numerator, inner * a.denominator)
        for al, _ in node[4]:
            p = lcm(p, al.denominator)
        return p
    if kind == "stack" or kind == "by_cycle":
        periods = [period(p) for p in (node[1] if kind == "stack" else node[3])]
        if kind == "by_cycle":
            periods.append(node[2])
        return None if None in periods else lcm(*periods)
    if kind == "slowcat":
        periods = [period(p) for p in node[1]]
        return None if None in periods else len(periods) * lcm(*periods)
    if kind in ("shared", "cycle_cut", "fastgap", "zoom", "rev"):  # each cycle read from the same cycle
        return period(node[1])
    return None


def _make(pat: Pattern) -> Any:
    p = period(pat)
    if p is not None:
        return _Table(pat, p) if p <= MAX_PERIOD else None
    node = pat.node
    kind = node[0] if node is not None else None
    if kind == "partition":
        p = period(node[1])
        for side in node[5:7]:
            if p is not None and side is not None and side[2] is not None:
                p = lcm(p, side[2][0].denominator)
        return _Partition(node, p) if p is not None and p <= MAX_PERIOD else None
    if kind == "chain":
        inner, a, b, cuts = node[1:5]
        cycles, own = (a, b), (Fraction(1), Fraction(0))
        if not all(_aligned(cut, cycles) or _aligned(cut, own) for cut in cuts):
            return None  # a cut inside a cycle of the inner pattern
        if not (_aligned(cycles, own) or any(_aligned(cycles, cut) for cut in cuts)):
            return None  # a query in one cycle may reach two of the inner pattern's, uncut
        inner_plan = plan_of(inner)
        return None if inner_plan is None else _Chain(inner_plan, a, b, cuts)
    if kind == "stack":
        plans = [plan_of(p) for p in node[1]]
        return None if None in plans else _Stack(plans)
    if kind == "shared":
        return plan_of(node[1])
    if kind == "by_cycle":
        return None if any(plan_of(p) is None for p in node[3]) else _ByCycle(node[1])
    return None


def _hold(key: tuple[Any, int], table: tuple[int, Rows]) -> tuple[int, Rows]:
    if _held_rows[0] + len(table[1]) > MAX_HELD:
        _held.clear()
        _held_rows[0] = 0
    _held[key] = table
    _held_rows[0] += len(table[1])
    return table


def _numerators(times: list[Fraction], start: int) -> tuple[int, list[int]]:
    """A common denominator d of times, and each time's numerator over d counted from start."""
    d = lcm(*(t.denominator for t in times))
    return d, [t.numerator * (d // t.denominator) - start * d for t in times]


class _Table:
    """A periodic pattern: each phase's events, from its plain query of that cycle."""

    def __init__(self, pat: Pattern, period: int):
        self.query = pat.query  # (not pat: a pattern holds its plan, and no cycle need be collected)
        self.period = period

    def chunks(self, c: int, span: TimeSpan | None) -> list[Chunk]:
        key = (self, c % self.period)
        d, rows = _held.get(key) or _hold(key, self.build(key[1]))
        if span is None:
            return [(d, 1, c * d, rows, None, None)]
        return [(d, 1, c * d, _restrict(rows, d, span, c), span.begin, span.end)]

    def build(self, phase: int) -> tuple[int, Rows]:
        start = Fraction(phase)
        events = self.query(TimeSpan(start, start + 1))
        if len(events) > MAX_ROWS:
            raise _Unplanned
        d, n = _numerators([t for e in events for t in (e.whole.begin, e.whole.end, e.part.begin, e.part.end)], phase)
        return d, tuple((n[4 * i], n[4 * i + 1], n[4 * i + 2], n[4 * i + 3], e.value, e.locations)
                        for i, e in enumerate(events))


def _bounds(span: TimeSpan, d: int, c: int) -> tuple[int, int, int, int]:
    """floor and ceiling of the span's begin and end, in 1/d counted from cycle c."""
    low, high = (span.begin - c) * d, (span.end - c) * d
    return low.__floor__(), low.__ceil__(), high.__floor__(), high.__ceil__()


def _restrict(rows: Rows, d: int, span: TimeSpan, c: int) -> list:
    """The rows of cycle c's whole query that span (inside cycle c, not a point) overlaps, their
    parts cut to it: what the query of span gives (the part's end None where it is the span's).
    (A point is not planned: what sounds at a cycle's end depends on how the cycle was made,
    `rev` gives what ends there.)"""
    low_floor, low_ceil, high_floor, high_ceil = _bounds(span, d, c)
    out = []
    for row in rows:
        wb, we, pb, pe, v, loc = row
        if pb < high_ceil and low_floor < pe:
            if pb >= low_ceil and pe <= high_floor:
                out.append(row)
            else:
                out.append((wb, we, pb if pb >= low_ceil else None, pe if pe <= high_floor else None, v, loc))
    return out


_RAND_SCALE = 536870912  # 2 ** 29: Tidal's timeToRand keeps 29 bits


class _Partition:
    """A partition (see pattern.partition) of a periodic pattern: each phase's events with what
    each side makes of them; a query tests each event at its own time."""

    def __init__(self, node: tuple, period: int):
        self.pat, self.test, self.ta, self.tb2, self.kept, self.changed = node[1:7]
        self.period = period
        amount = getattr(self.test, "rand_below", None)  # the test is `rand < amount`, computed here
        self.threshold = None if amount is None else amount * _RAND_SCALE

    def build(self, phase: int) -> tuple[int, Rows]:
        start = Fraction(phase)
        keep, change = _side(self.kept), _side(self.changed)
        sorted_: list[tuple[TimeSpan, list[Event], list[Event]]] = []
        for e in self.pat.query(TimeSpan(start, start + 1)):
            w = e.whole
            if e.part is not w:
                e = inside_whole(e, w)
                if e is None:
                    continue
            kept: list[Event] = []
            changed: list[Event] = []
            try:  # both sides of every event, where the query takes one: a side that fails is left to the query
                if keep is not None:
                    keep(e, w, kept)
                if change is not None:
                    change(e, w, changed)
            except Exception:  # noqa: BLE001
                raise _Unplanned from None
            sorted_.append((w, kept, changed))
        if sum(1 + len(k) + len(c) for _, k, c in sorted_) > MAX_ROWS:
            raise _Unplanned
        times = [t for w, kept, changed in sorted_ for t in (w.begin, w.end)]
        times += [t for _, kept, changed in sorted_ for e in kept + changed
                  for t in (e.whole.begin, e.whole.end, e.part.begin, e.part.end)]
        d, n = _numerators(times, phase)
        wholes, parts = iter(n[:2 * len(sorted_)]), iter(n[2 * len(sorted_):])
        ta, tb2 = self.ta, self.tb2
        k1 = ta.numerator * tb2.denominator  # s of a whole (b, e) is (b + e) * ta + tb2: its numerator over
        rows = []  # q = d * ta.denominator * tb2.denominator is (b + e) * k1 + k0, b and e over d
        for _, kept, changed in sorted_:
            wb, we = next(wholes), next(wholes)
            sides = tuple(tuple((next(parts), next(parts), next(parts), next(parts), e.value, e.locations)
                                for e in side) for side in (kept, changed))
            rows.append(((wb + we) * k1, wb, we) + sides)
        return d, tuple(rows)

    def chunks(self, c: int, span: TimeSpan | None) -> list[Chunk]:
        key = (self, c % self.period)
        d, rows = _held.get(key) or _hold(key, self.build(key[1]))
        ta, tb2 = self.ta, self.tb2
        q = d * ta.denominator * tb2.denominator
        base = 2 * c * d * ta.numerator * tb2.denominator + tb2.numerator * d * ta.denominator
        test = self.test
        kept: list = []
        changed: list = []
        if span is not None:
            low_floor, _, _, high_ceil = _bounds(span, d, c)
            rows = [row for row in rows if row[1] < high_ceil and low_floor < row[2]]  # some of it in the span
        if self.threshold is None:
            for s, _, _, kept_rows, changed_rows in rows:
                if test(Fraction(base + s, q)):
                    changed += changed_rows
                else:
                    kept += kept_rows
        else:
            threshold, scale, mask = self.threshold, _RAND_SCALE, _RAND_SCALE - 1
            for s, _, _, kept_rows, changed_rows in rows:
                x = (base + s) / q
                if -1e-300 < x < 1e-300:
                    passed = test(Fraction(base + s, q))
                else:  # randomness.time_to_rand of x / 2, from x as float(x) would give it
                    x /= 600
                    x = int((x - int(x)) * scale)
                    x ^= x << 13
                    x ^= x >> 17
                    x ^= x << 5
                    passed = (x & mask) < threshold
                if passed:
                    changed += changed_rows
                else:
                    kept += kept_rows
        kept += changed
        if span is None:
            return [(d, 1, c * d, kept, None, None)]
        return [(d, 1, c * d, _restrict(kept, d, span, c), span.begin, span.end)]


class _Chain:
    """A map of time a*t + b of a planned pattern whose cycles the query is cut at (or a map that
    keeps a query in one cycle inside one of the inner pattern's)."""

    def __init__(self, inner: Any, a: Fraction, b: Fraction, cuts: tuple):
        self.inner, self.a, self.b, self.cuts = inner, a, b, cuts

    def chunks(self, c: int, span: TimeSpan | None) -> list[Chunk]:
        a, b = self.a, self.b
        whole = span if span is not None else TimeSpan(Fraction(c), Fraction(c + 1))
        pieces = _cut(whole, self.cuts) if self.cuts else None
        p, q, bn, bd = a.numerator, a.denominator, b.numerator, b.denominator
        out = []
        for piece in (whole,) if pieces is None else pieces:
            ib, ie = piece.begin * a + b, piece.end * a + b
            ci = ib.__floor__()
            inner_span = None if ib == ci and ie == ci + 1 else TimeSpan(ib, ie)
            for d, m, k, rows, lo, hi in self.inner.chunks(ci, inner_span):
                # t = (x / d - b) / a: the numerator q*bd*(k + m*x) - q*bn*d over p*d*bd
                out.append((p * d * bd, q * bd * m, q * (bd * k - bn * d), rows,
                            None if lo is None else (lo - b) / a, None if hi is None else (hi - b) / a))
        return out


class _Stack:
    def __init__(self, plans: list[Any]):
        self.plans = plans

    def chunks(self, c: int, span: TimeSpan | None) -> list[Chunk]:
        return [chunk for plan in self.plans for chunk in plan.chunks(c, span)]


class _ByCycle:
    def __init__(self, choose: Any):
        self.choose = choose

    def chunks(self, c: int, span: TimeSpan | None) -> list[Chunk]:
        plan = plan_of(self.choose(c))
        if plan is None:
            raise _Unplanned
        return plan.chunks(c, span)
