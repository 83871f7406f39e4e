"""The strictly-online protocol of `jam accompany --online`: JSON lines in, one answer per decide.

In:  {"reset": {"style": "pop", "time_signature": "4/4", "bpm": 100}}
     {"note_on": {"t": 3.0, "pitch": 60, "velocity": 90}}   {"note_off": {"t": 4.0, "pitch": 60}}
     {"decide": 4.25}
     {"key": "a minor"} or {"key": null}, or "key" inside reset: a key the performer named (the
     live band sends the patch's); without one the key is found by ear alone
Out: {"t": 4.25, "root_pc": 0, "pcs": [0, 4, 7]}  or  {"t": 4.25, "chord": null}

t is in beats and never goes back. The answer to decide(t) is the chord to sound from beat t on;
it depends only on the events sent before it (all earlier than t). Beat boundaries are handed
to the decider as soon as the first event at or past them arrives and before that event is
applied, so per-beat work sees exactly the notes before the boundary, whoever triggers it.
Bad lines (not UTF-8, not JSON, a field of the wrong kind) are reported on stderr, one line
each, and change nothing; a decide is always answered.
"""

from __future__ import annotations

import json
import math
import sys
from numbers import Real
from typing import Protocol, TextIO

from dsl.notes import SCALES, parse_key

from . import chords
from .ear import Ear, key_index, mode_scale


MAX_STEP = 16384  # beats `--online` lets time move on in one message: each costs the decider up to a ms


class Decider(Protocol):
    def reset(self, style: str | None, beats_per_bar: int) -> None: ...
    def on_beat(self, ear: Ear, beat: int) -> None: ...
    def decide(self, ear: Ear, t: float) -> int | None: ...


def beats_per_bar(time_signature: str | None) -> int:
    """Quarter-note beats in a bar of "n/d" (6/8 -> 3); 4 when absent."""
    if not time_signature:
        return 4
    num, slash, den = str(time_signature).partition("/")
    if not (num.isdigit() and den.isdigit() and slash and 0 < int(num) <= 64 and 0 < int(den) <= 64):
        raise ValueError(f"a time signature is like 4/4 or 6/8, not {time_signature!r}")
    return max(1, round(int(num) * 4 / int(den)))


def _number(value) -> bool:
    """A number (JSON's, or numpy's from in-process callers); not text, not true/false, not NaN or inf."""
    try:
        return isinstance(value, Real) and not isinstance(value, bool) and math.isfinite(value)
    except OverflowError:  # an int past any float
        return False


def _time(value, what: str) -> float:
    """A time in beats; text is refused, not read."""
    if not _number(value):
        raise ValueError(f"{what} must be a time in beats, like 4.25, not {value!r}")
    return float(value)


def _midi(value, what: str) -> int:
    if _number(value) and 0 <= value <= 127 and value == int(value):
        return int(value)
    raise ValueError(f"{what} must be a MIDI number 0 to 127, like 60, not {value!r}")


def _note(e, kind: str) -> tuple[float, int]:
    if not isinstance(e, dict):
        raise ValueError(f'{kind} takes an object, like {{"t": 3.0, "pitch": 60}}')
    return _time(e.get("t"), f"{kind} t"), _midi(e.get("pitch"), f"{kind} pitch")


def answer(t: float, chord: int | None) -> dict:
    if chord is None:
        return {"t": t, "chord": None}
    return {"t": t, "root_pc": chords.root(chord), "pcs": chords.pcs(chord)}


