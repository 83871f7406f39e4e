"""Patches: parse the text, evaluate each statement, and report mistakes one line each.

A patch is split into statements before parsing (a statement starts at column 1,
indented lines continue it), so a typo in one line never stops the others: the
good statements apply and the bad ones come back as `PatchError`s.
"""

from __future__ import annotations

import gc
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from .rational import Fraction, parse_fraction
from functools import lru_cache
from typing import Any, Callable, Iterator

from . import controls, notes, plan
from .errors import PatchError, did_you_mean
from .mini import clear_mini_caches
from .library import APPLY, LIBRARY
from .pattern import PATTERN_TYPES, Pattern, QueryLimitError, patternify, to_time
from .statement_parser import parse_statement
from .syntax import Token, Tree, from_lark, lark_parser
from .values import Composed, Func, ListValue, MiniString, Untyped, apply, coerce, describe, untyped

BEATS_PER_CYCLE = 4
_PATTERNS = frozenset(PATTERN_TYPES)
CHANNELS = tuple(f"d{i}" for i in range(1, 17))


@dataclass
class Statement:
    """One statement's source: its text and the patch line it starts on."""

    text: str
    line: int


STYLES = ("funk", "jazz", "rock", "pop", "blues", "electronic", "latin", "reggae", "country", "classical")


@dataclass
class Patch:
    """What evaluating a patch (or one block of it) asks the engine to do."""

    channels: dict[str, Pattern] = field(default_factory=dict)
    cps: Fraction | None = None
    hush: bool = False
    switches: list[tuple[str, str | None]] = field(default_factory=list)  # ("solo", "d1"), ("unsolo", None)
    key: tuple[int, str] | None = None  # (tonic pitch class, mode)
    style: str | None = None
    scale: str | None = None
    bindings: dict[str, Any] = field(default_factory=dict)
    errors: list[PatchError] = field(default_factory=list)


def split_statements(text: str, first_line: int = 1) -> list[Statement]:
    """Lines starting at column 1 begin statements; blank and comment-only lines end them."""
    statements: list[Statement] = []
    current: list[str] = []
    start = first_line
    in_block_comment = False
    written = False  # whether current holds a line that is not blank (blank and comment lines are "")
    for offset, raw in enumerate(text.split("\n")):
        stripped = raw.strip()
        opens_comment = stripped.startswith("{-") and not in_block_comment
        if in_block_comment or opens_comment:
            in_block_comment = "-}" not in (stripped[2:] if opens_comment else stripped)
            current.append("")
            continue
        if not stripped or stripped.startswith("--"):
            current.append("")
            continue
        if raw[0] not in " \t":
            if written:
                statements.extend(_unfold_do(Statement("\n".join(current), start)))
            current, start = [], first_line + offset
        current.append(raw)
        written = True
    if written:
        statements.extend(_unfold_do(Statement("\n".join(current), start)))
    return statements


def _unfold_do(stmt: Statement) -> list[Statement]:
    """`do` followed by indented statements (Haskell's layout rule) is those statements."""
    if not stmt.text.startswith("do"):
        return [stmt]
    lines = stmt.text.split("\n")
    head = lines[0]
    if not (head == "do" or head.startswith(("do ", "do\t"))):
        return [stmt]
    body = [" " * 3 + head[3:]] + lines[1:] if head.strip() != "do" else [""] + lines[1:]
    indents = [len(b) - len(b.lstrip()) for b in body if b.strip()]
    if not indents:
        return []
    cut = min(indents)
    dedented = "\n".join(b[cut:] if b.strip() else "" for b in body)
    return [Statement(s.text, s.line + stmt.line - 1) for s in split_statements(dedented)]


@lru_cache(maxsize=2048)
def _parse_statement(text: str) -> Tree:
    tree = parse_statement(text)  # lark's tree, faster; lark itself where that gives up
    if tree is not None:
        return tree
    from lark.exceptions import UnexpectedInput

    try:
        return from_lark(lark_parser("patch").parse(text))
    except UnexpectedInput as err:
        raise _explain(err, text) from None


