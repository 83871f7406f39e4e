"""The pattern core: a pattern is a pure function from a time span to events.

Time is exact (`fractions.Fraction` cycles) so that `1/3` stays `1/3` however
the pattern is transformed; floats appear only at the audio boundary. The
shape follows Tidal's `Pattern.hs` and Strudel's `pattern.mjs`: an event has a
`whole` (its full extent, None for continuous signals), a `part` (the fragment
inside the query) and a `value`; it has an onset when whole and part begin
together, and only onsets are played. Each event also carries the source
locations of the atoms that made it, so the console can highlight them.

Speed (issue 3): events, spans and patterns are never changed once made, so they
can be shared: a part equal to its whole is often the very same `TimeSpan`
object (`part is whole` is then a cheap test that saves arithmetic), and a
pattern records in `node` how it was built, so that chains of `fast`/`early`
fold into one affine map of time, splitting at cycle boundaries is never done
twice, and `fmap` reaches the atoms of a sequence instead of wrapping it.
"""

from __future__ import annotations

import threading
from .rational import Fraction, parse_fraction
from itertools import accumulate
from math import floor, lcm
from typing import Any, Callable, Iterable, Sequence

Time = Fraction


class QueryLimitError(RuntimeError):
    """A query produced more events than a performer could ever hear."""

Location = tuple[int, int, int]  # (line, first column, column after the end), 1-based

MAX_EVENTS = 100_000  # per query: a runaway pattern gives an error, not an exhausted machine
MAX_CYCLES = 20_000  # per elementary query: `bd*100000000` is a mistake, not a rhythm


_budget = threading.local()  # events left to make in the current top-level query, and its token


def _spend(count: int) -> None:
    """Count elementary events against the running query's budget; stop a runaway early."""
    left = getattr(_budget, "left", None)
    if left is None:
        return
    left -= count
    if left < 0:
        raise QueryLimitError(f"a pattern made more than {MAX_EVENTS} events in one query "
                              "(is a factor of fast or * too big?)")
    _budget.left = left


def _open_budget() -> bool:
    """Start the budget of a top-level query, unless one is running: whether this one is it."""
    if getattr(_budget, "left", None) is not None:
        return False
    _budget.left = MAX_EVENTS
    _budget.token = object()  # what `shared` patterns remember a result under
    return True


def current_query() -> object | None:
    """A token for the top-level query running in this thread (None outside one): what a pattern
    read twice within it may remember an answer under."""
    return getattr(_budget, "token", None)


def sam(t: Time) -> Time:
    """The start of the cycle that holds t."""
    return Fraction(floor(t))


def to_time(x: Any) -> Time:
    if isinstance(x, Fraction):
        return x
    if isinstance(x, float):
        return Fraction(x).limit_denominator(1 << 20)
    return parse_fraction(x) if isinstance(x, str) else Fraction(x)  # never quicktions on text (rational.py)


class TimeSpan:
    """A half-open span of cycles. Immutable by convention (and shared freely); a plain class
    because a frozen dataclass's __init__ costs three times as much, and queries make thousands."""

    __slots__ = ("begin", "end")

    def __init__(self, begin: Time, end: Time):
        self.begin = begin
        self.end = end

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TimeSpan) and self.begin == other.begin and self.end == other.end

    def __hash__(self) -> int:
        return hash((self.begin, self.end))

    def cycles(self) -> list[TimeSpan]:
        """Split at cycle boundaries; a zero-width span stays one span."""
        b, end = self.begin, self.end
        if b == end:
            return [self]
        if end - b > MAX_CYCLES:
            raise QueryLimitError(f"a pattern asked for more than {MAX_CYCLES} cycles at once "
                                  "(is a factor of fast or * too big?)")
        spans = []
        while b < end:
            e = Fraction(b.__floor__() + 1)
            if e > end:
                e = end
            spans.append(TimeSpan(b, e))
            b = e
        return spans

    def with_time(self, f: Callable[[Time], Time]) -> TimeSpan:
        return TimeSpan(f(self.begin), f(self.end))

    def intersection(self, other: TimeSpan) -> TimeSpan | None:
        """The overlap, or None; zero-width spans intersect when they touch inside."""
        sb, se, ob, oe = self.begin, self.end, other.begin, other.end
        b = sb if sb > ob else ob
        e = se if se < oe else oe
        if b > e:
            return None
        if b == e:
            # Zero-width overlap only counts for a zero-width span inside the other one.
            if sb == se or ob == oe:
                if b < se or sb == se:
                    if b < oe or ob == oe:
                        return TimeSpan(b, e)
            return None
        return TimeSpan(b, e)

    def __repr__(self) -> str:
        return f"({self.begin}>{self.end})"


class Event:
    """What happens in a span: `whole` its full extent (None for a signal), `part` the piece
    inside the query, `value`, and the source locations of the atoms that made it."""

    __slots__ = ("whole", "part", "value", "locations")

    def __init__(self, whole: TimeSpan | None, part: TimeSpan, value: Any, locations: tuple[Location, ...] = ()):
        self.whole = whole
        self.part = part
        self.value = value
        self.locations = locations

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, Event) and self.whole == other.whole and self.part == other.part
                and self.value == other.value and self.locations == other.locations)

    __hash__ = None  # type: ignore[assignment]  (values may be dicts)

    def __repr__(self) -> str:
        return f"Event({self.whole!r}, {self.part!r}, {self.value!r})"

    @property
    def has_onset(self) -> bool:
        return self.whole is not None and self.whole.begin == self.part.begin

    def with_span(self, f: Callable[[TimeSpan], TimeSpan]) -> Event:
        return Event(None if self.whole is None else f(self.whole), f(self.part), self.value, self.locations)

    def with_value(self, f: Callable[[Any], Any]) -> Event:
        return Event(self.whole, self.part, f(self.value), self.locations)

    def whole_or_part(self) -> TimeSpan:
        return self.whole if self.whole is not None else self.part


_NOT_STEADY = object()

_ZERO, _ONE = Fraction(0), Fraction(1)
_CUT = ((_ONE, _ZERO),)  # cut the query at cycle boundaries
MAX_SLOTS = 256  # a sequence of atoms repeated by a whole-number `fast` is unrolled up to this many atoms


