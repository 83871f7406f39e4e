"""The live band's brain, in its own process: the ear and the trained model, answering per beat.
Besides those, {"follow": 0..1} sets how much the ear weighs against the model (the performer's
learned taste; 0.5 is the shipped fusion).

    python -m engine.accompanist.brain      (started by the engine's live band; JSON lines)

It runs apart from the engine because loading the model imports torch (seconds of held GIL,
which would make audio callbacks late); once loaded, a decision costs well under a millisecond.
The messages are those of `jam accompany --online` (reset, note_on, note_off, decide), and the
answer to a decide adds what the console shows: the chord's name, the key the ear hears, and
the chords it weighs for this beat with their probabilities.
"""

from __future__ import annotations

import json
import sys

import numpy as np

from . import chords
from .ear import key_name
from .online import Session, answer

FOLLOW_RANGE = 3.0  # follow 1 weighs the ear this many times the shipped weight; follow 0, a third of it


def describe(session: Session, t: float, chord: int | None, top: int = 3) -> dict:
    reply = answer(t, chord)
    reply["name"] = chords.name(chord) if chord is not None else None
    ear, decider = session.ear, session.decider
    reply["key"] = key_name(ear.key()) if ear.heard else None
    weighed = []
    if ear.heard:
        score = decider.ear_weight * ear.chord_logp(ear.key())
        if decider.prior_logp is not None:
            score = score + decider.prior_logp
        p = np.exp(score - score.max())
        p /= p.sum()
        weighed = [{"name": chords.name(int(c)), "p": round(float(p[c]), 3)} for c in np.argsort(-p)[:top]]
    reply["weighed"] = weighed
    return reply


def main() -> int:
    from .decide import ModelDecider

    session = Session(ModelDecider())
    shipped_ear = session.decider.ear_weight
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        try:
            msg = json.loads(line)
            if "follow" in msg:  # the learned taste: how closely to follow what is heard (0..1, 0.5 as shipped)
                session.decider.ear_weight = shipped_ear * FOLLOW_RANGE ** (2 * float(msg["follow"]) - 1)
                continue
            reply = session.handle(msg)
            if "decide" in msg:
                reply = describe(session, float(msg["decide"]), session.decider.current if reply.get("pcs") else None)
        except (ValueError, KeyError, TypeError) as err:
            reply = {"error": str(err)} if "decide" in line else None
        if reply is not None:
            print(json.dumps(reply), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
