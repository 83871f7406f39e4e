"""The pattern core: a pattern is a pure function from a time span to events.

Time is exact (`fractions.Fraction` cycles) so that `1/3` stays `1/3` however
the pattern is transformed; floats appear only at the audio boundary. The
shape follows Tidal's `Pattern.hs` and Strudel's `pattern.mjs`: an event has a
`whole` (its full extent, None for continuous signals), a `part` (the fragment
inside the query) and a `value`; it has an onset when whole and part begin
together, and only onsets are played. Each event also carries the source
locations of the atoms that made it, so the console can highlight them.
"""

from __future__ import annotations

import threading
from .rational import Fraction
from math import floor
from typing import Any, Callable, Iterable, Sequence

Time = Fraction


class QueryLimitError(RuntimeError):
    """A query produced more events than a performer could ever hear."""

Location = tuple[int, int, int]  # (line, first column, column after the end), 1-based

MAX_EVENTS = 100_000  # per query: a runaway pattern gives an error, not an exhausted machine
MAX_CYCLES = 20_000  # per elementary query: `bd*100000000` is a mistake, not a rhythm


_budget = threading.local()  # events left to make in the current top-level query


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


def sam(t: Time) -> Time:
    """The start of the cycle that holds t."""
    return Fraction(floor(t))


def to_time(x: Any) -> Time:
    if isinstance(x, Fraction):
        return x
    if isinstance(x, float):
        return Fraction(x).limit_denominator(1 << 20)
    return Fraction(x)


class TimeSpan:
    """A half-open span of cycles. Immutable by convention; a plain class because
    a frozen dataclass's __init__ costs three times as much, and queries make thousands."""

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
        if self.begin == self.end:
            return [self]
        if self.end - self.begin > MAX_CYCLES:
            raise QueryLimitError(f"a pattern asked for more than {MAX_CYCLES} cycles at once "
                                  "(is a factor of fast or * too big?)")
        spans, b = [], self.begin
        while b < self.end:
            e = min(sam(b) + 1, self.end)
            spans.append(TimeSpan(b, e))
            b = e
        return spans

    def with_time(self, f: Callable[[Time], Time]) -> TimeSpan:
        return TimeSpan(f(self.begin), f(self.end))

    def intersection(self, other: TimeSpan) -> TimeSpan | None:
        """The overlap, or None; zero-width spans intersect when they touch inside."""
        b, e = max(self.begin, other.begin), min(self.end, other.end)
        if b > e:
            return None
        if b == e:
            # Zero-width overlap only counts for a zero-width span inside the other one.
            if self.begin == self.end or other.begin == other.end:
                if b < self.end or self.begin == self.end:
                    if b < other.end or other.begin == other.end:
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