class Pattern:
    """A query from a time span to the events that overlap it.

    `steady` holds the value of a pattern made by `pure` (one event per cycle), so that
    constant arguments (`fast 2`) and sequences of plain atoms can take cheaper paths.
    `node` says how the pattern was built, where that allows a cheaper equivalent
    (a tuple whose first item is its kind), or is None. `plan` is its cycle plan (dsl/plan.py)
    once a query from outside has asked for one: None before, False where it has none;
    `part_plan` likewise its plan as a part of another's (shared by all the patterns built on it).
    A pattern made with `make` instead of a query works its query out as make(node) when first
    asked for it (building stays cheap, and the steps of a chain of transformations that is
    folded into one are never worked out): until then it is an `_Unmade`.
    """

    __slots__ = ("query", "steady", "locations", "node", "plan", "part_plan", "make")

    def __init__(self, query: Callable[[TimeSpan], list[Event]] | None, steady: Any = _NOT_STEADY,
                 locations: tuple[Location, ...] = (), node: tuple | None = None,
                 make: Callable[[tuple], Callable[[TimeSpan], list[Event]]] | None = None):
        if make is None:
            self.query = query
        else:
            self.make = make
            self.__class__ = _Unmade
        self.steady = steady
        self.locations = locations
        self.node = node
        self.plan = self.part_plan = None

    @property
    def is_steady(self) -> bool:
        return self.steady is not _NOT_STEADY

    def query_span(self, begin: Any, end: Any, planned: bool = True) -> list[Event]:
        """Query from outside (the scheduler, a command): the budget of events starts here. A span
        inside one cycle (not a point) is answered by the pattern's cycle plan where it has one
        (`planned`)."""
        outermost = _open_budget()
        try:
            span = TimeSpan(to_time(begin), to_time(end))
            if planned and self.plan is not False and span.begin < span.end <= span.begin.__floor__() + 1:
                events = plan.planned_query(self, span)
                if events is not None:
                    return events
            return self.query(span)
        finally:
            if outermost:
                _budget.left = _budget.token = None

    def rehearse(self, cycle: int) -> None:
        """Work out what a query of the whole cycle needs (its plan's tables, or the plain query
        where it has no plan) and raise what it would raise, without making its events: a
        channel's trial at evaluation, so that the scheduler reads tables made already."""
        outermost = _open_budget()
        try:
            if self.plan is False or not plan.prepared(self, cycle):
                self.query(TimeSpan(Fraction(cycle), Fraction(cycle + 1)))
        finally:
            if outermost:
                _budget.left = _budget.token = None

    def onsets(self, begin: Any, end: Any) -> list[Event]:
        return [e for e in self.query_span(begin, end) if e.has_onset]

    # -- structure-preserving maps -------------------------------------------------

    def fmap(self, f: Callable[[Any], Any], extra: tuple[Location, ...] = ()) -> Pattern:
        """f of every value; `extra` locations added to every event's (those of a constant that
        `app_left` folds in this way)."""
        if self.steady is not _NOT_STEADY:
            return pure(f(self.steady), self.locations + extra)
        node = self.node
        if node is not None:
            kind = node[0]
            if kind == "atoms":
                try:  # map each atom once; a function that fails is left to fail where it is played
                    layers = tuple([tuple([(b, e, f(v), loc + extra) for b, e, v, loc in layer])
                                    for layer in node[1]])
                except Exception:  # noqa: BLE001
                    pass
                else:
                    return _atoms_of(layers, node[2], node[3], node[4])
            if kind == "silence":
                return self
            if kind == "chain":
                return _rechain(node, node[1].fmap(f, extra))
            if kind == "stack":
                return _restack([p.fmap(f, extra) for p in node[1]])
            if kind == "partition":
                sides = [None if side is None else
                         ((f if side[0] is None else (lambda v, g=side[0]: f(g(v)))), side[1] + extra, side[2])
                         for side in node[5:7]]
                return partition(node[1], node[2], node[3], node[4], *sides)
            if kind in _INSIDE:  # the map goes inside: these move events, never look at their values
                return _INSIDE[kind](node, lambda p: p.fmap(f, extra))
        q = _deferred(self)
        return Pattern(lambda span: [Event(e.whole, e.part, f(e.value), e.locations + extra) for e in q(span)])

    def relocated(self, move: Callable[[Location], Location]) -> Pattern | None:
        """The same pattern with every atom's source location moved (a string compiled once, played
        from another place in the patch), built as it was; None where its nodes do not say how."""
        try:
            return _relocated(self, move, {})
        except _Opaque:
            return None

    def split_queries(self) -> Pattern:
        """Query cycle by cycle, for operations that depend on the cycle number."""
        return _transform(self, _ONE, _ZERO, _CUT)

    def with_query_time(self, f: Callable[[Time], Time]) -> Pattern:
        q = _deferred(self)
        return Pattern(lambda span: q(TimeSpan(f(span.begin), f(span.end))))

    def with_event_time(self, f: Callable[[Time], Time]) -> Pattern:
        q = _deferred(self)

        def query(span: TimeSpan) -> list[Event]:
            out = []
            for e in q(span):
                w, p = e.whole, e.part
                if w is None:
                    out.append(Event(None, TimeSpan(f(p.begin), f(p.end)), e.value, e.locations))
                else:
                    nw = TimeSpan(f(w.begin), f(w.end))
                    out.append(Event(nw, nw if p is w else TimeSpan(f(p.begin), f(p.end)), e.value, e.locations))
            return out

        return Pattern(query)

    def filter_events(self, keep: Callable[[Event], bool]) -> Pattern:
        q = _deferred(self)
        return Pattern(lambda span: [e for e in q(span) if keep(e)])

    def filter_onsets(self) -> Pattern:
        return self.filter_events(lambda e: e.has_onset)

    def with_locations(self, locations: tuple[Location, ...]) -> Pattern:
        """Add source locations to every event (the atom that made it)."""
        if not locations:
            return self
        q = _deferred(self)
        return Pattern(lambda span: [Event(e.whole, e.part, e.value, e.locations + locations) for e in q(span)])

    def shared(self) -> Pattern:
        """The same pattern, for one that is read more than once (`sometimesBy`, `jux`, ...):
        within one top-level query, a span asked for again is answered from the first answer."""
        node = self.node
        if node is not None and (node[0] in ("shared", "silence") or (node[0] == "atoms" and self.is_steady)):
            return self
        q = _deferred(self)
        memo: list[Any] = [None]

        def query(span: TimeSpan) -> list[Event]:
            token = current_query()
            m = memo[0]
            if m is not None and token is not None and m[0] is token and m[1] == span.begin and m[2] == span.end:
                return list(m[3])
            events = q(span)
            memo[0] = (token, span.begin, span.end, tuple(events))
            return events

        return Pattern(query, node=("shared", self))

    # -- elementary time operations -------------------------------------------------

    def _fast(self, factor: Time) -> Pattern:
        factor = to_time(factor)
        if factor == 0:
            return silence
        if factor < 0:
            return self._fast(-factor).rev()
        return _transform(self, factor, _ZERO)

    def _slow(self, factor: Time) -> Pattern:
        factor = to_time(factor)
        return silence if factor == 0 else self._fast(1 / factor)

    def _early(self, offset: Time) -> Pattern:
        return _transform(self, _ONE, to_time(offset))

    def _late(self, offset: Time) -> Pattern:
        return self._early(-to_time(offset))

    def _compress(self, begin: Time, end: Time) -> Pattern:
        """Squeeze each cycle into [begin, end) of the cycle, leaving silence around it."""
        begin, end = to_time(begin), to_time(end)
        if begin > end or begin > 1 or end > 1 or begin < 0 or end < 0 or begin == end:
            return silence
        return self._fastgap(1 / (end - begin))._late(begin)

    def _fastgap(self, factor: Time) -> Pattern:
        """Speed up by factor (at least 1) but play only once per cycle, leaving a gap."""
        factor = to_time(factor)
        if factor < 1:
            factor = Fraction(1)
        q = _deferred(self)

        def query(span: TimeSpan) -> list[Event]:
            sb, se = span.begin, span.end
            cycle = Fraction(sb.__floor__())
            nxt = cycle + 1
            b = factor * (sb - cycle)
            e = factor * (se - cycle)
            inner = TimeSpan(nxt if b > 1 else cycle + b, nxt if e > 1 else cycle + e)
            if inner.begin >= nxt:
                return []
            out = []
            for ev in q(inner):
                p, w = ev.part, ev.whole
                pb, pe = cycle + (p.begin - cycle) / factor, cycle + (p.end - cycle) / factor
                # the part, unsquashed, cut to the query (TimeSpan.intersection, inline)
                ib = pb if pb > sb else sb
                ie = pe if pe < se else se
                if ib > ie:
                    continue
                if ib == ie and not ((pb == pe or sb == se) and (ib < pe or pb == pe) and (ib < se or sb == se)):
                    continue
                part = TimeSpan(ib, ie)
                whole = None if w is None else TimeSpan(cycle + (w.begin - cycle) / factor,
                                                        cycle + (w.end - cycle) / factor)
                out.append(Event(whole, part, ev.value, ev.locations))
            return out

        return Pattern(query, node=("fastgap", self, factor)).split_queries()

    def _focus(self, begin: Time, end: Time) -> Pattern:
        """Like compress, but without the gaps: cycle 0 of self plays in [begin, end), and so on."""
        width = end - begin
        if width <= 0:
            return silence
        return self._early(sam(begin))._fast(1 / width)._late(begin)

    def _zoom(self, begin: Time, end: Time) -> Pattern:
        """Play only [begin, end) of each cycle, stretched to fill the cycle."""
        begin, end = to_time(begin), to_time(end)
        width = end - begin
        if width <= 0:
            return silence
        q = _deferred(self)

        def query(span: TimeSpan) -> list[Event]:
            cycle = sam(span.begin)
            to_inner = lambda t: cycle + begin + (t - cycle) * width  # noqa: E731
            to_outer = lambda t: cycle + (t - cycle - begin) / width  # noqa: E731
            out = []
            for e in q(TimeSpan(to_inner(span.begin), to_inner(span.end))):
                w, p = e.whole, e.part
                nw = None if w is None else TimeSpan(to_outer(w.begin), to_outer(w.end))
                np = nw if (p is w and nw is not None) else TimeSpan(to_outer(p.begin), to_outer(p.end))
                out.append(Event(nw, np, e.value, e.locations))
            return out

        return Pattern(query, node=("zoom", self, begin, end)).split_queries()

    def rev(self) -> Pattern:
        """Reverse each cycle."""
        q = _deferred(self)

        def query(span: TimeSpan) -> list[Event]:
            cycle = Fraction(span.begin.__floor__())
            mirror = cycle + (cycle + 1)  # t -> mirror - t reflects the cycle
            out = []
            for e in q(TimeSpan(mirror - span.end, mirror - span.begin)):
                w, p = e.whole, e.part
                nw = None if w is None else TimeSpan(mirror - w.end, mirror - w.begin)
                np = nw if (p is w and nw is not None) else TimeSpan(mirror - p.end, mirror - p.begin)
                out.append(Event(nw, np, e.value, e.locations))
            return out

        return Pattern(query, node=("rev", self)).split_queries()

    # -- applicative combination (where the structure comes from) -----------------

    def app_left(self, other: Pattern, f: Callable[[Any, Any], Any]) -> Pattern:
        """Structure from the left: each left event samples the right over its whole."""
        value = other.steady
        steady = value is not _NOT_STEADY
        if steady and self.steady is not _NOT_STEADY:
            return pure(f(self.steady, value), self.locations + other.locations)
        extra = other.locations
        if steady and self.node is not None:
            # a constant (`# gain 0.9`) changes each value where it is made, and cuts only the
            # events across a cycle boundary (none, often)
            mapped = self.fmap(lambda v: f(v, value), extra)
            return mapped if _wholes_in_cycles(self, _ONE, _ZERO) else _cut_at_cycles(mapped)
        lq, oq = _deferred(self), _deferred(other)

        def query(span: TimeSpan) -> list[Event]:
            out = []
            for left in lq(span):
                w = left.whole
                if w is None:
                    w = left.part
                if steady and w.end <= w.begin.__floor__() + 1:
                    # a constant on the right, inside one cycle: one result, nothing to cut
                    out.append(Event(left.whole, left.part, f(left.value, value), left.locations + extra))
                    continue
                for right in oq(w):
                    part = left.part.intersection(right.part)
                    if part is None:
                        continue
                    out.append(Event(left.whole, part, f(left.value, right.value), left.locations + right.locations))
            return out

        return Pattern(query)

    def app_right(self, other: Pattern, f: Callable[[Any, Any], Any]) -> Pattern:
        return other.app_left(self, lambda r, l: f(l, r))

    def app_both(self, other: Pattern, f: Callable[[Any, Any], Any]) -> Pattern:
        """Structure from both sides: wholes intersect."""
        if self.is_steady and other.is_steady:
            return pure(f(self.steady, other.steady), self.locations + other.locations)
        lq, oq = _deferred(self), _deferred(other)

        def query(span: TimeSpan) -> list[Event]:
            out = []
            rights = oq(span)
            for left in lq(span):
                for right in rights:
                    part = left.part.intersection(right.part)
                    if part is None:
                        continue
                    if left.whole is not None and right.whole is not None:
                        whole = left.whole.intersection(right.whole)
                        if whole is None:
                            continue
                    else:
                        whole = left.whole or right.whole
                    out.append(Event(whole, part, f(left.value, right.value), left.locations + right.locations))
            return out

        return Pattern(query)

    # -- monadic joins: flattening a pattern of patterns ---------------------------

    def inner_join(self) -> Pattern:
        """Wholes come from the inner patterns (used for patterned arguments)."""
        q = _deferred(self)

        def query(span: TimeSpan) -> list[Event]:
            out = []
            for outer in q(span):
                for inner in outer.value.query(outer.part):
                    part = inner.part.intersection(outer.part)
                    if part is None:
                        continue
                    out.append(Event(inner.whole, part, inner.value, inner.locations + outer.locations))
            return out

        return Pattern(query)

    def outer_join(self) -> Pattern:
        """Wholes come from the outer pattern; the inner is sampled at the outer onset."""
        q = _deferred(self)

        def query(span: TimeSpan) -> list[Event]:
            out = []
            for outer in q(span):
                t = outer.whole_or_part().begin
                for inner in outer.value.query(TimeSpan(t, t)):
                    out.append(Event(outer.whole, outer.part, inner.value, inner.locations + outer.locations))
            return out

        return Pattern(query)


