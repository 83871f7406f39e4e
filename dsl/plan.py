"""Cycle plans: a query inside one cycle answered from tables compiled once per pattern.

A pattern made of atoms, sequences, stacks, maps of time and cuts at cycle boundaries is
periodic: cycle c + P plays the events of cycle c, P cycles later (P is 1 for most). Its plan
keeps each phase's events in a table, as whole numbers over a common denominator counted from
the cycle's start, and answers a query in any cycle by shifting them: no Fraction arithmetic and
one Event made per event played, whatever chain of transformations made them. The table is made
from the plans of the pattern's parts: atoms from the atoms themselves (or, read through a map
of time with cuts, from their plain query of that cycle), and a map of time (`fast`, `~>`), a
stack, `cat` and the pieces of a sequence by mapping their parts' numbers, never making an Event;
a pattern that is a part of several (the branches of `every`) has one plan and one set of tables. What is not periodic is planned around such tables: a random choice of
events (`sometimesBy`, `degradeBy`: a partition) tests each event of its table at the event's
own time, and a choice of pattern by cycle (`every`, `whenmod`) asks the plan of the pattern it
plays. Anything else has no plan and is queried as it is defined, as is a query across a cycle
boundary or of a point.

A query inside a cycle gets the events of its cycle's table that it overlaps, cut to it, as the
plain definition gives them (tests/test_dsl_plan.py holds the two equal, event for event and in
order). Tables are kept for at most MAX_HELD events in all, then made again as asked.
"""

from __future__ import annotations

from math import gcd, lcm
from typing import Any

from .pattern import UNCHANGED, Event, Pattern, TimeSpan, _aligned, _cut, _plain_layers, _spend
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
        return _events(plan.chunks(c, None if span.begin == c and span.end == c + 1 else span))
    except _Unplanned:
        pat.plan = False
        return None


def forget_tables() -> None:
    """Forget every table made (for cold timings)."""
    _held.clear()
    _held_rows[0] = 0


def prepared(pat: Pattern, c: int) -> bool:
    """Whether pat's plan has the tables a query of cycle c reads, made now where they were not
    (False where it has no plan): what a query of the cycle works out, without its events."""
    plan = plan_of(pat)
    if plan is None:
        return False
    try:
        plan.chunks(c, None)
    except _Unplanned:
        pat.plan = False
        return False
    return True


def _events(chunks: list[Chunk]) -> list[Event]:
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
    """pat's plan, made the first time it is asked for; None where it has none. A periodic
    pattern's plan keeps each phase's events in one table (made from its parts' plans)."""
    plan = pat.plan
    if plan is None:
        plan = _plan(pat)
        repeats = None if plan is None else plan.repeats
        if repeats is not None and repeats <= MAX_PERIOD and not isinstance(plan, (_Table, _Silence)):
            plan = _Flat(plan)
        pat.plan = plan or False
    return plan or None


def _plan(pat: Pattern) -> Any:
    """A plan of pat made of its parts' plans (their `repeats`: the number of cycles after which
    they play the same again, or None), or None; made once for each pattern, whatever is built
    on it (the branches of `every` share their parts, and so their tables)."""
    plan = pat.part_plan
    if plan is None:
        plan = pat.part_plan = _part_plan(pat) or False
    return plan or None


