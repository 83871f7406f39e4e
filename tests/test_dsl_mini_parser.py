"""The hand-written mini-notation parser gives lark's very trees (shapes, tokens, positions), or
gives up and leaves the string to lark; it never reads a string lark rejects. Errors still come
from lark, one line each."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dsl.mini import parse
from dsl.mini_parser import parse_mini
from dsl.errors import PatchError
from dsl.patch import split_statements

from . import test_statement_parser

ROOT = Path(__file__).resolve().parents[1]


def check(text: str) -> bool:
    """Whether text was read here (and then as lark reads it)."""
    return test_statement_parser.check(text, parse_mini, "mini")


def test_the_strings_of_the_example_patches_are_read_as_lark_reads_them():
    import re
    strings = [m for f in sorted((ROOT / "patches").glob("*.jam")) for s in split_statements(f.read_text())
               for m in re.findall(r'"([^"\n]*)"', s.text)]
    assert len(strings) > 20
    assert all(check(text) for text in strings if text.strip())


ATOMS = st.sampled_from(["bd", "sn:3", "808bd", "808:4", "-h", "c'maj'ii", "e", "1", "-1", "0.25", "1e3", "3e",
                         "1%4", "-3%-8", "~", "-", "_", "bd*2", "bd/1.5", "bd!", "bd!3", "bd@3", "bd@1.5%2", "bd?",
                         "bd?0.3", "bd?.5", "0 .. 3", "0..3", "a..b", "bd(3,8)", "bd(3,8,2)", "bd(<3 5>,8,<0 2>)",
                         "{a b}%4", "{a b, c d e}", "<a b>", "[a b]", "a . b", "a | b", "a, b", "bd*<2 3>", "a*2..3",
                         "..", "...", ".", "", "[]", "a .. b .. c", "a%4", "?", "!", "@", "(", ")", "a:b", "'a"])
SEPARATORS = st.sampled_from([" ", "  ", "", " . ", ".", " | ", "|", ", ", ",", "\t", "\n"])
MINI = st.recursive(ATOMS, lambda inner: st.one_of(
    st.builds(lambda a, sep, b: a + sep + b, inner, SEPARATORS, inner),
    st.builds(lambda a, o: f"{o[0]}{a}{o[1]}", inner, st.sampled_from(["[]", "<>", "{}", "()"])),
    st.builds(lambda a, m: a + m, inner, st.sampled_from(["*2", "/3", "!", "?", "@2", "_", "(3,8)", "%3", "..1"]))),
    max_leaves=10)


@settings(max_examples=3000, deadline=None)
@given(MINI)
def test_what_is_read_here_is_read_as_lark_reads_it(text):
    check(text)


def test_most_strings_are_read_here():
    read = [check(t) for t in ["bd*2 [sn cp]", "<a b>!2 c@3 _ d? e?0.3", "{a b}%4 . c d", "0 .. 7", "c'maj e4",
                               "[bd, hh*8, ~ sn:2 ~ sn, cp(3,8,1)]*2", "[a|b|c] d(<3 5>,8,<0 2>)", "a b ?0.3, c ?"]]
    assert all(read)


@pytest.mark.parametrize("text, message", [
    ("bd [sn", "unbalanced bracket: `[` is never closed (add `]`)"),
    ("bd*", "mini-notation ends too early (a step is missing)"),
    ("bd $ sn", "unexpected character `$` in mini-notation"),
    ("bd . . sn", "unexpected `.` in mini-notation"),
    ("bd ? sn", "unexpected `sn`: a `?` after a space degrades the whole sequence and must end it "
                "(a `?` right after a step degrades that step)"),
])
def test_errors_still_come_from_lark(text, message):
    assert parse_mini(text) is None
    with pytest.raises(PatchError) as err:
        parse.__wrapped__(text)
    assert err.value.message == message