def _by_cycle_inside(node: tuple, change: Callable[[Pattern], Pattern]) -> Pattern:
    changed = {id(p): change(p) for p in node[3]}
    choose = node[1]

    def choose_changed(c: int) -> Pattern:
        p = choose(c)
        return changed.get(id(p)) or change(p)

    return by_cycle(choose_changed, node[2], tuple(changed.values()))


# how a change of every pattern inside (a map of values) is made inside a node of each kind, unsplit
_INSIDE: dict[str, Callable[[tuple, Callable[[Pattern], Pattern]], Pattern]] = {
    "fastgap": lambda node, change: change(node[1])._fastgap(node[2]),
    "zoom": lambda node, change: change(node[1])._zoom(node[2], node[3]),
    "rev": lambda node, change: change(node[1]).rev(),
    "slowcat": lambda node, change: slowcat([change(p) for p in node[1]]),
    "cycle_cut": lambda node, change: _cut_at_cycles(change(node[1])),
    "by_cycle": _by_cycle_inside,
}


class _Opaque(Exception):
    """A pattern whose node does not say how it was built."""


def _relocated(pat: Pattern, move: Callable[[Location], Location], done: dict[int, Pattern]) -> Pattern:
    """pat relocated; done: what was relocated already in this relocation, by id (a pattern reached
    twice, as both branches of `every` reach the pattern it changes, is relocated once, and shared
    as it was)."""
    if pat.steady is not _NOT_STEADY:
        return pure(pat.steady, tuple(map(move, pat.locations)))
    node = pat.node
    kind = node[0] if node is not None else None
    if kind == "silence":
        return pat
    if kind == "atoms":
        layers = tuple([tuple([(b, e, v, tuple(map(move, loc))) for b, e, v, loc in layer]) for layer in node[1]])
        return _atoms_of(layers, node[2], node[3], node[4])
    moved = done.get(id(pat))
    if moved is not None:
        return moved
    if kind == "chain":
        moved = _rechain(node, _relocated(node[1], move, done))
    elif kind == "stack":
        moved = _restack([_relocated(p, move, done) for p in node[1]])
    elif kind == "partition":
        sides = [None if side is None else (side[0], tuple(map(move, side[1])), side[2]) for side in node[5:7]]
        moved = partition(_relocated(node[1], move, done), node[2], node[3], node[4], *sides)
    elif kind in _INSIDE:
        moved = _INSIDE[kind](node, lambda p: _relocated(p, move, done))
    else:
        raise _Opaque
    done[id(pat)] = moved
    return moved