def _explain(err: Any, text: str) -> PatchError:
    """lark's error (an UnexpectedInput) as one line."""
    from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedToken

    line, col = err.line if err.line > 0 else 1, err.column if err.column > 0 else 1
    if isinstance(err, UnexpectedCharacters):
        ch = text[err.pos_in_stream]
        if ch == '"':
            return PatchError('unterminated string: add the closing `"`', line, col)
        if ch in "([":
            return PatchError(f"unbalanced bracket: `{ch}` is never closed", line, col)
        return PatchError(f"unexpected character `{ch}`", line, col)
    opens = text.count("(") - text.count(")"), text.count("[") - text.count("]")
    if isinstance(err, UnexpectedEOF) or (isinstance(err, UnexpectedToken) and err.token.type == "$END"):
        if opens[0] > 0 or opens[1] > 0:
            where = text.rfind("(" if opens[0] > 0 else "[")
            before = text[:where]
            return PatchError(f"unbalanced bracket: `{text[where]}` is never closed",
                              before.count("\n") + 1, where - before.rfind("\n"))
        return PatchError("the statement ends too early: something is missing after the last word", line, col)
    tok = err.token
    if tok.type == "RPAR" or str(tok) in ")]":
        return PatchError(f"unbalanced bracket: `{tok}` closes nothing", line, col)
    return PatchError(f"unexpected `{tok}` here", line, col)


def _shift(err: PatchError, stmt: Statement) -> PatchError:
    return PatchError(err.message, err.line + stmt.line - 1, err.column)


def parse_patch(text: str, first_line: int = 1, env: dict[str, Any] | None = None) -> Patch:
    """Evaluate every statement of a patch; errors are collected, never raised."""
    with _collector_paused():
        return _parse_patch(text, first_line, env)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector paused: a patch's patterns are many new objects that hold no cycles
    and live as long as the patch plays, and a pass every 700 of them made (10 % of a cold patch's
    time) would only walk them. Afterwards they go straight to the oldest generation (gc.freeze then
    gc.unfreeze moves every tracked object there, without walking any), so that the young
    generations' next passes do not walk them either: the full collections that walk the oldest
    generation still do, as they walk every long-lived object."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.unfreeze()
        if was:
            gc.enable()


def _parse_patch(text: str, first_line: int, env: dict[str, Any] | None) -> Patch:
    patch = Patch()
    scope = dict(env or {})
    for stmt in split_statements(text, first_line):
        try:
            tree = _parse_statement(stmt.text)
            _Evaluator(scope, patch, stmt.line, stmt.text).statement(tree)
        except PatchError as err:
            patch.errors.append(_shift(err, stmt))
        except RecursionError:
            patch.errors.append(PatchError("this statement is nested too deeply", stmt.line, 1))
        except PLAY_ERRORS as err:  # an argument no pattern can use, caught while building it
            patch.errors.append(PatchError(f"this statement cannot be played: {err}", stmt.line, 1))
    before = env or {}
    patch.bindings = {k: v for k, v in scope.items() if k not in before or before[k] is not v}  # new or rebound
    return patch


def evaluate_expression(text: str, kind: str | None = None) -> Pattern:
    """Evaluate one expression (`jam query`): a bare string is read as atoms of `kind`."""
    try:
        tree = _parse_statement(text.strip())
    except RecursionError:
        raise PatchError("this expression is nested too deeply", 1, 1) from None
    if tree.data != "expression":
        raise PatchError("expected a pattern expression, not a statement", 1, 1)
    try:
        value = _Evaluator({}, Patch()).expr(tree.children[0])
    except RecursionError:
        raise PatchError("this expression is nested too deeply", 1, 1) from None
    if isinstance(value, MiniString):
        return value.compile(kind)
    return coerce(value, "pattern", "the expression", (1, 1))


PLAY_ERRORS = (ArithmeticError, QueryLimitError, RecursionError, ValueError, TypeError, IndexError, KeyError)


def query_expression(text: str, begin: Fraction, end: Fraction, kind: str | None = None) -> list:
    """Evaluate and query an expression; every failure comes back as one PatchError."""
    pattern = evaluate_expression(text, kind)
    try:
        return pattern.query_span(begin, end)
    except PatchError:
        raise
    except PLAY_ERRORS as err:
        raise PatchError(f"the pattern fails when played: {err}", 1, 1) from None


