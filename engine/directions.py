"""Directions: what the performer says or types, applied to the engine, each one undoable.

An intent (engine/speech/intents.py) changes the same state that the keys and the patch change:
the tempo, key and style of the scheduler, the transport, and the band's settings. Before each
change the state is copied, so `undo` puts back exactly what was there; a rating is undone by
taking it out of the profile again. The log keeps what was heard and what it did, for the console.
"""

from __future__ import annotations

import copy
from collections import deque
from dataclasses import dataclass, replace
from typing import Any

from dsl.notes import parse_key
from dsl.rational import Fraction

from .accompanist.live import EXTRA_SOUND, FAMILIES, BandSettings
from .speech.intents import parse_intent

KNOB_STEP = 0.25  # how far "more syncopation" moves a knob
GAIN_STEP = 1.25  # "louder": the band's gain times this
TEMPO_STEP = 1.08  # "faster": the tempo times this
TEMPO_RANGE = (20.0, 300.0)


@dataclass
class Snapshot:
    cps: Fraction
    key: tuple[int, str] | None
    style: str | None
    stopped: bool
    band: BandSettings
    directed: tuple[set[int], set[int], int]  # the band's fills, breaks, section
    learner: Any  # a copy of the performer's profile, where a rating was given


class Directions:
    def __init__(self, engine):
        self.engine = engine
        self.undo_stack: list[tuple[str, Snapshot]] = []
        self.log: deque[dict] = deque(maxlen=8)

    def say(self, text: str, source: str = "typed", confidence: float | None = None) -> dict:
        """A phrase, typed or recognized: parsed, applied, logged. Unknown phrases change nothing."""
        return self.act(parse_intent(text), text, source, confidence)

    def act(self, intent: dict | None, text: str, source: str, confidence: float | None = None) -> dict:
        entry = {"text": text, "source": source, "intent": intent}
        if confidence is not None:
            entry["confidence"] = confidence
        if intent is None:
            entry["did"] = "nothing changed: not a direction I know"
        else:
            snapshot = self._snapshot(intent["name"] == "rating")
            entry["did"] = getattr(self, "_" + intent["name"])(**intent["args"])
            self.undo_stack = (self.undo_stack + [(text, snapshot)])[-50:]
        self.log.append(entry)
        return entry

    def undo(self) -> dict:
        if not self.undo_stack:
            entry = {"text": "undo", "source": "key", "intent": None, "did": "nothing to undo"}
        else:
            text, snapshot = self.undo_stack.pop()
            self._restore(snapshot)
            entry = {"text": "undo", "source": "key", "intent": None, "did": f"undid {text!r}"}
        self.log.append(entry)
        return entry

    # -- state -----------------------------------------------------------------
    def _snapshot(self, with_learner: bool) -> Snapshot:
        engine, band = self.engine, self.engine.band
        with engine.lock:
            s = engine.scheduler
            state = (s.cps, s.key, s.style, s.stopped)
        if with_learner and band.learner is None:
            from .accompanist.learner import Learner

            band.learner = Learner.load()
        return Snapshot(*state, band.settings, (set(band.fills), set(band.breaks), band.section),
                        copy.deepcopy((band.learner.means, band.learner.baselines, band.learner.history))
                        if with_learner else None)

    def _restore(self, snap: Snapshot) -> None:
        engine, band = self.engine, self.engine.band
        at = engine.scheduled_until
        with engine.lock:
            s = engine.scheduler
            if snap.cps != s.cps:
                s.set_cps(snap.cps, at)
            s.key, s.style = snap.key, snap.style
        if snap.stopped != engine.scheduler.stopped:
            engine.transport("stop" if snap.stopped else "start")
        band.fills, band.breaks, band.section = snap.directed
        if snap.learner is not None:
            band.learner.means, band.learner.baselines, band.learner.history = snap.learner
            band.learner.save()
        band.configure(snap.band)

    def _band(self, **changes) -> BandSettings:
        settings = replace(self.engine.band.settings, **changes)
        self.engine.band.configure(settings)
        return settings

    # -- one method per intent ---------------------------------------------------
    def _style(self, style: str) -> str:
        with self.engine.lock:
            self.engine.scheduler.style = style
        self._band(on=True, style=None)
        return f"the band plays {style}"

    def _tempo(self, bpm: int | None = None, change: str | None = None) -> str:
        engine = self.engine
        with engine.lock:
            now = float(engine.scheduler.bpm)
            factor = {"faster": TEMPO_STEP, "slower": 1 / TEMPO_STEP, "half": 0.5, "double": 2.0}
            wanted = float(bpm) if bpm is not None else now * factor[change]
            wanted = min(max(wanted, TEMPO_RANGE[0]), TEMPO_RANGE[1])
            engine.scheduler.set_cps(Fraction(round(wanted * 100), 240 * 100), engine.scheduled_until)
        return f"tempo {wanted:.0f}"

    def _key(self, tonic: str, mode: str) -> str:
        key = parse_key(f"{tonic} {mode}")
        if key is None:
            return f"nothing changed: {tonic} {mode} is not a key"
        with self.engine.lock:
            self.engine.scheduler.key = key
        return f"key of {tonic} {mode}"

    def _add_instrument(self, instrument: str) -> str:
        settings = self.engine.band.settings
        called = {instrument} | {name for name, members in FAMILIES.items() if instrument in members}
        if set(settings.dropped) & called:
            self._band(on=True, dropped=tuple(d for d in settings.dropped if d not in called))
            return f"{instrument} back in"
        sound = EXTRA_SOUND.get(instrument, instrument)
        if sound in settings.extras:
            return f"nothing changed: {instrument} already plays"
        self._band(on=True, extras=settings.extras + (sound,))
        return f"{instrument} added"

    def _drop_instrument(self, instrument: str) -> str:
        settings = self.engine.band.settings
        sound = EXTRA_SOUND.get(instrument, instrument)
        if sound in settings.extras:
            self._band(extras=tuple(e for e in settings.extras if e != sound))
        elif instrument not in settings.dropped:
            self._band(dropped=settings.dropped + (instrument,))
        return f"{instrument} out"

    def _feel(self, knob: str, change: str) -> str:
        offsets = dict(self.engine.band.settings.offsets)
        step = {"more": KNOB_STEP, "less": -KNOB_STEP, "on": 1.0, "off": -1.0}[change]
        offsets[knob] = min(1.0, max(-1.0, offsets.get(knob, 0.0) + step)) if change in ("more", "less") else step
        self._band(offsets=tuple(sorted(offsets.items())))
        return f"{change} {knob}"

    def _dynamics(self, change: str) -> str:
        gain = self.engine.band.settings.gain * (GAIN_STEP if change == "louder" else 1 / GAIN_STEP)
        self._band(gain=round(min(max(gain, 0.25), 2.0), 3))
        return f"the band {change}"

    def _structure(self, action: str) -> str:
        if action == "keep":
            self._band(keep=True)
            return "the band keeps this groove"
        if action == "next":
            self._band(keep=False)
        bar = self.engine.band.direct(action)
        return {"fill": "a fill", "break": "a break", "next": "the next section"}[action] + f" at bar {bar + 1}"

    def _rating(self, value: int) -> str:
        history = self.engine.band.rate(int(value))["history"]
        return f"rated the last bars {value}/5 · ratings so far: {' '.join(map(str, history))}"

    def _transport(self, action: str) -> str:
        self.engine.transport(action)
        return "stopped" if action == "stop" else "playing"