def _wholes_in_cycles(pat: Pattern, a: Time, b: Time) -> bool:
    """Whether no event of pat read at a*t + b has a whole across a cycle boundary (known from
    how pat was built; False where that does not say). An atom's whole in cycle n of its own time,
    (n + ab - b) / a to (n + ae - b) / a, holds a whole number m inside when a*m - n falls between
    ab - b and ae - b; with a = p/q in lowest terms, a*m - n takes every value j/q."""
    node = pat.node
    kind = node[0] if node is not None else None
    if kind == "silence":
        return True
    if kind == "stack":
        return all(_wholes_in_cycles(p, a, b) for p in node[1])
    if kind == "partition":
        return _wholes_in_cycles(node[1], a, b)
    if kind == "chain" or kind == "atoms":
        a0, b0 = node[2], node[3]
        if a is _ONE and b is _ZERO:  # (the outermost call: no arithmetic)
            a, b = a0, b0
        else:
            a, b = a0 * a, a0 * b + b0
        if kind == "chain":
            return _wholes_in_cycles(node[1], a, b)
        q = a.denominator
        if q == 1 and b.denominator == 1:  # whole cycles of the atoms are whole cycles: 0 <= ab < ae <= 1
            return True
        return all((q * (ab - b)).__floor__() + 1 >= q * (ae - b) for layer in node[1] for ab, ae, _, _ in layer)
    return False


def _cut_at_cycles(pat: Pattern) -> Pattern:
    """pat with each event's part cut at the cycle boundaries inside its whole, in place: what
    sampling a constant over the whole (`app_left`) does to the events' spans."""
    node = pat.node
    if node is not None and node[0] == "partition" and all(side is None or side[2] is None for side in node[5:7]):
        sides = [None if side is None else side[:2] + (_CUT[0],) for side in node[5:7]]
        return partition(node[1], node[2], node[3], node[4], *sides)
    return _lazy(("cycle_cut", pat), _cut_query)


def _cut_query(node: tuple) -> Callable[[TimeSpan], list[Event]]:
    q = node[1].query

    def query(span: TimeSpan) -> list[Event]:
        out = []
        for e in q(span):
            w = e.whole
            if w is None:
                w = e.part
            if w.end <= w.begin.__floor__() + 1:
                out.append(e)
                continue
            for piece in w.cycles():
                part = e.part.intersection(piece)
                if part is not None:
                    out.append(Event(e.whole, part, e.value, e.locations))
        return out

    return query


Cut = tuple  # (al, be): cut the query at the cycle boundaries of al*t + be


def _aligned(outer: tuple[Time, Time], inner: tuple[Time, Time]) -> bool:
    """Whether every cycle boundary of time outer[0]*t + outer[1] is one of inner[0]*t + inner[1]."""
    if outer == _CUT[0]:  # (the common cut: the cycles of t itself)
        return inner[0].denominator == 1 and inner[1].denominator == 1
    ratio = inner[0] / outer[0]
    return ratio.denominator == 1 and (inner[1] - ratio * outer[1]).denominator == 1


def _prune(cuts: tuple[Cut, ...], base: tuple[Time, Time] | None) -> tuple[Cut, ...]:
    """Drop the cuts that change nothing: one whose boundaries the next cut inside it (or the
    base, when it is cut at its own cycles and plays one layer) makes anyway."""
    if len(cuts) < 2 and base is None:
        return cuts
    kept: list[Cut] = []
    inner = base
    for cut in reversed(cuts):
        if inner is not None and _aligned(cut, inner):
            continue
        kept.append(cut)
        inner = cut
    return tuple(reversed(kept))


def _cut(span: TimeSpan, cuts: tuple[Cut, ...]) -> list[TimeSpan] | None:
    """The query cut at the cycle boundaries of each cut, outermost first, in query time;
    None when no cut falls inside it (the common case: a query inside one cycle)."""
    sb, se = span.begin, span.end
    if sb <= se:  # (al > 0): then ub <= ue, and a cut at t or t + be needs no product
        for al, be in cuts:
            if al == 1:
                if be == 0:
                    if se > sb.__floor__() + 1:
                        break
                elif se + be > (sb + be).__floor__() + 1:
                    break
            elif se * al + be > (sb * al + be).__floor__() + 1:
                break
        else:
            return None
    spans = [span]
    for al, be in cuts:
        unit = al == 1
        pieces = []
        for s in spans:
            ub, ue = (s.begin + be, s.end + be) if unit else (s.begin * al + be, s.end * al + be)
            n = ub.__floor__() + 1
            if ub <= ue <= n:
                pieces.append(s)
                continue
            if ue - ub > MAX_CYCLES:
                TimeSpan(ub, ue).cycles()  # raises, as any query of too many cycles does
            b = s.begin
            while n < ue:  # the cycle boundaries of al*t + be inside s, in query time
                e = n - be if unit else (n - be) / al
                pieces.append(TimeSpan(b, e))
                b = e
                n += 1
            pieces.append(TimeSpan(b, s.end))
        spans = pieces
    return spans