def _part_plan(pat: Pattern) -> Any:
    node = pat.node
    kind = node[0] if node is not None else None
    if kind == "silence":
        return _Silence()
    if kind == "atoms":
        p = node[2].denominator
        for al, _ in node[4]:
            p = lcm(p, al.denominator)
        return _Table(pat, p) if p <= MAX_PERIOD else None
    if kind in ("shared", "cycle_cut"):  # (a cut at cycle boundaries changes nothing in one cycle)
        return _plan(node[1])
    if kind == "partition":
        inner = _plan(node[1])
        p = None if inner is None else inner.repeats
        for side in node[5:7]:
            if p is not None and side is not None and side[2] is not None:
                p = lcm(p, side[2][0].denominator)
        return _Partition(node, p, inner) if p is not None and p <= MAX_PERIOD else None
    if kind == "by_cycle":
        branches = [plan_of(p) for p in node[3]]
        return None if None in branches else _ByCycle(node[1], node[2], branches)
    if kind not in ("stack", "slowcat", "fastgap", "chain", "zoom", "rev"):
        return None
    parts = [_plan(p) for p in (node[1] if kind in ("stack", "slowcat") else node[1:2])]
    if None not in parts:
        if kind == "stack":
            return _Stack(parts)
        if kind == "slowcat":
            return _SlowCat(parts)
        if kind == "fastgap":
            return _FastGap(parts[0], node[2])
        if kind == "chain" and (parts[0].crosses or _keeps_cycles(*node[2:5])):
            return _Chain(parts[0], *node[2:5])
    # periodic, but not made of plans: each phase from its plain query
    repeats = [None if part is None else part.repeats for part in parts]
    p = _period(kind, repeats, node[2], node[4]) if kind == "chain" else _period(kind, repeats)
    return _Table(pat, p) if p is not None and p <= MAX_PERIOD else None


def _period(kind: str, inner: list[int | None], a: Fraction | None = None, cuts: tuple = ()) -> int | None:
    """The number of cycles after which a node of this kind repeats, given its parts': a map of time
    a*t + b (with cuts) repeats when a times its period is a multiple of the inner one's; `cat` of n
    patterns plays each every n cycles, and moves it on one cycle each time."""
    if None in inner:
        return None
    if kind == "chain":
        p = inner[0] * a.denominator // gcd(a.numerator, inner[0] * a.denominator)
        for al, _ in cuts:
            p = lcm(p, al.denominator)
        return p
    if kind == "stack":
        return lcm(*inner)
    if kind == "slowcat":
        return len(inner) * lcm(*inner)
    if kind in ("fastgap", "zoom", "rev"):  # each cycle read from the same cycle
        return inner[0]
    return None


def _keeps_cycles(a: Fraction, b: Fraction, cuts: tuple, within_one: bool = True) -> bool:
    """Whether a map a*t + b with these cuts reads a query (inside one cycle, or any) in pieces
    that each lie inside one cycle of the inner pattern."""
    cycles = (a, b)
    return within_one and _aligned(cycles, (Fraction(1), Fraction(0))) or any(_aligned(cycles, cut) for cut in cuts)


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


class _Plan:
    """What a plan answers: `chunks(c, span)`, the events of span (None: all cycle c) inside cycle
    c; `span_chunks(span)`, those of a span over several cycles (as the plain query orders them),
    where it can (`crosses`); `repeats`, the number of cycles after which its pattern repeats
    (None: never)."""

    repeats: int | None = None
    crosses = False  # whether it answers span_chunks

    def span_chunks(self, span: TimeSpan) -> list[Chunk]:
        raise _Unplanned


