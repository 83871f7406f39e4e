"""Mini-notation: the little language inside double quotes, compiled to patterns.

Semantics follow Tidal's ParseBP.hs: a sequence shares one cycle between its
steps by weight (`@`, `_`), `!` adds steps while `*` does not, `< >` plays one
step per cycle, `{ }` steps every layer at the first layer's rate, `?` and `|`
draw deterministic randomness with a seed per operator. Atoms are typed by the
context that reads the string (see `ATOM_TYPES`).
"""

from __future__ import annotations

import re
from math import isfinite

from .rational import Fraction, parse_fraction
from functools import lru_cache
from typing import Any, Callable

from . import notes
from .errors import PatchError
from .mini_parser import parse_mini
from .pattern import Location, Pattern, fastcat, patternify, pure, repeated, silence, stack, timecat, to_time
from .randomness import choose_cycle, degrade_by_with, seeded_rand
from .euclid import euclid_atoms, euclid_off
from .syntax import Token, Tree, from_lark, lark_parser

ATOM_TYPES = ("string", "number", "note", "bool", "rational")
MAX_DEPTH = 64  # nesting beyond this is a mistake, not music
_ONE = Fraction(1)
_CLOSERS = {"[": "]", "<": ">", "{": "}", "(": ")"}


@lru_cache(maxsize=4096)
def parse(text: str) -> Tree:
    """Parse mini-notation text (positions relative to the text itself): by hand, or by lark
    where that gives up (and for every error)."""
    tree = parse_mini(text)
    if tree is not None and sum(map(text.count, _CLOSERS)) <= MAX_DEPTH:
        return tree  # (read by hand, its brackets match; and there are too few to nest too deep)
    _check_brackets(text)
    if tree is not None:
        return tree
    from lark.exceptions import UnexpectedInput

    try:
        return from_lark(lark_parser("mini").parse(text))
    except UnexpectedInput as err:
        raise _explain(err, text) from None


def _check_brackets(text: str) -> None:
    stack_: list[tuple[str, int]] = []
    for i, ch in enumerate(text):
        if ch in _CLOSERS:
            stack_.append((ch, i))
            if len(stack_) > MAX_DEPTH:
                raise PatchError(f"brackets nested more than {MAX_DEPTH} deep", 1, i + 1)
        elif ch in _CLOSERS.values():
            if not stack_ or _CLOSERS[stack_[-1][0]] != ch:
                raise PatchError(f"unbalanced bracket: `{ch}` closes nothing that was opened", 1, i + 1)
            stack_.pop()
    if stack_:
        ch, i = stack_[-1]
        raise PatchError(f"unbalanced bracket: `{ch}` is never closed (add `{_CLOSERS[ch]}`)", 1, i + 1)


def _explain(err: Any, text: str) -> PatchError:
    """lark's error (an UnexpectedInput) as one line."""
    from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedToken

    line, col = getattr(err, "line", 1), getattr(err, "column", 1)
    if isinstance(err, UnexpectedCharacters):
        ch = text[err.pos_in_stream] if err.pos_in_stream < len(text) else "?"
        return PatchError(f"unexpected character `{ch}` in mini-notation", line, col)
    if isinstance(err, UnexpectedEOF) or (isinstance(err, UnexpectedToken) and err.token.type == "$END"):
        return PatchError("mini-notation ends too early (a step is missing)", line, max(col, len(text)))
    tok = err.token if isinstance(err, UnexpectedToken) else None
    if tok is not None and _ENDS_WITH_SEQUENCE_DEGRADE.search(text, 0, tok.start_pos):
        return PatchError(f"unexpected `{tok}`: a `?` after a space degrades the whole sequence and must end it "
                          "(a `?` right after a step degrades that step)", line, col)
    return PatchError(f"unexpected `{tok}` in mini-notation", line, col)


_ENDS_WITH_SEQUENCE_DEGRADE = re.compile(r"\s\?[0-9.]*\s*$")


def _number(text: str) -> int | Fraction | float:
    if "%" in text:
        numerator, _, denominator = text.partition("%")
        if parse_fraction(denominator) == 0:
            raise ZeroDivisionError(f"`{text}` divides by zero")
        return parse_fraction(numerator) / parse_fraction(denominator)
    if "." in text or "e" in text:
        value = float(text)
        if not isfinite(value):
            raise ValueError(f"`{text}` is out of range")
        return value
    return int(text)