def _transform(pat: Pattern, a: Time, b: Time, cuts: tuple[Cut, ...] = ()) -> Pattern:
    """pat with the query cut at the cycle boundaries of each of `cuts` (outermost first;
    `split_queries` is the cut (1, 0)), then read at time a*t + b (a > 0: `fast` is (k, 0),
    `early` is (1, o)), its events mapped back.

    A chain of these is one: its events are mapped back once, whatever its length, and
    atoms make their events at their final times. Without cuts, the map goes inside a stack."""
    if not cuts and a == 1 and b == 0:
        return _unsteady(pat)
    node = pat.node
    kind = node[0] if node is not None else None
    if kind == "silence":
        return pat
    if kind == "partition" and not cuts:  # the map goes inside; the test and the cuts read the times they read
        ta, tb2 = node[3], node[4]
        sides = [side if side is None or side[2] is None
                 else side[:2] + ((side[2][0] * a, side[2][0] * b + side[2][1]),) for side in node[5:7]]
        return partition(_transform(node[1], a, b), node[2], ta * a, 2 * ta * b + tb2, *sides)
    if kind == "atoms" or kind == "chain":
        inner, a0, b0, cuts0 = node[1:5]
        if a is _ONE and b is _ZERO:  # (a split: the inner maps as they are)
            cuts, a, b = cuts + cuts0, a0, b0
        else:
            if cuts0:
                cuts = cuts + tuple((al * a, al * b + be) for al, be in cuts0)
            a, b = a0 * a, a0 * b + b0
        cuts = _prune(cuts, (a, b) if kind == "atoms" and len(inner) == 1 else None)
        if a == a0 and b == b0 and cuts == cuts0:
            return _unsteady(pat)  # nothing changes (a split of what is split already)
        if kind == "atoms":
            return _atoms(inner, a, b, cuts)
        pat = inner
    else:
        cuts = _prune(cuts, None)
    if not cuts and a == 1 and b == 0:
        return _unsteady(pat)
    return _lazy(("chain", pat, a, b, cuts), _chain_node_query)


_QUERY = Pattern.query  # (the slot itself)


class _Unmade(Pattern):
    """A pattern made with `make`, its query not worked out yet: reading `query` works it out, and
    the pattern becomes a plain Pattern. (A class of its own rather than Pattern.__getattr__, whose
    mere presence makes every attribute read of every pattern several times slower.)"""

    __slots__ = ()

    @property
    def query(self) -> Callable[[TimeSpan], list[Event]]:
        query = self.make(self.node)
        _QUERY.__set__(self, query)
        self.__class__ = Pattern
        return query


PATTERN_TYPES = (Pattern, _Unmade)  # what type(p) is for a pattern p (for a test of `type(x) in`)


def _deferred(pat: Pattern) -> Callable[[TimeSpan], list[Event]]:
    """pat's query, or where it is not worked out yet, a call that works it out when first queried
    (what a pattern built on pat keeps: building it must not work out pat's query)."""
    if pat.__class__ is _Unmade:
        return lambda span: pat.query(span)
    return pat.query


def _lazy(node: tuple, make: Callable[[tuple], Callable[[TimeSpan], list[Event]]], steady: Any = _NOT_STEADY,
          locations: tuple[Location, ...] = ()) -> Pattern:
    """Pattern(None, steady, locations, node, make), made without the call's keywords (the patterns
    of a patch are thousands)."""
    pat = _new(_Unmade)
    pat.make = make  # (one store each: cheaper than one of a tuple)
    pat.steady = steady
    pat.locations = locations
    pat.node = node
    pat.plan = pat.part_plan = None
    return pat


_new = object.__new__


def _rechain(node: tuple, inner: Pattern) -> Pattern:
    """The chain node with its pattern replaced by inner, the same pattern mapped (its values or
    locations): what _transform makes of it, the same node, unless inner is a chain to fold into it."""
    if inner.node is not None and inner.node[0] == "chain":  # (the kinds that are split when made)
        return _transform(inner, node[2], node[3], node[4])
    return _lazy(("chain", inner) + node[2:], _chain_node_query)


def _restack(patterns: list[Pattern]) -> Pattern:
    """A stack of the patterns of a stack, each mapped (its values or locations): what stack makes of
    them (they were flattened and fused already, and mapping keeps that)."""
    return _lazy(("stack", tuple(patterns)), _stack_node_query)


def _unsteady(pat: Pattern) -> Pattern:
    """pat, made by a transformation: never steady, even where the transformation changes nothing
    (patternify takes the locations of a steady argument's atoms only through its inner join)."""
    return pat if pat.steady is _NOT_STEADY else _lazy(pat.node, _pure_query)


def _chain_node_query(node: tuple) -> Callable[[TimeSpan], list[Event]]:
    return _chain_query(node[1], node[2], node[3], node[4])


def _chain_query(pat: Pattern, a: Time, b: Time, cuts: tuple[Cut, ...]) -> Callable[[TimeSpan], list[Event]]:
    q = pat.query
    kind = pat.node[0] if pat.node is not None else None
    if kind == "stack" or kind == "partition":
        # the map taken inside (each pattern of the stack); each piece of the query through it
        inner = (_stack_query([_transform(p, a, b) for p in pat.node[1]]) if kind == "stack"
                 else _transform(pat, a, b).query)
        if not cuts:
            return inner

        def query(span: TimeSpan) -> list[Event]:
            pieces = _cut(span, cuts)
            if pieces is None:
                return inner(span)
            return [e for piece in pieces for e in inner(piece)]

        return query
    if cuts:
        mapped = _chain_query(pat, a, b, ())

        def query(span: TimeSpan) -> list[Event]:
            pieces = _cut(span, cuts)
            if pieces is None:
                return mapped(span)
            return [e for piece in pieces for e in mapped(piece)]

        return query
    if a == 1 and b == 0:
        return q
    if a == 1:  # a shift
        def query(span: TimeSpan) -> list[Event]:
            out = []
            for e in q(TimeSpan(span.begin + b, span.end + b)):
                w, p = e.whole, e.part
                if w is None:
                    out.append(Event(None, TimeSpan(p.begin - b, p.end - b), e.value, e.locations))
                else:
                    nw = TimeSpan(w.begin - b, w.end - b)
                    out.append(Event(nw, nw if p is w else TimeSpan(p.begin - b, p.end - b), e.value, e.locations))
            return out

        return query
    ia = 1 / a
    if b == 0:  # a change of speed
        def query(span: TimeSpan) -> list[Event]:
            out = []
            for e in q(TimeSpan(span.begin * a, span.end * a)):
                w, p = e.whole, e.part
                if w is None:
                    out.append(Event(None, TimeSpan(p.begin * ia, p.end * ia), e.value, e.locations))
                else:
                    nw = TimeSpan(w.begin * ia, w.end * ia)
                    out.append(Event(nw, nw if p is w else TimeSpan(p.begin * ia, p.end * ia), e.value, e.locations))
            return out

        return query
    ib = -b * ia

    def query(span: TimeSpan) -> list[Event]:
        out = []
        for e in q(TimeSpan(span.begin * a + b, span.end * a + b)):
            w, p = e.whole, e.part
            if w is None:
                out.append(Event(None, TimeSpan(p.begin * ia + ib, p.end * ia + ib), e.value, e.locations))
            else:
                nw = TimeSpan(w.begin * ia + ib, w.end * ia + ib)
                out.append(Event(nw, nw if p is w else TimeSpan(p.begin * ia + ib, p.end * ia + ib),
                                 e.value, e.locations))
        return out

    return query


