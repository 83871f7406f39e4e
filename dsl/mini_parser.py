"""A hand-written parser for mini.lark, giving the very trees lark gives (dsl/syntax.py's).

Lark's LALR parser takes about 0.1 ms a string and 25 ms to build; this one reads a string in a
fraction of that and needs no building. It gives up (None) on whatever it is not sure to read as
lark does (a line break, anything out of place): lark then parses the string, and its errors stay
the only ones reported. Tokens are lark's: the terminals tried in lark's order (priority, then
the longest fixed text), `..` a RANGE only right after a bare term, as lark's contextual lexer
has it; in every other place a valid string can have them, any terminal is acceptable.
"""

from __future__ import annotations

import re

from .syntax import Token, Tree

_SPACE = r"[ \t\r]*"
# each token with the spaces before it, the token's terminals in lark's order: NUMBER, WORD, RANGE,
# BANG, WEIGHT, DEGRADE, REST, UNDERSCORE, punctuation (a character matched by none is skipped: see
# _tokens); a DEGRADE after spaces is a SEQUENCE_DEGRADE, the spaces its own
_TOKEN = re.compile(f"({_SPACE})" + r"""(
    (?!-?[0-9]+\.[0-9]+[whqestfx](?![a-zA-Z0-9_':]))-?[0-9]+(?:\.[0-9]+)?(?:e-?[0-9]+)?(?:%-?[0-9]+)?(?![a-zA-Z0-9_':])
  | -?[0-9]+\.[0-9]+[whqestfx](?![a-zA-Z0-9_':])
  | -?[a-zA-Z0-9][a-zA-Z0-9_']*(?::[0-9]+)?
  | \.\.
  | ![0-9]*
  | @-?[0-9]+(?:\.[0-9]+)?(?:%[0-9]+)?
  | \?(?:[0-9]*\.?[0-9]+)?
  | [~-]
  | _
  | [*/()\[\]<>{}%,|.]
)""", re.VERBOSE)
_END = re.compile(_SPACE)
_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?(?:e-?[0-9]+)?(?:%-?[0-9]+)?")
_KINDS = {"..": "RANGE", "~": "REST", "-": "REST", "_": "UNDERSCORE"}
_KINDS.update((c, c) for c in "*/()[]<>{}%,|.")
_BY_FIRST = {"!": "BANG", "@": "WEIGHT", "?": "DEGRADE"}

_TERMS = {"WORD": "word", "NUMBER": "number", "REST": "rest"}
_OPENERS = {"[": ("]", "subsequence"), "<": (">", "alternation"), "{": ("}", "polymeter")}
_TERM_START = frozenset(("WORD", "NUMBER", "REST", "[", "<", "{"))
_MODIFIERS = {"BANG": "replicate", "UNDERSCORE": "elongate", "WEIGHT": "weight", "DEGRADE": "degrade"}


class _GiveUp(Exception):
    """Not read here: lark reads the string."""


def parse_mini(text: str) -> Tree | None:
    """The tree lark's mini-notation grammar gives for text, or None where lark should read it."""
    if "\n" in text:
        return None
    try:
        parser = _Parser(_tokens(text))
        tree = Tree("start", [parser.layers()])
        if parser.i != len(parser.tokens):
            raise _GiveUp
        return tree
    except (_GiveUp, RecursionError):
        return None


def _tokens(text: str) -> list[Token]:
    out: list[Token] = []
    new = str.__new__
    pos = 0
    kinds = _KINDS
    for space, value in _TOKEN.findall(text):
        kind = kinds.get(value) or _kind(value)
        if space:
            if kind == "DEGRADE":
                kind, value = "SEQUENCE_DEGRADE", space + value
            else:
                pos += len(space)
        token = new(Token, value)  # (Token's own __new__, without its call)
        token.type, token.start_pos = kind, pos
        token.line, token.column = 1, pos + 1
        pos += len(value)
        token.end_column = pos + 1
        out.append(token)
    if _END.fullmatch(text, pos) is None:  # (a character no token matches: the tokens do not reach the end)
        raise _GiveUp
    return out


_FIXED = len(_KINDS)  # then each word's or number's type, as they are met


def _kind(value: str) -> str:
    """The type of a token that is not punctuation (a number is NUMBER only where NUMBER matches all
    of it: where it matches less, WORD matched it, or a character nothing matches follows)."""
    kind = _BY_FIRST.get(value[0])
    if kind is not None:
        return kind
    kind = "NUMBER" if _NUMBER.fullmatch(value) else "WORD"
    if len(_KINDS) < _FIXED + 4096:
        _KINDS[value] = kind
    return kind


class _Parser:
    def __init__(self, tokens: list[Token]):
        self.tokens = tokens
        self.kinds = [t.type for t in tokens] + [None]  # (peeking past the end sees None)
        self.i = 0

    def take(self, kind: str) -> Token:
        i = self.i
        if self.kinds[i] != kind:
            raise _GiveUp
        self.i = i + 1
        return self.tokens[i]

    def layers(self) -> Tree:
        items = [self.choices()]
        while self.kinds[self.i] == ",":
            self.i += 1
            items.append(self.choices())
        return Tree("layers", items)

    def choices(self) -> Tree:
        items = [self.groups()]
        while self.kinds[self.i] == "|":
            self.i += 1
            items.append(self.groups())
        return Tree("choices", items)

    def groups(self) -> Tree:
        items = [self.sequence()]
        while self.kinds[self.i] == ".":
            self.i += 1
            items.append(self.sequence())
        if self.kinds[self.i] == "SEQUENCE_DEGRADE":
            items.append(self.take("SEQUENCE_DEGRADE"))
            return Tree("degraded_groups", items)
        return Tree("groups", items)

    def sequence(self) -> Tree:
        steps = [self.step()]
        while self.kinds[self.i] in _TERM_START:
            steps.append(self.step())
        return Tree("sequence", steps)

    def step(self) -> Tree:
        term = self.term()
        if self.kinds[self.i] == "RANGE":
            dots = self.take("RANGE")
            return Tree("range", [term, dots, self.term()])
        children = [term]
        while True:
            kind = self.kinds[self.i]
            if kind == "*" or kind == "/":
                self.i += 1
                children.append(Tree("fast" if kind == "*" else "slow", [self.term()]))
            elif kind in _MODIFIERS:
                children.append(Tree(_MODIFIERS[kind], [self.take(kind)]))
            elif kind == "(":
                self.i += 1
                args = [self.choices()]
                self.take(",")
                args.append(self.choices())
                if self.kinds[self.i] == ",":
                    self.i += 1
                    args.append(self.choices())
                self.take(")")
                children.append(Tree("euclid", args))
            else:
                return Tree("step", children)

    def term(self) -> Tree:
        i = self.i
        kind = self.kinds[i]
        if kind in _TERMS:
            self.i = i + 1
            return Tree(_TERMS[kind], [self.tokens[i]])
        if kind not in _OPENERS:
            raise _GiveUp
        self.i += 1
        closer, data = _OPENERS[kind]
        children = [self.layers()]
        self.take(closer)
        if kind == "{" and self.kinds[self.i] == "%":
            self.i += 1
            children.append(self.term())
        return Tree(data, children)
