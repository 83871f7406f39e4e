"""The band, live: it hears the performer, decides each beat's chord a little ahead, and keeps its
parts playing as ordinary channels of the scheduler (`band-bass`, `band-comp`, `band-hh`, ...).

The brain (ear and model) runs in its own process (`brain.py`); this thread feeds it the notes
heard (MIDI input, and the performer's own melodic channels) and asks, LEAD seconds before each
beat, which chord to play from that beat. Notes that arrive after a decision count from the
beat it was made for: the brain's time never goes back. The chord plan of this bar and the
next is arranged (arranger.arrange_parts, with the rated knobs) into pattern text, parsed, and
swapped into the scheduler well before the scheduler reaches that beat, so the band never waits
on the brain: when the brain is late or gone, the last chord holds.
"""

from __future__ import annotations

import json
import math
import os
import queue
import subprocess
import sys
import threading
import time
from collections import deque
from dataclasses import asdict, dataclass, field, replace

from dsl.patch import parse_patch

from ..voices import INSTRUMENTS, OSCILLATORS

from .arranger import STYLES, Knobs, arrange_parts
from .chords import NOTE_NAMES
from .ear import MINOR_MODES
from .learner import Learner

LEAD = 0.35  # seconds before a beat that its chord is decided and arranged
PREFIX = "band-"  # the band's channels: the performer can mute, solo and meter them like any other
PERIOD_BARS = 4  # bars one rating rates; a rating starts a new period
DRUM_PARTS = {"bd", "sn", "hh", "oh", "cp", "rim", "ride", "crash", "lt", "mt", "ht", "conga", "bongo", "shaker",
              "cowbell", "claves", "tamb"}
FAMILIES = {  # what the performer may call a part: the sounds of a family
    "keys": {"keys", "piano", "acoustic_piano", "electric_piano", "epiano", "organ", "synthesizer", "synth"},
    "guitar": {"guitar", "acoustic_guitar", "electric_guitar"},
    "strings": {"strings", "violin", "cello"},
    "pad": {"pad", "pad_synth"},
    "bass": {"bass", "bass_guitar", "saw"},
}
EXTRA_SOUND = {"keys": "epiano", "guitar": "acoustic_guitar", "strings": "strings", "pad": "pad", "piano": "piano"}
MELODIC = set(INSTRUMENTS) | set(OSCILLATORS)


def family(sound: str) -> set[str]:
    """The names a sound answers to: itself and every family it belongs to."""
    return {sound} | {name for name, members in FAMILIES.items() if sound in members}


@dataclass(frozen=True)
class BandSettings:
    """What the performer asked of the band: kept whole so that a direction can be undone."""

    on: bool = False
    style: str | None = None  # None: the patch's style (or pop)
    offsets: tuple[tuple[str, float], ...] = ()  # knob offsets asked for ("more syncopation")
    extras: tuple[str, ...] = ()  # sounds added ("add brass")
    dropped: tuple[str, ...] = ()  # parts or families dropped ("drop the drums")
    gain: float = 1.0  # "louder", "softer"
    keep: bool = False  # "keep this groove": the bars stop varying


@dataclass
class Brain:
    """The brain process and its answers (a reader thread turns its lines into a queue)."""

    state: str = "off"  # off, loading, ready, failed: ...
    process: subprocess.Popen | None = None
    answers: queue.Queue = field(default_factory=queue.Queue)

    def start(self) -> None:
        env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
        self.state = "loading"
        self.process = subprocess.Popen([sys.executable, "-m", "engine.accompanist.brain"], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, bufsize=1,
                                        env=env, cwd=os.path.dirname(os.path.dirname(os.path.dirname(__file__))))
        threading.Thread(target=self._read, daemon=True, name="band-brain").start()

    def _read(self) -> None:
        process = self.process
        for line in process.stdout:
            try:
                answer = json.loads(line)
            except ValueError:
                continue
            if answer.get("ready"):
                self.state = "ready"
            else:
                self.answers.put(answer)
        if self.process is process:
            self.state = f"failed: the brain stopped (exit {process.wait()})"

    def send(self, message: dict) -> bool:
        if self.process is None or self.state != "ready":
            return False
        try:
            self.process.stdin.write(json.dumps(message) + "\n")
            self.process.stdin.flush()
            return True
        except (OSError, ValueError):
            self.state = "failed: the brain's pipe broke"
            return False

    def ask(self, message: dict, timeout: float) -> dict | None:
        while not self.answers.empty():  # answers that came too late for their beat
            self.answers.get_nowait()
        if not self.send(message):
            return None
        try:
            return self.answers.get(timeout=timeout)
        except queue.Empty:
            return None

    def stop(self) -> None:
        process, self.process, self.state = self.process, None, "off"
        if process is not None:
            process.kill()
            process.wait()