def squeeze_join(pat: Pattern) -> Pattern:
    """Squeeze a whole cycle of each inner pattern into the whole of the outer event holding it."""
    q = _deferred(pat)

    def query(span: TimeSpan) -> list[Event]:
        out = []
        for outer in q(span):
            w = outer.whole_or_part()
            inner = outer.value._focus(w.begin, w.end)
            for e in inner.query(outer.part):
                part = e.part.intersection(outer.part)
                if part is None:
                    continue
                whole = None
                if e.whole is not None and outer.whole is not None:
                    whole = e.whole.intersection(outer.whole)
                    if whole is None:
                        continue
                out.append(Event(whole, part, e.value, e.locations + outer.locations))
        return out

    return Pattern(query)


def pure(value: Any, locations: tuple[Location, ...] = ()) -> Pattern:
    """One event per cycle, filling the cycle."""
    # the same as one atom filling the cycle, which is how `fast`, `stack` and `fmap` see it
    node = ("atoms", (((_ZERO, _ONE, value, locations),),), _ONE, _ZERO, (), [])
    return _lazy(node, _pure_query, value, locations)


def _pure_query(node: tuple) -> Callable[[TimeSpan], list[Event]]:
    """The query of pure's atom, (0, 1, value, locations), alone in node."""
    _, _, value, locations = node[1][0][0]

    def query(span: TimeSpan) -> list[Event]:
        b, e = span.begin, span.end
        c = b.__floor__()
        if b <= e <= c + 1:  # inside one cycle
            _spend(1)
            cycle, nxt = Fraction(c), Fraction(c + 1)
            whole = TimeSpan(cycle, nxt)
            return [Event(whole, whole if b == cycle and e == nxt else span, value, locations)]
        cycles = span.cycles()
        _spend(len(cycles))
        out = []
        for s in cycles:
            cycle = Fraction(s.begin.__floor__())
            out.append(Event(TimeSpan(cycle, cycle + 1), s, value, locations))
        return out

    return query


def repeated(pat: Pattern, k: Time) -> Pattern:
    """A steady pattern (an atom) k times a cycle, k a positive whole number: what
    pat._fast(k).split_queries() makes of it (the atom read at k*t, its cycles cut already)."""
    return _atoms_of(pat.node[1], to_time(k), _ZERO, ())


def signal(f: Callable[[Time], Any]) -> Pattern:
    """A continuous pattern: no whole, valued at the start of the query."""
    return Pattern(lambda span: [Event(None, span, f(span.begin))])


silence = Pattern(lambda span: [], node=("silence",))


def by_cycle(choose: Callable[[int], Pattern], every: int | None = None, branches: Sequence[Pattern] = ()) -> Pattern:
    """Cycle c plays choose(c) (`every`, `whenmod`), queried cycle by cycle. `branches`, the
    patterns choose picks from, and `every`, the number of cycles after which its choices
    repeat (None: never), let a cycle plan see through it (dsl/plan.py); without branches it is
    queried as it is defined."""
    if branches:
        return _lazy(("by_cycle", choose, every, tuple(branches)), _by_cycle_query).split_queries()
    return Pattern(_chosen_query(choose)).split_queries()


def _by_cycle_query(node: tuple) -> Callable[[TimeSpan], list[Event]]:
    return _chosen_query(node[1])


def _chosen_query(choose: Callable[[int], Pattern]) -> Callable[[TimeSpan], list[Event]]:
    return lambda span: choose(span.begin.__floor__()).query(span)


def stack(patterns: Iterable[Pattern]) -> Pattern:
    flat: list[Pattern] = []
    for p in patterns:
        node = p.node
        if node is not None and node[0] == "stack":
            flat.extend(node[1])
        elif p is not silence:
            flat.append(p)
    flat = _fuse_partitions(flat)
    if not flat:
        return silence
    if len(flat) == 1:
        return _unsteady(flat[0])
    flat_ = tuple(flat)
    return _lazy(("stack", flat_), _stack_node_query)


def _fuse_partitions(patterns: list[Pattern]) -> list[Pattern]:
    """The kept side of a partition followed by the changed side of the same one (what
    `sometimesBy` stacks) is one partition with both sides: one reading of the pattern."""
    out: list[Pattern] = []
    for p in patterns:
        node, last = p.node, out[-1].node if out else None
        if (node is not None and last is not None and node[0] == "partition" and last[0] == "partition"
                and last[6] is None and node[5] is None and last[1:5] == node[1:5]):
            out[-1] = partition(node[1], node[2], node[3], node[4], last[5], node[6])
        else:
            out.append(p)
    return out


Side = tuple  # (f or None, extra locations, cut or None): see `partition`
UNCHANGED = (None, (), None)  # the side that changes nothing


def partition(pat: Pattern, test: Callable[[Time], bool], ta: Time, tb2: Time, kept: Side | None,
              changed: Side | None, query: Callable[[TimeSpan], list[Event]] | None = None) -> Pattern:
    """The events of pat sorted by a test of the middle of their whole (`sometimesBy`, `degradeBy`):
    those that fail it through `kept`, then those that pass through `changed`. test gets
    2 * (ta * middle + tb), tb2 being 2 * tb (a sum of times, not halved). A side None drops its
    events; a side (f, extra, cut) maps each value by f (None: as it is), adds extra to its
    locations and, where cut is (ca, cb), cuts its part at the cycle boundaries of ca * t + cb
    inside its whole (what `# speed 2` does). Transformations of time and maps of values go
    inside, and a stack of the two sides (`_fuse_partitions`) reads pat once; `query`, where
    given, is an equal query of the node."""
    node = ("partition", pat, test, ta, tb2, kept, changed)
    return _lazy(node, _partition_query) if query is None else Pattern(query, _NOT_STEADY, (), node)


def _partition_query(node: tuple) -> Callable[[TimeSpan], list[Event]]:
    sort = partition_sorter(*node[1:])

    def query(span: TimeSpan) -> list[Event]:
        out, passed = sort(span)
        out.extend(passed)
        return out

    return query


def partition_sorter(pat: Pattern, test: Callable[[Time], bool], ta: Time, tb2: Time, kept: Side | None,
                     changed: Side | None) -> Callable[[TimeSpan], tuple[list[Event], list[Event]]]:
    """The two sides of a partition's query, apart (see `partition`)."""
    q = _deferred(pat)
    unit = ta == 1
    keep, change = _side(kept), _side(changed)
    keep_as_is = kept == UNCHANGED  # the common kept side: appended without a call

    def sort(span: TimeSpan) -> tuple[list[Event], list[Event]]:
        out: list[Event] = []
        passed: list[Event] = []
        for e in q(span):
            w = e.whole
            if w is None:
                w = e.part
            if e.part is not w:
                e = inside_whole(e, w)
                if e is None:
                    continue
            s = w.begin + w.end
            if not unit:
                s *= ta
            if tb2:
                s += tb2
            if test(s):
                if change is not None:
                    change(e, w, passed)
            elif keep_as_is:
                out.append(e)
            elif keep is not None:
                keep(e, w, out)
        return out, passed

    return sort


def inside_whole(e: Event, w: TimeSpan) -> Event | None:
    """e with its part cut to w, its whole, as sampling a signal over the whole does (None where
    nothing is left)."""
    p = e.part
    wb, we, pb, pe = w.begin, w.end, p.begin, p.end
    if wb <= pb and pe <= we and (pb < we or wb == we):
        return e
    p = p.intersection(w)
    if p is None:
        return None
    return e if p.begin == pb and p.end == pe else Event(e.whole, p, e.value, e.locations)


