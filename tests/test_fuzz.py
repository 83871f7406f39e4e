"""Fuzzing the language: no input makes parsing or querying crash, hang or eat the machine.

Thousands of random mini-notation strings and mutated patches per run; each must
either work or give PatchErrors that point inside the text.
"""

from __future__ import annotations

from dsl.rational import Fraction
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dsl import PatchError, parse_patch
from dsl.mini import compile_mini
from dsl.patch import query_expression

ROOT = Path(__file__).resolve().parent.parent
FUZZ = settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])

TOKENS = ["bd", "sn", "hh:3", "0", "1", "-1", "2.5", "c4", "e", "c'maj", "~", "-", "[", "]", "<", ">", "{", "}",
          "%", "(", ")", ",", ".", "|", "*", "/", "!", "@", "_", "?", "..", ":", " ", " ", " ", "3", "8", "0.5"]


@FUZZ
@given(st.lists(st.sampled_from(TOKENS), min_size=1, max_size=24), st.sampled_from([None, "string", "note"]))
def test_random_mini_notation_works_or_says_why(tokens, kind):
    text = "".join(tokens)
    try:
        pattern = compile_mini(text, kind)
        pattern.query_span(Fraction(0), Fraction(2))
    except PatchError as err:
        assert 1 <= err.column <= len(text) + 1, (text, err)


def _patch_lines() -> list[str]:
    lines = []
    for patch in sorted((ROOT / "patches").glob("*.jam")):
        lines += [line for line in patch.read_text().splitlines() if line.strip()]
    return lines + ['d1 $ every 2 (fast 2) $ s "bd*2 [sn cp]"', 'd2 $ n "0 .. 7" + "<0 3>" # s "saw"',
                    'd3 $ sometimesBy 0.3 (# speed 2) $ jux rev $ s "hh*8"', "setcps (120/60/4)",
                    'd4 $ (1/8) ~> s "cp(3,8,<0 2>)"', 'let x = "bd sn"', 'd5 $ off 0.25 (|+ n 12) $ n "c e g"']


@FUZZ
@given(st.lists(st.tuples(st.sampled_from(_patch_lines()), st.integers(0, 200), st.sampled_from(
    ["", "(", ")", "[", "]", '"', "$", "#", "~>", "<~", " ", "\n", "--", "{-", "0", "fast", "|+|", "."]),
    st.integers(0, 3)), min_size=1, max_size=6))
def test_mutated_patches_give_errors_inside_the_text_and_keep_the_good_lines(edits):
    lines = []
    for line, at, insert, delete in edits:
        at = at % (len(line) + 1)
        lines.append(line[:at] + insert + line[at + delete:])
    text = "\n".join(lines)
    patch = parse_patch(text)
    count = text.count("\n") + 1
    for err in patch.errors:
        assert 1 <= err.line <= count, (text, err)
        assert "Traceback" not in err.message
    for pattern in patch.channels.values():
        pattern.query_span(Fraction(0), Fraction(1))  # what was accepted plays


@FUZZ
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=60))
def test_any_text_as_an_expression_is_an_answer_or_one_error(text):
    try:
        query_expression(text, Fraction(0), Fraction(1))
    except PatchError as err:
        assert str(err).count("\n") == 0


def test_deep_nesting_is_refused_quickly():
    deep = "[" * 500 + "a" + "]" * 500
    try:
        compile_mini(deep)
        raise AssertionError("500 levels of brackets were accepted")
    except PatchError as err:
        assert "nested" in err.message
    patch = parse_patch("d1 $ " + "fast 2 $ " * 3000 + 's "bd"')
    assert patch.errors and "nested too deeply" in patch.errors[0].message


def test_event_explosions_are_refused_not_computed():
    for text in ['s "bd*100000000"', 's "[bd*1000]*1000"', 'fast 1e9 $ s "bd"']:
        patch = parse_patch("d1 $ " + text)
        assert patch.errors and "fails when played" in patch.errors[0].message, text


@pytest.mark.timeout(20)  # (Python's own parser would spend hours writing out 10 ** 999999999)
@pytest.mark.parametrize("text, column", [('d2 $ s "bd" # n 1e999999999', 17), ('d2 $ s "bd" # n "1e999999999%3"', 18),
                                          ('d2 $ s "bd" # gain "1e400"', 21), ("tempo 1e999999", 7),
                                          ('d2 $ s "bd" # speed (-1e99999)', 21)])
def test_numbers_out_of_range_are_an_error_at_their_place_and_the_rest_plays(text, column):
    patch = parse_patch('d1 $ s "sn"\n' + text)
    assert [(e.line, e.column) for e in patch.errors] == [(2, column)] and "out of range" in patch.errors[0].message
    assert list(patch.channels) == ["d1"]
