"""Real-time playback: a sounddevice stream (or a silent clock) fed by a scheduler thread.

The audio callback does one thing: one nogil numba call that renders the block
from the shared arrays. Pattern queries (Python, Fractions) run in a scheduler
thread that keeps the event ring filled LOOKAHEAD seconds ahead of the audio,
so a slow query delays nothing that is already due.
"""

from __future__ import annotations

import math
from collections import deque
import os
import sys
import threading
import time
from dataclasses import dataclass, field, replace

import numpy as np

from dsl.patch import Patch
from dsl.rational import Fraction

from .kernel import LATE, METERING, EventRing, warm_up
from .accompanist.live import MELODIC, LiveBand
from .midi_input import MidiInput, MidiPlayer, listen
from .rehearsal import Rehearsal
from .samples import SampleBank
from .voices import EV_CHANNEL, EV_FREQ, EV_GATE, EV_KIND, EV_SAMPLE, EV_VELOCITY, PIANO
from .scheduler import Scheduler

REHEARSAL = "file"  # the channel name a rehearsal MIDI file plays on (meters, piano roll)
LOOKAHEAD = 0.15  # seconds of events queued ahead of the audio
TICK = 0.04  # how often the scheduler thread wakes: fewer, larger queries hold the GIL less in all


@dataclass
class AudioInfo:
    """What the performer should know about the audio output."""

    backend: str = "silent"
    device: str = ""
    rate: int = 48000
    block: int = 128
    latency: float = 0.0
    message: str = ""
    xruns: int = 0
    callbacks: int = 0
    slow_callbacks: int = 0
    load: float = 0.0  # share of each block's time spent rendering it (smoothed)
    late_callbacks: int = 0  # callbacks that started over a block late (waiting for the GIL counts)
    errors: list[str] = field(default_factory=list)


def pick_output(backend: str | None = None) -> tuple[int | None, str]:
    """Choose an output device: JAM_AUDIO_DEVICE, the default, or the first JACK/other output.

    Returns (device index or None, description); index None means there is none.
    """
    import sounddevice as sd

    wanted = backend or os.environ.get("JAM_AUDIO_DEVICE")
    devices = sd.query_devices()
    apis = sd.query_hostapis()
    outputs = [(i, d) for i, d in enumerate(devices) if d["max_output_channels"] >= 2]
    if wanted:
        for i, d in outputs:
            if wanted.lower() in f"{d['name']} {apis[d['hostapi']]['name']}".lower():
                return i, f"{d['name']} ({apis[d['hostapi']]['name']})"
        return None, f"no output device matches {wanted!r}"
    try:
        default = sd.default.device[1]
    except Exception:
        default = -1
    if default is not None and default >= 0 and devices[default]["max_output_channels"] >= 2:
        d = devices[default]
        return default, f"{d['name']} ({apis[d['hostapi']]['name']})"
    if outputs:
        i, d = outputs[0]
        return i, f"{d['name']} ({apis[d['hostapi']]['name']})"
    return None, "no audio output device"


