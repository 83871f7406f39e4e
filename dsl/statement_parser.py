"""A hand-written parser for the statements of patch.lark, giving the very trees lark gives
(dsl/syntax.py's).

Lark's LALR parser takes about 0.17 ms a statement, most of a cold patch's parse; this one
reads the common statements in a tenth of that. It gives up (None) on whatever it is not sure
to read as lark does (comments, keywords used as names, empty lists, sections it does not
know, any error): lark then parses the statement, and its errors stay the only ones reported.
The trees have lark's shapes, tokens and positions (a tree's line and column are those of its
first token, brackets included; a bracketed expression keeps its own), as the tests compare.
"""

from __future__ import annotations

import re

from .syntax import Token, Tree

_SPACE = r"[ \t]*(?:\r?\n[ \t]*)*"  # (spaces and line breaks)
# each token with the spaces before it, the token's terminals in lark's order: a word, NUMBER, STRING,
# OPERATOR, SHIFT, ADD, MUL, punctuation (a character matched by none is skipped: see _tokens)
_TOKEN = re.compile(f"({_SPACE})" + r"""(
    [a-zA-Z_][a-zA-Z0-9_']*
  | [0-9]+(?:\.[0-9]+)?(?:e-?[0-9]+)?
  | "[^"\n]*"
  | \#|\|[-+*/%<>]\|?|[-+*/%<>]\|
  | <~|~>
  | [-+*/$=()\[\],.]
)""", re.VERBOSE)
_END = re.compile(_SPACE)

_CHANNEL = re.compile(r"d[0-9]+")
_SWITCHES = frozenset(("solo", "unsolo", "mute", "unmute"))
_KEYWORDS = frozenset(("tempo", "setcps", "hush", "let", "p", "key", "style"))
_ATOM_START = frozenset(("NUMBER", "STRING", "NAME", "(", "["))
_LEAVES = {"NUMBER": "number", "STRING": "string", "NAME": "name"}
_LEVELS = {"OPERATOR": 0, "SHIFT": 1, "ADD": 2, "MUL": 3}


class _GiveUp(Exception):
    """Not read here: lark reads the statement."""


def parse_statement(text: str) -> Tree | None:
    """The tree lark's patch grammar gives for text, or None where lark should read it."""
    if "--" in text or "{-" in text:
        return None  # comments: lark's to skip
    try:
        return _Parser(_tokens(text)).statement()
    except (_GiveUp, RecursionError):
        return None


def _tokens(text: str) -> list[Token]:
    """Lark's tokens for text (a word's type is NAME, CHANNEL, SWITCH or the keyword itself;
    punctuation's is the character)."""
    out: list[Token] = []
    line, line_start, pos = 1, 0, 0
    new = str.__new__
    kinds = _KINDS
    for space, value in _TOKEN.findall(text):
        if space:
            if "\n" in space:
                line += space.count("\n")
                line_start = pos + space.rindex("\n") + 1
            pos += len(space)
        kind = kinds.get(value) or _kind(value)
        token = new(Token, value)  # (Token's own __new__, without its call)
        token.type, token.start_pos, token.line = kind, pos, line
        token.column = column = pos - line_start + 1
        pos += len(value)
        token.end_column = column + len(value)
        out.append(token)
    if _END.fullmatch(text, pos) is None:  # (a character no token matches: the tokens do not reach the end)
        raise _GiveUp
    return out


_KINDS: dict[str, str] = {op: "OPERATOR" for op in ["#"] + [f"{b}{c}{a}" for c in "-+*/%<>"
                                                            for b, a in (("|", "|"), ("|", ""), ("", "|"))]}
_KINDS.update({"<~": "SHIFT", "~>": "SHIFT", "+": "ADD", "-": "ADD", "*": "MUL", "/": "MUL"})
_KINDS.update((c, c) for c in "$=()[],.")
_FIXED = len(_KINDS)  # then each word's type, as words are met


def _kind(value: str) -> str:
    """The type of a token other than an operator or punctuation."""
    if value[0] == '"':
        return "STRING"
    if value[0].isdigit():
        return "NUMBER"
    kind = ("SWITCH" if value in _SWITCHES else value if value in _KEYWORDS
            else "CHANNEL" if _CHANNEL.fullmatch(value) else "NAME")
    if len(_KINDS) < _FIXED + 4096:
        _KINDS[value] = kind
    return kind


def _tree(data: str, children: list, first: Token) -> Tree:
    """A tree whose text begins at the token first."""
    return Tree(data, children, first.line, first.column)


