"""Live MIDI input: ports chosen by name or pattern, found again when replugged, played at once.

python-rtmidi calls back from its own thread; the callback only queues the message. The
engine's MIDI thread turns notes into events for the kernel: a note-on starts a held voice of
the chosen instrument, its note-off (or the sustain pedal's release) sends a release event.
"""

from __future__ import annotations

import os
import queue
import re
import threading
import time
from dataclasses import dataclass, field

import rtmidi

from .gm import DRUM_CHANNEL, DRUM_NOTES
from .midifile import midi_hz
from .voices import (EV_FREQ, EV_GAIN, EV_GATE, EV_KIND, EV_NOTE_KEY, EV_PAN, EV_RELEASE, EV_SAMPLE, EV_SEED,
                     EV_SIZE, EV_SPEED, EV_DELAYTIME, EV_DELAYFEEDBACK, EV_SUSTAIN_LEVEL, EV_VELOCITY, EVENT_FIELDS,
                     HELD, INSTRUMENT_RELEASE, PIANO, RELEASE_KIND)

RESCAN_SECONDS = 1.0


def midi_api() -> int:
    """JACK when asked for (JAM_MIDI_API=jack, or mido's UNIX_JACK backend), else the system's default."""
    wanted = os.environ.get("JAM_MIDI_API", "") + os.environ.get("MIDO_BACKEND", "")
    return rtmidi.API_UNIX_JACK if "jack" in wanted.lower() else rtmidi.API_UNSPECIFIED


@dataclass
class MidiActivity:
    """What the console shows: the ports open, and the latest notes."""

    ports: list[str] = field(default_factory=list)
    recent: list[tuple[float, int, int]] = field(default_factory=list)  # (time, note, velocity)
    messages: int = 0


class MidiInput:
    """Opens every input port whose name matches `pattern` (a regular expression, case ignored),
    now and whenever one appears; forgets ports that disappear."""

    def __init__(self, pattern: str, client_name: str = "jam"):
        self.pattern = re.compile(pattern, re.IGNORECASE)
        self.client_name = client_name
        self.api = midi_api()
        self.messages: queue.SimpleQueue = queue.SimpleQueue()
        self.open: dict[str, rtmidi.MidiIn] = {}
        self.activity = MidiActivity()
        self._scanner: rtmidi.MidiIn | None = None

    def scan(self) -> None:
        """One client lists the ports for every scan: a client made and dropped each second
        changed the JACK graph each second, and a message sent during the change could be lost."""
        try:
            if self._scanner is None:
                self._scanner = rtmidi.MidiIn(rtapi=self.api, name=f"{self.client_name}-scan")
            names = self._scanner.get_ports()
        except rtmidi.SystemError:
            names = []  # no MIDI system at all (no ALSA sequencer, no JACK): nothing to open
        own = f"{self.client_name}-in"
        for name in names:
            if name not in self.open and self.pattern.search(name) and not name.startswith(own):
                self._open(name, f"{own}-{len(self.open)}")
        for name in [n for n in self.open if n not in names]:
            self.open.pop(name).close_port()
        self.activity.ports = sorted(self.open)

    def _open(self, name: str, client: str) -> None:
        """Opens `name` by its index in the new client's own list: the scan's list may be out of
        date by then (another port came or went), and its index would open the wrong port."""
        port = rtmidi.MidiIn(rtapi=self.api, name=client)
        names = port.get_ports()
        if name not in names:
            return  # gone again since the scan: the next scan finds it if it comes back
        port.open_port(names.index(name))
        port.ignore_types(sysex=True, timing=True, active_sense=True)
        port.set_callback(lambda event, _data: self.messages.put(event[0]))
        self.open[name] = port

    def close(self) -> None:
        for port in self.open.values():
            port.close_port()
        self.open.clear()
        self._scanner = None


