"""The functions a patch can call, with Tidal's names, argument order and behaviour.

Every entry carries a one-line doc (the console's palette lists them). Arguments
that Tidal patterns (`fast "<1 2>"`) are patterned here too, through `patternify`.
"""

from __future__ import annotations

import math
from .rational import Fraction
from typing import Any, Callable

from . import controls
from .euclid import euclid_off
from . import notes
from .errors import PatchError, did_you_mean
from .pattern import (Event, Pattern, TimeSpan, by_cycle, fastcat, patternify, pure, signal, silence, slowcat,
                      squeeze_join, stack, timecat, to_time)
from .randomness import degrade_by_with, partition_by_rand, rand, time_to_rand, time_to_rands, undegrade_by_with
from .values import Func, apply, describe

LIBRARY: dict[str, Func] = {}


def function(name: str, *params: str, doc: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def register(impl: Callable[..., Any]) -> Callable[..., Any]:
        LIBRARY[name] = Func(name, params, impl, doc)
        return impl
    return register


def _call(f: Any, pat: Pattern) -> Pattern:
    """Apply a patch-level function value to a pattern; it must give a pattern back."""
    result = apply(f, pat, (1, 1))
    if not isinstance(result, Pattern):
        raise PatchError(f"{describe(f)} needs more arguments before it can change a pattern")
    return result


def _call_with(f: Any, value: Any, pat: Pattern) -> Pattern:
    """f value pat, for a function given its argument in a list (`spread fast [1, 2]`)."""
    return _call(apply(f, value, (1, 1)), pat)


P, N, R = "pattern", "pattern:number", "pattern:rational"

APPLY = Func("($)", ("function", P), lambda f, pat: _call(f, pat), "f $ p: apply f to p (`spread ($) [...]`)")


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
        return by_cycle(lambda c: changed if c % k == 0 else pat, k, (changed, pat))
    return patternify(one, n)


@function("whenmod", "int", "int", "function", P, doc="whenmod a b f: apply f when the cycle mod a is at least b")
def _whenmod(a: int, b: int, f: Any, pat: Pattern) -> Pattern:
    changed = _call(f, pat)
    return by_cycle(lambda c: changed if a and c % a >= b else pat, abs(a) or 1, (changed, pat))


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
        kept, changed = partition_by_rand(rand, float(x), pat)  # one reading of pat for both halves
        return stack([kept, _call(f, changed)])
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
        return slowcat([pat._early(Fraction(i, k)) for i in range(k)]) if k else pat
    return patternify(one, n)


@function("ply", R, P, doc="repeat each event n times within its own span")
def _ply(n: Pattern, pat: Pattern) -> Pattern:
    def one(k: Any) -> Pattern:
        k = to_time(k)

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
    pat = pat.shared()
    return stack([pat, _call(f, patternify(lambda v: pat._late(v), t))])


@function("superimpose", "function", P, doc="play the pattern together with f applied to it")
def _superimpose(f: Any, pat: Pattern) -> Pattern:
    pat = pat.shared()
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


def _play_when(test: Callable[[Fraction], bool], pat: Pattern) -> Pattern:
    """Keep the events whose whole starts at a time that passes the test."""
    return pat.filter_events(lambda e: test(e.whole_or_part().begin))


def _within(begin: Fraction, end: Fraction, f: Any, pat: Pattern) -> Pattern:
    pat = pat.shared()
    inside = lambda t: begin <= t - math.floor(t) < end  # noqa: E731
    return stack([_play_when(inside, _call(f, pat)), _play_when(lambda t: not inside(t), pat)])


def _mask(bools: Pattern, pat: Pattern) -> Pattern:
    """Only the parts of pat where bools is true (structure from pat, cut by the true events)."""
    trues = bools.filter_events(lambda e: bool(e.value))
    return pat.app_left(trues, lambda v, _: v)


def _mini_bool(pat: Pattern) -> Pattern:
    return pat.fmap(lambda v: v if isinstance(v, bool) else bool(v))


@function("iter'", "pattern:number", P, doc="like iter, but shifting the other way")
def _iter_back(n: Pattern, pat: Pattern) -> Pattern:
    def one(k: Any) -> Pattern:
        k = int(k)
        return slowcat([pat._late(Fraction(i, k)) for i in range(k)]) if k else pat
    return patternify(one, n)


@function("palindrome", P, doc="play forwards, then backwards, in alternate cycles")
def _palindrome(pat: Pattern) -> Pattern:
    return slowcat([pat, pat.rev()])


@function("layer", "functions", P, doc="layer [f, g] p: stack the results of each function applied to p")
def _layer(fs: list[Any], pat: Pattern) -> Pattern:
    pat = pat.shared()
    return stack([_call(f, pat) for f in fs])


def _pan(pat: Pattern, amount: float) -> Pattern:
    return pat.fmap(lambda m: {**m, "pan": amount} if isinstance(m, dict) else m)


@function("jux", "function", P, doc="the pattern hard left, and f applied to it hard right")
def _jux(f: Any, pat: Pattern) -> Pattern:
    pat = pat.shared()
    return stack([_pan(pat, 0.0), _pan(_call(f, pat), 1.0)])


@function("juxBy", N, "function", P, doc="jux with a stereo width from 0 to 1")
def _jux_by(width: Pattern, f: Any, pat: Pattern) -> Pattern:
    pat = pat.shared()
    return patternify(lambda w: stack([_pan(pat, 0.5 - float(w) / 2), _pan(_call(f, pat), 0.5 + float(w) / 2)]),
                      width)


def _scale_gain(pat: Pattern, factor: float) -> Pattern:
    return pat.fmap(lambda m: {**m, "gain": m.get("gain", 1) * factor} if isinstance(m, dict) else m)


@function("echo", "int", R, N, P, doc="echo count time feedback: repeat each event, later and quieter")
def _echo(count: int, time: Pattern, feedback: Pattern, pat: Pattern) -> Pattern:
    def one(t: Any, fb: Any) -> Pattern:
        return stack([pat] + [_scale_gain(pat._late(to_time(t) * i), float(fb) ** i) for i in range(1, count)])
    return patternify(one, time, feedback)


@function("stut", "int", N, R, P, doc="stut count feedback time: Tidal's older echo, gains falling linearly")
def _stut(count: int, feedback: Pattern, time: Pattern, pat: Pattern) -> Pattern:
    def one(fb: Any, t: Any) -> Pattern:
        fb = float(fb)
        gain = lambda x: fb + (1 - fb) * ((count - x) / count)  # noqa: E731
        return stack([pat] + [_scale_gain(pat._late(to_time(t) * i), gain(i)) for i in range(1, count)])
    return patternify(one, feedback, time)


@function("chunk", "pattern:number", "function", P, doc="chunk n f: apply f to one n-th of the cycle, moving each cycle")
def _chunk(n: Pattern, f: Any, pat: Pattern) -> Pattern:
    def one(k: Any) -> Pattern:
        k = int(k)
        if k == 0:
            return pat
        if k < 0:
            return slowcat([_within(Fraction(i, -k), Fraction(i + 1, -k), f, pat) for i in reversed(range(-k))])
        return slowcat([_within(Fraction(i, k), Fraction(i + 1, k), f, pat) for i in range(k)])
    return patternify(one, n)


@function("linger", R, P, doc="repeat the first part of each cycle: linger 0.25 repeats the first quarter")
def _linger(amount: Pattern, pat: Pattern) -> Pattern:
    def one(x: Any) -> Pattern:
        x = to_time(x)
        if x == 0:
            return silence
        seg = pat._zoom(1 + x, Fraction(1)) if x < 0 else pat._zoom(Fraction(0), x)
        return by_cycle(lambda c: seg._early(c)._fast(1 / abs(x))._late(c) if abs(x) <= 1 else seg)
    return patternify(one, amount)


@function("struct", "pattern:bool", P, doc='struct "t ~ t t" p: take the rhythm from a boolean pattern')
def _struct(bools: Pattern, pat: Pattern) -> Pattern:
    return _mini_bool(bools).filter_events(lambda e: e.value).app_left(pat, lambda _, v: v)


@function("mask", "pattern:bool", P, doc='mask "1 0 1 1" p: silence p where the boolean pattern is false')
def _mask_fn(bools: Pattern, pat: Pattern) -> Pattern:
    return _mask(_mini_bool(bools), pat)


@function("while", "pattern:bool", "function", P, doc='while "1 0" f p: apply f where the boolean pattern is true')
def _while(bools: Pattern, f: Any, pat: Pattern) -> Pattern:
    bools, pat = _mini_bool(bools), pat.shared()
    return stack([_mask(bools, _call(f, pat)), _mask(bools.fmap(lambda b: not b), pat)])


@function("euclidInv", "pattern:number", "pattern:number", P, doc="the off-beats of euclid k n")
def _euclid_inv(k: Pattern, n: Pattern, pat: Pattern) -> Pattern:
    return patternify(lambda a, b: euclid_off(-int(a), int(b), 0, pat), k, n)


@function("euclidFull", "pattern:number", "pattern:number", P, P,
          doc="euclidFull k n p p2: p on the euclidean steps, p2 on the others")
def _euclid_full(k: Pattern, n: Pattern, pat: Pattern, other: Pattern) -> Pattern:
    return stack([_euclid(k, n, pat), _euclid_inv(k, n, other)])


@function("randcat", "patterns", doc="one of the patterns per cycle, at random")
def _randcat(pats: list[Pattern]) -> Pattern:
    cat = slowcat(pats)
    n = len(pats)

    def choose(c: int) -> Pattern:
        i = math.floor(time_to_rand(Fraction(c) + Fraction(1, 2)) * n)
        return cat._early(Fraction(i))
    return by_cycle(choose) if n else silence


@function("wchoose", "weighted", doc='wchoose [("bd", 1), ("sn", 0.5)]: a continuous weighted random choice')
def _wchoose(pairs: list[tuple[Any, float]]) -> Pattern:
    total = sum(w for _, w in pairs)
    def pick(r: float) -> Any:
        acc = 0.0
        for value, weight in pairs:
            acc += weight
            if acc > r * total:
                return value
        return pairs[-1][0]
    return rand.fmap(pick)


@function("scan", "pattern:number", doc="scan n: run 1, then run 2, ... up to run n, one per cycle")
def _scan(n: Pattern) -> Pattern:
    return patternify(lambda k: slowcat([_run(pure(i)) for i in range(1, int(k) + 1)]) if int(k) > 0 else silence, n)


@function("irand", "pattern:number", doc="irand n: a continuous random whole number from 0 to n-1")
def _irand(n: Pattern) -> Pattern:
    return patternify(lambda k: rand.fmap(lambda r: math.floor(r * int(k))), n)


def _perlin_at(t: Fraction) -> float:
    a = math.floor(t)
    x = float(t - a)
    smooth = 6 * x ** 5 - 15 * x ** 4 + 10 * x ** 3
    ra, rb = time_to_rand(Fraction(a)), time_to_rand(Fraction(a + 1))
    return ra + smooth * (rb - ra)


@function("scale", "pattern:string", "pattern:note", doc='scale "major" "0 .. 7": scale degrees to notes')
def _scale(names: Pattern, degrees: Pattern) -> Pattern:
    def note(degree: Any, name: str) -> Any:
        steps = notes.SCALES.get(name)
        if steps is None:
            raise PatchError(f"unknown scale `{name}`{did_you_mean(name, notes.SCALES)}")
        d = int(math.floor(degree))
        return steps[d % len(steps)] + 12 * (d // len(steps))
    return degrees.app_left(names, note)


def _first_values(pats: list[Pattern]) -> list[Any]:
    """The value each pattern of a list starts with: Tidal's lists of plain values ([0, 2, 7], ["a", "e"]),
    read as patterns so that the context types their atoms."""
    return [e.value for p in pats for e in p.query_span(0, 1)[:1]]


@function("toScale", "patterns", "pattern:note", doc="toScale [0, 2, 7] p: degrees to notes in your own scale")
def _to_scale(steps: list[Pattern], degrees: Pattern) -> Pattern:
    values = _first_values(steps)
    if not values:
        return silence
    return degrees.fmap(lambda d: values[int(d) % len(values)] + 12 * (int(d) // len(values)))


_ARPS: dict[str, Callable[[list], list]] = {
    "up": lambda xs: xs, "down": lambda xs: xs[::-1],
    "updown": lambda xs: xs + xs[::-1][1:-1] if len(xs) > 2 else xs,
    "downup": lambda xs: xs[::-1] + xs[1:-1] if len(xs) > 2 else xs[::-1],
    "up&down": lambda xs: xs + xs[::-1], "down&up": lambda xs: xs[::-1] + xs,
    "converge": lambda xs: [xs[i // 2] if i % 2 == 0 else xs[-1 - i // 2] for i in range(len(xs))],
    "diverge": lambda xs: [xs[i // 2] if i % 2 == 0 else xs[-1 - i // 2] for i in range(len(xs))][::-1],
    "pinkyup": lambda xs: [y for x in xs[:-1] for y in (x, xs[-1])] if len(xs) > 1 else xs,
    "thumbup": lambda xs: [y for x in xs[1:] for y in (xs[0], x)] if len(xs) > 1 else xs,
}


def _arp_with(order: Callable[[list], list], pat: Pattern) -> Pattern:
    """Spread the notes that share a whole (a chord) one after another across it."""

    def query(span: TimeSpan) -> list[Event]:
        groups: dict[Any, list[Event]] = {}
        for e in pat.query(span):
            if e.whole is not None:
                groups.setdefault((e.whole.begin, e.whole.end), []).append(e)
        out = []
        for (b, end), chord in sorted(groups.items()):
            seq = order(chord)
            step = (end - b) / len(seq) if seq else 0
            for i, e in enumerate(seq):
                whole = TimeSpan(b + i * step, b + (i + 1) * step)
                part = whole.intersection(e.part)
                if part is not None and (part.begin < part.end or whole.begin == whole.end):
                    out.append(Event(whole, part, e.value, e.locations))
        return out

    return Pattern(query)


@function("arpeggiate", P, doc="play the notes of each chord one after another")
def _arpeggiate(pat: Pattern) -> Pattern:
    return _arp_with(lambda xs: xs, pat)


LIBRARY["arpg"] = Func("arpg", (P,), _arpeggiate, "alias of `arpeggiate`")


@function("arp", "pattern:string", P, doc='arp "<up down diverge>": arpeggiate chords in a given order')
def _arp(modes: Pattern, pat: Pattern) -> Pattern:
    def one(mode: str) -> Pattern:
        if mode not in _ARPS:
            raise PatchError(f"unknown arp mode `{mode}`{did_you_mean(mode, _ARPS)}")
        return _arp_with(_ARPS[mode], pat)
    return patternify(one, modes)


@function("inside", R, "function", P, doc="inside n f p: apply f to p slowed by n, then speed up again")
def _inside(n: Pattern, f: Any, pat: Pattern) -> Pattern:
    return patternify(lambda k: _call(f, pat._slow(k))._fast(k), n)


@function("outside", R, "function", P, doc="outside n f p: inside (1/n)")
def _outside(n: Pattern, f: Any, pat: Pattern) -> Pattern:
    return patternify(lambda k: _call(f, pat._fast(k))._slow(k), n)


@function("swingBy", R, R, P, doc="swingBy x n: delay every other 1/(2n) of the cycle by x")
def _swing_by(amount: Pattern, n: Pattern, pat: Pattern) -> Pattern:
    def one(x: Any, k: Any) -> Pattern:
        shift = Func("(x ~>)", (P,), lambda p: p._late(to_time(x)))
        return _call(Func("inside", (P,), lambda p: _within(Fraction(1, 2), Fraction(1), shift, p._slow(k))._fast(k)),
                     pat)
    return patternify(one, amount, n)


@function("swing", R, P, doc="swing n: swingBy (1/3) n")
def _swing(n: Pattern, pat: Pattern) -> Pattern:
    return _swing_by(pure(Fraction(1, 3)), n, pat)


@function("rot", "pattern:number", P, doc="rot n: shift each cycle's values n events along, keeping the rhythm")
def _rot(n: Pattern, pat: Pattern) -> Pattern:
    def one(k: Any) -> Pattern:
        def query(span: TimeSpan) -> list[Event]:
            cycle = Fraction(math.floor(span.begin))
            whole_cycle = [e for e in pat.query(TimeSpan(cycle, cycle + 1)) if e.has_onset]
            whole_cycle.sort(key=lambda e: e.whole.begin)
            if not whole_cycle:
                return []
            values = [e.value for e in whole_cycle]
            shift = int(k) % len(values)
            values = values[shift:] + values[:shift]
            out = []
            for e, v in zip(whole_cycle, values):
                part = e.part.intersection(span)
                if part is not None:
                    out.append(Event(e.whole, part, v, e.locations))
            return out
        return Pattern(query).split_queries()
    return patternify(one, n)


@function("chop", "pattern:number", P, doc="chop n: cut each event into n parts, each playing a slice of the sample")
def _chop(n: Pattern, pat: Pattern) -> Pattern:
    def one(k: Any) -> Pattern:
        k = int(k)
        if k <= 0:
            return silence

        def slices(m: Any) -> Pattern:
            if not isinstance(m, dict):
                return pure(m)
            b, e = float(m.get("begin", 0)), float(m.get("end", 1))
            return fastcat([pure({**m, "begin": b + (e - b) * i / k, "end": b + (e - b) * (i + 1) / k})
                            for i in range(k)])
        return squeeze_join(pat.fmap(slices))
    return patternify(one, n)


@function("striate", "pattern:number", P, doc="striate n: interlace n slices of each sample across the cycle")
def _striate(n: Pattern, pat: Pattern) -> Pattern:
    def one(k: Any) -> Pattern:
        k = int(k)
        return fastcat([pat.fmap(lambda m, i=i: {**m, "begin": i / k, "end": (i + 1) / k} if isinstance(m, dict) else m)
                        for i in range(k)]) if k > 0 else silence
    return patternify(one, n)


@function("compress", "span", P, doc="compress (b, e): squeeze each cycle into [b, e) of the cycle")
def _compress(span: tuple[Fraction, Fraction], pat: Pattern) -> Pattern:
    return pat._compress(*span)


@function("zoom", "span", P, doc="zoom (b, e): play only [b, e) of each cycle, stretched to fill it")
def _zoom(span: tuple[Fraction, Fraction], pat: Pattern) -> Pattern:
    return pat._zoom(*span)


LIBRARY["zoomArc"] = Func("zoomArc", ("span", P), _zoom, "alias of `zoom`")


@function("fastGap", R, P, doc="fastGap n: speed up by n, leaving the rest of the cycle silent")
def _fast_gap(n: Pattern, pat: Pattern) -> Pattern:
    return patternify(lambda k: pat._fastgap(k), n)


@function("brak", P, doc="squash every other cycle into half a cycle, shifted by a quarter: a breakbeat feel")
def _brak(pat: Pattern) -> Pattern:
    squashed = fastcat([pat, silence])._late(Fraction(1, 4))
    return by_cycle(lambda c: squashed if c % 2 == 1 else pat, 2, (squashed, pat))


@function("pressBy", R, P, doc="pressBy r: start each event r of the way through its span, shortened")
def _press_by(r: Pattern, pat: Pattern) -> Pattern:
    return patternify(lambda x: squeeze_join(pat.fmap(lambda v: pure(v)._compress(to_time(x), Fraction(1)))), r)


@function("press", P, doc="pressBy 0.5: syncopate by pushing each event to its second half")
def _press(pat: Pattern) -> Pattern:
    return _press_by(pure(Fraction(1, 2)), pat)


def _contrast(f: Any, g: Any, wanted: Pattern, pat: Pattern) -> Pattern:
    """f on the events whose controls include those of an event of `wanted` at their start, g on the
    others (Tidal's contrast, matchManyToOne); None leaves that side as it is."""
    def matches(e: Event) -> bool:
        want = [w.value for w in wanted.query_span(e.whole_or_part().begin, e.whole_or_part().begin)]
        return any(isinstance(w, dict) and isinstance(e.value, dict)
                   and all(k in e.value and e.value[k] == v for k, v in w.items()) for w in want)
    pat = pat.shared()
    matched, unmatched = pat.filter_events(matches), pat.filter_events(lambda e: not matches(e))
    return stack([matched if f is None else _call(f, matched), unmatched if g is None else _call(g, unmatched)])


@function("contrast", "function", "function", P, P,
          doc='contrast f g (n "1") p: f on the events whose controls match, g on the others')
def _contrast_fn(f: Any, g: Any, wanted: Pattern, pat: Pattern) -> Pattern:
    return _contrast(f, g, wanted, pat)


@function("fix", "function", P, P, doc='fix f (s "hh") p: apply f to the events whose controls match')
def _fix(f: Any, wanted: Pattern, pat: Pattern) -> Pattern:
    return _contrast(f, None, wanted, pat)


@function("unfix", "function", P, P, doc='unfix f (s "hh") p: apply f to the events whose controls do not match')
def _unfix(f: Any, wanted: Pattern, pat: Pattern) -> Pattern:
    return _contrast(None, f, wanted, pat)


@function("somecyclesBy", N, "function", P, doc="apply f to whole cycles at random with the given probability")
def _somecycles_by(amount: Pattern, f: Any, pat: Pattern) -> Pattern:
    def one(x: Any) -> Pattern:
        changed = _call(f, pat)
        return by_cycle(lambda c: changed if time_to_rand(Fraction(c)) < float(x) else pat, None, (changed, pat))
    return patternify(one, amount)


LIBRARY["someCyclesBy"] = Func("someCyclesBy", (N, "function", P), _somecycles_by, "alias of `somecyclesBy`")
LIBRARY["somecycles"] = Func("somecycles", ("function", P), lambda f, p: _somecycles_by(pure(0.5), f, p),
                             "apply f to half the cycles, at random")
LIBRARY["someCycles"] = Func("someCycles", ("function", P), LIBRARY["somecycles"].impl, "alias of `somecycles`")


@function("sometimesBy'", N, "function", P, doc="like sometimesBy, but f is applied before choosing")
def _sometimes_by_inner(amount: Pattern, f: Any, pat: Pattern) -> Pattern:
    pat = pat.shared()
    return patternify(lambda x: stack([degrade_by_with(rand, float(x), pat),
                                       undegrade_by_with(rand, float(x), _call(f, pat))]), amount)


@function("firstOf", "pattern:number", "function", P, doc="firstOf n f: apply f in the first of every n cycles")
def _first_of(n: Pattern, f: Any, pat: Pattern) -> Pattern:
    return _every(n, f, pat)


@function("lastOf", "pattern:number", "function", P, doc="lastOf n f: apply f in the last of every n cycles")
def _last_of(n: Pattern, f: Any, pat: Pattern) -> Pattern:
    def one(k: Any) -> Pattern:
        k = int(k)
        changed = _call(f, pat)
        return by_cycle(lambda c: changed if k > 0 and c % k == k - 1 else pat, max(k, 1), (changed, pat))
    return patternify(one, n)


@function("every'", "pattern:number", "pattern:number", "function", P,
          doc="every' n o f: apply f when the cycle mod n is o")
def _every_offset(n: Pattern, o: Pattern, f: Any, pat: Pattern) -> Pattern:
    def one(k: Any, off: Any) -> Pattern:
        changed = _call(f, pat)
        return by_cycle(lambda c: changed if int(k) > 0 and c % int(k) == int(off) else pat,
                        max(int(k), 1), (changed, pat))
    return patternify(one, n, o)


@function("fastSqueeze", R, P, doc="fastSqueeze \"1 2\": speed up, squeezing a whole cycle into each event")
def _fast_squeeze(k: Pattern, pat: Pattern) -> Pattern:
    return squeeze_join(k.fmap(lambda v: pat._fast(v)))


@function("squeeze", "pattern:number", "patterns", doc="squeeze \"0 1\" [p, q]: pick patterns by index, squeezed")
def _squeeze(index: Pattern, pats: list[Pattern]) -> Pattern:
    return squeeze_join(index.fmap(lambda i: pats[int(i) % len(pats)])) if pats else silence


@function("toScale'", "int", "patterns", "pattern:note", doc="toScale' o [steps] p: toScale with o notes an octave")
def _to_scale_octave(octave: int, steps: list[Pattern], degrees: Pattern) -> Pattern:
    values = _first_values(steps)
    if not values:
        return silence
    return degrees.fmap(lambda d: values[int(d) % len(values)] + octave * (int(d) // len(values)))


@function("timeLoop", R, P, doc="timeLoop n: loop the first n cycles")
def _time_loop(n: Pattern, pat: Pattern) -> Pattern:
    """Tidal's `outside n loopFirst`: the loop restarts every n cycles, n whole or not."""
    def one(k: Any) -> Pattern:
        k = to_time(k)
        return silence if k <= 0 else _loop_first(pat._fast(k))._slow(k)
    return patternify(one, n)


def _loop_first(pat: Pattern) -> Pattern:
    """Tidal's loopFirst: every cycle plays the pattern's first cycle."""
    def query(span: TimeSpan) -> list:
        sam = span.begin.__floor__()
        return [e.with_span(lambda s: s.with_time(lambda t: t + sam))
                for e in pat.query(span.with_time(lambda t: t - sam))]
    return Pattern(query).split_queries()


@function("rolledBy", R, P, doc="rolledBy t: strum each chord, spreading its notes over t of the event")
def _rolled_by(t: Pattern, pat: Pattern) -> Pattern:
    def one(x: Any) -> Pattern:
        x = to_time(x)

        def query(span: TimeSpan) -> list[Event]:
            groups: dict[Any, list[Event]] = {}
            for e in pat.query(span):
                if e.whole is not None:
                    groups.setdefault(e.whole.begin, []).append(e)
            out = []
            for chord in groups.values():
                order = chord if x >= 0 else chord[::-1]
                for i, e in enumerate(order):
                    shift = abs(x) * (e.whole.end - e.whole.begin) * Fraction(i, len(order))
                    whole = TimeSpan(e.whole.begin + shift, e.whole.end)
                    part = e.part.intersection(whole) if e.part.begin >= whole.begin else \
                        TimeSpan(whole.begin, e.part.end) if whole.begin < e.part.end else None
                    if part is not None:
                        out.append(Event(whole, part, e.value, e.locations))
            return out
        return Pattern(query)
    return patternify(one, t)


@function("rolled", P, doc="rolledBy (1/4): strum each chord")
def _rolled(pat: Pattern) -> Pattern:
    return _rolled_by(pure(Fraction(1, 4)), pat)


# -- issue 3: more of Tidal's everyday functions (Sound.Tidal.UI, Core and Control, Tidal 1.9) -------


@function("within", "span", "function", P, doc="within (0, 0.5) f: apply f to the events starting in that part of the cycle")
def _within_fn(span: tuple[Fraction, Fraction], f: Any, pat: Pattern) -> Pattern:
    return _within(span[0], span[1], f, pat)


@function("within'", "span", "function", P,
          doc="within' (0, 0.5) f: apply f to that part of the cycle alone, zoomed to a whole cycle")
def _within_zoomed(span: tuple[Fraction, Fraction], f: Any, pat: Pattern) -> Pattern:
    begin, end = span
    pat = pat.shared()
    inside = lambda t: begin <= t - math.floor(t) < end  # noqa: E731
    zoomed = _call(f, pat._zoom(begin, end))._compress(begin, end)
    return stack([_play_when(inside, zoomed), _play_when(lambda t: not inside(t), pat)])


@function("spread", "function", "values", P, doc="spread f [a, b] p: f a p one cycle, f b p the next, ...")
def _spread(f: Any, values: list[Any], pat: Pattern) -> Pattern:
    return slowcat([_call_with(f, v, pat) for v in values])


LIBRARY["id"] = Func("id", (P,), lambda pat: pat, "the pattern unchanged (`layer [id, rev]`)")
LIBRARY["slowspread"] = Func("slowspread", ("function", "values", P), _spread, "alias of `spread`")


@function("fastspread", "function", "values", P, doc="fastspread f [a, b] p: f a p, then f b p, in one cycle")
def _fastspread(f: Any, values: list[Any], pat: Pattern) -> Pattern:
    return fastcat([_call_with(f, v, pat) for v in values])


@function("spreadf", "functions", P, doc="spreadf [f, g] p: f p one cycle, g p the next (spread ($))")
def _spreadf(fs: list[Any], pat: Pattern) -> Pattern:
    return slowcat([_call(f, pat) for f in fs])


def _choose_by(chooser: Pattern, values: list[Any]) -> Pattern:
    n = len(values)
    return chooser.fmap(lambda r: values[math.floor(float(r) * n) % n]) if n else silence


@function("chooseBy", N, "patterns", doc="chooseBy p [a, b, c]: pick from the list by p's value (0 to 1)")
def _choose_by_fn(chooser: Pattern, pats: list[Pattern]) -> Pattern:
    return _choose_by(chooser, _first_values(pats))


@function("choose", "patterns", doc='choose ["a", "e", "g"]: a continuous random pick from the list')
def _choose(pats: list[Pattern]) -> Pattern:
    return _choose_by(rand, _first_values(pats))


@function("cycleChoose", "patterns", doc="cycleChoose [0, 2, 3]: a random pick from the list, once a cycle")
def _cycle_choose(pats: list[Pattern]) -> Pattern:
    return _segment(pure(1), _choose(pats))


def _randrun(n: int) -> Pattern:
    """Tidal's randrun: 0 .. n-1 in a random order each cycle, seeded by the cycle (timeToRands)."""
    if n <= 0:
        return silence

    def query(span: TimeSpan) -> list[Event]:
        cycle = math.floor(span.begin)
        rs = time_to_rands(Fraction(cycle), n)
        out = []
        for k, v in enumerate(sorted(range(n), key=rs.__getitem__)):  # (stable, as sortOn)
            whole = TimeSpan(cycle + Fraction(k, n), cycle + Fraction(k + 1, n))
            part = span.intersection(whole)
            if part is not None:
                out.append(Event(whole, part, v))
        return out
    return Pattern(query).split_queries()


def _rearrange_with(indices: Pattern, n: int, pat: Pattern) -> Pattern:
    """Tidal's _rearrangeWith: slot k of each cycle plays the i-th of n slices of that cycle, i the
    value of `indices` there."""
    lanes = [slowcat([pat._zoom(Fraction(i, n), Fraction(i + 1, n))] * n)._fast(n) for i in range(n)]
    return indices.fmap(lambda i: lanes[i]).inner_join()


@function("shuffle", "pattern:number", P, doc="shuffle n: play the n parts of each cycle in a random order")
def _shuffle(n: Pattern, pat: Pattern) -> Pattern:
    return patternify(lambda k: _rearrange_with(_randrun(int(k)), int(k), pat) if int(k) > 0 else silence, n)


@function("scramble", "pattern:number", P, doc="scramble n: play n random picks of the n parts of each cycle")
def _scramble(n: Pattern, pat: Pattern) -> Pattern:
    def one(k: Any) -> Pattern:
        k = int(k)
        if k <= 0:
            return silence
        return _rearrange_with(_segment(pure(k), rand.fmap(lambda r: math.floor(r * k))), k, pat)
    return patternify(one, n)


def _stripes(cycle: int, n: int) -> list[tuple[Fraction, Fraction]]:
    """Tidal's randArcs n for a cycle: n spans filling it, in proportion to random picks from [1, 2, 3]
    (choose, shifted i/n earlier for the i-th, read over the whole cycle: at its middle)."""
    weights = [(1, 2, 3)[math.floor(time_to_rand(cycle + Fraction(1, 2) + Fraction(i, n)) * 3)] for i in range(n)]
    total = sum(weights)
    ends = [Fraction(sum(weights[:i + 1]), total) for i in range(n)]
    return list(zip([Fraction(0)] + ends[:-1], ends[:-1] + [Fraction(1)]))


@function("stripe", "pattern:number", P, doc="stripe n: the cycle n times in a cycle, at random speeds")
def _stripe(n: Pattern, pat: Pattern) -> Pattern:
    def one(k: Any) -> Pattern:
        k = int(k)
        if k <= 0:
            return silence
        # Tidal's substruct' (randStruct k): stripe i plays cycle c of (i * k) ~> pat, compressed into it
        # (Tidal queries each stripe whole, whatever the query; here, only the part asked for)
        lanes = [pat._late(i * k) for i in range(k)]

        def query(span: TimeSpan) -> list[Event]:
            cycle = math.floor(span.begin)
            out = []
            for lane, (b, e) in zip(lanes, _stripes(cycle, k)):
                piece = span.intersection(TimeSpan(cycle + b, cycle + e))
                if piece is not None:
                    out.extend(lane._compress(b, e).query(piece))
            return out
        return Pattern(query).split_queries()
    return patternify(one, n)


@function("trunc", R, P, doc="trunc 0.75: play only the first three quarters of each cycle")
def _trunc(t: Pattern, pat: Pattern) -> Pattern:
    return patternify(lambda x: pat._zoom(Fraction(0), to_time(x))._compress(Fraction(0), to_time(x)), t)


def _ghost_change(pat: Pattern) -> Pattern:
    """Tidal's ghost' change: (|*| gain 0.7) . (|> end 0.2) . (|*| speed 1.25)."""
    op, ctl = controls.operator_pattern, controls.control
    pat = op("|*|", pat, ctl("speed")(pure(Fraction(5, 4))))
    pat = op("|>", pat, ctl("end")(pure(Fraction(1, 5))))
    return op("|*|", pat, ctl("gain")(pure(Fraction(7, 10))))


def _ghost_with(a: Any, f: Any, pat: Pattern) -> Pattern:
    """superimpose (((a*2.5) ~>) . f) $ superimpose (((a*1.5) ~>) . f) $ pat"""
    a = to_time(a)
    pat = pat.shared()
    once = stack([pat, f(pat)._late(a * Fraction(3, 2))]).shared()
    return stack([once, f(once)._late(a * Fraction(5, 2))])


@function("ghostWith", "number", "function", P, doc="ghostWith t f: f applied to copies 1.5 t and 2.5 t later")
def _ghost_with_fn(a: Any, f: Any, pat: Pattern) -> Pattern:
    return _ghost_with(a, lambda p: _call(f, p), pat)


LIBRARY["ghost''"] = Func("ghost''", ("number", "function", P), _ghost_with_fn, "alias of `ghostWith`")


@function("ghost'", "number", P, doc="ghost' t: quieter, higher, shortened copies 1.5 t and 2.5 t later")
def _ghost_at(a: Any, pat: Pattern) -> Pattern:
    return _ghost_with(a, _ghost_change, pat)


@function("ghost", P, doc="ghost' (1/8): ghost notes 3/16 and 5/16 of a cycle after each event")
def _ghost(pat: Pattern) -> Pattern:
    return _ghost_with(Fraction(1, 8), _ghost_change, pat)


def _echo_with(count: int, time: Fraction, f: Any, pat: Pattern) -> Pattern:
    if count <= 1:
        return pat
    return stack([_call(f, _echo_with(count - 1, time, f, pat)._late(time)), pat])


@function("echoWith", "pattern:number", R, "function", P,
          doc="echoWith n t f: n copies, each t later than the one before with f applied once more")
def _echo_with_fn(n: Pattern, t: Pattern, f: Any, pat: Pattern) -> Pattern:
    return patternify(lambda k, x: _echo_with(int(k), to_time(x), f, pat), n, t)


for _alias in ("stutWith", "stut'"):
    LIBRARY[_alias] = Func(_alias, ("pattern:number", R, "function", P), _echo_with_fn, "old name of `echoWith`")


@function("plyWith", N, "function", P, doc="plyWith n f: repeat each event n times, f applied once more each time")
def _ply_with(n: Pattern, f: Any, pat: Pattern) -> Pattern:
    def one(k: Any) -> Pattern:
        def compound(j: Any) -> Pattern:
            return pat if j <= 1 else stack([pat, _call(f, compound(j - 1))])
        return _arp_with(lambda xs: xs, compound(k))
    return patternify(one, n)


@function("rangex", "number", "number", P, doc="rangex 20 2000: scale 0..1 to a range, exponentially")
def _rangex(lo: Any, hi: Any, pat: Pattern) -> Pattern:
    a, b = math.log(lo), math.log(hi)
    return pat.fmap(lambda v: math.exp(float(v) * (b - a) + a))


def _quantiser(rounding: Callable[[Any], int]) -> Callable[[Any, Pattern], Pattern]:
    """Tidal's quantise family: (/ n) . round . (* n), exact where the numbers are."""
    def quantise(n: Any, pat: Pattern) -> Pattern:
        def one(v: Any) -> Any:
            q = rounding(v * n)  # (round: half to even, as Haskell's)
            return q / n if isinstance(n, float) or isinstance(v, float) else Fraction(q) / n
        return pat.fmap(one)
    return quantise


for _name, _rounding, _doc in [("quantise", round, "to the nearest"), ("qround", round, "to the nearest"),
                               ("qfloor", math.floor, "down to"), ("qceiling", math.ceil, "up to")]:
    LIBRARY[_name] = Func(_name, ("number", P), _quantiser(_rounding), f"{_name} n: round numbers {_doc} 1/n")


@function("sew", "pattern:bool", P, P, doc='sew "t f" p q: p where true, q where false (structure from p and q)')
def _sew(bools: Pattern, a: Pattern, b: Pattern) -> Pattern:
    bools = _mini_bool(bools)
    return stack([_mask(bools, a), _mask(bools.fmap(lambda v: not v), b)])


@function("stitch", "pattern:bool", P, P, doc='stitch "t f" p q: p where true, q where false (structure from the bools)')
def _stitch(bools: Pattern, a: Pattern, b: Pattern) -> Pattern:
    bools = _mini_bool(bools)
    return stack([_struct(bools, a), _struct(bools.fmap(lambda v: not v), b)])


@function("inv", "pattern:bool", doc="invert a boolean pattern")
def _inv(bools: Pattern) -> Pattern:
    return _mini_bool(bools).fmap(lambda v: not v)


@function("fit", "pattern:number", "patterns", "pattern:number",
          doc='fit n [a, b, c] "0 1": index into the list, moving n along each cycle')
def _fit(step: Pattern, pats: list[Pattern], indices: Pattern) -> Pattern:
    values = _first_values(pats)
    if not values:
        return silence

    def one(k: Any) -> Pattern:
        k = int(k)
        q = indices.query
        return Pattern(lambda span: [Event(e.whole, e.part, values[(int(e.value) + k * math.floor(e.part.begin))
                                                                  % len(values)], e.locations) for e in q(span)])
    return patternify(one, step)


@function("bite", "pattern:number", "pattern:number", P, doc='bite 4 "0 2": play the given quarters of each cycle')
def _bite(n: Pattern, indices: Pattern, pat: Pattern) -> Pattern:
    def one(k: Any) -> Pattern:
        k = int(k)
        if k <= 0:
            return silence
        slices: dict[int, Pattern] = {}

        def piece(i: Any) -> Pattern:
            i = int(i) % k
            if i not in slices:
                slices[i] = pat._zoom(Fraction(i, k), Fraction(i + 1, k))
            return slices[i]
        return squeeze_join(indices.fmap(piece))
    return patternify(one, n)


LIBRARY["discretise"] = Func("discretise", (R, P), _segment, "old name of `segment`")


@function("wedge", R, P, P, doc="wedge t p q: p squashed into the first t of each cycle, q into the rest")
def _wedge(t: Pattern, a: Pattern, b: Pattern) -> Pattern:
    def one(x: Any) -> Pattern:
        x = to_time(x)
        if x == 0:
            return b
        if x == 1:
            return a
        return stack([a._fastgap(1 / x), b._fastgap(1 / (1 - x))._late(x)])
    return patternify(one, t)


@function("spin", "pattern:number", P, doc="spin n: n copies, each 1/n of a cycle earlier and panned 1/n further")
def _spin(n: Pattern, pat: Pattern) -> Pattern:
    def one(k: Any) -> Pattern:
        k = int(k)
        return stack([controls.operator_pattern("#", pat._early(Fraction(i, k)), controls.control("pan")(
            pure(Fraction(i, k)))) for i in range(k)])
    return patternify(one, n)


@function("select", N, "patterns", doc="select 0.5 [p, q, r]: pick a pattern by a number from 0 to 1")
def _select(f: Pattern, pats: list[Pattern]) -> Pattern:
    last = len(pats) - 1
    return patternify(lambda x: pats[math.floor(max(0, min(1, float(x))) * last)], f) if pats else silence


@function("selectF", N, "functions", P, doc="selectF 0.5 [f, g] p: apply a function picked by a number from 0 to 1")
def _select_f(x: Pattern, fs: list[Any], pat: Pattern) -> Pattern:
    n = len(fs)
    return patternify(lambda v: _call(fs[math.floor(max(0, min(0.999999, float(v))) * n)], pat), x) if n else silence


@function("pickF", "pattern:number", "functions", P, doc='pickF "<0 1>" [f, g] p: apply the function picked by index')
def _pick_f(i: Pattern, fs: list[Any], pat: Pattern) -> Pattern:
    return patternify(lambda k: _call(fs[int(k) % len(fs)], pat), i) if fs else silence


@function("timeCat", "timed", doc='timeCat [(1, "bd*4"), (2, "hh*8")]: one cycle shared by relative lengths')
def _timecat(pairs: list[tuple[Any, Pattern]]) -> Pattern:
    return timecat([(to_time(w), p) for w, p in pairs])


LIBRARY["timecat"] = Func("timecat", ("timed",), _timecat, "alias of `timeCat`")


def _play_for(begin: Fraction, end: Fraction, pat: Pattern) -> Pattern:
    """Tidal's playFor: pat only between two times (the query cut to them)."""
    window = TimeSpan(begin, end)
    q = pat.query

    def query(span: TimeSpan) -> list[Event]:
        cut = window.intersection(span)
        return [] if cut is None else q(cut)
    return Pattern(query)


@function("ncat", "timed", doc='ncat [(2, "bd*2"), (1, "sn")]: each pattern for its number of cycles, in turn')
def _ncat(pairs: list[tuple[Any, Pattern]]) -> Pattern:
    parts, t = [], Fraction(0)
    for cycles, p in pairs:
        if cycles:
            parts.append(_play_for(t, t + to_time(cycles), p._late(math.floor(t))))
            t += to_time(cycles)
    return _time_loop(pure(t), stack(parts)) if parts else silence


@function("necklace", "number", "numbers", doc="necklace 12 [4, 2]: a boolean rhythm from the gaps between onsets")
def _necklace(per_cycle: Any, gaps: list[Any]) -> Pattern:
    steps = [b for g in gaps for b in [True] + [False] * (int(g) - 1)]
    return fastcat([pure(b) for b in steps])._slow(Fraction(sum(int(g) for g in gaps)) / to_time(per_cycle))


LIBRARY["silence"] = silence  # type: ignore[assignment]
LIBRARY["rand"] = rand  # type: ignore[assignment]
LIBRARY["sine"] = signal(lambda t: (math.sin(2 * math.pi * float(t)) + 1) / 2)  # type: ignore[assignment]
LIBRARY["cosine"] = signal(lambda t: (math.cos(2 * math.pi * float(t)) + 1) / 2)  # type: ignore[assignment]
LIBRARY["saw"] = signal(lambda t: float(t % 1))  # type: ignore[assignment]
LIBRARY["isaw"] = signal(lambda t: 1 - float(t % 1))  # type: ignore[assignment]
LIBRARY["square"] = signal(lambda t: float(math.floor((t % 1) * 2)))  # type: ignore[assignment]
LIBRARY["perlin"] = signal(_perlin_at)  # type: ignore[assignment]
LIBRARY["envL"] = signal(lambda t: float(min(max(t, 0), 1)))  # type: ignore[assignment]
LIBRARY["envR"] = signal(lambda t: 1 - float(min(max(t, 0), 1)))  # type: ignore[assignment]
LIBRARY["tri"] = signal(lambda t: float(2 * (t % 1)) if t % 1 < Fraction(1, 2) else float(2 - 2 * (t % 1)))  # type: ignore[assignment]

for _control, _type in controls.CONTROLS.items():
    LIBRARY[_control] = Func(_control, (f"pattern:{_type}",), controls.control(_control), f"the `{_control}` control")
for _alias, _target in controls.ALIASES.items():
    LIBRARY[_alias] = Func(_alias, LIBRARY[_target].params, LIBRARY[_target].impl, f"alias of `{_target}`")
