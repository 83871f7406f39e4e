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
Bad lines are reported on stderr and skipped; a decide is always answered.
"""

from __future__ import annotations

import json
import math
import sys
from typing import Protocol, TextIO

from dsl.notes import SCALES, parse_key

from . import chords
from .ear import Ear, key_index, mode_scale


class Decider(Protocol):
    def reset(self, style: str | None, beats_per_bar: int) -> None: ...
    def on_beat(self, ear: Ear, beat: int) -> None: ...
    def decide(self, ear: Ear, t: float) -> int | None: ...


def beats_per_bar(time_signature: str | None) -> int:
    """Quarter-note beats in a bar of "n/d" (6/8 -> 3); 4 when absent."""
    if not time_signature:
        return 4
    num, den = (int(x) for x in str(time_signature).split("/"))
    if num <= 0 or den <= 0:
        raise ValueError(f"bad time signature {time_signature!r}")
    return max(1, round(num * 4 / den))


def answer(t: float, chord: int | None) -> dict:
    if chord is None:
        return {"t": t, "chord": None}
    return {"t": t, "root_pc": chords.root(chord), "pcs": chords.pcs(chord)}


class Session:
    """One performance: an ear and a decider fed by protocol messages (dicts)."""

    def __init__(self, decider: Decider):
        self.decider = decider
        self.reset({})

    def reset(self, options: dict) -> None:
        bpb = beats_per_bar(options.get("time_signature"))
        self.ear = Ear(bpb)
        self.declare(options.get("key"))
        self.decider.reset(options.get("style"), bpb)
        self.next_beat = 0
        self.now = -math.inf

    def declare(self, key: str | None) -> None:
        """A named key ("e minor", "bb dorian"), or None: from now on the ear leans to it."""
        if key is None:
            self.ear.declare(None)
            return
        named = parse_key(str(key))
        if named is None:
            raise ValueError(f"{key!r} is not a key")
        tonic, mode = named
        degrees = SCALES[mode] + ((11,) if mode in ("minor", "aeolian") else ())  # and the leading note
        self.ear.declare(key_index(tonic, mode), mode_scale(tonic, degrees))

    def _advance(self, t: float) -> None:
        if not math.isfinite(t):
            raise ValueError(f"time {t!r} is not a number")
        if t < self.now:
            raise ValueError(f"time went back from {self.now} to {t}")
        self.now = t
        while self.next_beat <= t:
            self.decider.on_beat(self.ear, self.next_beat)
            self.next_beat += 1

    def handle(self, msg: dict) -> dict | None:
        """Apply one message; the answer for a decide, None otherwise. Raises ValueError on bad input."""
        if "decide" in msg:
            t = float(msg["decide"])
            self._advance(t)
            return answer(msg["decide"], self.decider.decide(self.ear, t))
        if "note_on" in msg:
            e = msg["note_on"]
            t = float(e["t"])
            self._advance(t)
            velocity = int(e.get("velocity", 90))
            if velocity == 0:  # MIDI's note-on with velocity 0 is a note-off
                self.ear.note_off(t, int(e["pitch"]))
            else:
                self.ear.note_on(t, int(e["pitch"]), velocity)
        elif "note_off" in msg:
            e = msg["note_off"]
            t = float(e["t"])
            self._advance(t)
            self.ear.note_off(t, int(e["pitch"]))
        elif "reset" in msg:
            self.reset(msg["reset"] or {})
        elif "key" in msg:
            self.declare(msg["key"])
        else:
            raise ValueError(f"unknown message {sorted(msg)}")
        return None


def serve(session: Session, inp: TextIO = sys.stdin, out: TextIO = sys.stdout,
          err: TextIO = sys.stderr) -> int:
    """Answer JSON lines until end of input; each answer is flushed at once."""
    for number, line in enumerate(inp, 1):
        if not line.strip():
            continue
        try:
            msg = json.loads(line)
            if not isinstance(msg, dict):
                raise ValueError("a message is a JSON object")
            reply = session.handle(msg)
        except (ValueError, KeyError, TypeError) as e:
            print(f"accompany: line {number}: {e}", file=err, flush=True)
            reply = _fallback(line)
        if reply is not None:
            out.write(json.dumps(reply) + "\n")
            out.flush()
    return 0


def _fallback(line: str) -> dict | None:
    """A decide that could not be applied (e.g. time went back) still gets its one answer: no chord."""
    try:
        msg = json.loads(line)
        return answer(msg["decide"], None) if isinstance(msg, dict) and "decide" in msg else None
    except (ValueError, TypeError):
        return None


def default_session() -> Session:
    """The shipped accompanist (loads torch and the weights)."""
    from .decide import ModelDecider

    return Session(ModelDecider())