def _atom_converter(kind: str) -> Callable[[Token], Any]:
    """How an atom's text becomes a value for a pattern of the given type."""

    def convert(tok: Token) -> Any:
        text = str(tok)
        if kind == "string":
            return text
        if kind == "bool":
            if text in ("t", "true", "1"):
                return True
            if text in ("f", "false", "0"):
                return False
            raise PatchError(f"`{text}` is not a boolean (use t or f, 1 or 0)", tok.line, tok.column)
        if tok.type == "NUMBER":
            try:
                value = _number(text)
            except (ZeroDivisionError, ValueError) as err:
                raise PatchError(str(err), tok.line, tok.column) from None
            return Fraction(value) if kind == "rational" and not isinstance(value, float) else value
        sign, body = (-1, text[1:]) if text.startswith("-") else (1, text)
        if kind in ("number", "rational"):  # Tidal's Double and Rational atoms: ratios first (`e` = 1/8)
            value = notes.ratio_shorthand(body)
            if value is not None:
                return sign * value if kind == "rational" else sign * float(value)
        if kind in ("note", "number"):
            value = notes.note_value(body)
            if value is not None:
                return sign * value
            chord = notes.chord_notes(body)
            if chord is not None and sign == 1:
                return chord
        raise PatchError(f"`{text}` is not a {kind}", tok.line, tok.column)

    return convert


def infer_type(tree: Tree) -> str:
    """Numbers when every atom is a number, else strings (the default of `jam query`)."""
    return "string" if any(t.type == "WORD" for t in tree.tokens()) else "number"


def compile_mini(text: str, kind: str | None = None, line: int = 1, column: int = 1, line_offset: int = 0) -> Pattern:
    """Compile mini-notation to a pattern of `kind` atoms.

    line/column place the text for error messages; the atoms' source locations are
    moved down a further line_offset lines (the statement's place in the patch).
    Patterns are pure and immutable, so the same arguments give back the same pattern."""
    return _compile(text, kind, line, column, line_offset)


def clear_mini_caches() -> None:
    parse.cache_clear()
    _compile.cache_clear()
    _PLACED.clear()


# (text, atom type) -> a pattern compiled from it and the line and column it was placed at, or None where
# its pattern cannot be moved: the same string elsewhere (a line inserted above, the same rhythm in another
# channel) is that pattern with its atoms' locations moved, cheaper than compiling it again
_PLACED: dict[tuple[str, str | None], tuple[Pattern, int, int] | None] = {}
MAX_PLACED = 1024


@lru_cache(maxsize=1024)  # patterns hold their built queries: keep fewer than the trees
def _compile(text: str, kind: str | None, line: int, column: int, line_offset: int) -> Pattern:
    at = line + line_offset
    placed = _PLACED.get((text, kind), _PLACED)
    if placed is not None and placed is not _PLACED:
        pattern, line0, column0 = placed
        moved = pattern.relocated(_mover(at - line0, column - column0, line0))
        if moved is not None:
            return moved
        _PLACED[(text, kind)] = None
    try:
        tree = parse(text)
    except PatchError as err:
        raise _shift(err, line, column) from None
    try:
        pattern = _Compiler(kind or infer_type(tree), at, column).layers(tree.children[0])[0]
    except PatchError as err:
        raise _shift(err, line, column) from None
    if placed is _PLACED:
        if len(_PLACED) >= MAX_PLACED:
            _PLACED.clear()
        _PLACED[(text, kind)] = (pattern, at, column)
    return pattern


def _mover(lines: int, columns: int, first: int) -> Callable[[Location], Location]:
    """Where an atom's location goes when its string moves by lines and columns (the columns of
    the lines after the string's first, first, stay)."""
    def move(loc: Location) -> Location:
        line, begin, end = loc
        if line == first:
            return (line + lines, begin + columns, end + columns)
        return (line + lines, begin, end)
    return move


def _sequence_degrade(groups: Tree) -> Tree | None:
    """The `?` that degrades a whole sequence, as in Tidal: one that ends the sequence right
    after a `!`, `@` or `_` (Tidal's pRepeat and pElongate end a step, so the `?` that follows is
    pSequence's own: "a!8?" is "[a!8]?", each of the eight events drawing its own chance)."""
    last = groups.children[-1].children[-1]  # the last step of the last sequence
    if last.data != "step" or len(last.children) < 3:
        return None
    mod, before = last.children[-1], last.children[-2]
    if mod.data == "degrade" and isinstance(before, Tree) and before.data in ("replicate", "elongate", "weight"):
        return mod
    return None


