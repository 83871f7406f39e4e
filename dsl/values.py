"""The values a patch expression evaluates to, and how they are coerced to patterns.

A string literal stays unparsed until the function that reads it says what its
atoms are (Tidal types atoms by context: `n "c e"` reads notes, `s "c e"` reads
names). A function of any pattern given such strings (`cat ["c e", "g"]`, `rev "c e"`,
`"0 4" + "<a2>"`) waits the same way: it becomes `Untyped` until a context types it
(`n (cat ["c e", "g"])` reads notes). Functions are curried, so `every 2 (fast 2)` is a value too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from .rational import Fraction
from typing import Any, Callable

from .errors import PatchError
from .mini import compile_mini
from .pattern import PATTERN_TYPES, Pattern, pure


@dataclass(frozen=True)
class MiniString:
    """A double-quoted string, with where its first character sits in its statement, and how
    far that statement is from the top of the patch (for the atoms' source locations)."""

    text: str
    line: int = 1
    column: int = 1
    line_offset: int = 0

    def compile(self, kind: str | None) -> Pattern:
        return compile_mini(self.text, kind, self.line, self.column, self.line_offset)


@dataclass
class ListValue:
    items: list[Any]


_NUMBERS = frozenset((int, float, Fraction))
_new = object.__new__
_PATTERNS = frozenset(PATTERN_TYPES)
_PATTERN_KINDS = ("pattern", "pattern:")  # what a pattern kind begins with
STRINGS = "pattern:string"


@dataclass(slots=True)
class Func:
    """A curried function: `params` name the kind each argument is coerced to."""

    name: str
    params: tuple[str, ...]
    impl: Callable[..., Any]
    doc: str = ""
    args: tuple[Any, ...] = field(default=())

    def apply(self, arg: Any, where: tuple[int, int] = (1, 1)) -> Any:
        args, params = self.args, self.params
        given = len(args)
        if given >= len(params):
            raise PatchError(f"`{self.name}` takes {len(params)} argument(s), given more", *where)
        kind = params[given]
        cls = type(arg)
        # what coerce gives, for the common arguments: a pattern, a number, a function
        if kind[:7] == "pattern" and kind != "patterns" and (cls in _PATTERNS or cls in _NUMBERS and kind != STRINGS):
            value = arg if cls in _PATTERNS else pure(arg)
        elif kind == "function" and (cls is Func or cls is Composed):
            value = arg
        else:
            what = f"argument {given + 1} of `{self.name}`"
            value = Untyped.hold(arg, kind, what, where) if untyped(arg, kind) else coerce(arg, kind, what, where)
        args += (value,)
        if given + 1 < len(params):  # this function given one more argument (made without __init__'s call)
            partial = _new(Func)
            partial.name, partial.params, partial.impl, partial.doc, partial.args = (self.name, params, self.impl,
                                                                                      self.doc, args)
            return partial
        for a in args:
            if type(a) is Untyped:  # the atoms' type comes from where it goes
                return Untyped(lambda atoms: self.impl(*(a.typed(atoms) if isinstance(a, Untyped) else a
                                                         for a in args)))
        return self.impl(*args)


@dataclass
class Composed:
    """`f . g`: apply g, then f."""

    outer: Any
    inner: Any

    def apply(self, arg: Any, where: tuple[int, int] = (1, 1)) -> Any:
        return apply(self.outer, apply(self.inner, arg, where), where)


class Untyped:
    """A pattern made from strings whose atoms' type is not known yet: `typed(atoms)` builds it
    once a context says ("note", "string", ... or None for Tidal's default reading)."""

    def __init__(self, build: Callable[[str | None], Any]):
        self.build = build

    def typed(self, atoms: str | None) -> Any:
        return self.build(atoms)

    @staticmethod
    def hold(value: Any, kind: str, what: str, where: tuple[int, int]) -> Untyped:
        """An argument of a generic pattern (or list of patterns) kind, kept until typed."""
        if kind == "patterns":
            items = value.items
            return Untyped(lambda atoms: [coerce(v, f"pattern:{atoms}" if atoms else "pattern", what, where)
                                          for v in items])
        if kind == "timed":
            return Untyped(lambda atoms: coerce(value, f"timed:{atoms}" if atoms else "timed", what, where))
        return Untyped(lambda atoms: coerce(value, f"pattern:{atoms}" if atoms else "pattern", what, where))


def untyped(value: Any, kind: str) -> bool:
    """Whether an argument for a parameter of `kind` should wait for its atoms' type."""
    if kind == "pattern":
        return isinstance(value, (MiniString, Untyped))
    if kind == "timed" and isinstance(value, ListValue):
        return any(isinstance(v, tuple) and len(v) == 2 and isinstance(v[1], (MiniString, Untyped))
                   for v in value.items)
    if kind == "patterns" and isinstance(value, ListValue):
        return any(isinstance(v, (MiniString, Untyped)) for v in value.items) and \
            all(isinstance(v, (MiniString, Untyped, Pattern, int, float, Fraction)) for v in value.items)
    return False


def apply(f: Any, arg: Any, where: tuple[int, int]) -> Any:
    if isinstance(f, (Func, Composed)):
        return f.apply(arg, where)
    raise PatchError(f"{describe(f)} is not a function, so it cannot take an argument", *where)


def describe(value: Any) -> str:
    if isinstance(value, MiniString):
        return f'the string "{value.text}"'
    if isinstance(value, (Pattern, Untyped)):
        return "a pattern"
    if isinstance(value, (int, float, Fraction)):
        return f"the number {value}"
    if isinstance(value, Func):
        return f"`{value.name}`"
    if isinstance(value, ListValue):
        return "a list"
    if isinstance(value, tuple):
        return "a tuple"
    return "a function"


def coerce(value: Any, kind: str, what: str, where: tuple[int, int]) -> Any:
    """Turn an argument into what a parameter of `kind` expects, or explain why not."""
    if type(value) in _PATTERNS and kind[:8] in _PATTERN_KINDS:  # (the common case, before the kinds' tests)
        return value
    if kind == "function":
        if isinstance(value, (Func, Composed)):
            return value
        raise PatchError(f"{what} should be a function, like `(fast 2)`; got {describe(value)}", *where)
    if kind == "patterns":
        if isinstance(value, ListValue):
            return [coerce(v, "pattern", what, where) for v in value.items]
        raise PatchError(f"{what} should be a list of patterns in `[ ]`; got {describe(value)}", *where)
    if kind == "functions":
        if isinstance(value, ListValue):
            return [coerce(v, "function", what, where) for v in value.items]
        raise PatchError(f"{what} should be a list of functions in `[ ]`; got {describe(value)}", *where)
    if kind == "span":
        if (isinstance(value, tuple) and len(value) == 2
                and all(isinstance(v, (int, float, Fraction)) for v in value)):
            return tuple(Fraction(v) if not isinstance(v, float) else Fraction(v).limit_denominator(1 << 20)
                         for v in value)
        raise PatchError(f"{what} should be a pair of numbers like `(0.25, 0.75)`; got {describe(value)}", *where)
    if kind == "weighted":
        if isinstance(value, ListValue) and all(isinstance(v, tuple) and len(v) == 2 for v in value.items):
            return [(v[0].text if isinstance(v[0], MiniString) else v[0], float(v[1])) for v in value.items]
        raise PatchError(f'{what} should be a list of (value, weight) pairs like `[("bd", 1), ("sn", 0.5)]`',
                         *where)
    if kind == "int":
        if isinstance(value, (int, Fraction)) and Fraction(value).denominator == 1:
            return int(value)
        raise PatchError(f"{what} should be a whole number; got {describe(value)}", *where)
    if kind == "number":  # a constant where Tidal takes one (`quantise 4`, `rangex 20 2000`)
        if type(value) in _NUMBERS:
            return value
        raise PatchError(f"{what} should be a number; got {describe(value)}", *where)
    if kind == "numbers":
        if isinstance(value, ListValue) and all(type(v) in _NUMBERS for v in value.items):
            return list(value.items)
        raise PatchError(f"{what} should be a list of numbers like `[4, 2]`; got {describe(value)}", *where)
    if kind == "values":  # each item is coerced by the function it is given to (`spread fast [1, 2]`)
        if isinstance(value, ListValue):
            return list(value.items)
        raise PatchError(f"{what} should be a list in `[ ]`; got {describe(value)}", *where)
    if kind.startswith("timed"):  # [(1, "bd*2"), (2, "sn")]: durations and patterns
        if isinstance(value, ListValue) and all(isinstance(v, tuple) and len(v) == 2 and type(v[0]) in _NUMBERS
                                                for v in value.items):
            inner = "pattern" + kind[5:]
            return [(v[0], coerce(v[1], inner, what, where)) for v in value.items]
        raise PatchError(f'{what} should be a list of (cycles, pattern) pairs like `[(1, "bd*2"), (2, "sn")]`',
                         *where)
    # pattern kinds: "pattern" (atoms typed by inference) or "pattern:<atom type>"
    atom_type = kind.partition(":")[2] or None
    if isinstance(value, Untyped):
        return coerce(value.typed(atom_type), kind, what, where)
    if isinstance(value, MiniString):
        return value.compile(atom_type)
    if isinstance(value, (int, float, Fraction)):
        if atom_type == "string":
            raise PatchError(f"{what} should be a string in double quotes; got {describe(value)}", *where)
        return pure(value)
    raise PatchError(f"{what} should be a pattern; got {describe(value)}", *where)