def _side(side: Side | None) -> Callable[[Event, TimeSpan, list[Event]], None] | None:
    """What a partition's side adds to its list for an event whose whole (or part) is w."""
    if side is None:
        return None
    f, extra, cut = side
    if side == UNCHANGED:
        return lambda e, w, out: out.append(e)
    if cut is None:
        return lambda e, w, out: out.append(
            Event(e.whole, e.part, e.value if f is None else f(e.value), e.locations + extra))
    ca, cb = cut
    unit = ca == 1 and cb == 0

    def add(e: Event, w: TimeSpan, out: list[Event]) -> None:
        value = e.value if f is None else f(e.value)
        if (w.end <= w.begin.__floor__() + 1) if unit else (w.end * ca + cb <= (w.begin * ca + cb).__floor__() + 1):
            out.append(Event(e.whole, e.part, value, e.locations + extra))
            return
        for piece in _cut(w, (cut,)):
            part = e.part.intersection(piece)
            if part is not None:
                out.append(Event(e.whole, part, value, e.locations + extra))

    return add


def _stack_node_query(node: tuple) -> Callable[[TimeSpan], list[Event]]:
    return _stack_query(node[1])


def _stack_query(patterns: Sequence[Pattern]) -> Callable[[TimeSpan], list[Event]]:
    """Neighbouring atoms read through the same map of time, uncut, play as one pattern of layers:
    each layer plays all of its cycles before the next, as each pattern of a stack does."""
    merged: list[Pattern] = []
    maps: list[Any] = []
    for p in patterns:
        read = _read_as(p)
        if read is not None and maps and maps[-1] is not None and maps[-1][1:] == read[1:]:
            merged[-1] = _atoms(maps[-1][0] + read[0], read[1], read[2])
            maps[-1] = (maps[-1][0] + read[0],) + read[1:]
        else:
            merged.append(p)
            maps.append(read)
    queries = [p.query for p in merged]
    if len(queries) == 1:
        return queries[0]
    if len(queries) == 2:
        q1, q2 = queries
        return lambda span: q1(span) + q2(span)
    return lambda span: [e for q in queries for e in q(span)]


