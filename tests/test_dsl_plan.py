"""Cycle plans (dsl/plan.py) give exactly what the plain definitions give: times, values, locations
and order, in any cycle (0, negative, 1,000,000), for whole cycles, pieces of one and points.

Each patch is evaluated once and queried twice: through its plan (what the scheduler gets) and
through the plain query (`planned=False`). A deliberately broken plan must be caught.
"""

from __future__ import annotations

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from dsl import evaluate_expression, parse_patch
from dsl import plan as plan_module
from dsl.pattern import QueryLimitError
from dsl.plan import plan_of
from dsl.rational import Fraction as F

SOUNDS = ['"bd*4 [sn cp]"', '"[bd*4, hh*8, ~ sn:2 ~ sn, cp(3,8,1)]*2"', '"<bd sn> cp(3,8,2)"', '"bd . hh hh"',
          '"{bd sn, hh hh hh}"', '"bd? sn*2?"', '"[bd|sn] hh"', '"bd@3 sn!2 _"', '"<bd [sn sn]>/2"',
          '"bd*<2 3> sn"', '"bd(<3 5>,8)"', '"{bd sn}%3"', '"[bd sn]/1.5"', '"bd ~ ~ sn"', '"bd"']
CHANGES = ["fast 2", "slow 1.5", "((1/16) ~>)", "(0.25 <~)", "every 3 (fast 2)", "whenmod 4 2 (# speed 2)",
           "sometimesBy 0.3 (# speed 2)", "degradeBy 0.4", "often (# crush 4)", "rarely (fast 2)",
           "every 2 (0.25 <~)", "lastOf 3 (fast 2)", "someCyclesBy 0.3 (fast 2)", "brak", "rev", "iter 4",
           "off 0.125 (# crush 4)", "jux rev", "fast \"1 2\"", "ply 2", "hurry 2", "chop 2", "linger 0.25",
           "swingBy (1/3) 4", "inside 2 rev", "superimpose (fast 2)", "(# pan sine)", "(# gain 0.9)",
           "(|+ n 1)", "degrade", "euclid 3 8", "segment 4", "every' 3 1 (fast 2)", "palindrome", "fast 0.5",
           "fast 1.5", "slow 2", "overlay (s \"hh*3\")", "overlay (slow 2 $ s \"hh cp\")", "fastGap 2", "brak",
           "((1/3) <~)", "whenmod 3 1 (slow 2)"]
CYCLES = [0, 1, 2, 3, 7, -1, -4, 999_999, 1_000_000]
OFFSETS = [F(0), F(1, 16), F(1, 3), F(1, 2), F(15, 16), F(7, 8), F(5, 7)]
WIDTHS = [None, F(0), F(1, 7), F(1, 16), F(1, 2), F(5, 2)]  # None: the whole cycle


def rows(events) -> list:
    return [(None if e.whole is None else (e.whole.begin, e.whole.end), (e.part.begin, e.part.end), e.value,
             e.locations) for e in events]


def channel(sound: str, changes: list[str]) -> object:
    """The pattern of d1 through the changes (its trial query went through its plan); a patch too
    busy to play (more events than a query may make, by the definition too) is not one to test."""
    expression = "".join(f"{c} $ " for c in changes) + f"s {sound}"
    patch = parse_patch("d1 $ " + expression)
    if patch.errors:
        with pytest.raises(QueryLimitError):
            evaluate_expression(expression).query_span(0, 1, planned=False)
        assume(False)
    return patch.channels["d1"]


def spans(cycle: int):
    for offset in OFFSETS:
        for width in WIDTHS:
            begin = F(cycle) + offset
            if width is None:
                if offset == 0:
                    yield F(cycle), F(cycle + 1)
            else:
                yield begin, begin + width


def answer(pattern, begin, end, planned: bool):
    """The query's rows, or the kind of error it ends in."""
    try:
        return rows(pattern.query_span(begin, end, planned=planned))
    except QueryLimitError as err:
        return type(err)


