"""Parse trees as lark builds them, in classes of their own, and lark itself only when needed.

The hand-written parsers (statement_parser.py, mini_parser.py) read what performers write and
give these trees; lark reads the rest (and gives every error message), its trees converted.
Lark and its grammars are built the first time it is needed (about 80 ms an import would cost
every start: `jam render` is timed as a whole process).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any


class Token(str):
    """A token: its text, its terminal's name (`type`) and where it starts and ends (1-based
    line and columns, 0-based start_pos), as lark's Token has them."""

    __slots__ = ("type", "line", "column", "end_column", "start_pos")

    def __new__(cls, type_: str, value: str, start_pos: int, line: int, column: int, end_column: int) -> Token:
        token = str.__new__(cls, value)
        token.type, token.start_pos, token.line = type_, start_pos, line
        token.column, token.end_column = column, end_column
        return token

    def __repr__(self) -> str:
        return f"Token({self.type!r}, {str(self)!r})"


class Tree:
    """A rule's node: its name (`data`), its children (trees, tokens or None for an absent
    optional part) and the line and column its text begins at (None where lark gives none)."""

    __slots__ = ("data", "children", "line", "column")

    def __init__(self, data: str, children: list, line: int | None = None, column: int | None = None):
        self.data = data
        self.children = children
        self.line = line
        self.column = column

    def __repr__(self) -> str:
        return f"Tree({self.data!r}, {self.children!r})"

    def tokens(self) -> list[Token]:
        """Every token below, in order."""
        out: list[Token] = []
        for child in self.children:
            if isinstance(child, Tree):
                out.extend(child.tokens())
            elif child is not None:
                out.append(child)
        return out


@lru_cache(maxsize=None)
def lark_parser(grammar: str) -> Any:
    """Lark's LALR parser for dsl/<grammar>.lark (patch positions propagated: errors need them)."""
    from lark import Lark

    return Lark(Path(__file__).with_name(f"{grammar}.lark").read_text(), parser="lalr",
                propagate_positions=grammar == "patch")


def from_lark(node: Any) -> Any:
    """A lark tree or token as one of these."""
    from lark import Token as LarkToken

    if node is None:
        return None
    if isinstance(node, LarkToken):
        return Token(node.type, str(node), node.start_pos, node.line, node.column, node.end_column)
    meta = node.meta
    empty = getattr(meta, "empty", True)
    return Tree(str(node.data), [from_lark(c) for c in node.children],
                None if empty else meta.line, None if empty else meta.column)