class Session:
    """One performance: an ear and a decider fed by protocol messages (dicts)."""

    def __init__(self, decider: Decider, max_step: float = math.inf):
        """max_step: the most beats time may move on at once (more is refused: a decide at 1e12
        would otherwise take years, one beat at a time)."""
        self.decider = decider
        self.max_step = max_step
        self.reset({})

    def reset(self, options: dict) -> None:
        """A new performance; options that cannot be used raise ValueError before anything changes."""
        bpb = beats_per_bar(options.get("time_signature"))
        key, style = self._named(options.get("key")), options.get("style")
        if style is not None and not isinstance(style, str):
            raise ValueError(f"a style is a name, like \"pop\", not {style!r}")
        self.ear = Ear(bpb)
        self.ear.declare(*key)
        self.decider.reset(style, bpb)
        self.next_beat = 0
        self.now = -math.inf

    def declare(self, key: str | None) -> None:
        """A named key ("e minor", "bb dorian"), or None: from now on the ear leans to it."""
        self.ear.declare(*self._named(key))

    @staticmethod
    def _named(key: str | None) -> tuple:
        """The ear's arguments for a named key (`Ear.declare`); ValueError when it names none."""
        if key is None:
            return (None,)
        named = parse_key(key) if isinstance(key, str) else None
        if named is None:
            raise ValueError(f"{key!r} is not a key (a key is like \"e minor\" or \"bb dorian\")")
        tonic, mode = named
        degrees = SCALES[mode] + ((11,) if mode in ("minor", "aeolian") else ())  # and the leading note
        return key_index(tonic, mode), mode_scale(tonic, degrees)

    def _advance(self, t: float) -> None:
        if not math.isfinite(t):
            raise ValueError(f"time {t!r} is not a number")
        if t < self.now:
            raise ValueError(f"time went back from {self.now} to {t}")
        if t - self.next_beat >= self.max_step:
            raise ValueError(f"time may move on at most {self.max_step} beats in one message, not from beat "
                             f"{self.next_beat} to {t}")
        self.now = t
        while self.next_beat <= t:
            self.decider.on_beat(self.ear, self.next_beat)
            self.next_beat += 1

    def handle(self, msg: dict) -> dict | None:
        """Apply one message; the answer for a decide, None otherwise. Raises ValueError on bad input."""
        if "decide" in msg:
            t = _time(msg["decide"], "decide")
            self._advance(t)
            return answer(msg["decide"], self.decider.decide(self.ear, t))
        if "note_on" in msg:
            t, pitch = _note(msg["note_on"], "note_on")
            velocity = _midi(msg["note_on"].get("velocity", 90), "note_on velocity")
            self._advance(t)
            if velocity == 0:  # MIDI's note-on with velocity 0 is a note-off
                self.ear.note_off(t, pitch)
            else:
                self.ear.note_on(t, pitch, velocity)
        elif "note_off" in msg:
            t, pitch = _note(msg["note_off"], "note_off")
            self._advance(t)
            self.ear.note_off(t, pitch)
        elif "reset" in msg:
            options = {} if msg["reset"] is None else msg["reset"]
            if not isinstance(options, dict):
                raise ValueError(f'reset takes an object, like {{"style": "pop"}}, not {options!r}')
            self.reset(options)
        elif "key" in msg:
            self.declare(msg["key"])
        else:
            raise ValueError(f"unknown message {sorted(msg)}")
        return None


def serve(session: Session, inp: TextIO = sys.stdin, out: TextIO = sys.stdout,
          err: TextIO = sys.stderr) -> int:
    """Answer JSON lines until end of input; each answer is flushed at once. A text stream with a
    byte buffer (stdin) is read as bytes, so that a line that is not UTF-8 is one bad line."""
    for number, raw in enumerate(getattr(inp, "buffer", inp), 1):
        line = raw
        try:
            if isinstance(raw, bytes):
                line = raw.decode("utf-8")
            if not line.strip():
                continue
            msg = json.loads(line)
            if not isinstance(msg, dict):
                raise ValueError("a message is a JSON object")
            reply = session.handle(msg)
        except UnicodeDecodeError:
            print(f"accompany: line {number}: not UTF-8 text", file=err, flush=True)
            continue
        except Exception as e:  # one bad line must not end the session
            why = e if isinstance(e, ValueError) else f"{type(e).__name__}: {e}"
            print(f"accompany: line {number}: {why}", file=err, flush=True)
            reply = _fallback(line)
        if reply is not None:
            out.write(json.dumps(reply) + "\n")
            out.flush()
    return 0


def _fallback(line: str) -> dict | None:
    """A decide that could not be applied (e.g. time went back) still gets its one answer: no chord
    (and t null when it was no time: NaN is not JSON)."""
    try:
        msg = json.loads(line)
    except (ValueError, RecursionError):
        return None
    if not isinstance(msg, dict) or "decide" not in msg:
        return None
    t = msg["decide"]
    return answer(t if _number(t) else None, None)


def default_session() -> Session:
    """The shipped accompanist (loads torch and the weights)."""
    from .decide import ModelDecider

    return Session(ModelDecider(), MAX_STEP)