def mismatch(pattern, cycles=CYCLES):
    """The first span where plan and definition differ, or None."""
    for cycle in cycles:
        for begin, end in spans(cycle):
            planned, plain = answer(pattern, begin, end, True), answer(pattern, begin, end, False)
            if planned != plain:
                return begin, end, planned, plain
    return None


@settings(max_examples=1000, deadline=None)
@given(st.sampled_from(SOUNDS), st.lists(st.sampled_from(CHANGES), max_size=4),
       st.lists(st.sampled_from(CYCLES), min_size=1, max_size=3, unique=True))
def test_a_plan_gives_what_the_definition_gives(sound, changes, cycles):
    assert mismatch(channel(sound, changes), cycles) is None


def test_a_part_cut_inside_a_map_inside_a_map_ends_where_the_inner_query_did():
    pattern = channel('"<bd sn> cp(3,8,2)"', ["fast 2", "every 2 (0.25 <~)", "sometimesBy 0.3 (# speed 2)"])
    assert plan_of(pattern) is not None
    assert mismatch(pattern, [0, 1, -3, 1_000_000]) is None


def test_the_common_transformations_are_planned():
    for changes in ([], ["every 3 (fast 2)", "sometimesBy 0.3 (# speed 2)", "((1/16) ~>)"], ["degradeBy 0.4"],
                    ["whenmod 4 2 (# speed 2)", "fast 2"], ["every 2 (0.25 <~)", "often (# crush 4)"]):
        for sound in SOUNDS:
            if sound not in ('"[bd|sn] hh"', '"bd? sn*2?"', '"bd*<2 3> sn"', '"bd(<3 5>,8)"', '"{bd sn}%3"'):
                assert plan_of(channel(sound, changes)) is not None, (sound, changes)


def broken_offset(self, c, span):
    (d, m, k, rows_, lo, hi), = BROKEN_ORIGINAL["table"](self, c, span)
    return [(d, m, k + (c >= 1000), rows_, lo, hi)]  # right until the show has run for a while


def broken_randomness(self, c, span):
    self.threshold = None if self.threshold is None else self.threshold * 0.9
    try:
        return BROKEN_ORIGINAL["partition"](self, c, span)
    finally:
        self.threshold = None if self.threshold is None else self.threshold / 0.9


def broken_cut(rows_, d, span, c):
    return [r[:2] + (r[2], r[3]) + r[4:] for r in BROKEN_ORIGINAL["restrict"](rows_, d, span, c)
            if r[2] is not None and r[3] is not None]  # parts cut to the query dropped


BROKEN_ORIGINAL = {"table": plan_module._Table.chunks, "partition": plan_module._Partition.chunks,
                   "restrict": plan_module._restrict}


@pytest.mark.parametrize("where, broken", [(("_Table", "chunks"), broken_offset),
                                           (("_Partition", "chunks"), broken_randomness),
                                           (("_restrict",), broken_cut)])
def test_a_broken_plan_is_caught(monkeypatch, where, broken):
    target = plan_module if len(where) == 1 else getattr(plan_module, where[0])
    monkeypatch.setattr(target, where[-1], broken)
    found = [mismatch(channel(sound, changes)) for sound in SOUNDS[:3]
             for changes in ([], ["sometimesBy 0.3 (# speed 2)", "((1/16) ~>)"], ["every 3 (fast 2)", "degradeBy 0.4"])]
    assert any(found)


def test_a_side_that_fails_for_events_it_never_changes_plays_as_defined():
    # `|* vowel "x"` fails on each event sometimesBy changes (names cannot be multiplied), and only there
    patch = parse_patch('d1 $ sometimesBy 0 (|* vowel "x") $ vowel "a e"\n'
                        'd2 $ sometimesBy 1 (|* vowel "x") $ vowel "a e"')
    assert [e.value["vowel"] for e in patch.channels["d1"].query_span(3, 4)] == ["a", "e"]
    assert plan_of(patch.channels["d1"]) is None  # (its plan gave way to the definition)
    assert "d2" not in patch.channels and "cannot apply this operator to the names" in patch.errors[0].message