class RealtimeEngine:
    """Plays a scheduler through the sound card, or on a silent clock when there is none."""

    def __init__(self, rate: int = 48000, block: int = 128, audio: bool = True, device: str | None = None,
                 midi: str | None = None, midi_instrument: int = PIANO, samples=None):
        """`samples`: the sample folders (a path, several joined by os.pathsep, or a list; None:
        JAM_SAMPLES). Their files load on first use, in the scheduler thread."""
        self.rate, self.block = rate, block
        self.samples = SampleBank(samples, rate)
        self.scheduler = Scheduler(rate, samples=self.samples)
        self.ring = EventRing(max_block=8192, rate=rate, samples=self.samples)
        self.lock = threading.Lock()  # guards the scheduler between the socket and scheduler threads
        self.frames = np.zeros(1, dtype=np.int64)  # samples rendered so far: the audio clock
        self.info = AudioInfo(rate=rate, block=block)
        self.want_audio = audio
        self.device = device
        self.scheduled_until = 0
        self.running = False
        self._stream = None
        self._threads: list[threading.Thread] = []
        self.started_at = 0.0
        self._next_start = 0.0  # when the next callback is due, by the callbacks' own clock
        self.midi = MidiInput(midi) if midi else None
        self.midi_player = MidiPlayer(rate, midi_instrument)
        self._midi_running = threading.Event()
        self.band = LiveBand(self)
        self.rehearsal: Rehearsal | None = None  # a MIDI file playing the performer's part
        self.live_lock = threading.Lock()  # the live ring has one producer at a time: MIDI or the keys
        self.roll: deque[list] = deque(maxlen=1024)  # [start, end sample (-1: held), pitch, who]: the piano roll

    # -- audio ---------------------------------------------------------------
    def _callback(self, outdata, frames, time_info, status) -> None:
        if status.output_underflow or status.output_overflow:
            self.info.xruns += 1
        start = time.perf_counter()
        period = frames / self.rate
        if self._next_start and start - self._next_start > period:
            self.info.late_callbacks += 1
        self._next_start = max(self._next_start + period, start) if self._next_start else start + period
        self.ring.render(outdata, int(self.frames[0]), float(self.rate))
        self.frames[0] += frames
        self.info.callbacks += 1
        share = (time.perf_counter() - start) * self.rate / frames
        self.info.load += 0.02 * (share - self.info.load)
        if share > 1.0:
            self.info.slow_callbacks += 1

    def _open_stream(self) -> bool:
        try:
            import sounddevice as sd

            index, description = pick_output(self.device)
            if index is None:
                self.info.message = f"{description}: playing on a silent clock"
                return False
            self._stream = sd.OutputStream(samplerate=self.rate, blocksize=self.block, device=index, channels=2,
                                           dtype="float32", latency="low", callback=self._callback)
            self._stream.start()
            self.info.backend, self.info.device = "audio", description
            self.info.latency = float(self._stream.latency)
            return True
        except Exception as err:  # no PortAudio, no device, device busy: never crash, say it once
            self.info.message = f"audio output unavailable ({err}): playing on a silent clock"
            self._stream = None
            return False

    def _silent_clock(self) -> None:
        """Advance the audio clock in real time, rendering into a scratch buffer."""
        out = np.zeros((self.block, 2), dtype=np.float32)
        period = self.block / self.rate
        next_time = time.perf_counter()
        while self.running:
            start = time.perf_counter()
            self.ring.render(out, int(self.frames[0]), float(self.rate))
            self.frames[0] += self.block
            self.info.callbacks += 1
            self.info.load += 0.02 * ((time.perf_counter() - start) / period - self.info.load)
            next_time += period
            delay = next_time - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            elif delay < -0.5:  # the machine stalled: do not try to catch up in a burst
                next_time = time.perf_counter()

    # -- scheduling ----------------------------------------------------------
    def _schedule_loop(self) -> None:
        horizon = int(LOOKAHEAD * self.rate)
        while self.running:
            now = int(self.frames[0])
            if self.scheduled_until < now:  # fell behind (a stall): skip what is already past
                self.scheduled_until = now
            target = now + horizon
            if target > self.scheduled_until:
                try:
                    self._schedule(target)
                except Exception as err:  # noqa: BLE001  (a fault loses this window, never the show)
                    self.scheduler.messages.append(f"the scheduler skipped a moment: {err!r}")
                    self.scheduled_until = target
            time.sleep(TICK)

    def _schedule(self, target: int) -> None:
        """The events of [scheduled_until, target) into the ring, and the performer's notes to the band."""
        with self.lock:
            rows = self.scheduler.rows_between(self.scheduled_until, target)
            band_slots = {self.scheduler.meter_slots.get(name) for name in self.band.owned}
            if self.rehearsal is not None and not self.scheduler.stopped:
                played = self.rehearsal.rows_between(self.scheduled_until, target,
                                                     self.scheduler.meter_slot(REHEARSAL))
                rows = np.concatenate([rows, played])
                rows = rows[np.lexsort((rows[:, EV_KIND], rows[:, EV_SAMPLE]))]
        self.ring.push(rows)
        for start, end, pitch, velocity, who in self._remember(rows, band_slots):
            if who == "you" and self.band.running:  # the band follows the performer's channels
                self.band.hear(start, pitch, velocity)
                self.band.hear(end, pitch, 0)
        self.scheduled_until = target

    def start(self) -> None:
        sys.setswitchinterval(0.0005)  # let the audio thread have the GIL back quickly
        warm_up(float(self.rate))
        self.running = True
        self.started_at = time.time()
        threads = [self._schedule_loop]
        if not (self.want_audio and self._open_stream()):
            if not self.want_audio:
                self.info.message = "audio output off: playing on a silent clock"
            threads.append(self._silent_clock)
        for target in threads:
            t = threading.Thread(target=target, daemon=True, name=target.__name__)
            t.start()
            self._threads.append(t)
        if self.midi is not None:
            self._midi_running.set()
            t = threading.Thread(target=listen, daemon=True, name="midi", args=(
                self.midi, self.midi_player, lambda: int(self.frames[0]),
                self.play_live, self._midi_running, self._heard))
            t.start()
            self._threads.append(t)

    def stop(self) -> None:
        self.running = False
        self.band.stop()
        self._midi_running.clear()
        if self._stream is not None:
            try:
                self._stream.stop()
                self._stream.close()
            except Exception:
                pass
        for t in self._threads:
            t.join(timeout=1)
        if self.midi is not None:
            self.midi.close()

    # -- control (called from the socket thread) -----------------------------
    def apply(self, patch: Patch) -> None:
        with self.lock:
            self.scheduler.apply(patch, self.scheduled_until)

    def transport(self, action: str, cycle: float | None = None) -> None:
        """stop: hold the clock and let what sounds ring out; start: go on (or from `cycle`)."""
        with self.lock:
            if action == "stop":
                self.scheduler.stop(self.scheduled_until)
            else:
                self.scheduler.start(self.scheduled_until, None if cycle is None else Fraction(cycle))

    def toggle(self, what: str, channel: str) -> bool:
        """Mute or solo a channel, or undo it; returns whether it is now on."""
        with self.lock:
            chosen = self.scheduler.muted if what == "mute" else self.scheduler.soloed
            if channel in chosen:
                chosen.discard(channel)
                return False
            chosen.add(channel)
            return True

    def levels(self) -> dict[str, float]:
        """Each channel's peak (dBFS) since the last call; asking turns the kernel's metering on."""
        self.ring.counters[METERING] = 1
        peaks = self.ring.meters.copy()
        self.ring.meters[:] = 0.0
        with self.lock:
            slots = dict(self.scheduler.meter_slots)
        return {name: round(20 * math.log10(max(float(peaks[slot]), 1e-5)), 1) for name, slot in slots.items()}

    def hush(self) -> None:
        """Silence every channel, the band's too (it stops playing until it is switched on again)."""
        self.band.configure(replace(self.band.settings, on=False))
        with self.lock:
            self.scheduler.hush()

    def panic(self) -> None:
        self.hush()
        self.ring.panic()

    def play_live(self, rows: list[list[float]]) -> None:
        """Rows to sound now (MIDI input, the computer keyboard), ahead of everything scheduled."""
        with self.live_lock:
            self.ring.push(np.array(rows), live=True)

    def key_note(self, pitch: int, velocity: float = 0.8, seconds: float = 0.4) -> None:
        """A note from the computer keyboard: terminals send no key release, so it lasts `seconds`."""
        sample = int(self.frames[0])
        row = self.midi_player.note(pitch, velocity, sample, int(seconds * self.rate))
        self.play_live([row])
        self._heard(sample, pitch, int(velocity * 127))
        self._heard(sample + int(seconds * self.rate), pitch, 0)

    def rehearse(self, path: str) -> float:
        """Play a MIDI file as the performer's part, looped, from the next cycle on, at its tempo;
        returns the tempo. Raises ValueError (or OSError) for a file that cannot be played."""
        rehearsal = Rehearsal(path, self.rate)
        with self.lock:
            self.scheduler.set_cps(Fraction(round(rehearsal.bpm * 1000), 240 * 1000), self.scheduled_until)
            rehearsal.start = self.scheduler.sample_at(self.scheduler.cycle_at(self.scheduled_until) // 1 + 1)
            self.rehearsal = rehearsal
        return rehearsal.bpm

    def _heard(self, sample: int, pitch: int, velocity: int) -> None:
        """A note of the MIDI input: the band follows it, the piano roll shows it."""
        self.band.hear(sample, pitch, velocity)
        if velocity:
            self.roll.append([sample, -1, pitch, "you"])
        else:
            for note in reversed(self.roll):
                if note[2] == pitch and note[1] == -1 and note[3] == "you":
                    note[1] = sample
                    break

    def _remember(self, rows: np.ndarray, band_slots: set) -> list[tuple[int, int, int, int, str]]:
        """The melodic notes just scheduled, kept for the piano roll: (start, end, pitch, velocity,
        "you" or "band")."""
        notes = []
        for row in rows:
            if int(row[EV_KIND]) in MELODIC and row[EV_FREQ] > 0:
                start = int(row[EV_SAMPLE])
                notes.append((start, start + int(min(max(row[EV_GATE], 1), self.rate * 8)),
                              int(round(69 + 12 * math.log2(row[EV_FREQ] / 440.0))), max(1, int(row[EV_VELOCITY] * 127)),
                              "band" if int(row[EV_CHANNEL]) in band_slots else "you"))
        self.roll.extend([start, end, pitch, who] for start, end, pitch, _, who in notes)
        return notes

    def piano_roll(self, cycles: float = 2.0) -> dict:
        """The notes of the last `cycles` (up to now, output latency included), times in cycles."""
        heard = max(int(self.frames[0]) - int(self.info.latency * self.rate), 0)
        with self.lock:
            now = float(self.scheduler.cycle_at(heard))
            cycle_of = self.scheduler.cycle_at
            notes = [[round(float(cycle_of(start)), 4), round(float(cycle_of(end if end >= 0 else heard)), 4), pitch, who]
                     for start, end, pitch, who in list(self.roll) if start <= heard]
        return {"now": now, "notes": [n for n in notes if n[1] >= now - cycles]}

    def status_cycle(self) -> float:
        with self.lock:
            return float(self.scheduler.cycle_at(int(self.frames[0])))

    def playing(self) -> list[list[int]]:
        """Source places (line, column, end column) of the atoms heard now, output latency included.
        Read from what the scheduler already computed: no pattern is queried here."""
        heard = max(int(self.frames[0]) - int(self.info.latency * self.rate), 0)
        with self.lock:
            return [list(p) for p in self.scheduler.sounding(heard)]

    def _midi_status(self) -> dict | None:
        if self.midi is None:
            return None
        activity = self.midi.activity
        return {"ports": list(activity.ports), "messages": activity.messages,
                "recent": [[note, velocity] for when, note, velocity in activity.recent if time.time() - when < 4]}

    def status(self) -> dict:
        with self.lock:
            cycle = float(self.scheduler.cycle_at(int(self.frames[0])))
            messages = list(self.scheduler.messages[-5:])
            unknown = sorted(self.scheduler.unknown_sounds)
            channels = sorted(self.scheduler.channels)
            silenced = sorted(c for c in channels if not self.scheduler.audible(c))
            bpm = self.scheduler.bpm
            key, style = self.scheduler.key, self.scheduler.style
        return {
            "cycle": cycle, "bpm": bpm, "stopped": self.scheduler.stopped, "channels": channels, "silenced": silenced, "audio": self.info.backend,
            "key": None if key is None else {"tonic": key[0], "mode": key[1]}, "style": style,
            "device": self.info.device, "message": self.info.message, "rate": self.rate, "block": self.block,
            "latency": self.info.latency, "xruns": self.info.xruns, "late_events": int(self.ring.counters[LATE]),
            "callbacks": self.info.callbacks, "slow_callbacks": self.info.slow_callbacks,
            "late_callbacks": self.info.late_callbacks, "load": self.info.load,
            "voices": self.ring.active_voices(), "runtime_errors": messages, "unknown_sounds": unknown,
            "levels": self.levels(), "midi": self._midi_status(), "band": self.band.status(), "muted": sorted(self.scheduler.muted), "soloed": sorted(self.scheduler.soloed),
        }