def trial_query(pattern: Pattern, cycle: int = 0) -> None:
    """Work out one cycle so that errors surface at evaluation, not in the middle of the show."""
    pattern.rehearse(cycle)  # (through its plan: the tables it makes are played from)


_MISSING = object()
_VALUES: dict[tuple, Any] = {}  # (statement text, line, the scope values it names) -> its value, see _Evaluator.cached
_PASSED: set[tuple] = set()  # (statement text, the scope values it names) of channels that passed their trial query
MAX_CACHED_VALUES = 512
# statement text -> (its line offset, its channel's pattern) for channels that name no value in scope (every
# location in the pattern is then the statement's own), or None where the pattern cannot be moved
_PLACES: dict[str, tuple[int, Pattern] | None] = {}


_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_']*")


@lru_cache(maxsize=2048)
def _names(text: str) -> tuple[str, ...]:
    """Every word of a statement that could be a name it uses (some are not: words in strings,
    keywords; naming too many only makes _Evaluator.cached's key longer)."""
    return tuple(sorted(set(_NAME.findall(text))))


def _key_of(value: Any) -> Any:
    """What identifies a value in scope for _Evaluator.cached: a pattern by identity, a string by
    its text and place, a number by its type and value; TypeError for what cannot be compared."""
    if isinstance(value, (Pattern, MiniString)):
        return value
    if isinstance(value, (bool, int, float, Fraction)):
        return (type(value).__name__, value)
    if isinstance(value, tuple):
        return ("tuple",) + tuple(_key_of(v) for v in value)
    raise TypeError(f"{type(value).__name__} is not kept")


def clear_caches() -> None:
    """Forget every parse, compilation and table kept for re-evaluation (for cold timings)."""
    _parse_statement.cache_clear()
    _names.cache_clear()
    _VALUES.clear()
    _PASSED.clear()
    _PLACES.clear()
    clear_mini_caches()
    plan.forget_tables()


