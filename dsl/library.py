"""The functions a patch can call, with Tidal's names, argument order and behaviour.

Every entry carries a one-line doc (the console's palette lists them). Arguments
that Tidal patterns (`fast "<1 2>"`) are patterned here too, through `patternify`.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any, Callable

from . import controls
from .euclid import euclid_off
from .pattern import Event, Pattern, TimeSpan, fastcat, patternify, pure, signal, silence, slowcat, stack
from .randomness import degrade_by_with, rand, undegrade_by_with
from .values import Func, apply

LIBRARY: dict[str, Func] = {}


def function(name: str, *params: str, doc: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def register(impl: Callable[..., Any]) -> Callable[..., Any]:
        LIBRARY[name] = Func(name, params, impl, doc)
        return impl
    return register


def _call(f: Any, pat: Pattern) -> Pattern:
    """Apply a patch-level function value to a pattern."""
    return apply(f, pat, (1, 1))


P, N, R = "pattern", "pattern:number", "pattern:rational"


@function("fast", R, P, doc="speed up by a factor: fast 2 plays twice per cycle")
def _fast(k: Pattern, pat: Pattern) -> Pattern:
    return patternify(lambda v: pat._fast(v), k)


@function("slow", R, P, doc="slow down by a factor: slow 2 plays once every two cycles")
def _slow(k: Pattern, pat: Pattern) -> Pattern:
    return patternify(lambda v: pat._slow(v), k)


@function("hurry", R, P, doc="fast, and multiply speed by the same factor")
def _hurry(k: Pattern, pat: Pattern) -> Pattern:
    return patternify(lambda v: pat._fast(v).fmap(
        lambda m: {**m, "speed": m.get("speed", 1) * v} if isinstance(m, dict) else m), k)


@function("rev", P, doc="reverse each cycle")
def _rev(pat: Pattern) -> Pattern:
    return pat.rev()


@function("every", "pattern:number", "function", P, doc="every n f: apply f on every n-th cycle, starting at cycle 0")
def _every(n: Pattern, f: Any, pat: Pattern) -> Pattern:
    def one(k: Any) -> Pattern:
        k = int(k)
        if k <= 0:
            return pat
        changed = _call(f, pat)
        return Pattern(lambda span: (changed if math.floor(span.begin) % k == 0 else pat).query(span)).split_queries()
    return patternify(one, n)


@function("whenmod", "int", "int", "function", P, doc="whenmod a b f: apply f when the cycle mod a is at least b")
def _whenmod(a: int, b: int, f: Any, pat: Pattern) -> Pattern:
    changed = _call(f, pat)
    return Pattern(lambda span: (changed if a and math.floor(span.begin) % a >= b else pat).query(span)).split_queries()


@function("stack", "patterns", doc="play the patterns together")
def _stack(pats: list[Pattern]) -> Pattern:
    return stack(pats)


@function("overlay", P, P, doc="play two patterns together")
def _overlay(a: Pattern, b: Pattern) -> Pattern:
    return stack([a, b])


@function("cat", "patterns", doc="one pattern per cycle, in turn")
def _cat(pats: list[Pattern]) -> Pattern:
    return slowcat(pats)


LIBRARY["slowcat"] = Func("slowcat", ("patterns",), _cat, "one pattern per cycle, in turn (same as cat)")


@function("fastcat", "patterns", doc="all the patterns squeezed into one cycle")
def _fastcat(pats: list[Pattern]) -> Pattern:
    return fastcat(pats)


@function("degradeBy", N, P, doc="drop events at random with the given probability")
def _degrade_by(amount: Pattern, pat: Pattern) -> Pattern:
    return patternify(lambda x: degrade_by_with(rand, float(x), pat), amount)


@function("unDegradeBy", N, P, doc="keep only the events degradeBy would drop")
def _undegrade_by(amount: Pattern, pat: Pattern) -> Pattern:
    return patternify(lambda x: undegrade_by_with(rand, float(x), pat), amount)


@function("degrade", P, doc="drop half the events at random")
def _degrade(pat: Pattern) -> Pattern:
    return degrade_by_with(rand, 0.5, pat)


@function("sometimesBy", N, "function", P, doc="apply f to events at random with the given probability")
def _sometimes_by(amount: Pattern, f: Any, pat: Pattern) -> Pattern:
    def one(x: Any) -> Pattern:
        x = float(x)
        return stack([degrade_by_with(rand, x, pat), _call(f, undegrade_by_with(rand, x, pat))])
    return patternify(one, amount)


for _name, _p, _doc in [("sometimes", 0.5, "half the time"), ("often", 0.75, "three times in four"),
                        ("rarely", 0.25, "one time in four"), ("almostNever", 0.1, "one time in ten"),
                        ("almostAlways", 0.9, "nine times in ten"), ("always", 1.0, "every time"),
                        ("never", 0.0, "never")]:
    LIBRARY[_name] = Func(_name, ("function", P),
                          (lambda prob: lambda f, pat: _sometimes_by(pure(prob), f, pat))(_p),
                          f"apply f to events {_doc}")


@function("iter", "pattern:number", P, doc="shift the pattern by 1/n each cycle, starting a step later")
def _iter(n: Pattern, pat: Pattern) -> Pattern:
    def one(k: Any) -> Pattern:
        k = int(k)
        if k == 0:
            return pat
        return Pattern(lambda span: pat._early(Fraction(math.floor(span.begin) % k, k)).query(span)).split_queries()
    return patternify(one, n)


@function("ply", R, P, doc="repeat each event n times within its own span")
def _ply(n: Pattern, pat: Pattern) -> Pattern:
    def one(k: Any) -> Pattern:
        k = Fraction(k)

        def query(span: TimeSpan) -> list[Event]:
            out = []
            for e in pat.query(span):
                if e.whole is None or k <= 0:
                    continue
                step = (e.whole.end - e.whole.begin) / k
                for i in range(math.ceil(k)):
                    b = e.whole.begin + i * step
                    whole = TimeSpan(b, min(b + step, e.whole.end))
                    part = whole.intersection(e.part)
                    if part is not None and part.begin < part.end:
                        out.append(Event(whole, part, e.value, e.locations))
            return out
        return Pattern(query)
    return patternify(one, n)


@function("off", R, "function", P, doc="off t f: superimpose f applied to the pattern shifted later by t")
def _off(t: Pattern, f: Any, pat: Pattern) -> Pattern:
    return stack([pat, _call(f, patternify(lambda v: pat._late(v), t))])


@function("superimpose", "function", P, doc="play the pattern together with f applied to it")
def _superimpose(f: Any, pat: Pattern) -> Pattern:
    return stack([pat, _call(f, pat)])


@function("euclid", "pattern:number", "pattern:number", P, doc="euclid k n: k onsets spread over n steps")
def _euclid(k: Pattern, n: Pattern, pat: Pattern) -> Pattern:
    return patternify(lambda a, b: euclid_off(int(a), int(b), 0, pat), k, n)


@function("euclidOff", "pattern:number", "pattern:number", "pattern:number", P,
          doc="euclidOff k n r: the Euclidean rhythm rotated left by r steps")
def _euclid_off(k: Pattern, n: Pattern, r: Pattern, pat: Pattern) -> Pattern:
    return patternify(lambda a, b, c: euclid_off(int(a), int(b), int(c), pat), k, n, r)


@function("run", "pattern:number", doc="run n: the numbers 0 to n-1 in one cycle")
def _run(n: Pattern) -> Pattern:
    return patternify(lambda k: fastcat([pure(i) for i in range(int(k))]) if int(k) > 0 else silence, n)


@function("segment", R, P, doc="sample a (continuous) pattern n times per cycle")
def _segment(n: Pattern, pat: Pattern) -> Pattern:
    return patternify(lambda k: pure(True)._fast(k).app_left(pat, lambda _, v: v), n)


@function("range", N, N, P, doc="range lo hi: scale a 0..1 pattern to lo..hi")
def _range(lo: Pattern, hi: Pattern, pat: Pattern) -> Pattern:
    return pat.app_left(lo, lambda v, a: (v, a)).app_left(hi, lambda va, b: va[1] + va[0] * (b - va[1]))


LIBRARY["silence"] = silence  # type: ignore[assignment]
LIBRARY["rand"] = rand  # type: ignore[assignment]
LIBRARY["sine"] = signal(lambda t: (math.sin(2 * math.pi * float(t)) + 1) / 2)  # type: ignore[assignment]
LIBRARY["cosine"] = signal(lambda t: (math.cos(2 * math.pi * float(t)) + 1) / 2)  # type: ignore[assignment]
LIBRARY["saw"] = signal(lambda t: float(t % 1))  # type: ignore[assignment]
LIBRARY["isaw"] = signal(lambda t: 1 - float(t % 1))  # type: ignore[assignment]
LIBRARY["square"] = signal(lambda t: float(math.floor((t % 1) * 2)))  # type: ignore[assignment]
LIBRARY["tri"] = signal(lambda t: float(2 * (t % 1)) if t % 1 < Fraction(1, 2) else float(2 - 2 * (t % 1)))  # type: ignore[assignment]

for _control, _type in controls.CONTROLS.items():
    LIBRARY[_control] = Func(_control, (f"pattern:{_type}",), controls.control(_control), f"the `{_control}` control")
for _alias, _target in controls.ALIASES.items():
    LIBRARY[_alias] = Func(_alias, LIBRARY[_target].params, LIBRARY[_target].impl, f"alias of `{_target}`")
