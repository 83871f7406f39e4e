"""A string compiled once and met again at another place (a line inserted above, the same rhythm in
another channel) is the first pattern with its atoms' locations moved: it plays exactly what compiling
it at its new place gives, event for event, in order, locations included."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dsl import parse_patch
from dsl.patch import _PLACES, clear_caches
from dsl.errors import PatchError
from dsl.mini import _PLACED, clear_mini_caches, compile_mini
from dsl.pattern import QueryLimitError
from dsl.rational import Fraction as F

from .test_dsl_mini_parser import MINI
from .test_dsl_plan import CHANGES, SOUNDS, rows

SPANS = [(F(0), F(1)), (F(-1), F(3, 2)), (F(1, 3), F(1, 3)), (F(5, 4), F(7, 3)), (F(999_999), F(1_000_001))]


def played(pattern) -> list:
    out = []
    for begin, end in SPANS:
        for planned in (True, False):
            try:
                out.append(rows(pattern.query_span(begin, end, planned=planned)))
            except (QueryLimitError, RecursionError) as err:  # (a pattern too busy or deep to play, either way)
                out.append(type(err))
    return out


def compiled_here(text: str, kind: str, place: tuple[int, int, int]) -> object:
    clear_mini_caches()
    return compile_mini(text, kind, *place)


@settings(max_examples=400, deadline=None)
@given(MINI, st.sampled_from(["string", "number", "note"]),
       st.tuples(st.integers(1, 3), st.integers(1, 40), st.integers(0, 50)))
def test_a_string_met_again_elsewhere_plays_what_compiling_it_there_gives(text, kind, place):
    try:
        first = compiled_here(text, kind, (2, 7, 3))  # the place it is first compiled at
    except PatchError:
        return
    again = compile_mini(text, kind, *place)
    assert played(again) == played(compiled_here(text, kind, place))


@pytest.mark.parametrize("text", [s[1:-1] for s in SOUNDS] + [
    "[a, b c]*2", "[a b, c]*1.5 d", "<a b, c>!2 d?", "[a b ?, c*2]/3 . d", "{a b, c d e}%4 [a|b]", "c'maj e'min7'ii"])
def test_strings_of_every_kind_met_again_elsewhere_play_what_compiling_them_there_gives(text):
    compiled_here(text, "note" if "'" in text else "string", (1, 9, 0))
    again = compile_mini(text, "note" if "'" in text else "string", 2, 30, 7)
    assert played(again) == played(compiled_here(text, "note" if "'" in text else "string", (2, 30, 7)))


def test_multi_line_strings_move_their_first_line_only_sideways():
    text = "bd sn\n  [hh hh]"
    compiled_here(text, "string", (1, 5, 0))
    moved = compile_mini(text, "string", 3, 9, 10)
    assert played(moved) == played(compiled_here(text, "string", (3, 9, 10)))
    assert {loc for e in moved.query_span(0, 1) for loc in e.locations} == {(13, 9, 11), (13, 12, 14),
                                                                          (14, 4, 6), (14, 7, 9)}


def test_the_same_string_in_two_channels_is_moved_not_compiled_again():
    clear_mini_caches()
    patch = parse_patch('d1 $ s "bd*2 [sn cp]"\n\nd2 $ n "0 1" # s "bd*2 [sn cp]"')
    assert [loc for e in patch.channels["d2"].query_span(0, 1) for loc in e.locations][:2] == [(3, 9, 10), (3, 19, 21)]
    assert _PLACED[("bd*2 [sn cp]", "string")][1:] == (1, 9)  # compiled for d1, moved for d2


def test_a_pattern_that_cannot_be_moved_is_compiled_again():
    clear_mini_caches()
    first = compile_mini("bd*<2 3> sn", "string", 1, 1, 0)  # a patterned factor: opaque to relocation
    again = compile_mini("bd*<2 3> sn", "string", 5, 3, 0)
    assert _PLACED[("bd*<2 3> sn", "string")] is None
    assert again is not first
    assert played(again) == played(compiled_here("bd*<2 3> sn", "string", (5, 3, 0)))


def chains_in_chains(pattern) -> int:
    """How many chain nodes hold a chain directly (a chain folds the maps of time inside it)."""
    node = pattern.node
    if node is None:
        return 0
    inner = [p for p in node[1:] if isinstance(p, type(pattern))] + [
        p for part in node[1:] if isinstance(part, tuple) for p in part if isinstance(p, type(pattern))]
    here = int(node[0] == "chain" and node[1].node is not None and node[1].node[0] == "chain")
    return here + sum(chains_in_chains(p) for p in inner)


@pytest.mark.parametrize("change", CHANGES)
def test_maps_of_values_and_places_keep_chains_folded(change):
    patch = parse_patch(f'd1 $ ({change} $ s "bd*2 <sn cp>") # gain 0.9\n\nd2 $ {change} $ s "bd*2 <sn cp>"')
    moved = patch.channels["d2"].relocated(lambda loc: (loc[0] + 1, loc[1], loc[2]))
    assert chains_in_chains(patch.channels["d1"]) == 0
    assert moved is None or chains_in_chains(moved) == 0


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(SOUNDS), st.lists(st.sampled_from(CHANGES), max_size=3), st.integers(1, 30))
def test_a_channel_moved_down_by_a_line_inserted_above_plays_what_evaluating_it_there_gives(sound, changes,
                                                                                            lines):
    statement = "d1 $ " + "".join(f"{c} $ " for c in changes) + f"s {sound} # pan 0.5"
    clear_mini_caches()
    clear_caches()
    first = parse_patch(statement)
    if first.errors:
        return
    moved = parse_patch("\n" * lines + statement).channels["d1"]
    clear_caches()
    again = parse_patch("\n" * lines + statement).channels["d1"]
    assert played(moved) == played(again)


def test_a_channel_naming_a_binding_is_evaluated_again_not_moved():
    clear_caches()
    text = 'let beat = s "bd*2"\nd1 $ beat # pan "0 1"'
    parse_patch(text)
    moved = parse_patch('let beat = s "bd*2"\n\nd1 $ beat # pan "0 1"').channels["d1"]
    assert {loc for e in moved.query_span(0, 1) for loc in e.locations} == {(1, 15, 17), (3, 18, 19), (3, 20, 21)}
    assert text.split("\n")[1] not in _PLACES
