"""The hand-written statement parser gives lark's very trees (shapes, tokens, positions), or
gives up and leaves the statement to lark; it never reads a statement lark rejects."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
import lark as lark_module

from dsl.patch import split_statements
from dsl.statement_parser import parse_statement
from dsl.syntax import Tree, lark_parser

ROOT = Path(__file__).resolve().parents[1]


def differences(mine, lark, path="tree"):
    """Where a tree of dsl/syntax.py and lark's differ, or None."""
    if isinstance(mine, Tree) != isinstance(lark, lark_module.Tree):
        return f"{path}: {mine!r} / {lark!r}"
    if isinstance(mine, Tree):
        if mine.data != lark.data or len(mine.children) != len(lark.children):
            return f"{path}: {mine.data} {len(mine.children)} / {lark.data} {len(lark.children)}"
        where = (None, None) if lark.meta.empty else (lark.meta.line, lark.meta.column)
        if (mine.line, mine.column) != where:
            return f"{path}/{mine.data}: at {mine.line}:{mine.column} / {where}"
        for i, (a, b) in enumerate(zip(mine.children, lark.children)):
            found = differences(a, b, f"{path}/{mine.data}[{i}]")
            if found:
                return found
        return None
    if mine is None or lark is None:
        return None if mine is lark else f"{path}: {mine!r} / {lark!r}"
    if (mine.type, str(mine), mine.line, mine.column, mine.end_column, mine.start_pos) != \
            (lark.type, str(lark), lark.line, lark.column, lark.end_column, lark.start_pos):
        return f"{path}: {mine.type} {mine!r} {mine.line}:{mine.column} / {lark.type} {lark!r} {lark.line}:{lark.column}"
    return None


def check(text: str, parse=parse_statement, grammar: str = "patch") -> bool:
    """Whether text was read by the hand-written parser (and then as lark reads it)."""
    mine = parse(text)
    if mine is None:
        return False
    lark = lark_parser(grammar).parse(text)  # raises where lark rejects what was read here
    assert differences(mine, lark) is None, (text, differences(mine, lark))
    return True


def test_the_example_patches_are_read_as_lark_reads_them():
    statements = [s.text for f in sorted((ROOT / "patches").glob("*.jam")) for s in split_statements(f.read_text())]
    assert statements
    read = [check(text) for text in statements]
    assert sum(read) >= 0.9 * len(read)  # comments aside, all of them


ATOMS = st.sampled_from(['"bd sn"', '"<a b>*2"', "1", "0.25", "2e-3", "x", "fast", "rev", "(-1)", "(# speed 2)",
                         "(0.25 ~>)", "(1/8)", "[1, 2]", "(1, 2)", "(|+| n 1)", '("x" #)', "(+ n 1)", "[]",
                         "d1", "let", "(a # b ~>)", "solo", "p", "(-x)", "~", "{- c -}"])
OPS = st.sampled_from([" $ ", " # ", " + ", " - ", "-", " * ", " / ", " . ", ".", " ", " ~> ", "<~", " |+| ", " |* ",
                       "\n  ", "\r\n\t", ", ", " = "])
EXPR = st.recursive(ATOMS, lambda inner: st.one_of(
    st.builds(lambda a, op, b: a + op + b, inner, OPS, inner),
    st.builds(lambda a: f"({a})", inner), st.builds(lambda a: f"[{a}]", inner)), max_leaves=12)
HEADS = st.sampled_from(["d1 $ ", "d2 ", "let x = ", "", "setcps ", 'p "a" $ ', "tempo ", "solo ", "hush", "key ",
                         "style ", "  ", "mute d3"])


@settings(max_examples=3000, deadline=None)
@given(HEADS, EXPR)
def test_what_is_read_here_is_read_as_lark_reads_it(head, body):
    check(head + body)