class Pattern:
    """A query from a time span to the events that overlap it.

    `steady` holds the value of a pattern made by `pure` (one event per cycle), so that
    constant arguments (`fast 2`) and sequences of plain atoms can take cheaper paths.
    """

    __slots__ = ("query", "steady", "locations")

    def __init__(self, query: Callable[[TimeSpan], list[Event]], steady: Any = _NOT_STEADY,
                 locations: tuple[Location, ...] = ()):
        self.query = query
        self.steady = steady
        self.locations = locations

    @property
    def is_steady(self) -> bool:
        return self.steady is not _NOT_STEADY

    def query_span(self, begin: Any, end: Any) -> list[Event]:
        """Query from outside (the scheduler, a command): the budget of events starts here."""
        outermost = getattr(_budget, "left", None) is None
        if outermost:
            _budget.left = MAX_EVENTS
        try:
            return self.query(TimeSpan(to_time(begin), to_time(end)))
        finally:
            if outermost:
                _budget.left = None

    def onsets(self, begin: Any, end: Any) -> list[Event]:
        return [e for e in self.query_span(begin, end) if e.has_onset]

    # -- structure-preserving maps -------------------------------------------------

    def fmap(self, f: Callable[[Any], Any]) -> Pattern:
        if self.is_steady:
            return pure(f(self.steady), self.locations)
        return Pattern(lambda span: [e.with_value(f) for e in self.query(span)])

    def split_queries(self) -> Pattern:
        """Query cycle by cycle, for operations that depend on the cycle number."""
        return Pattern(lambda span: [e for s in span.cycles() for e in self.query(s)])

    def with_query_time(self, f: Callable[[Time], Time]) -> Pattern:
        return Pattern(lambda span: self.query(span.with_time(f)))

    def with_event_time(self, f: Callable[[Time], Time]) -> Pattern:
        return Pattern(lambda span: [e.with_span(lambda s: s.with_time(f)) for e in self.query(span)])

    def filter_events(self, keep: Callable[[Event], bool]) -> Pattern:
        return Pattern(lambda span: [e for e in self.query(span) if keep(e)])

    def filter_onsets(self) -> Pattern:
        return self.filter_events(lambda e: e.has_onset)

    def with_locations(self, locations: tuple[Location, ...]) -> Pattern:
        """Add source locations to every event (the atom that made it)."""
        if not locations:
            return self
        return Pattern(lambda span: [Event(e.whole, e.part, e.value, e.locations + locations) for e in self.query(span)])

    # -- elementary time operations -------------------------------------------------

    def _fast(self, factor: Time) -> Pattern:
        factor = to_time(factor)
        if factor == 0:
            return silence
        if factor < 0:
            return self._fast(-factor).rev()
        return self.with_query_time(lambda t: t * factor).with_event_time(lambda t: t / factor)

    def _slow(self, factor: Time) -> Pattern:
        factor = to_time(factor)
        return silence if factor == 0 else self._fast(1 / factor)

    def _early(self, offset: Time) -> Pattern:
        offset = to_time(offset)
        return self.with_query_time(lambda t: t + offset).with_event_time(lambda t: t - offset)

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
        factor = max(to_time(factor), Fraction(1))

        def query(span: TimeSpan) -> list[Event]:
            cycle = sam(span.begin)
            inner = TimeSpan(cycle + min(Fraction(1), factor * (span.begin - cycle)),
                             cycle + min(Fraction(1), factor * (span.end - cycle)))
            if inner.begin >= cycle + 1:
                return []

            def unsquash(t: Time) -> Time:
                return cycle + (t - cycle) / factor

            out = []
            for e in self.query(inner):
                part = e.part.with_time(unsquash).intersection(span)
                if part is not None:
                    whole = None if e.whole is None else e.whole.with_time(unsquash)
                    out.append(Event(whole, part, e.value, e.locations))
            return out

        return Pattern(query).split_queries()

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

        def query(span: TimeSpan) -> list[Event]:
            cycle = sam(span.begin)
            to_inner = lambda t: cycle + begin + (t - cycle) * width  # noqa: E731
            to_outer = lambda t: cycle + (t - cycle - begin) / width  # noqa: E731
            return [e.with_span(lambda s: s.with_time(to_outer)) for e in self.query(span.with_time(to_inner))]

        return Pattern(query).split_queries()

    def rev(self) -> Pattern:
        """Reverse each cycle."""

        def query(span: TimeSpan) -> list[Event]:
            cycle = sam(span.begin)
            next_cycle = cycle + 1

            def reflect(s: TimeSpan) -> TimeSpan:
                return TimeSpan(cycle + next_cycle - s.end, cycle + next_cycle - s.begin)

            return [e.with_span(reflect) for e in self.query(reflect(span))]

        return Pattern(query).split_queries()

    # -- applicative combination (where the structure comes from) -----------------

    def app_left(self, other: Pattern, f: Callable[[Any, Any], Any]) -> Pattern:
        """Structure from the left: each left event samples the right over its whole."""
        if self.is_steady and other.is_steady:
            return pure(f(self.steady, other.steady), self.locations + other.locations)
        steady, value, extra = other.is_steady, other.steady, other.locations

        def query(span: TimeSpan) -> list[Event]:
            out = []
            for left in self.query(span):
                w = left.whole_or_part()
                if steady and (floor(w.end) == floor(w.begin) or w.end == floor(w.begin) + 1):
                    # a constant on the right, inside one cycle: one result, nothing to cut
                    out.append(Event(left.whole, left.part, f(left.value, value), left.locations + extra))
                    continue
                for right in other.query(left.whole_or_part()):
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

        def query(span: TimeSpan) -> list[Event]:
            out = []
            rights = other.query(span)
            for left in self.query(span):
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

        def query(span: TimeSpan) -> list[Event]:
            out = []
            for outer in self.query(span):
                for inner in outer.value.query(outer.part):
                    part = inner.part.intersection(outer.part)
                    if part is None:
                        continue
                    out.append(Event(inner.whole, part, inner.value, inner.locations + outer.locations))
            return out

        return Pattern(query)

    def outer_join(self) -> Pattern:
        """Wholes come from the outer pattern; the inner is sampled at the outer onset."""

        def query(span: TimeSpan) -> list[Event]:
            out = []
            for outer in self.query(span):
                t = outer.whole_or_part().begin
                for inner in outer.value.query(TimeSpan(t, t)):
                    out.append(Event(outer.whole, outer.part, inner.value, inner.locations + outer.locations))
            return out

        return Pattern(query)


