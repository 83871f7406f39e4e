"""Grammar round trips: a tree written back out as text parses to the same tree and plays the same.

Lark's Reconstructor writes text from a tree. Its compact output is not safe for
mini-notation (`0 - - 0` would become `0--0`, where `-0` reads as a number), so
the writer here puts a space between every two tokens, which must never change
the meaning (but before a `?`: Tidal reads one after a space as the whole sequence's).
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from lark import Lark
from lark.reconstruct import Reconstructor

from dsl import parse_patch
from dsl.mini import compile_mini
from dsl.patch import split_statements
from dsl.rational import Fraction

ROOT = Path(__file__).resolve().parent.parent
MINI = Lark((ROOT / "dsl" / "mini.lark").read_text(), parser="lalr", maybe_placeholders=False)
PATCH = Lark((ROOT / "dsl" / "patch.lark").read_text(), parser="lalr", maybe_placeholders=False)


def rewritten(parser: Lark, text: str) -> str:
    """text written back from its tree, a space between every two tokens but before a `?` (right
    after a step it is the step's; the whole sequence's is a token that begins with its space)."""
    def spaced(items):
        return [piece for i, item in enumerate(items)
                for piece in ((" ", item) if i and not item.startswith(("?", " ", "\t", "\r", "\n")) else (item,))]
    return Reconstructor(parser).reconstruct(parser.parse(text), spaced)


TOKENS = ["bd", "sn:2", "808bd", "0", "-1", "2.5", "1%3", "c4", "e", "c'maj", "-h", "~", "-", "[", "]", "<", ">",
          "{", "}", "}%4", "(3,8)", "(3,8,2)", ",", " . ", "|", "*2", "/3", "*<2 3>", "!", "!3", "@2", "@1%3", " _",
          "?", "?0.3", "bd?", "]?0.3", " .. ", " "]


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(TOKENS), min_size=1, max_size=16))
def test_mini_notation_round_trips(tokens):
    text = " ".join(tokens)
    try:
        tree = MINI.parse(text)
        original = compile_mini(text, "string").query_span(Fraction(0), Fraction(2))
    except Exception:
        return  # not valid mini-notation: nothing to round-trip
    again = rewritten(MINI, text)
    assert MINI.parse(again) == tree, (text, again)
    assert _same_values(again, original), (text, again)


def _same_values(text: str, events: list) -> bool:
    """Locations move when the text is respaced; times and values must not."""
    other = compile_mini(text, "string").query_span(Fraction(0), Fraction(2))
    key = lambda e: (e.whole.begin if e.whole else None, e.part.begin, e.part.end, str(e.value))  # noqa: E731
    return sorted(map(key, other)) == sorted(map(key, events))


def test_every_shipped_patch_round_trips_statement_by_statement():
    patches = sorted((ROOT / "patches").glob("*.jam")) + sorted((ROOT / "examples").glob("*.jam"))
    assert patches
    for path in patches:
        text = path.read_text()
        respaced = "\n".join(rewritten(PATCH, s.text) for s in split_statements(text))
        a, b = parse_patch(text), parse_patch(respaced)
        assert not a.errors and not b.errors, (path, a.errors, b.errors)
        assert a.cps == b.cps and sorted(a.channels) == sorted(b.channels)
        for name in a.channels:
            ev_a = [(e.whole.begin, e.value) for e in a.channels[name].onsets(0, 4)]
            ev_b = [(e.whole.begin, e.value) for e in b.channels[name].onsets(0, 4)]
            assert sorted(ev_a, key=str) == sorted(ev_b, key=str), (path, name)


def test_a_saved_patch_reloads_to_the_same_music(tmp_path):
    text = (ROOT / "patches" / "hello.jam").read_text()
    saved = tmp_path / "copy.jam"
    saved.write_text(text, encoding="utf-8")
    a, b = parse_patch(text), parse_patch(saved.read_text(encoding="utf-8"))
    for name in a.channels:
        assert a.channels[name].onsets(0, 8) == b.channels[name].onsets(0, 8)
