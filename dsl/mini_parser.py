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

_TOKEN = re.compile(r"""
    (?P<SEQUENCE_DEGRADE>[ \t\r]+\?(?:[0-9]*\.?[0-9]+)?)
  | (?P<ws>[ \t\r]+)
  | (?P<NUMBER>-?[0-9]+(?:\.[0-9]+)?(?:e-?[0-9]+)?(?:%-?[0-9]+)?(?![a-zA-Z0-9_':]))
  | (?P<WORD>-?[a-zA-Z0-9][a-zA-Z0-9_']*(?::[0-9]+)?)
  | (?P<RANGE>\.\.)
  | (?P<BANG>![0-9]*)
  | (?P<WEIGHT>@-?[0-9]+(?:\.[0-9]+)?(?:%[0-9]+)?)
  | (?P<DEGRADE>\?(?:[0-9]*\.?[0-9]+)?)
  | (?P<REST>[~-])
  | (?P<UNDERSCORE>_)
  | (?P<punct>[*/()\[\]<>{}%,|.])
  | (?P<bad>.)
""", re.VERBOSE | re.DOTALL)

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
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        if kind == "ws":
            continue
        if kind == "bad":
            raise _GiveUp
        value = m.group()
        token = new(Token, value)  # (Token's own __new__, without its call)
        token.type = value if kind == "punct" else kind
        token.start_pos = pos = m.start()
        token.line, token.column, token.end_column = 1, pos + 1, m.end() + 1
        out.append(token)
    return out


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
        kind = self.kinds[self.i]
        if kind in _TERMS:
            return Tree(_TERMS[kind], [self.take(kind)])
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