class _Evaluator:
    def __init__(self, scope: dict[str, Any], patch: Patch, first_line: int = 1, text: str | None = None):
        self.scope = scope
        self.patch = patch
        self.line_offset = first_line - 1  # errors stay statement-relative; atom locations need patch lines
        self.text = text  # the statement's text, when its value may be kept for the next evaluation

    def scope_key(self) -> tuple | None:
        """The values in scope of the names this statement uses, comparable; None when it has no
        text or one of them cannot be compared (a function, a list)."""
        if self.text is None:
            return None
        if not self.scope:
            return ()  # (nothing bound: no words to look up)
        try:
            key = tuple((n, _key_of(self.scope[n])) for n in _names(self.text) if n in self.scope)
            hash(key)
        except TypeError:
            return None
        return key

    def cached(self, make: Callable[[], Any], movable: bool = False) -> Any:
        """make(), or what it gave when this statement was last evaluated at this line with the same
        values for the names it uses. A live coder re-evaluates mostly unchanged text; patterns are
        pure, immutable values, so handing back the same one is safe (and, for a channel, the trial
        query it passed need not run again). Failures are never kept. A channel's pattern (movable)
        that names nothing in scope, met at another line (a line inserted above it), is the pattern
        it gave there with its atoms' locations moved down as many lines."""
        scope = self.scope_key()
        if scope is None:
            return make()
        key = (self.text, self.line_offset, scope)
        value = _VALUES.get(key, _MISSING)
        if value is _MISSING:
            movable = movable and not scope
            value = self.moved() if movable else _MISSING
            if value is _MISSING:
                value = make()
                if movable:
                    if len(_PLACES) >= MAX_CACHED_VALUES:
                        _PLACES.clear()
                    _PLACES[self.text] = (self.line_offset, value)
            if len(_VALUES) >= MAX_CACHED_VALUES:
                _VALUES.clear()
            _VALUES[key] = value
        return value

    def moved(self) -> Any:
        """This statement's pattern from where it was last evaluated, moved here; _MISSING where
        there is none, or it cannot be moved."""
        placed = _PLACES.get(self.text)
        if placed is None:
            return _MISSING
        lines = self.line_offset - placed[0]
        if not lines:
            return placed[1]
        pattern = placed[1].relocated(lambda loc: (loc[0] + lines, loc[1], loc[2]))
        if pattern is None:
            _PLACES[self.text] = None
            return _MISSING
        return pattern

    def statement(self, tree: Tree) -> None:
        kind = tree.data
        where = _where(tree)
        if kind == "tempo":
            bpm = self.number(tree.children[0])
            if not 0 < bpm <= 1000:
                raise PatchError(f"tempo {bpm} is out of range (1 to 1000 beats per minute)", *where)
            self.patch.cps = Fraction(bpm) / 60 / BEATS_PER_CYCLE
        elif kind == "setcps":
            cps = self.expr(tree.children[0])
            if not isinstance(cps, (int, float, Fraction)) or not 0 < cps <= 20:
                raise PatchError("setcps needs a number of cycles per second between 0 and 20", *where)
            self.patch.cps = to_time(cps)
        elif kind == "hush":
            self.patch.hush = True
            self.patch.channels.clear()
        elif kind == "let":
            name, body = tree.children
            self.scope[str(name)] = self.cached(lambda: self.expr(body))
        elif kind == "channel":
            name, body = tree.children
            self.patch.channels[str(name)] = self.cached(lambda: self.channel(str(name), body, where), movable=True)
        elif kind == "named_channel":
            name, body = tree.children
            self.patch.channels[str(name)[1:-1]] = self.cached(lambda: self.channel(str(name)[1:-1], body, where),
                                                                movable=True)
        elif kind == "switch":
            action, target = tree.children
            if target is None and action != "unsolo":
                raise PatchError(f"{action} needs a channel, like `{action} 1` or `{action} d1`", *where)
            self.patch.switches.append((str(action), None if target is None else _channel_name(target)))
        elif kind == "key":
            text = str(tree.children[0])[1:-1]
            key = notes.parse_key(text)
            if key is None:
                raise PatchError(f'`{text}` is not a key; write a tonic and a mode, like key "e minor"', *where)
            self.patch.key = key
        elif kind == "style":
            style = str(tree.children[0])[1:-1]
            if style not in STYLES:
                raise PatchError(f"unknown style `{style}`{did_you_mean(style, STYLES)} "
                                 f"(styles: {', '.join(STYLES)})", *where)
            self.patch.style = style
        elif kind == "expression" and _is_scale_statement(tree.children[0]):
            scale = str(tree.children[0].children[1].children[0])[1:-1]
            if scale not in notes.SCALES:
                raise PatchError(f"unknown scale `{scale}`{did_you_mean(scale, notes.SCALES)}", *where)
            self.patch.scale = scale
        elif kind == "expression":
            raise PatchError("a pattern on its own does nothing: send it to a channel, like `d1 $ ...`", *where)
        else:
            raise AssertionError(kind)

    def channel(self, name: str, body: Tree, where: tuple[int, int]) -> Pattern:
        value = self.expr(body)
        if isinstance(value, MiniString):
            raise PatchError(f'{name} needs controls, such as `{name} $ s "{value.text}"`', *where)
        pattern = coerce(value, "pattern", f"the pattern of {name}", where)
        # The same text with the same values in scope passed its trial query already, at another
        # line perhaps (a line inserted above moves every statement): the atoms' locations differ,
        # and nothing a query computes depends on them, so it passes again.
        scope = self.scope_key()
        if scope is not None and (self.text, scope) in _PASSED:
            return pattern
        try:
            trial_query(pattern)
        except PLAY_ERRORS as err:
            raise PatchError(f"{name} fails when played: {err}", *where) from None
        if scope is not None:
            if len(_PASSED) >= MAX_CACHED_VALUES:
                _PASSED.clear()
            _PASSED.add((self.text, scope))
        return pattern

    def number(self, tree: Tree) -> Fraction:
        if tree.data == "negative_number":
            return -_exact(tree)
        return _exact(tree)

    def expr(self, tree: Tree) -> Any:
        kind = tree.data
        if kind == "apply" or kind == "dollar":
            f, arg = self.expr(tree.children[0]), self.expr(tree.children[1])
            if type(f) is Func and tree.line is not None:  # (values.apply's test and _where's, without their calls)
                return f.apply(arg, (tree.line, tree.column))
            return apply(f, arg, _where(tree))
        if kind == "name":
            name = str(tree.children[0])
            if name in self.scope:
                return self.scope[name]
            if name in LIBRARY:
                return LIBRARY[name]
            hint = did_you_mean(name, list(LIBRARY) + list(self.scope))
            raise PatchError(f"unknown function `{name}`{hint}", *_where(tree))
        if kind == "number":
            text = str(tree.children[0])
            return _exact(tree) if ("." in text or "e" in text) else int(text)
        if kind == "string":
            tok = tree.children[0]
            return MiniString(str(tok)[1:-1], tok.line, tok.column + 1, self.line_offset)
        if kind == "binop":
            left, op, right = tree.children
            return binary(str(op), self.expr(left), self.expr(right), _where(tree))
        if kind == "negative":
            return -_exact(tree)
        if kind == "list":
            return ListValue([self.expr(c) for c in tree.children if c is not None])
        if kind == "tuple":
            return tuple(self.expr(c) for c in tree.children)
        if kind == "compose":
            return Composed(self.expr(tree.children[0]), self.expr(tree.children[1]))
        if kind == "apply_function":
            return APPLY
        where = _where(tree)
        if kind == "right_section":
            op, right = str(tree.children[0]), self.expr(tree.children[1])
            return Func(f"({op} ...)", ("pattern",), lambda pat: binary(op, pat, right, where))
        if kind == "left_section":
            left, op = self.expr(tree.children[0]), str(tree.children[1])
            return Func(f"(... {op})", ("pattern",), lambda pat: binary(op, left, pat, where))
        raise AssertionError(kind)


