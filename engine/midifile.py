"""Standard MIDI files in and out: a file becomes event rows for the kernel, and what was played
becomes a file again (mido reads and writes the format; the tempo map is ours to follow)."""

from __future__ import annotations

from pathlib import Path

import mido
import numpy as np

from .gm import DRUM_CHANNEL, DRUM_KINDS, DRUM_NOTES, KIND_PROGRAMS, program_kind
from .voices import (EV_DELAYFEEDBACK, EV_DELAYTIME, EV_FREQ, EV_GAIN, EV_GATE, EV_KIND, EV_PAN, EV_RELEASE, EV_ROOM,
                     EV_SAMPLE, EV_SEED, EV_SIZE, EV_SPEED, EV_VELOCITY, EVENT_FIELDS, INSTRUMENT_RELEASE, INSTRUMENTS,
                     KICK)


def midi_hz(note: float) -> float:
    return 440.0 * 2.0 ** ((note - 69.0) / 12.0)


def read_midi(path: str | Path, rate: int) -> tuple[np.ndarray, float]:
    """All the notes of a type 0/1 file as event rows sorted by sample, and the length in seconds."""
    midi = mido.MidiFile(str(path))
    programs = [0] * 16
    pans = [0.5] * 16
    volumes = [1.0] * 16
    reverb = [40 / 127] * 16  # GM's default reverb send (CC 91 = 40)
    sounding: dict[tuple[int, int], tuple[int, float]] = {}
    rows: list[list[float]] = []
    seconds = 0.0
    for message in midi:  # mido merges the tracks and turns ticks into seconds through the tempo map
        seconds += message.time
        sample = int(round(seconds * rate))
        if message.type == "program_change":
            programs[message.channel] = message.program
        elif message.type == "control_change" and message.control == 10:
            pans[message.channel] = message.value / 127
        elif message.type == "control_change" and message.control == 7:
            volumes[message.channel] = message.value / 127
        elif message.type == "control_change" and message.control == 91:
            reverb[message.channel] = message.value / 127
        elif message.type == "note_on" and message.velocity > 0:
            sounding[(message.channel, message.note)] = (sample, message.velocity / 127)
        elif message.type in ("note_off", "note_on"):
            start = sounding.pop((message.channel, message.note), None)
            if start is not None:
                rows.append(_row(message.channel, message.note, start[0], sample, start[1], programs, pans,
                                 volumes, reverb, rate, len(rows)))
    for (channel, note), (start, velocity) in sounding.items():  # notes never released end with the file
        rows.append(_row(channel, note, start, int(seconds * rate), velocity, programs, pans, volumes, reverb, rate,
                         len(rows)))
    rows.sort(key=lambda r: (r[EV_SAMPLE], r[EV_KIND]))
    return np.array(rows, dtype=np.float64).reshape(-1, EVENT_FIELDS), seconds


def _row(channel, note, start, end, velocity, programs, pans, volumes, reverb, rate, serial) -> list[float]:
    row = [0.0] * EVENT_FIELDS
    row[EV_SAMPLE] = start
    row[EV_ROOM] = 0.5 * reverb[channel]
    row[EV_SIZE] = row[EV_DELAYTIME] = row[EV_DELAYFEEDBACK] = -1.0  # leave the buses as they are
    if channel == DRUM_CHANNEL:
        row[EV_KIND] = DRUM_NOTES.get(note, KICK if note < 40 else DRUM_NOTES[42])
        row[EV_FREQ] = midi_hz(60)
    else:
        kind = program_kind(programs[channel])
        row[EV_KIND] = kind
        row[EV_FREQ] = midi_hz(note)
        row[EV_GATE] = max(end - start, 1)
        row[EV_RELEASE] = INSTRUMENT_RELEASE[kind] * rate
    row[EV_VELOCITY] = velocity
    row[EV_GAIN] = volumes[channel] * (0.3 + 0.7 * velocity) / (0.3 + 0.7 * 0.8) * 0.7
    row[EV_PAN] = pans[channel]
    row[EV_SPEED] = 1.0
    row[EV_SEED] = 1 + serial
    return row


def write_midi(path: str | Path, rows: np.ndarray, rate: int, bpm: float = 120.0) -> None:
    """What was played, as a type 1 file: drums on channel 10 with GM notes, each instrument on a
    channel of its own with its GM program."""
    ticks_per_beat = 480
    per_sample = bpm / 60 * ticks_per_beat / rate
    channels: dict[int, int] = {}
    messages: list[tuple[int, int, mido.Message]] = []  # (tick, order, message): note-offs before note-ons
    for r in rows:
        kind = int(r[EV_KIND])
        start = int(round(r[EV_SAMPLE] * per_sample))
        velocity = max(1, min(127, int(round(r[EV_VELOCITY] * 127))))
        if kind in INSTRUMENTS:
            if kind not in channels:
                channels[kind] = [c for c in range(16) if c != DRUM_CHANNEL][len(channels) % 15]
            channel = channels[kind]
            note = int(round(69 + 12 * np.log2(r[EV_FREQ] / 440.0)))
            end = start + max(1, int(round(r[EV_GATE] * per_sample)))
        elif kind in DRUM_KINDS:
            channel, note, end = DRUM_CHANNEL, DRUM_KINDS[kind], start + ticks_per_beat // 8
        else:
            continue  # raw oscillators have no General MIDI name
        messages.append((start, 1, mido.Message("note_on", channel=channel, note=note, velocity=velocity)))
        messages.append((end, 0, mido.Message("note_off", channel=channel, note=note, velocity=0)))
    midi = mido.MidiFile(type=1, ticks_per_beat=ticks_per_beat)
    track = mido.MidiTrack()
    midi.tracks.append(track)
    track.append(mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(bpm), time=0))
    for kind, channel in channels.items():
        track.append(mido.Message("program_change", channel=channel, program=KIND_PROGRAMS[kind], time=0))
    now = 0
    for tick, _, message in sorted(messages, key=lambda m: (m[0], m[1])):
        track.append(message.copy(time=tick - now))
        now = tick
    midi.save(str(path))