class MidiPlayer:
    """Turns MIDI messages into kernel events: notes on the chosen instrument, drums on channel 10,
    velocity, and the sustain pedal (CC 64) holding note-offs back."""

    def __init__(self, rate: int, kind: int = PIANO):
        self.rate = rate
        self.kind = kind
        self.pedal = [False] * 16
        self.pedalled: list[set[int]] = [set() for _ in range(16)]
        self.serial = 0

    def rows(self, message: list[int], sample: int) -> list[list[float]]:
        if not message:
            return []
        status, channel = message[0] & 0xF0, message[0] & 0x0F
        if status == 0x90 and len(message) > 2 and message[2] > 0:
            return [self._note_on(channel, message[1], message[2] / 127, sample)]
        if status == 0x80 or (status == 0x90 and len(message) > 2 and message[2] == 0):
            if self.pedal[channel]:
                self.pedalled[channel].add(message[1])
                return []
            return [self._release(channel, message[1], sample)]
        if status == 0xB0 and len(message) > 2 and message[1] == 64:
            self.pedal[channel] = message[2] >= 64
            if not self.pedal[channel]:
                held, self.pedalled[channel] = self.pedalled[channel], set()
                return [self._release(channel, note, sample) for note in sorted(held)]
        return []

    def _note_on(self, channel: int, note: int, velocity: float, sample: int) -> list[float]:
        self.serial += 1
        row = [0.0] * EVENT_FIELDS
        row[EV_SAMPLE], row[EV_VELOCITY], row[EV_PAN], row[EV_SPEED] = sample, velocity, 0.5, 1.0
        row[EV_GAIN] = 0.3 + 0.7 * velocity
        row[EV_SEED] = self.serial
        row[EV_SIZE], row[EV_DELAYTIME], row[EV_DELAYFEEDBACK] = -1.0, -1.0, -1.0
        if channel == DRUM_CHANNEL:
            row[EV_KIND] = DRUM_NOTES.get(note, DRUM_NOTES[42])
            return row
        row[EV_KIND] = self.kind
        row[EV_FREQ] = midi_hz(note)
        row[EV_GATE] = HELD
        row[EV_RELEASE] = INSTRUMENT_RELEASE.get(self.kind, 0.1) * self.rate
        row[EV_SUSTAIN_LEVEL] = 1.0
        row[EV_NOTE_KEY] = 1 + channel * 128 + note
        return row

    def note(self, pitch: int, velocity: float, sample: int, length: int) -> list[float]:
        """A note of a known length (the computer keyboard's): no release event needed."""
        row = self._note_on(0, pitch, velocity, sample)
        row[EV_GATE], row[EV_NOTE_KEY] = float(length), 0.0
        return row

    def _release(self, channel: int, note: int, sample: int) -> list[float]:
        row = [0.0] * EVENT_FIELDS
        row[EV_SAMPLE], row[EV_KIND], row[EV_NOTE_KEY] = sample, RELEASE_KIND, 1 + channel * 128 + note
        return row


def listen(midi_in: MidiInput, player: MidiPlayer, now: "callable", push: "callable",
           running: threading.Event, hear: "callable | None" = None) -> None:
    """The engine's MIDI thread: rescan now and then, play each message as soon as it arrives,
    and tell `hear(sample, pitch, velocity)` (the band) of each note (velocity 0: it ends)."""
    next_scan = 0.0
    while running.is_set():
        if time.monotonic() >= next_scan:
            midi_in.scan()
            next_scan = time.monotonic() + RESCAN_SECONDS
        try:
            message = midi_in.messages.get(timeout=0.05)
        except queue.Empty:
            continue
        sample = now()
        midi_in.activity.messages += 1
        if message and message[0] & 0xF0 == 0x90 and len(message) > 2 and message[2] > 0:
            midi_in.activity.recent = (midi_in.activity.recent + [(time.time(), message[1], message[2])])[-16:]
        if hear is not None and len(message) > 2 and message[0] & 0x0F != DRUM_CHANNEL \
                and message[0] & 0xF0 in (0x80, 0x90):
            hear(sample, message[1], message[2] if message[0] & 0xF0 == 0x90 else 0)
        rows = player.rows(message, sample)
        if rows:
            push(rows)
