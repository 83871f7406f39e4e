"""Highlighting from the parser's own lexers, so the editor never disagrees with the language.

`highlight_spans(text)` gives (line, first column, end column, kind) per token, 0-based,
with the atoms inside mini-notation strings lexed by the mini-notation lexer.
"""

from __future__ import annotations

from .controls import ALIASES, CONTROLS
from .library import LIBRARY
from .syntax import lark_parser

Span = tuple[int, int, int, str]

KEYWORDS = {"TEMPO", "SETCPS", "HUSH", "LET", "KEY", "STYLE", "P", "SWITCH", "EQUAL"}
OPERATORS = {"OPERATOR", "SHIFT", "ADD", "MUL", "DOLLAR", "DOT"}
MINI_KINDS = {"WORD": "atom", "NUMBER": "number", "REST": "rest"}


def _name_kind(name: str) -> str:
    if name in CONTROLS or name in ALIASES:
        return "control"
    return "function" if name in LIBRARY else "name"


def _split_lines(line: int, column: int, text: str, kind: str) -> list[Span]:
    """A token spanning lines (a block comment) as one span per line."""
    spans = []
    for i, piece in enumerate(text.split("\n")):
        start = column - 1 if i == 0 else 0
        spans.append((line - 1 + i, start, start + len(piece), kind))
    return spans


def _mini_spans(line: int, column: int, body: str) -> list[Span]:
    from lark.exceptions import UnexpectedInput

    spans: list[Span] = []
    try:
        for tok in lark_parser("mini").lex(body):
            kind = MINI_KINDS.get(tok.type)
            if kind and tok.line == 1:
                spans.append((line - 1, column - 1 + tok.column - 1, column - 1 + tok.end_column - 1, kind))
    except UnexpectedInput:
        pass  # the error is reported by the parser; highlight what came before it
    return spans


def highlight_spans(text: str) -> list[Span]:
    from lark.exceptions import UnexpectedInput

    spans: list[Span] = []
    try:
        for tok in lark_parser("patch").lex(text, dont_ignore=True):
            value = str(tok)
            if tok.type.startswith("__IGNORE"):
                if value.startswith(("--", "{-")):
                    spans.extend(_split_lines(tok.line, tok.column, value, "comment"))
            elif tok.type == "STRING":
                spans.append((tok.line - 1, tok.column - 1, tok.end_column - 1, "string"))
                spans.extend(_mini_spans(tok.line, tok.column + 1, value[1:-1]))
            elif tok.type == "NUMBER":
                spans.append((tok.line - 1, tok.column - 1, tok.end_column - 1, "number"))
            elif tok.type == "CHANNEL":
                spans.append((tok.line - 1, tok.column - 1, tok.end_column - 1, "channel"))
            elif tok.type == "NAME":
                spans.append((tok.line - 1, tok.column - 1, tok.end_column - 1, _name_kind(value)))
            elif tok.type in KEYWORDS or value in ("tempo", "setcps", "hush", "let", "key", "style"):
                spans.append((tok.line - 1, tok.column - 1, tok.end_column - 1, "keyword"))
            elif tok.type in OPERATORS:
                spans.append((tok.line - 1, tok.column - 1, tok.end_column - 1, "operator"))
    except UnexpectedInput:
        pass  # lexing stops at a character the language does not know; the parser reports it
    return spans