def binary(op: str, left: Any, right: Any, where: tuple[int, int]) -> Any:
    """Operators between numbers fold to numbers; between patterns they combine structure."""
    numbers = (int, float, Fraction)
    if op in ("+", "-", "*", "/") and isinstance(left, numbers) and isinstance(right, numbers):
        if op == "/" and right == 0:
            raise PatchError("division by zero", *where)
        if op == "+":
            return left + right
        if op == "-":
            return left - right
        return left * right if op == "*" else Fraction(left) / Fraction(right)
    if op in ("<~", "~>"):
        shift = coerce(left, "pattern:rational", f"the left side of `{op}`", where)
        pat = coerce(right, "pattern", f"the right side of `{op}`", where)
        sign = 1 if op == "<~" else -1
        return patternify(lambda t: pat._early(sign * to_time(t)), shift)
    if type(left) in _PATTERNS and type(right) in _PATTERNS:  # (the common case: `# gain 0.9`)
        return controls.operator_pattern(op, left, right)
    for side, value in (("left", left), ("right", right)):
        if isinstance(value, (Func, Composed)):
            raise PatchError(f"the {side} side of `{op}` is {describe(value)}, a function missing its "
                             "arguments (or add `$`)", *where)
    if untyped(left, "pattern") and untyped(right, "pattern"):  # "0 4 7" + "<a2>": typed where it goes
        return Untyped(lambda atoms: binary(
            op, Untyped.hold(left, "pattern", f"the left side of `{op}`", where).typed(atoms),
            Untyped.hold(right, "pattern", f"the right side of `{op}`", where).typed(atoms), where))
    a = coerce(left, "pattern", f"the left side of `{op}`", where)
    b = coerce(right, "pattern", f"the right side of `{op}`", where)
    return controls.operator_pattern(op, a, b)


def _is_scale_statement(tree: Tree) -> bool:
    """`scale "dorian"` on its own line sets the patch's scale (inside a pattern, scale is a function)."""
    return (tree.data == "apply" and tree.children[0].data == "name"
            and str(tree.children[0].children[0]) == "scale" and tree.children[1].data == "string")


def _channel_name(token: Token) -> str:
    """`1` and `d1` name the same channel; a string names a `p "name"` channel."""
    text = str(token)
    if token.type == "NUMBER":
        return f"d{text}"
    return text[1:-1] if token.type == "STRING" else text


def _exact(tree: Tree) -> Fraction:
    """The number a number's tree holds, exact; a PatchError at it for one out of range (1e999)."""
    try:
        return parse_fraction(str(tree.children[0]))
    except ValueError as err:
        raise PatchError(str(err), *_where(tree)) from None


def _where(tree: Tree) -> tuple[int, int]:
    return (1, 1) if tree.line is None else (tree.line, tree.column)