class _Parser:
    def __init__(self, tokens: list[Token]):
        self.tokens = tokens
        self.kinds = [t.type for t in tokens] + [None, None]  # (peeking past the end sees None)
        self.i = 0

    def peek(self, ahead: int = 0) -> str | None:
        return self.kinds[self.i + ahead]

    def take(self, kind: str | None = None) -> Token:
        i = self.i
        found = self.kinds[i]
        if found is None or (kind is not None and found != kind):
            raise _GiveUp
        self.i = i + 1
        return self.tokens[i]

    def statement(self) -> Tree:
        first = self.peek()
        if first is None:
            raise _GiveUp
        head = self.tokens[0]
        if first == "CHANNEL" or first == "p":
            self.take()
            name = self.take("STRING") if first == "p" else head
            if self.peek() == "$":
                self.take()
                body = self.expr()[0]
            else:
                body = self.atom()[0]
            tree = _tree("channel" if first == "CHANNEL" else "named_channel", [name, body], head)
        elif first == "tempo":
            self.take()
            if self.peek() == "ADD":
                raise _GiveUp  # a negative tempo: lark's (and an error)
            tree = _tree("tempo", [_tree("signed", [self.take("NUMBER")], self.tokens[1])], head)
        elif first == "setcps":
            self.take()
            tree = _tree("setcps", [self.expr()[0]], head)
        elif first == "hush":
            self.take()
            tree = _tree("hush", [], head)
        elif first == "let":
            self.take()
            name = self.take("NAME")
            self.take("=")
            tree = _tree("let", [name, self.expr()[0]], head)
        elif first == "SWITCH":
            self.take()
            target = self.take() if self.peek() in ("CHANNEL", "NUMBER", "STRING") else None
            tree = _tree("switch", [head, target], head)
        elif first == "key" or first == "style":
            self.take()
            tree = _tree(first, [self.take("STRING")], head)
        else:
            body, start = self.expr()
            tree = _tree("expression", [body], start)
        if self.i != len(self.tokens):
            raise _GiveUp
        return tree

    # Each rule gives (tree, the first token of its text, brackets included).

    def expr(self) -> tuple[Tree, Token]:
        left, start = self.binary(0)
        if self.kinds[self.i] != "$":
            return left, start
        self.i += 1
        return _tree("dollar", [left, self.expr()[0]], start), start

    def binary(self, level: int) -> tuple[Tree, Token]:
        """Operators of `level` and above, left-associative: ops (0), shift, sum, product (3)."""
        left, start = self.app()
        kinds = self.kinds
        if kinds[self.i] == ".":  # (compose's, without its call where there is no `.`)
            self.i += 1
            left = _tree("compose", [left, self.compose()[0]], start)
        while True:
            found = _LEVELS.get(kinds[self.i])
            if found is None or found < level:
                return left, start
            if found < 2 and kinds[self.i + 1] == ")":
                return left, start  # a left section, `(x ~>)`, `(x #)`: the bracket's
            op = self.tokens[self.i]
            self.i += 1
            right = self.binary(found + 1)[0]
            left = _tree("binop", [left, op, right], start)

    def compose(self) -> tuple[Tree, Token]:
        left, start = self.app()
        if self.kinds[self.i] != ".":
            return left, start
        self.i += 1
        return _tree("compose", [left, self.compose()[0]], start), start

    def app(self) -> tuple[Tree, Token]:
        left, start = self.atom()
        kinds, tokens = self.kinds, self.tokens
        while True:
            kind = kinds[self.i]
            leaf = _LEAVES.get(kind)
            if leaf is not None:  # (a leaf read here: the common argument, without atom's call)
                tok = tokens[self.i]
                self.i += 1
                right = Tree(leaf, [tok], tok.line, tok.column)
            elif kind in _ATOM_START:
                right = self.atom()[0]
            else:
                return left, start
            left = Tree("apply", [left, right], start.line, start.column)

    def atom(self) -> tuple[Tree, Token]:
        kind = self.kinds[self.i]
        leaf = _LEAVES.get(kind)
        if leaf is not None:
            tok = self.tokens[self.i]
            self.i += 1
            return Tree(leaf, [tok], tok.line, tok.column), tok
        if kind == "[":
            bracket = self.take()
            if self.peek() == "]":
                raise _GiveUp  # an empty list: lark's placeholders
            items = [self.expr()[0]]
            while self.peek() == ",":
                self.take()
                items.append(self.expr()[0])
            self.take("]")
            return _tree("list", items, bracket), bracket
        if kind != "(":
            raise _GiveUp
        bracket = self.tokens[self.i]
        self.i += 1
        kind = self.kinds[self.i]
        if kind == "ADD":
            if self.tokens[self.i] != "-":
                raise _GiveUp
            self.take()
            number = self.take("NUMBER")
            self.take(")")
            return _tree("negative", [number], bracket), bracket
        if kind == "OPERATOR" or kind == "SHIFT":
            op = self.take()
            body = self.expr()[0]
            self.take(")")
            return _tree("right_section", [op, body], bracket), bracket
        inner = self.expr()[0]
        kind = self.kinds[self.i]
        if kind == ")":
            self.i += 1
            return inner, bracket
        if kind == ",":
            items = [inner]
            while self.peek() == ",":
                self.take()
                items.append(self.expr()[0])
            self.take(")")
            return _tree("tuple", items, bracket), bracket
        if (kind == "OPERATOR" or kind == "SHIFT") and self.peek(1) == ")":
            if inner.data in ("dollar", "binop"):
                raise _GiveUp  # which side the bracket holds is lark's to say
            op = self.take()
            self.take(")")
            return _tree("left_section", [inner, op], bracket), bracket
        raise _GiveUp