class LiveBand:
    """Runs in the engine process beside the scheduler thread; `engine` is the RealtimeEngine."""

    def __init__(self, engine, learner: Learner | None = None):
        self.engine = engine
        self.settings = BandSettings()
        self.learner = learner
        self.brain = Brain()
        self.heard: queue.SimpleQueue = queue.SimpleQueue()  # (sample, pitch, velocity)
        self.pending: list[tuple[int, int, int]] = []  # notes heard, not yet due
        self.fills: set[int] = set()  # bars the performer asked a fill or a break for
        self.breaks: set[int] = set()
        self.section = 0
        self.plan: dict[int, tuple[int, list[int]] | None] = {}  # absolute beat -> chord
        self.last: dict = {}  # the brain's last answer, for the console
        self.owned: set[str] = set()  # channels the band has put in the scheduler
        self.knobs = Knobs()  # the rating period's proposal (before the performer's offsets)
        self.period_start = 0  # first bar of the rating period
        self.decided_beat: int | None = None
        self.origin = 0  # the beat the brain's time counts from
        self.style_heard: str | None = None  # the style the brain was reset with
        self.key_told: str | None = None  # the named key the brain was last told
        self.running = False
        self.thread: threading.Thread | None = None
        self.dirty = False  # settings or directions changed since the band was last arranged
        self.synced = False  # whether the brain was reset for this performance (it may still be loading)
        self.timings: deque[float] = deque(maxlen=256)  # seconds each beat's decision and arrangement took
        self.lock = threading.Lock()

    # -- the performer's side --------------------------------------------------
    def hear(self, sample: int, pitch: int, velocity: int) -> None:
        """A note the band should follow, from any thread (velocity 0: the note ends)."""
        self.heard.put((sample, pitch, velocity))

    def configure(self, settings: BandSettings) -> None:
        with self.lock:
            self.settings = settings
            self.dirty = True  # heard at once, not from the next beat
        if settings.on and not self.running:
            self.start()
        elif not settings.on and self.running:
            self.stop()

    def style(self) -> str:
        chosen = self.settings.style or self.engine.scheduler.style or "pop"
        return chosen if chosen in STYLES else "pop"

    def knobs_played(self) -> Knobs:
        knobs = asdict(self.knobs)
        for name, offset in self.settings.offsets:
            knobs[name] = min(1.0, max(0.0, knobs[name] + offset))
        return Knobs(**knobs)

    def rate(self, value: int) -> dict:
        """A rating of the last bars: what the band played in them moves the performer's profile."""
        if self.learner is None:
            self.learner = Learner.load()
        bar = int(self.engine.status_cycle())
        style = self.style()
        played = self.knobs if self.running else self.learner.mean(style)
        self.learner.rate(style, value, played, bars=list(range(max(bar - PERIOD_BARS, 0), bar)))
        self.learner.save()
        self._new_period(bar)
        return {"ok": True, "history": [r.value for r in self.learner.history[-8:]]}

    def _new_period(self, bar: int) -> None:
        if self.learner is None:
            self.learner = Learner.load()
        self.knobs = self.learner.propose(self.style())
        self.period_start = bar
        self.brain.send({"follow": self.knobs_played().follow})

    # -- the thread ------------------------------------------------------------
    def start(self) -> None:
        self.running = True
        self.brain.start()
        self.decided_beat, self.synced = None, False
        self._new_period(int(self.engine.status_cycle()))
        self.thread = threading.Thread(target=self._loop, daemon=True, name="band")
        self.thread.start()

    def stop(self) -> None:
        self.running = False
        if self.thread is not None and self.thread is not threading.current_thread():
            self.thread.join(timeout=2)
        self.thread = None
        self.brain.stop()
        with self.engine.lock:
            for name in self.owned:
                self.engine.scheduler.channels.pop(name, None)
        self.owned.clear()

    def _loop(self) -> None:
        while self.running:
            time.sleep(0.01)
            engine = self.engine
            with engine.lock:
                scheduler = engine.scheduler
                if scheduler.stopped:
                    continue
                now = int(engine.frames[0])
                beat_now = float(scheduler.cycle_at(now)) * 4
                lead = LEAD * float(scheduler.cps) * 4
            beat = math.floor(beat_now + lead)
            try:
                if self.decided_beat is None or beat > self.decided_beat:
                    started = time.perf_counter()
                    self._decide(beat, now)
                    self.timings.append(time.perf_counter() - started)
                elif self.dirty:
                    self.dirty = False
                    self._play(self.decided_beat // 4, self.decided_beat)
            except Exception as err:  # the band must never take the engine down: say it, hold on
                with engine.lock:
                    engine.scheduler.messages.append(f"band: {type(err).__name__}: {err}")
                self.decided_beat = beat

    def _feed(self, now: int, t: float) -> None:
        """Hand the brain every note heard up to the sample `now`, at brain time no earlier than t."""
        while True:
            try:
                self.pending.append(self.heard.get_nowait())
            except queue.Empty:
                break
        self.pending.sort(key=lambda n: (n[0], n[2] > 0))  # a note ends before one starts at its sample
        due = [n for n in self.pending if n[0] <= now]
        self.pending = self.pending[len(due):]
        scheduler = self.engine.scheduler
        for sample, pitch, velocity in due:
            beat = max(float(scheduler.cycle_at(sample)) * 4 - self.origin, t)
            if velocity:
                self.brain.send({"note_on": {"t": beat, "pitch": pitch, "velocity": velocity}})
            else:
                self.brain.send({"note_off": {"t": beat, "pitch": pitch}})

    def _decide(self, beat: int, now: int) -> None:
        style = self.style()
        if self.decided_beat is None or beat < self.decided_beat:
            self.plan = {}  # a new start, or the transport went back
        if self.decided_beat is None or beat < self.decided_beat or style != self.style_heard or \
                (not self.synced and self.brain.state == "ready"):
            self.origin, self.style_heard = beat, style  # the brain's time starts again here
            self.key_told = self._named_key()
            self.synced = self.brain.send({"reset": {"style": style, "time_signature": "4/4",
                                                     "bpm": self.engine.scheduler.bpm, "key": self.key_told}})
            self.brain.send({"follow": self.knobs_played().follow})
        elif self._named_key() != self.key_told:  # the patch or a direction named another key
            self.key_told = self._named_key()
            self.brain.send({"key": self.key_told})
        self.plan = {b: c for b, c in self.plan.items() if b >= beat - 64}  # the freeze needs 16 at most
        last_t = 0.0 if self.decided_beat is None else self.decided_beat - self.origin
        self._feed(now, last_t)
        answer = self.brain.ask({"decide": beat - self.origin}, timeout=0.1)
        chord = None
        if answer is not None and answer.get("pcs"):
            chord = (answer["root_pc"], answer["pcs"])
            self.last = answer
        elif answer is not None:
            self.last = answer
        if chord is None:  # nothing heard yet, or no answer in time: hold, or play the key's tonic
            chord = self.plan.get(beat - 1) or self._tonic()
        self.plan[beat] = chord
        self.decided_beat = beat
        bar = beat // 4
        if bar - self.period_start >= PERIOD_BARS and beat % 4 == 0:
            self._new_period(bar)  # no rating came: the next period tries another proposal
        self._play(bar, beat)

    def _named_key(self) -> str | None:
        """The scheduler's key (the patch's `key`, or "key of A minor") as the brain reads it."""
        key = self.engine.scheduler.key
        return None if key is None else f"{NOTE_NAMES[key[0]]} {key[1]}"

    def _tonic(self) -> tuple[int, list[int]] | None:
        key = self.engine.scheduler.key
        if key is None:
            return None
        tonic, mode = key
        third = 3 if mode in MINOR_MODES else 4
        return tonic, sorted({tonic, (tonic + third) % 12, (tonic + 7) % 12})

    def direct(self, action: str) -> int:
        """A fill, a break or the next section, from the next bar on; returns that bar."""
        bar = int(self.engine.status_cycle()) + 1
        if action == "fill":
            self.fills.add(bar)
        elif action == "break":
            self.breaks.add(bar)
        elif action == "next":
            self.fills.add(bar - 1)
            self.section += 1
        self.dirty = True
        return bar

    def _parts(self, bar: int, window: list) -> list[tuple[str, str]]:
        """The band's parts over `window` (a chord per beat from bar `bar`), as the performer directed
        them: (part, pattern text), without the parts they dropped."""
        settings = self.settings
        parts = arrange_parts(window, self.style(), self.knobs_played(), first_bar=bar, extras=settings.extras,
                              fills=frozenset(self.fills), breaks=frozenset(self.breaks),
                              keep=self.period_start if settings.keep else None, section=self.section)
        gain = f" |* gain {settings.gain:.2f}" if settings.gain != 1 else ""
        dropped = set(settings.dropped)
        return [(part, text + gain) for part, text in parts
                if not (family(_sound_of(text) or part) | family(part)
                        | ({"drums"} if part in DRUM_PARTS else set())) & dropped]

    def _play(self, bar: int, beat: int) -> None:
        """Arrange this bar and the next from the plan (chords not yet decided hold) and swap them in."""
        chord = self.plan[beat]
        window = [self.plan.get(b, chord) if b <= beat else chord for b in range(bar * 4, bar * 4 + 8)]
        parts = self._parts(bar, window)
        patch = parse_patch("\n".join(f'p "{PREFIX}{part}" $ {text}' for part, text in parts))
        if patch.errors:  # the arranger's own text must parse: anything here is a bug
            raise ValueError(f"arranger wrote a bad line: {patch.errors[0].message}")
        names = {PREFIX + part for part, _ in parts}
        with self.engine.lock:
            for name in self.owned - names:
                self.engine.scheduler.channels.pop(name, None)
            self.engine.scheduler.quiet.update(names)
        self.owned = names
        self.engine.apply(patch)

    def freeze(self) -> tuple[str, list[str]]:
        """The bars the band just played (four at most) as patch text on free channels d1..d16,
        playing at once in its place: the band stops, its parts go on as the performer's to edit.
        Returns the text and the channels."""
        if not self.running or not self.plan:
            raise ValueError("the band is not playing: f6 brings it in")
        bar = int(self.engine.status_cycle())
        first = max(min(self.plan) // 4, bar - PERIOD_BARS)
        window, held = [], None
        for beat in range(first * 4, max(bar, first + 1) * 4):
            held = self.plan.get(beat, held)
            window.append(held)
        parts = self._parts(first, window)
        with self.engine.lock:
            free = [f"d{n}" for n in range(1, 17) if f"d{n}" not in self.engine.scheduler.channels]
        names = [free[i] if i < len(free) else f"frozen-{part}" for i, (part, _) in enumerate(parts)]
        lines = [f"-- the band ({self.style()}), frozen from bar {first}: yours to edit"]
        lines += [f"{name} $ {text}" if name.startswith("d") else f'p "{name}" $ {text}'
                  for name, (_, text) in zip(names, parts)]
        text = "\n".join(lines) + "\n"
        self.configure(replace(self.settings, on=False))
        self.engine.apply(parse_patch(text))
        return text, names

    def status(self) -> dict:
        s = self.settings
        return {"on": s.on, "style": self.style(), "brain": self.brain.state, "chord": self.last.get("name"),
                "key": self.last.get("key"), "weighed": self.last.get("weighed", []),
                "knobs": {k: round(v, 2) for k, v in asdict(self.knobs_played()).items()},
                "extras": list(s.extras), "dropped": list(s.dropped), "gain": s.gain, "keep": s.keep,
                "channels": sorted(self.owned),
                "ratings": [r.value for r in self.learner.history[-8:]] if self.learner else [],
                "beat_ms": _percentiles(self.timings)}


def _percentiles(seconds: deque) -> dict:
    """Median and worst of the recent beats' decision times, in milliseconds (what LEAD must cover)."""
    if not seconds:
        return {}
    ordered = sorted(seconds)
    return {"median": round(1000 * ordered[len(ordered) // 2], 2), "max": round(1000 * ordered[-1], 2),
            "beats": len(ordered)}


def _sound_of(text: str) -> str | None:
    marker = '# s "'
    if marker not in text:
        return None
    return text.split(marker, 1)[1].split('"', 1)[0]

