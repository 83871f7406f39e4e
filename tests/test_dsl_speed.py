"""The fast paths of the pattern core give exactly what the plain definitions give, and what the
patch evaluator keeps for re-evaluation is handed back only when nothing it depends on changed.

The plain definitions are written out here the slow way (Tidal's: query time mapped in, event
times mapped back, a split querying cycle by cycle) and compared, event for event and in order,
with the folded chains, unrolled atoms and pushed-down maps of dsl/pattern.py.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from dsl import parse_patch
from dsl.mini import compile_mini
from dsl.pattern import Event, Pattern, TimeSpan, stack
from dsl.rational import Fraction as F


def plain_map(pat: Pattern, a: F, b: F) -> Pattern:
    """pat read at a*t + b, by the definition."""
    def query(span: TimeSpan) -> list[Event]:
        inner = pat.query(TimeSpan(span.begin * a + b, span.end * a + b))
        back = lambda s: TimeSpan((s.begin - b) / a, (s.end - b) / a)  # noqa: E731
        return [Event(None if e.whole is None else back(e.whole), back(e.part), e.value, e.locations) for e in inner]
    return Pattern(query)


def plain_split(pat: Pattern) -> Pattern:
    return Pattern(lambda span: [e for s in span.cycles() for e in pat.query(s)])


def plain_stack(pats: list[Pattern]) -> Pattern:
    return Pattern(lambda span: [e for p in pats for e in p.query(span)])


def rows(pat: Pattern, begin: F, end: F) -> list:
    return [(None if e.whole is None else (e.whole.begin, e.whole.end), (e.part.begin, e.part.end), e.value,
             e.locations) for e in pat.query_span(begin, end)]


MINI = ["a b c", "a*4 [b c]", "[a, b c d]", "<a b>*3", "a(3,8,2)", "a b@3 c!2", "[a b]/1.5", "{a b c}%4",
        "a . b c", "~ a ~ [b, c]", "0 .. 3", "a? b c?", "[a|b] c"]
STEP = st.one_of(
    st.tuples(st.just("fast"), st.sampled_from([F(2), F(3), F(1, 2), F(3, 2), F(2, 3), F(1)])),
    st.tuples(st.just("early"), st.sampled_from([F(0), F(1), F(1, 16), F(-1, 3), F(5, 4)])),
    st.tuples(st.just("split"), st.just(None)),
    st.tuples(st.just("stack"), st.sampled_from(MINI)),
    st.tuples(st.just("fmap"), st.just(None)),
)
SPANS = [(F(0), F(1)), (F(3), F(4)), (F(1, 3), F(7, 5)), (F(7, 8), F(17, 8)), (F(5, 2), F(5, 2)), (F(1), F(1)),
         (F(0), F(3)), (F(-1, 2), F(1, 2)), (F(1000000), F(1000001)), (F(1, 4), F(1, 4))]


def built(text: str, steps: list) -> tuple[Pattern, Pattern]:
    """The mini-notation text through the steps, the fast way and by the definitions."""
    fast = slow = compile_mini(text, "string")
    for op, arg in steps:
        if op == "fast":
            fast, slow = fast._fast(arg), plain_map(slow, arg, F(0))
        elif op == "early":
            fast, slow = fast._early(arg), plain_map(slow, F(1), arg)
        elif op == "split":
            fast, slow = fast.split_queries(), plain_split(slow)
        elif op == "stack":
            other = compile_mini(arg, "string")
            fast, slow = stack([fast, other]), plain_stack([slow, other])
        else:
            fast = fast.fmap(lambda v: f"{v}!")
            slow = Pattern(lambda span, s=slow: [Event(e.whole, e.part, f"{e.value}!", e.locations)
                                                 for e in s.query(span)])
    return fast, slow


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(MINI), st.lists(STEP, max_size=5))
def test_folded_transformations_equal_their_definitions(text, steps):
    fast, slow = built(text, steps)
    for begin, end in SPANS:
        assert rows(fast, begin, end) == rows(slow, begin, end), (text, steps, begin, end)


def plain_app_left(left: Pattern, right: Pattern, f) -> Pattern:
    """Structure from the left, by the definition: each left event samples the right over its whole."""
    def query(span: TimeSpan) -> list[Event]:
        out = []
        for e in left.query(span):
            for r in right.query(e.whole or e.part):
                part = e.part.intersection(r.part)
                if part is not None:
                    out.append(Event(e.whole, part, f(e.value, r.value), e.locations + r.locations))
        return out
    return Pattern(query)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(MINI), st.lists(STEP, max_size=5))
def test_a_constant_on_the_right_folded_into_the_atoms_equals_its_definition(text, steps):
    fast, slow = built(text, steps)
    constant = compile_mini("x", "string")  # steady, with a location of its own
    join = lambda v, c: f"{v}{c}"  # noqa: E731
    fast, slow = fast.app_left(constant, join), plain_app_left(slow, constant, join)
    for begin, end in SPANS:
        assert rows(fast, begin, end) == rows(slow, begin, end), (text, steps, begin, end)


def channel_values(patch):
    return {name: [(e.whole.begin, e.value, e.locations) for e in p.query_span(0, 2)]
            for name, p in patch.channels.items()}


def test_re_evaluating_unchanged_text_gives_back_the_same_patterns():
    text = 'let x = "bd sn"\nd1 $ s x # gain 0.9\nd2 $ every 2 (fast 2) $ s "hh*4"'
    a, b = parse_patch(text), parse_patch(text)
    assert a.channels["d1"] is b.channels["d1"] and a.channels["d2"] is b.channels["d2"]
    assert channel_values(a) == channel_values(b)


def test_a_changed_binding_reaches_the_statements_that_name_it():
    first = parse_patch('let k = 3\nd1 $ n k # s "a"')
    second = parse_patch('let k = 3.0\nd1 $ n k # s "a"')  # equal numbers, not the same value
    assert [e.value for e in first.channels["d1"].query_span(0, 1)] == [{"n": 3, "s": "a"}]
    assert type(second.channels["d1"].query_span(0, 1)[0].value["n"]) is F  # not the int kept from before
    third = parse_patch('let x = "bd"\nd1 $ s x')
    fourth = parse_patch('let x = "sn"\nd1 $ s x')
    assert [e.value["s"] for e in third.channels["d1"].query_span(0, 1)] == ["bd"]
    assert [e.value["s"] for e in fourth.channels["d1"].query_span(0, 1)] == ["sn"]


def test_a_statement_moved_to_another_line_moves_its_locations():
    here = parse_patch('d1 $ s "bd"').channels["d1"].query_span(0, 1)[0].locations
    there = parse_patch('\n\nd1 $ s "bd"').channels["d1"].query_span(0, 1)[0].locations
    assert here == ((1, 9, 11),) and there == ((3, 9, 11),)


def test_errors_are_never_kept():
    bad = 'd1 $ s "bd" # speed (1 / "0")'
    for _ in range(2):
        patch = parse_patch(bad)
        assert patch.errors and "d1" not in patch.channels


def test_a_trial_query_passed_at_one_line_is_not_run_again_at_another(monkeypatch):
    import dsl.patch as patch_module
    calls = []
    real = patch_module.trial_query
    monkeypatch.setattr(patch_module, "trial_query", lambda p, *a: (calls.append(p), real(p, *a)))
    patch_module.clear_caches()
    line = 'd1 $ every 3 (fast 2) $ s "bd [sn cp]"'
    first, moved = parse_patch(line), parse_patch("tempo 120\n\n" + line)
    assert len(calls) == 1 and not first.errors and not moved.errors
    assert moved.channels["d1"].query_span(0, 1)[0].locations[0][0] == 3  # its own, moved, locations
    bad = 'd2 $ s "bd" # speed ("1 <1 2>" / "<1 0>") # n (1 / "0")'
    for text in (bad, "\n" + bad):
        assert parse_patch(text).errors  # a failure is looked for again every time


@settings(max_examples=2000, deadline=None)
@given(st.fractions(min_value=-10**7, max_value=10**7, max_denominator=10**6))
def test_rand_without_64_bit_wrapping_is_tidals(t):
    from dsl.randomness import _xorwise, time_to_rand
    x = float(F(t.numerator, t.denominator)) / 300
    reference = (_xorwise(int((x - int(x)) * (1 << 29))) % (1 << 29)) / (1 << 29)
    assert time_to_rand(F(t.numerator, t.denominator)) == reference


def plain_sometimes(pat: Pattern, amount: float, change) -> Pattern:
    """Tidal's sometimesBy, by the definition: the events whose rand at the middle of their whole is
    at least amount as they are, then change of the others."""
    from dsl.randomness import time_to_rand

    def side(keep: bool) -> Pattern:
        def query(span: TimeSpan) -> list[Event]:
            out = []
            for e in pat.query(span):
                w = e.whole or e.part
                part = e.part.intersection(w)
                if part is not None and (time_to_rand((w.begin + w.end) / 2) >= amount) == keep:
                    out.append(Event(e.whole, part, e.value, e.locations))
            return out
        return Pattern(query)
    return plain_stack([side(True), change(side(False))])


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(MINI), st.lists(STEP, max_size=3), st.sampled_from([0.0, 0.3, 0.5, 1.0]),
       st.lists(STEP.filter(lambda s: s[0] in ("fast", "early", "split")), max_size=3))
def test_sometimes_read_as_one_partition_equals_its_definition(text, steps, amount, after):
    from dsl.randomness import partition_by_rand, rand
    fast, slow = built(text, steps)
    constant = compile_mini("x", "string")
    join = lambda v, c: f"{v}{c}"  # noqa: E731
    kept, changed = partition_by_rand(rand, amount, fast)
    fast = stack([kept, changed.app_left(constant, join)])
    slow = plain_sometimes(slow, amount, lambda p: plain_app_left(p, constant, join))
    for op, arg in after:
        if op == "fast":
            fast, slow = fast._fast(arg), plain_map(slow, arg, F(0))
        elif op == "early":
            fast, slow = fast._early(arg), plain_map(slow, F(1), arg)
        else:
            fast, slow = fast.split_queries(), plain_split(slow)
    for begin, end in SPANS:
        assert rows(fast, begin, end) == rows(slow, begin, end), (text, steps, amount, after, begin, end)
