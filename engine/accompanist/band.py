"""Play a band to a melody, offline: the strictly-online chord choices, arranged, as a patch.

The melody is fed to the same online session as `jam accompany --online`, one beat at a time,
so the band hears no further ahead than it would live. The result is patch text (melody and
band), which renders like any patch and can be opened in the console and edited.
"""

from __future__ import annotations

import math
from pathlib import Path

import mido

from dsl.notes import parse_key

from .arranger import MOODS, STYLES, STEPS, Knobs, _bar_text, arrange
from .learner import Learner
from .online import Session

KEY_NAMES = ["c", "c#", "d", "eb", "e", "f", "f#", "g", "ab", "a", "bb", "b"]


def melody_notes(path: str | Path) -> tuple[list[tuple[float, float, int, int]], float | None]:
    """(start beat, end beat, MIDI pitch, velocity) of every note, and the file's first tempo (bpm)."""
    midi = mido.MidiFile(str(path))
    per_beat = midi.ticks_per_beat
    tempo, notes, sounding = None, [], {}
    for track in midi.tracks:
        tick = 0
        for message in track:
            tick += message.time
            if message.type == "set_tempo" and tempo is None:
                tempo = mido.tempo2bpm(message.tempo)
            elif message.type == "note_on" and message.velocity > 0:
                sounding[(message.channel, message.note)] = (tick, message.velocity)
            elif message.type in ("note_off", "note_on") and (message.channel, message.note) in sounding:
                start, velocity = sounding.pop((message.channel, message.note))
                notes.append((start / per_beat, tick / per_beat, message.note, velocity))
    return sorted(notes), tempo


def chord_plan(session: Session, notes: list[tuple[float, float, int, int]], beats: int, style: str,
               bpm: float, key: str | None = None) -> list[tuple[int, list[int]] | None]:
    """One chord per beat, each decided from the notes before that beat only (and the key named)."""
    session.handle({"reset": {"style": style, "time_signature": "4/4", "bpm": bpm, "key": key}})
    events = sorted([(s, 1, {"note_on": {"t": s, "pitch": p, "velocity": v}}) for s, e, p, v in notes]
                    + [(e, 0, {"note_off": {"t": e, "pitch": p}}) for s, e, p, v in notes], key=lambda x: x[:2])
    plan, i = [], 0
    for beat in range(beats):
        while i < len(events) and events[i][0] < beat:
            session.handle(events[i][2])
            i += 1
        answer = session.handle({"decide": float(beat)})
        plan.append(None if answer.get("chord", 0) is None else (answer["root_pc"], answer["pcs"]))
    return plan


def melody_line(notes: list[tuple[float, float, int, int]], bars: int, sound: str) -> str:
    """The melody as a patch line, on a sixteenth-note grid (the highest note wins a step)."""
    texts = []
    for bar in range(bars):
        events, lengths = {}, {}
        for start, end, pitch, _ in notes:
            step = round((start - bar * 4) * 4)
            if 0 <= step < STEPS and (step not in events or pitch - 60 > int(events[step])):
                events[step] = str(pitch - 60)
                lengths[step] = max(1, round((end - start) * 4))
        for step in sorted(events):  # a note lasts until the next one at most
            later = [s for s in events if s > step]
            if later:
                lengths[step] = min(lengths[step], min(later) - step)
        texts.append(_bar_text(events, lengths))
    return f'd1 $ n "<{" ".join(texts)}>" # s "{sound}" # legato 0.95 # gain 0.9'


def band_patch(melody: str | Path, style: str, session: Session, bpm: float | None = None, key: str | None = None,
               mood: str | None = None, melody_sound: str = "flute", knobs: Knobs | None = None) -> str:
    if style not in STYLES:
        raise ValueError(f"unknown style {style!r} (styles: {', '.join(STYLES)})")
    notes, file_bpm = melody_notes(melody)
    if not notes:
        raise ValueError(f"{melody} has no notes")
    tempo_factor, energy_shift = MOODS.get(mood or "", (1.0, 0.0))
    low, high = STYLES[style].bpm
    bpm = bpm or min(max(file_bpm or (low + high) / 2, low), high) * tempo_factor
    knobs = knobs or Learner.load().mean(style)  # what this performer's ratings taught, per style
    knobs.energy = min(max(knobs.energy + energy_shift, 0.0), 1.0)
    bars = max(1, math.ceil(max(e for _, e, _, _ in notes) / 4))
    named = parse_key(key) if key else None
    if key and named is None:
        raise ValueError(f"{key!r} is not a key (e.g. \"e minor\", \"bb major\", \"d dorian\")")
    plan = chord_plan(session, notes, bars * 4, style, bpm, key)
    head = [f"-- a {style} band to {Path(melody).name}, chords decided online beat by beat", f"tempo {bpm:.0f}",
            f'style "{style}"']
    if named:
        head.append(f'key "{KEY_NAMES[named[0]]} {named[1]}"')
    return "\n".join(head + [melody_line(notes, bars, melody_sound)] + arrange(plan, style, knobs)) + "\n"