def _weight(tok: Token) -> Fraction:
    """`@3`, `@1.5`, `@1%3`: a ratio needs whole numbers (Tidal's pFraction)."""
    numerator, ratio, denominator = tok[1:].partition("%")
    if ratio and ("." in numerator or int(denominator) == 0):
        raise PatchError(f"`{tok}`: a ratio needs whole numbers, and not 0 below", tok.line, tok.column)
    weight = parse_fraction(numerator)
    return weight / int(denominator) if ratio else weight


def _plain_number(choices: Tree) -> Token | None:
    """The NUMBER token of a modifier's argument that is one number and nothing else, or None."""
    tree = choices
    while tree.data in ("choices", "groups", "sequence", "step") and len(tree.children) == 1:
        tree = tree.children[0]
    return tree.children[0] if tree.data == "number" else None


def _shift(err: PatchError, line: int, column: int) -> PatchError:
    """Move an error from string-relative to patch coordinates."""
    if err.line == 1:
        return PatchError(err.message, line, column + err.column - 1)
    return PatchError(err.message, line + err.line - 1, err.column)


class _Compiler:
    """Walks a parse tree, turning each node into a pattern and its step count."""

    def __init__(self, kind: str, line: int, column: int):
        self.kind = kind
        self.convert = _atom_converter(kind)
        self.number = _atom_converter("rational")
        self.line, self.column = line, column
        self.seed = 0
        self.lifted: set[int] = set()  # the `?` modifiers that apply to their whole sequence

    def location(self, tok: Token) -> Location:
        if tok.line == 1:
            return (self.line, self.column + tok.column - 1, self.column + tok.end_column - 1)
        return (self.line + tok.line - 1, tok.column, tok.end_column)

    def next_seed(self) -> int:
        seed, self.seed = self.seed, self.seed + 1
        return seed

    # Each returns (pattern, steps per cycle).
    def layers(self, tree: Tree) -> tuple[Pattern, Fraction]:
        if len(tree.children) == 1:
            return self.choices(tree.children[0])
        layers = [self.choices(c) for c in tree.children]
        return stack(p for p, _ in layers), layers[0][1]

    def pattern(self, tree: Tree, convert: Callable[[Token], Any]) -> Pattern:
        saved, self.convert = self.convert, convert
        try:
            return (self.layers(tree) if tree.data == "layers" else self.choices(tree))[0]
        finally:
            self.convert = saved

    def choices(self, tree: Tree) -> tuple[Pattern, Fraction]:
        if len(tree.children) == 1:
            return self.groups(tree.children[0])
        options = [self.groups(c) for c in tree.children]
        return choose_cycle(self.next_seed(), [p for p, _ in options]), Fraction(1)

    def groups(self, tree: Tree) -> tuple[Pattern, Fraction]:
        sequences = tree.children
        if tree.data == "degraded_groups":  # "a b ?": the `?` after a space is the sequence's
            sequences, lifted = sequences[:-1], sequences[-1]
        else:
            mod = _sequence_degrade(tree)
            lifted = None if mod is None else mod.children[0]
            if mod is not None:
                self.lifted.add(id(mod))
        if len(sequences) == 1:
            result = self.sequence(sequences[0])
        else:
            result = fastcat([self.sequence(c)[0] for c in sequences]), Fraction(len(sequences))
        if lifted is None:
            return result
        # Tidal's pSequence ends with pRand: the `?` degrades the whole sequence, with a seed taken
        # after those inside it, and (resolve_tpat of a TPat_DegradeBy) the sequence counts as one step
        return self.degrade(lifted, result[0]), Fraction(1)

    def degrade(self, tok: Token, pattern: Pattern) -> Pattern:
        """`?` or `?0.3` (or, the sequence's, ` ?`): drop events with a seed of their own."""
        amount = tok.lstrip(" \t\r\n")[1:]
        return degrade_by_with(seeded_rand(self.next_seed()), float(amount) if amount else 0.5, pattern)

    def sequence(self, tree: Tree) -> tuple[Pattern, Fraction]:
        steps: list[tuple[int | Fraction, Pattern]] = []
        for step in tree.children:
            steps.extend(self.step(step))
        if len(steps) == 1 and steps[0][0] == 1:
            return steps[0][1], _ONE
        return timecat(steps), Fraction(sum(w for w, _ in steps))

    def step(self, tree: Tree) -> list[tuple[int | Fraction, Pattern]]:
        """The step's weight (a whole number unless `@` says otherwise) and pattern, as many
        times as `!` says."""
        if tree.data == "range":
            low, _, high = tree.children
            a, b = self.range_end(low), self.range_end(high)
            values = range(a, b + 1) if a <= b else range(a, b - 1, -1)
            return [(1, fastcat([pure(v, self.term_locations(low)) for v in values]))]
        term, *modifiers = tree.children
        pattern = self.term(term)
        weight, count = 1, 1
        for mod in modifiers:
            kind = mod.data
            if kind == "fast":
                pattern = self.timed(pattern, mod.children[0], Pattern._fast)
            elif kind == "slow":
                pattern = self.timed(pattern, mod.children[0], Pattern._slow)
            elif kind == "replicate":
                digits = str(mod.children[0])[1:]
                count = int(digits) if digits else count + 1
            elif kind == "elongate":
                weight += 1
            elif kind == "weight":
                weight = _weight(mod.children[0])
            elif kind == "degrade":
                if id(mod) not in self.lifted:  # (a `?` that degrades the whole sequence is not this step's)
                    pattern = self.degrade(mod.children[0], pattern)
            elif kind == "euclid":
                body, fill = pattern, self.kind == "bool"
                plain = [_plain_number(c) for c in mod.children]
                if None not in plain:  # constant arguments: what patternify would do with them
                    k, n, r = [int(self.number(tok)) for tok in plain] + [0] * (3 - len(plain))
                    pattern = euclid_atoms(k, n, r, body) if body.is_steady and not fill else None
                    if pattern is None:
                        pattern = euclid_off(k, n, r, body, fill).split_queries()
                    continue
                args = [self.pattern(c, self.number) for c in mod.children]
                if len(args) == 2:
                    args.append(pure(Fraction(0)))
                pattern = patternify(lambda k, n, r: euclid_off(int(k), int(n), int(r), body, fill), *args)
        return [(weight, pattern)] * count

    def range_end(self, term: Tree) -> int:
        if term.data != "number" or not str(term.children[0]).lstrip("-").isdigit():  # (not 1.5, 1e3, 1%2)
            tok = term.children[0] if term.children and isinstance(term.children[0], Token) else None
            raise PatchError("`..` needs whole numbers on both sides", tok.line if tok else 1, tok.column if tok else 1)
        return int(str(term.children[0]))

    def term_locations(self, term: Tree) -> tuple[Location, ...]:
        tok = term.children[0]
        return (self.location(tok),) if isinstance(tok, Token) else ()

    def timed(self, pattern: Pattern, factor: Tree, op: Callable[[Pattern, Any], Pattern]) -> Pattern:
        """`*` and `/`: the factor is a pattern too, joined cycle by cycle as Tidal does."""
        if factor.data == "number":  # a constant: what patternify would do with it
            k = self.number(factor.children[0])
            if op is Pattern._fast and pattern.is_steady and not isinstance(k, float) and k.denominator == 1 and k > 0:
                return repeated(pattern, k)
            return op(pattern, k).split_queries()
        return patternify(lambda k: op(pattern, k), self.pattern_of_term(factor))

    def pattern_of_term(self, term: Tree) -> Pattern:
        """A modifier's argument (`*<2 3>`, `%4`): always numbers."""
        saved, self.convert = self.convert, self.number
        try:
            return self.term(term)
        finally:
            self.convert = saved

    def term(self, tree: Tree) -> Pattern:
        kind = tree.data
        if kind in ("word", "number"):
            tok = tree.children[0]
            value = self.convert(tok)
            if isinstance(value, list):  # a chord: its notes sound together
                return stack(pure(v, (self.location(tok),)) for v in value)
            return pure(value, (self.location(tok),))
        if kind == "rest":
            return silence
        if kind == "subsequence":
            return self.layers(tree.children[0])[0]
        if kind == "alternation":
            return self.polymeter(tree.children[0], None, one_step=True)
        if kind == "polymeter":
            steps = tree.children[1] if len(tree.children) > 1 else None
            return self.polymeter(tree.children[0], steps)
        raise AssertionError(kind)

    def polymeter(self, layers_tree: Tree, steps_term: Tree | None, one_step: bool = False) -> Pattern:
        layers = [self.choices(c) for c in layers_tree.children]
        layers = [(p, s) for p, s in layers if s > 0]
        if not layers:
            return silence
        if one_step:
            return stack(p._slow(s) for p, s in layers)
        if steps_term is None:
            base = layers[0][1]
            return stack(p._fast(base / s) for p, s in layers)
        return patternify(lambda k: stack(p._fast(to_time(k) / s) for p, s in layers), self.pattern_of_term(steps_term))