def slowcat(patterns: Sequence[Pattern]) -> Pattern:
    """One pattern per cycle; each advances only on the cycles where it plays."""
    patterns = list(patterns)
    if not patterns:
        return silence
    n = len(patterns)
    queries = [_deferred(p) for p in patterns]

    def query(span: TimeSpan) -> list[Event]:
        cycle = span.begin.__floor__()
        index = cycle % n
        offset = Fraction(cycle - (cycle - index) // n)
        q = queries[index]
        if offset == 0:
            return q(span)
        out = []
        for e in q(TimeSpan(span.begin - offset, span.end - offset)):
            w, p = e.whole, e.part
            nw = None if w is None else TimeSpan(w.begin + offset, w.end + offset)
            np = nw if (p is w and nw is not None) else TimeSpan(p.begin + offset, p.end + offset)
            out.append(Event(nw, np, e.value, e.locations))
        return out

    return Pattern(query, node=("slowcat", tuple(patterns))).split_queries()


def fastcat(patterns: Sequence[Pattern]) -> Pattern:
    patterns = list(patterns)
    if patterns and all(p.is_steady or p is silence for p in patterns):
        return timecat([(1, p) for p in patterns])
    return slowcat(patterns)._fast(len(patterns)) if patterns else silence


def _atom_sequence(slots: list[tuple[Time, Time, Pattern]]) -> Pattern:
    """timecat of plain atoms and rests, computed directly: the common case, kept cheap."""
    return _atoms([[(b, e, p.steady, p.locations) for b, e, p in slots if p is not silence]])


Atom = tuple  # (begin, end, value, locations): 0 <= begin < end <= 1 inside the cycle


def _atoms(layers: Iterable[Iterable[Atom]], a: Time = _ONE, b: Time = _ZERO,
           splits: tuple[tuple[Time, Time], ...] = ()) -> Pattern:
    """Layers of atoms, the same in every cycle, seen through a map of time.

    Each layer is a sequence of atoms; the layers play in turn, as `stack` plays its patterns.
    The query span is read at a*t + b (so `fast` and `early` of atoms are atoms too), after
    cutting it at the cycle boundaries of each map (al, be) in `splits`, outermost first (where
    `split_queries` was applied). One pass makes the events at their final times, whatever
    chain of transformations led here; the result is exactly that of the chain.
    """
    layers = tuple([layer for layer in map(tuple, layers) if layer])
    if not layers:
        return silence
    return _atoms_of(layers, a, b, splits)


def _atoms_of(layers: tuple[tuple[Atom, ...], ...], a: Time, b: Time, splits: tuple[Cut, ...]) -> Pattern:
    """_atoms of layers that are tuples, none empty (those of an atoms node, mapped); the node's
    last item is its unrolled layers, once made."""
    return _lazy(("atoms", layers, a, b, splits, []), _atoms_query)


def _node_unrolled(node: tuple) -> tuple[tuple[tuple[Atom, ...], ...], Time] | None:
    """The atoms of an atoms node read at t + shift instead of a*t + b, as (layers, shift), where
    a is a whole number (`x*4` is four copies of x's atoms in one cycle, in each layer: each layer
    still plays all its cycles before the next, so a query over several cycles keeps its order);
    None where a is not, or the copies would be too many. Made once."""
    memo = node[5]
    if not memo:
        layers, a, b = node[1], node[2], node[3]
        k = a.numerator
        if a.denominator != 1 or k * sum(len(layer) for layer in layers) > MAX_SLOTS:
            memo.append(None if k != 1 or a.denominator != 1 else (layers, b))
        elif k == 1:
            memo.append((layers, b))
        else:
            memo.append((tuple(tuple(((i + ab) / a, (i + ae) / a, v, loc) for i in range(k)
                                     for ab, ae, v, loc in layer) for layer in layers), b / a))
    return memo[0]


def _plain_layers(p: Pattern) -> tuple[tuple[Atom, ...], ...] | None:
    """The layers of a pattern of atoms that plays them at time t itself, or None."""
    node = p.node
    if node is None or node[0] != "atoms" or node[4]:
        return None
    unrolled = _node_unrolled(node)
    return unrolled[0] if unrolled is not None and unrolled[1].denominator == 1 else None


def _read_as(p: Pattern) -> tuple[tuple[tuple[Atom, ...], ...], Time, Time] | None:
    """(layers, a, b) of a pattern of atoms read at a*t + b without cuts (unrolled where it can
    be), or None."""
    node = p.node
    if node is None or node[0] != "atoms" or node[4]:
        return None
    unrolled = _node_unrolled(node)
    if unrolled is None:
        return node[1], node[2], node[3]
    layers, shift = unrolled
    return layers, _ONE, (_ZERO if shift.denominator == 1 else shift)


def _atoms_query(node: tuple) -> Callable[[TimeSpan], list[Event]]:
    splits = node[4]
    unrolled = _node_unrolled(node)
    if unrolled is None:
        return _mapped_atoms_query(node[1], node[2], node[3], splits)
    layers, shift = unrolled
    if not splits and shift.denominator == 1:  # a whole number of cycles later: the same atoms
        return _plain_atoms_query(layers)
    return _mapped_atoms_query(layers, _ONE, shift, splits)


def _plain_atoms_query(layers: tuple[tuple[Atom, ...], ...]) -> Callable[[TimeSpan], list[Event]]:
    # each atom with its begin and end as numerators over d, their common denominator (see _mapped_atoms_query)
    d = lcm(*(t.denominator for layer in layers for ab, ae, _, _ in layer for t in (ab, ae)))
    layers = tuple(tuple((ab, ae, int(ab * d), int(ae * d), v, loc) for ab, ae, v, loc in layer) for layer in layers)
    flat = tuple(atom for layer in layers for atom in layer)  # in one cycle, the layers in turn are one list

    def query(span: TimeSpan) -> list[Event]:
        out: list[Event] = []
        b, e = span.begin, span.end
        c = b.__floor__()
        if b <= e <= c + 1:
            _atoms_in_cycle(flat, d, span, c, out)
        else:
            pieces = [(piece, piece.begin.__floor__()) for piece in span.cycles()]
            for layer in layers:
                for piece, c in pieces:
                    _atoms_in_cycle(layer, d, piece, c, out)
        return out

    return query


def _atoms_in_cycle(layer: tuple[Atom, ...], d: int, piece: TimeSpan, c: int, out: list[Event]) -> None:
    """The events of a layer of atoms (begin, end, their numerators over d, value, locations) in a
    piece of cycle c."""
    _spend(len(layer))
    sb, se = piece.begin, piece.end
    pb, pe = sb - c, se - c  # the piece inside its cycle
    off = c * d
    if pb == 0 and pe == 1:  # the whole cycle: every atom, part = whole
        for b, e, nb, ne, value, locations in layer:
            whole = TimeSpan(Fraction(off + nb, d), Fraction(off + ne, d))
            out.append(Event(whole, whole, value, locations))
    elif pb == pe:  # a point in time: the atoms sounding at it
        for b, e, nb, ne, value, locations in layer:
            if b <= pb < e:
                out.append(Event(TimeSpan(Fraction(off + nb, d), Fraction(off + ne, d)), piece, value, locations))
    else:
        for b, e, nb, ne, value, locations in layer:
            if b < pe and pb < e:
                whole = TimeSpan(Fraction(off + nb, d), Fraction(off + ne, d))
                if pb <= b and e <= pe:
                    part = whole
                else:
                    part = TimeSpan(whole.begin if pb <= b else sb, whole.end if e <= pe else se)
                out.append(Event(whole, part, value, locations))


def _mapped_atoms_query(layers: tuple[tuple[Atom, ...], ...], a: Time, b: Time,
                        splits: tuple[tuple[Time, Time], ...]) -> Callable[[TimeSpan], list[Event]]:
    ia = 1 / a
    unit = a == 1
    origin = -b * ia  # where cycle 0 of the atoms begins, in query time
    # Every time an event is made at is a whole number of 1/d, d the common denominator of these:
    # the numerators are whole numbers added, cheaper than Fractions added.
    d = lcm(ia.denominator, origin.denominator,
            *(t.denominator for layer in layers for ab, ae, _, _ in layer for t in (ab * ia, ae * ia)))
    step, start = int(ia * d), int(origin * d)  # cycle n of the atoms begins at (n * step + start) / d
    mapped: list[Any] = []  # each atom with its begin and end in query time (numerators), made at the first query

    def query(span: TimeSpan) -> list[Event]:
        if not mapped:
            mapped.append(tuple(tuple((ab, ae, int(ab * ia * d), int(ae * ia * d), v, loc) for ab, ae, v, loc in layer)
                                for layer in layers))
            mapped.append((tuple(atom for layer in mapped[0] for atom in layer),))  # for one piece
        out: list[Event] = []
        leaves = _cut(span, splits) if splits else None
        for s in (span,) if leaves is None else leaves:
            sb, se = s.begin, s.end
            xb, xe = (sb + b, se + b) if unit else (sb * a + b, se * a + b)
            c = xb.__floor__()
            if xb <= xe <= c + 1:
                pieces: Any = ((c, xb, xe, sb, se),)
            else:
                pieces = [(p.begin.__floor__(), p.begin, p.end, (p.begin - b) * ia, (p.end - b) * ia)
                          for p in TimeSpan(xb, xe).cycles()]
            for layer in mapped[0] if len(pieces) > 1 else mapped[1]:
                for c, xb, xe, qb, qe in pieces:
                    _spend(len(layer))
                    pb, pe = xb - c, xe - c  # the piece inside its cycle, in the atoms' time
                    off = c * step + start  # the cycle's start in query time, times d
                    if pb == 0 and pe == 1:
                        for ab, ae, mb, me, value, locations in layer:
                            whole = TimeSpan(Fraction(off + mb, d), Fraction(off + me, d))
                            out.append(Event(whole, whole, value, locations))
                    elif pb == pe:
                        for ab, ae, mb, me, value, locations in layer:
                            if ab <= pb < ae:
                                out.append(Event(TimeSpan(Fraction(off + mb, d), Fraction(off + me, d)),
                                                 TimeSpan(qb, qe), value, locations))
                    else:
                        for ab, ae, mb, me, value, locations in layer:
                            if ab < pe and pb < ae:
                                whole = TimeSpan(Fraction(off + mb, d), Fraction(off + me, d))
                                if pb <= ab and ae <= pe:
                                    part = whole
                                else:
                                    part = TimeSpan(whole.begin if pb <= ab else qb, whole.end if ae <= pe else qe)
                                out.append(Event(whole, part, value, locations))
        return out

    return query


def timecat(weighted: Sequence[tuple[int | Time, Pattern]]) -> Pattern:
    """Concatenate in one cycle, each pattern taking a share proportional to its weight (a
    whole number or a Fraction)."""
    weighted = [(w, p) for w, p in weighted if w > 0]
    if not weighted:
        return silence
    starts = list(accumulate((w for w, _ in weighted), initial=0))
    total = starts[-1]
    if type(total) is int:  # whole weights: each share a whole number over the total
        ends = [Fraction(t, total) for t in starts]
    else:
        ends = [Fraction(t) / total for t in starts]
    if all(p.is_steady or p is silence for _, p in weighted):
        return _atom_sequence([(ends[i], ends[i + 1], p) for i, (_, p) in enumerate(weighted)])
    return stack([p._compress(ends[i], ends[i + 1]) for i, (_, p) in enumerate(weighted)])


def patternify(f: Callable[..., Pattern], *args: Pattern) -> Pattern:
    """Call f with each combination of the argument patterns' values, taking events
    from each result inside the argument event's span (Tidal's tParam + innerJoin).

    With constant arguments the inner join reduces to querying f(values) cycle by cycle.
    """
    if len(args) == 1 and args[0].steady is not _NOT_STEADY:  # (the common case, without generators)
        return f(args[0].steady).split_queries()
    if all(a.is_steady for a in args):
        return f(*(a.steady for a in args)).split_queries()
    if len(args) == 1:
        return args[0].fmap(f).inner_join()
    combined = args[0].fmap(lambda v: (v,))
    for a in args[1:]:
        combined = combined.app_left(a, lambda acc, v: acc + (v,))
    return combined.fmap(lambda vs: f(*vs)).inner_join()


from . import plan  # noqa: E402  (it reads the nodes defined here)