class _Table(_Plan):
    """A periodic pattern: each phase's events, from its plain query of that cycle (a cycle's
    events, counted from its start, as whole numbers over their common denominator)."""

    def __init__(self, pat: Pattern, period: int):
        self.period = self.repeats = period
        # whether a query over several cycles gives each cycle's events in turn: one layer of atoms
        # does where its query is cut at every cycle boundary (its own cycles or a split do it)
        node, cycles = pat.node, (Fraction(1), Fraction(0))
        self.crosses = (node is not None and node[0] == "atoms" and len(node[1]) == 1
                        and any(_aligned(cycles, cut) for cut in ((node[2], node[3]),) + node[4]))
        self.layers = _plain_layers(pat)  # atoms played at t itself: their rows are the atoms'
        # (the query, not pat: a pattern holds its plan, and no cycle need be collected)
        self.query = pat.query if self.layers is None else None

    def span_chunks(self, span: TimeSpan) -> list[Chunk]:
        if not self.crosses:
            raise _Unplanned
        out = []
        for piece in span.cycles():
            c = piece.begin.__floor__()
            out += self.chunks(c, None if piece.begin == c and piece.end == c + 1 else piece)
        return out

    def chunks(self, c: int, span: TimeSpan | None) -> list[Chunk]:
        key = (self, c % self.period)
        d, rows = _held.get(key) or _hold(key, self.build(key[1]))
        if span is None:
            return [(d, 1, c * d, rows, None, None)]
        return [(d, 1, c * d, _restrict(rows, d, span, c), span.begin, span.end)]

    def build(self, phase: int) -> tuple[int, Rows]:
        if self.layers is not None:  # (what their plain query of the cycle gives, in its order)
            atoms = [atom for layer in self.layers for atom in layer]
            _spend(len(atoms))
            d = lcm(*(t.denominator for atom in atoms for t in atom[:2]))
            rows = []
            for b, e, value, locations in atoms:
                b, e = b.numerator * (d // b.denominator), e.numerator * (d // e.denominator)
                rows.append((b, e, b, e, value, locations))
            return d, tuple(rows)
        start = Fraction(phase)
        events = self.query(TimeSpan(start, start + 1))
        if len(events) > MAX_ROWS:
            raise _Unplanned
        d, n = _numerators([t for e in events for t in (e.whole.begin, e.whole.end, e.part.begin, e.part.end)], phase)
        return d, tuple((n[4 * i], n[4 * i + 1], n[4 * i + 2], n[4 * i + 3], e.value, e.locations)
                        for i, e in enumerate(events))


class _Flat(_Table):
    """A periodic pattern: each phase's events in one table, made from its plan's parts."""

    def __init__(self, plan: Any):
        self.plan = plan
        self.period = self.repeats = plan.repeats
        self.crosses = plan.crosses

    def span_chunks(self, span: TimeSpan) -> list[Chunk]:
        return self.plan.span_chunks(span)

    def build(self, phase: int) -> tuple[int, Rows]:
        return _flatten(self.plan.chunks(phase, None), phase)


def _flatten(chunks: list[Chunk], phase: int, d: int = 1) -> tuple[int, Rows]:
    """The rows of chunks (a whole query of cycle phase) as one table: over one denominator (a
    multiple of d), counted from the cycle's start, each part's ends given."""
    if sum(len(chunk[3]) for chunk in chunks) > MAX_ROWS:
        raise _Unplanned
    bounds = [t for chunk in chunks for t in chunk[4:] if t is not None]
    d = lcm(d, *(chunk[0] for chunk in chunks), *(t.denominator for t in bounds))
    start = phase * d
    rows: list = []
    for cd, m, k, chunk_rows, lo, hi in chunks:
        f = d // cd
        low = None if lo is None else lo.numerator * (d // lo.denominator) - start
        high = None if hi is None else hi.numerator * (d // hi.denominator) - start
        k = k * f - start
        m *= f
        rows += [(k + m * wb, k + m * we, low if pb is None else k + m * pb, high if pe is None else k + m * pe,
                  v, loc) for wb, we, pb, pe, v, loc in chunk_rows]
    return d, tuple(rows)


class _Silence(_Plan):
    repeats = 1
    crosses = True

    def chunks(self, c: int, span: TimeSpan | None) -> list[Chunk]:
        return []

    def span_chunks(self, span: TimeSpan) -> list[Chunk]:
        return []


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


class _Partition(_Plan):
    """A partition (see pattern.partition) of a planned periodic pattern: each phase's events with
    what each side makes of them; a query tests each event at its own time."""

    def __init__(self, node: tuple, period: int, inner: Any):
        self.test, self.ta, self.tb2, self.kept, self.changed = node[2:7]
        self.period, self.inner = period, inner
        amount = getattr(self.test, "rand_below", None)  # the test is `rand < amount`, computed here
        self.threshold = None if amount is None else amount * _RAND_SCALE

    def build(self, phase: int) -> tuple[int, Rows]:
        cuts = [side[2] for side in (self.kept, self.changed) if side is not None and side[2] is not None]
        # (a side's cut at the cycles of ca*t + cb falls at whole numbers over this denominator)
        d, inner = _flatten(self.inner.chunks(phase, None), phase,
                            lcm(*(ca.numerator * cb.denominator for ca, cb in cuts)))
        kept, changed = [None if side == UNCHANGED else _RowSide(side, d, phase).rows
                         for side in (self.kept, self.changed)]
        ta, tb2 = self.ta, self.tb2
        k1 = ta.numerator * tb2.denominator  # s of a whole (b, e) is (b + e) * ta + tb2: its numerator over
        rows = []  # q = d * ta.denominator * tb2.denominator is (b + e) * k1 + k0, b and e over d
        for row in inner:
            wb, we, pb, pe = row[:4]
            if not (wb <= pb and pe <= we):  # the part cut to the whole (pattern.inside_whole)
                pb, pe = max(pb, wb), min(pe, we)
                if pb >= pe:
                    continue
                row = (wb, we, pb, pe) + row[4:]
            rows.append(((wb + we) * k1, wb, we, (row,) if kept is None else kept(row),
                         (row,) if changed is None else changed(row)))
        if sum(len(row[3]) + len(row[4]) for row in rows) > MAX_ROWS:
            raise _Unplanned
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


class _RowSide:
    """What a partition's side (see pattern.partition) makes of a row of its table (over d, counted
    from cycle phase's start); not for the side UNCHANGED, which keeps the row as it is."""

    def __init__(self, side: tuple | None, d: int, phase: int):
        self.side = side
        self.values: dict[int, Any] = {}  # id of a value -> f of it (the atoms' values are shared)
        if side is not None and side[2] is not None:
            # the part cut at the cycles of u = ca*t + cb inside the whole: with ca = p/q, cb = r/s and
            # t = (x + phase*d) / d, u * q*s*d is p*s*x + shift
            ca, cb = side[2]
            p, q, r, s = ca.numerator, ca.denominator, cb.numerator, cb.denominator
            self.cut = (p * s, p * s * phase * d + r * q * d, q * s * d)

    def rows(self, row: tuple) -> tuple:
        side = self.side
        if side is None:
            return ()
        f, extra, cut = side
        wb, we, pb, pe, value, locations = row
        if f is not None:
            mapped = self.values.get(id(value), _NONE)
            if mapped is _NONE:
                try:  # every event's, where the query maps those it changes: one that fails is left to the query
                    mapped = self.values[id(value)] = f(value)
                except Exception:  # noqa: BLE001
                    raise _Unplanned from None
            value = mapped
        locations += extra
        if cut is None:
            return ((wb, we, pb, pe, value, locations),)
        ps, shift, scale = self.cut
        n = (ps * wb + shift) // scale + 1  # the first boundary after the whole's begin
        end = ps * we + shift
        if end <= n * scale:
            return ((wb, we, pb, pe, value, locations),)
        out, begin = [], wb
        while n * scale < end:
            boundary = (n * scale - shift) // ps  # (a whole number over d: d is a multiple of p*s)
            out.append((begin, boundary))
            begin, n = boundary, n + 1
        out.append((begin, we))
        return tuple((wb, we, max(pb, b), min(pe, e), value, locations) for b, e in out if max(pb, b) < min(pe, e))


_NONE = object()


class _Chain(_Plan):
    """A map of time a*t + b of a planned pattern, the query cut at the cycles of each of `cuts`
    (see pattern._transform)."""

    def __init__(self, inner: Any, a: Fraction, b: Fraction, cuts: tuple):
        self.inner, self.a, self.b, self.cuts = inner, a, b, cuts
        self.repeats = _period("chain", [inner.repeats], a, cuts)
        self.crosses = inner.crosses or _keeps_cycles(a, b, cuts, within_one=False)

    def chunks(self, c: int, span: TimeSpan | None) -> list[Chunk]:
        return self.span_chunks(span if span is not None else TimeSpan(Fraction(c), Fraction(c + 1)))

    def span_chunks(self, span: TimeSpan) -> list[Chunk]:
        pieces = _cut(span, self.cuts) if self.cuts else None
        out = []
        for piece in (span,) if pieces is None else pieces:
            out += _mapped(self.inner, self.a, self.b, piece)
        return out


def _mapped(inner: Any, a: Fraction, b: Fraction, span: TimeSpan) -> list[Chunk]:
    """The chunks of span read at a*t + b, mapped back."""
    ib, ie = span.begin * a + b, span.end * a + b
    ci = ib.__floor__()
    if ie <= ci + 1:
        chunks = inner.chunks(ci, None if ib == ci and ie == ci + 1 else TimeSpan(ib, ie))
    else:
        chunks = inner.span_chunks(TimeSpan(ib, ie))
    p, q, bn, bd = a.numerator, a.denominator, b.numerator, b.denominator
    # t = (x / d - b) / a: the numerator q*bd*(k + m*x) - q*bn*d over p*d*bd
    return [(p * d * bd, q * bd * m, q * (bd * k - bn * d), rows,
             None if lo is None else (lo - b) / a, None if hi is None else (hi - b) / a)
            for d, m, k, rows, lo, hi in chunks]


class _FastGap(_Plan):
    """pattern._fastgap: cycle c of the inner pattern, sped up, from the cycle's start (not split:
    a query inside one cycle is one of its own)."""

    def __init__(self, inner: Any, factor: Fraction):
        self.inner, self.factor = inner, factor
        self.repeats = inner.repeats

    def chunks(self, c: int, span: TimeSpan | None) -> list[Chunk]:
        factor, cycle = self.factor, Fraction(c)
        sb, se = (cycle, cycle + 1) if span is None else (span.begin, span.end)
        if factor * (sb - cycle) >= 1:
            return []  # the gap
        end = se if factor * (se - cycle) <= 1 else cycle + 1 / factor  # (the inner read up to its cycle's end)
        return _mapped(self.inner, factor, cycle - cycle * factor, TimeSpan(sb, end))


class _SlowCat(_Plan):
    """pattern.slowcat: cycle c plays pattern c mod n, at its own cycle (c - c mod n) / n."""

    def __init__(self, plans: list[Any]):
        self.plans = plans
        self.repeats = _period("slowcat", [p.repeats for p in plans])

    def chunks(self, c: int, span: TimeSpan | None) -> list[Chunk]:
        n = len(self.plans)
        offset = c - (c - c % n) // n
        inner = None if span is None else TimeSpan(span.begin - offset, span.end - offset)
        return [(d, m, k + offset * d, rows, None if lo is None else lo + offset, None if hi is None else hi + offset)
                for d, m, k, rows, lo, hi in self.plans[c % n].chunks(c - offset, inner)]


class _Stack(_Plan):
    def __init__(self, plans: list[Any]):
        self.plans = plans
        self.repeats = _period("stack", [p.repeats for p in plans])
        self.crosses = all(p.crosses for p in plans)

    def chunks(self, c: int, span: TimeSpan | None) -> list[Chunk]:
        return [chunk for plan in self.plans for chunk in plan.chunks(c, span)]

    def span_chunks(self, span: TimeSpan) -> list[Chunk]:
        return [chunk for plan in self.plans for chunk in plan.span_chunks(span)]  # each pattern's cycles in turn


class _ByCycle(_Plan):
    def __init__(self, choose: Any, every: int | None, branches: list[Any]):
        self.choose = choose
        repeats = [p.repeats for p in branches]
        self.repeats = None if every is None or None in repeats else lcm(every, *repeats)

    def chunks(self, c: int, span: TimeSpan | None) -> list[Chunk]:
        plan = plan_of(self.choose(c))
        if plan is None:
            raise _Unplanned
        return plan.chunks(c, span)