def squeeze_join(pat: Pattern) -> Pattern:
    """Squeeze a whole cycle of each inner pattern into the whole of the outer event holding it."""

    def query(span: TimeSpan) -> list[Event]:
        out = []
        for outer in pat.query(span):
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

    def query(span: TimeSpan) -> list[Event]:
        cycles = span.cycles()
        _spend(len(cycles))
        return [Event(TimeSpan(sam(s.begin), sam(s.begin) + 1), s, value, locations) for s in cycles]

    return Pattern(query, value, locations)


def signal(f: Callable[[Time], Any]) -> Pattern:
    """A continuous pattern: no whole, valued at the start of the query."""
    return Pattern(lambda span: [Event(None, span, f(span.begin))])


silence = Pattern(lambda span: [])


def stack(patterns: Iterable[Pattern]) -> Pattern:
    patterns = list(patterns)
    return Pattern(lambda span: [e for p in patterns for e in p.query(span)])


def slowcat(patterns: Sequence[Pattern]) -> Pattern:
    """One pattern per cycle; each advances only on the cycles where it plays."""
    patterns = list(patterns)
    if not patterns:
        return silence
    n = len(patterns)

    def query(span: TimeSpan) -> list[Event]:
        cycle = floor(span.begin)
        index = cycle % n
        offset = Fraction(cycle - (cycle - index) // n)
        pattern = patterns[index]
        return [e.with_span(lambda s: s.with_time(lambda t: t + offset))
                for e in pattern.query(span.with_time(lambda t: t - offset))]

    return Pattern(query).split_queries()


def fastcat(patterns: Sequence[Pattern]) -> Pattern:
    patterns = list(patterns)
    if patterns and all(p.is_steady or p is silence for p in patterns):
        return timecat([(Fraction(1), p) for p in patterns])
    return slowcat(patterns)._fast(len(patterns)) if patterns else silence


def _atom_sequence(slots: list[tuple[Time, Time, Pattern]]) -> Pattern:
    """timecat of plain atoms and rests, computed directly: the common case, kept cheap."""
    atoms = [(b, e, p.steady, p.locations) for b, e, p in slots if p is not silence]

    def query(span: TimeSpan) -> list[Event]:
        out = []
        for piece in span.cycles():
            cycle = sam(piece.begin)
            _spend(len(atoms))
            for b, e, value, locations in atoms:
                whole = TimeSpan(cycle + b, cycle + e)
                part = whole.intersection(piece)
                if part is not None and (part.begin < part.end or piece.begin == piece.end):
                    out.append(Event(whole, part, value, locations))
        return out

    return Pattern(query)


def timecat(weighted: Sequence[tuple[Time, Pattern]]) -> Pattern:
    """Concatenate in one cycle, each pattern taking a share proportional to its weight."""
    weighted = [(to_time(w), p) for w, p in weighted if to_time(w) > 0]
    total = sum((w for w, _ in weighted), Fraction(0))
    if total == 0:
        return silence
    if all(p.is_steady or p is silence for _, p in weighted):
        slots, begin = [], Fraction(0)
        for w, p in weighted:
            slots.append((begin / total, (begin + w) / total, p))
            begin += w
        return _atom_sequence(slots)
    parts, begin = [], Fraction(0)
    for w, p in weighted:
        end = begin + w
        parts.append(p._compress(begin / total, end / total))
        begin = end
    return stack(parts)


def patternify(f: Callable[..., Pattern], *args: Pattern) -> Pattern:
    """Call f with each combination of the argument patterns' values, taking events
    from each result inside the argument event's span (Tidal's tParam + innerJoin).

    With constant arguments the inner join reduces to querying f(values) cycle by cycle.
    """
    if all(a.is_steady for a in args):
        return f(*(a.steady for a in args)).split_queries()
    if len(args) == 1:
        return args[0].fmap(f).inner_join()
    combined = args[0].fmap(lambda v: (v,))
    for a in args[1:]:
        combined = combined.app_left(a, lambda acc, v: acc + (v,))
    return combined.fmap(lambda vs: f(*vs)).inner_join()
