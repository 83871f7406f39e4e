"""Control parameters: the named values an event carries to the engine (`s`, `n`, `gain`, ...).

Each control turns a pattern of atoms into a pattern of one-key dicts; `#` and
the `|+|` family merge them. Names and meanings are SuperDirt's.
"""

from __future__ import annotations

import operator
from .rational import Fraction
from typing import Any, Callable

from .errors import PatchError
from .pattern import Pattern

# name -> atom type of its pattern
CONTROLS: dict[str, str] = {
    "s": "string", "n": "note", "note": "note", "gain": "number", "velocity": "number",
    "pan": "number", "speed": "number", "begin": "number", "end": "number", "cut": "number",
    "legato": "number", "sustain": "number", "attack": "number", "hold": "number", "decay": "number",
    "suslevel": "number", "pw": "number",
    "release": "number", "cutoff": "number", "resonance": "number", "hcutoff": "number",
    "hresonance": "number", "bandf": "number", "bandq": "number", "shape": "number",
    "crush": "number", "coarse": "number", "room": "number", "size": "number", "dry": "number",
    "delay": "number", "delaytime": "number", "delayfeedback": "number", "orbit": "number", "chorus": "number",
    "channel": "number", "midinote": "note", "octave": "number", "vowel": "string", "amp": "number",
    "nudge": "number",  # seconds later; earlier only as far as not yet sent (SuperDirt's): here, not at all
    # modulation (engine/dsp/synths.py): vibrato, tremolo, a filter LFO, pitch and filter envelopes,
    # and the wavetable's position
    "vibrato": "number", "vibratorate": "number", "tremolo": "number", "tremolodepth": "number",
    "tremolorate": "number", "lfo": "number", "lforate": "number", "penv": "number", "pdecay": "number",
    "fenv": "number", "fdecay": "number", "wave": "number",
    # a 4-pole ladder low-pass (engine/dsp/filters.py; SuperDirt has none): cutoff Hz, resonance 0..1
    "ladder": "number", "ladderq": "number",
}
ALIASES = {"sound": "s", "lpf": "cutoff", "lpq": "resonance", "hpf": "hcutoff", "hpq": "hresonance",
           "bpf": "bandf", "bpq": "bandq", "up": "note", "delayfb": "delayfeedback", "delayt": "delaytime",
           "sz": "size"}


def control(name: str) -> Callable[[Pattern], Pattern]:
    """The function that makes `name` control maps; `s "bd:3"` also sets n = 3."""
    if name == "s":
        def make_s(value: Any) -> dict:
            sound, _, index = str(value).partition(":")
            return {"s": sound, "n": int(index)} if index else {"s": sound}
        return lambda pat: pat.fmap(make_s)
    return lambda pat: pat.fmap(lambda v: {name: v})


def _combine(op: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    """Apply a numeric operator key by key to control maps, or directly to plain values."""

    def one(a: Any, b: Any) -> Any:
        if isinstance(a, str) or isinstance(b, str):
            if op is operator.add:
                return f"{a}{b}"
            raise PatchError(f"cannot apply this operator to the names `{a}` and `{b}`")
        if op is operator.truediv:
            if b == 0:
                raise ZeroDivisionError("division by zero in a pattern")
            if isinstance(a, int) and isinstance(b, int):
                return Fraction(a, b)
        if op is operator.mod and b == 0:
            raise ZeroDivisionError("modulo by zero in a pattern")
        return op(a, b)

    def combined(a: Any, b: Any) -> Any:
        if isinstance(a, dict) and isinstance(b, dict):
            out = dict(a)
            for k, v in b.items():
                out[k] = one(a[k], v) if k in a else v
            return out
        if isinstance(a, dict) or isinstance(b, dict):
            raise PatchError("cannot combine a control map with a plain value (add a control such as `# gain`)")
        return one(a, b)

    return combined


def _keep(left_wins: bool) -> Callable[[Any, Any], Any]:
    def merge(a: Any, b: Any) -> Any:
        if isinstance(a, dict) and isinstance(b, dict):
            return {**b, **a} if left_wins else {**a, **b}
        return a if left_wins else b
    return merge


VALUE_OPS: dict[str, Callable[[Any, Any], Any]] = {
    "+": _combine(operator.add), "-": _combine(operator.sub), "*": _combine(operator.mul),
    "/": _combine(operator.truediv), "%": _combine(operator.mod), ">": _keep(False), "<": _keep(True),
}


def operator_pattern(op: str, left: Pattern, right: Pattern) -> Pattern:
    """`#`, `|+|`, `|+`, `+|`, ...: the bars say which side gives the structure."""
    if op == "#":
        op = "|>"
    symbol = op.strip("|")
    f = VALUE_OPS[symbol]
    if op.startswith("|") and op.endswith("|"):
        return left.app_both(right, f)
    if op.startswith("|"):
        return left.app_left(right, f)
    if op.endswith("|"):
        return left.app_right(right, f)
    return left.app_both(right, f)
