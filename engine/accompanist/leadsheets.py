"""Lead sheets of ../shared/data on the performer's beat grid, and the split by song.

The online accompanist knows the clock: t is in beats and bars start every `beats_per_bar`
beats from t = 0. Annotated performances drift from that (POP909 follows the recording's
tempo), so each annotated bar is mapped linearly onto one nominal bar of the grid; the notes and
chords keep their place inside the bar. The split hashes the song (artist and title where the
data has them: Billboard holds some songs twice, in two chart slots), so it never depends on file
order and a song never lands on both sides.

The performer's own MIDI files (`midi_piece`, for `jam train --from DIR`) are on the grid already:
a beat is a quarter note of the file's ticks, bars start at tick 0 (first time signature). The
melody is one voice, the chords are labelled per beat from the others (`label_chords`).
"""

from __future__ import annotations

import gzip
import os
import json
import re
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import chords

DATA = Path(os.environ.get("JAM_DATA", Path(__file__).resolve().parents[3] / "shared" / "data"))
TRAIN_FILES = ("pop909/pop909_leadsheets.jsonl.gz", "billboard/billboard_chords.jsonl.gz")  # MIT, CC0
EVAL_ONLY_FILES = ("nottingham/nottingham_leadsheets.jsonl.gz",)  # GPL v3: evaluation only
STYLES = {"POP909": "pop", "Nottingham (jukedeck cleaned)": "folk"}  # by `source`; Billboard: rock


@dataclass
class Note:
    onset: float
    offset: float
    pitch: int
    velocity: int = 90


@dataclass
class Piece:
    id: str
    split: str  # 'train', 'valid' or 'test'
    style: str
    beats_per_bar: int
    key_tonic: int  # annotated key at the start (tonic pc), for the always-tonic baseline
    key_minor: bool
    key_changes: list[tuple[float, int, bool]]  # (beat, tonic, minor) on the grid
    notes: list[Note]
    chords: list[tuple[float, float, int | None]]  # (onset, offset, chord index or None)
    length: float = field(default=0.0)  # beats, to the end of the last note or chord


def split_of(row: dict) -> str:
    """'test' (10 %), 'valid' (10 %) or 'train', from a hash of the song."""
    song = f"{row['artist']}|{row['title']}".lower() if row.get("artist") and row.get("title") else row["id"]
    bucket = zlib.crc32(song.encode()) % 10
    return "test" if bucket == 0 else "valid" if bucket == 1 else "train"


def _beats_per_bar(row: dict) -> int:
    ts = row.get("time_signature")
    if ts:
        num, den = (int(x) for x in ts.split("/"))
        return max(1, round(num * 4 / den))
    bars = np.diff(row.get("bar_starts_beats") or [0, 4])
    return max(1, int(round(float(np.median(bars))))) if len(bars) else 4


def _warp(bar_starts: list[float], beats_per_bar: int):
    """A function from annotated beats to grid beats: bar i of the annotation -> [i*B, (i+1)*B)."""
    src = np.asarray(bar_starts, dtype=float)
    if len(src) < 2:
        return lambda t: t - (src[0] if len(src) else 0.0)
    dst = np.arange(len(src), dtype=float) * beats_per_bar
    first = beats_per_bar / (src[1] - src[0])
    last = beats_per_bar / (src[-1] - src[-2])

    def warp(t: float) -> float:
        if t < src[0]:
            return (t - src[0]) * first
        if t >= src[-1]:
            return dst[-1] + (t - src[-1]) * last
        return float(np.interp(t, src, dst))

    return warp


def piece(row: dict) -> Piece:
    bpb = _beats_per_bar(row)
    bars = row.get("bar_starts_beats") or []
    warp = _warp(bars, bpb) if bars else (lambda t: t)
    # a pickup before the first bar would get negative times: shift by whole bars instead
    shift = bpb * max(0, int(np.ceil(-warp(min([n["onset_beats"] for n in row["melody"]] +
                                               [c["onset_beats"] for c in row["chords"]] + [0.0])) / bpb)))
    w = (lambda t: warp(t) + shift)
    notes = [Note(w(n["onset_beats"]), w(n["onset_beats"] + n["dur_beats"]), n["pitch"])
             for n in row["melody"] if n["dur_beats"] > 0]
    chs = [(w(c["onset_beats"]), w(c["onset_beats"] + c["dur_beats"]),
            chords.from_kind(c["root_pc"], c["kind"])) for c in row["chords"]]
    minor = row.get("key_mode") == "minor"
    changes = [(w(k["onset_beats"]), k["tonic_pc"], k.get("mode") == "minor")
               for k in row.get("key_changes") or []]
    length = max([n.offset for n in notes] + [c[1] for c in chs] + [0.0])
    return Piece(row["id"], split_of(row), STYLES.get(row.get("source", ""), "rock"), bpb, row.get("key_tonic_pc") or 0,
                 minor, changes, notes, chs, length)


def load(path: str | Path, split: str | None = None, limit: int | None = None) -> list[Piece]:
    """Pieces of one JSONL(.gz) file, optionally only one split, at most `limit` of them."""
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    out = []
    with opener(path, "rt", encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            if split is None or split_of(row) == split:
                out.append(piece(row))
                if limit is not None and len(out) >= limit:
                    break
    return out


# -- the performer's own MIDI files (`jam train --from DIR`) -------------------------------------
MELODY_NAMES = re.compile(r"\b(melod(y|ie)|lead|vocals?|voice|sing(er|ing)?|tune|solo|theme|right hand|rh)\b")
DRUMS = 9  # MIDI channel 10, General MIDI's percussion
MIN_LABELLED_BEATS = 8  # fewer beats with a chord than this: no usable harmony


class Unusable(ValueError):
    """A MIDI file that cannot become a training piece; the message says why."""


@dataclass
class Voice:
    name: str  # track name (and instrument name), lower case
    notes: list[Note]


def midi_voices(path: Path) -> tuple[list[Voice], int, float]:
    """The pitched voices of a standard MIDI file (one per track and channel; drums left out), the
    beats per bar of its first time signature, and its length in beats (quarter notes, from ticks:
    the tempo map does not matter on the beat grid)."""
    import mido

    try:
        midi = mido.MidiFile(str(path), clip=True)
    except (OSError, EOFError, ValueError, KeyError, IndexError, TypeError) as e:
        raise Unusable(f"not a readable standard MIDI file ({type(e).__name__}: {e})") from None
    if not isinstance(midi.ticks_per_beat, int) or midi.ticks_per_beat <= 0:
        raise Unusable("SMPTE time division (no beats to put chords on)")
    tpb = float(midi.ticks_per_beat)
    signatures: list[tuple[int, int]] = []  # (tick, beats per bar)
    voices: dict[tuple[int, int], Voice] = {}
    end = 0
    for number, track in enumerate(midi.tracks):
        tick, names = 0, []
        sounding: dict[tuple[int, int], tuple[int, int]] = {}  # (channel, pitch) -> (start tick, velocity)

        def close(channel: int, pitch: int, at: int) -> None:
            start, velocity = sounding.pop((channel, pitch))
            if at > start:
                voice = voices.setdefault((number, channel), Voice("", []))
                voice.notes.append(Note(start / tpb, at / tpb, pitch, velocity))

        for msg in track:
            tick += msg.time
            if msg.type in ("track_name", "instrument_name"):
                names.append(str(msg.name))
            elif msg.type == "time_signature":
                signatures.append((tick, max(1, round(msg.numerator * 4 / msg.denominator))))
            elif msg.type in ("note_on", "note_off") and msg.channel != DRUMS:
                key = (msg.channel, msg.note)
                if key in sounding:  # a note-off, or the same key struck again
                    close(msg.channel, msg.note, tick)
                if msg.type == "note_on" and msg.velocity > 0:
                    sounding[key] = (tick, msg.velocity)
        for channel, pitch in list(sounding):  # notes never released end with their track
            close(channel, pitch, tick)
        end = max(end, tick)
        for (n, _), voice in voices.items():
            if n == number:
                voice.name = " ".join(names).lower()
    signatures.sort()
    bpb = signatures[0][1] if signatures else 4
    return [v for v in voices.values() if v.notes], bpb, end / tpb


def _polyphonic(notes: list[Note]) -> bool:
    """Whether notes sound together for a good part of the time (chords, not a line with overlaps)."""
    edges = sorted([(n.onset, 1) for n in notes] + [(n.offset, -1) for n in notes])
    together = total = 0.0
    count, last = 0, edges[0][0]
    for t, step in edges:
        if count:
            total += t - last
            together += (t - last) if count >= 2 else 0.0
        count, last = count + step, t
    return total > 0 and together / total > 0.25


def _skyline(notes: list[Note]) -> tuple[list[Note], list[Note]]:
    """One polyphonic voice -> (melody: the highest note of each onset, the rest)."""
    groups: dict[int, list[Note]] = {}
    for n in notes:
        groups.setdefault(round(n.onset * 48), []).append(n)  # same onset within a 1/48 beat
    melody, rest = [], []
    for group in groups.values():
        top = max(group, key=lambda n: n.pitch)
        melody.append(top)
        rest += [n for n in group if n is not top]
    return melody, rest


def split_melody(voices: list[Voice]) -> tuple[list[Note], list[Note], str]:
    """(melody, harmony notes, how the melody was chosen).

    Several voices: the melody is the voice whose track is named like a melody (melody, lead, vocal,
    voice, solo, tune, theme...), else the voice with the highest median pitch; every other voice is
    harmony. One voice: a polyphonic one (notes together over a quarter of its sounding time) is
    split by the skyline (the top note of each onset is melody, the rest harmony); a single line has
    no harmony.
    """
    if not voices:
        return [], [], "no notes"
    named = [v for v in voices if MELODY_NAMES.search(v.name)]
    if len(voices) > 1:
        pool = named or voices
        melody = max(pool, key=lambda v: float(np.median([n.pitch for n in v.notes])))
        harmony = [n for v in voices if v is not melody for n in v.notes]
        how = f"track named {melody.name!r}" if named else "the highest voice"
        return sorted(melody.notes, key=lambda n: n.onset), harmony, how
    notes = voices[0].notes
    if _polyphonic(notes):
        melody, harmony = _skyline(notes)
        return sorted(melody, key=lambda n: n.onset), harmony, "the top notes of one polyphonic voice"
    return sorted(notes, key=lambda n: n.onset), [], "the only voice"


def label_chords(harmony: list[Note], beats: int, bass_bonus: float = 0.1,
                 missing_cost: float = 0.3) -> list[int | None]:
    """One chord per beat from the harmony notes sounding in it, by template matching over the
    vocabulary: score = share of sounding time on chord tones - share off them - `missing_cost` x
    the share of the chord's tones not sounding + `bass_bonus` when the lowest note is the root.
    A beat with fewer than two pitch classes keeps the chord before it when that chord holds its
    note, and has no chord otherwise."""
    weight = np.zeros((beats, 12))
    bass = np.full(beats, -1)
    bass_pitch = np.full(beats, 999)
    for n in harmony:
        for b in range(max(0, int(np.floor(n.onset))), min(beats, int(np.ceil(n.offset)))):
            overlap = min(n.offset, b + 1) - max(n.onset, b)
            if overlap <= 1e-6:
                continue
            weight[b, n.pitch % 12] += overlap
            if overlap >= 0.25 and n.pitch < bass_pitch[b]:
                bass_pitch[b], bass[b] = n.pitch, n.pitch % 12
    size = chords.PC_MATRIX.sum(axis=1)
    roots = np.arange(chords.NCHORDS) // chords.NQ
    out: list[int | None] = []
    for b in range(beats):
        w = weight[b]
        present = w > 1e-6
        previous = out[-1] if out else None
        if present.sum() < 2:
            keep = previous is not None and present.any() and chords.PC_MATRIX[previous, int(np.argmax(w))] > 0
            out.append(previous if keep else None)
            continue
        w = w / w.sum()
        inside = chords.PC_MATRIX @ w
        missing = (chords.PC_MATRIX @ (~present).astype(float)) / size
        score = 2 * inside - 1 - missing_cost * missing + bass_bonus * (roots == bass[b])
        out.append(int(np.argmax(score)))
    return out


def midi_piece(path: Path, piece_id: str) -> tuple[Piece, str]:
    """A performer's MIDI file as a training piece: melody notes and per-beat chords labelled from
    the other voices; and a line saying how. Raises Unusable (with the reason) when it cannot be one."""
    voices, bpb, length = midi_voices(path)
    if not voices:
        raise Unusable("no pitched notes (drums only, or empty)")
    melody, harmony, how = split_melody(voices)
    if not harmony:
        raise Unusable("a single melody line with no harmony: there are no chords in it to learn from")
    beats = int(np.ceil(max(length, max(n.offset for n in melody + harmony))))
    labels = label_chords(harmony, beats)
    labelled = sum(c is not None for c in labels)
    if labelled < MIN_LABELLED_BEATS:
        raise Unusable(f"no usable harmony: only {labelled} beats have two or more pitch classes sounding besides "
                       f"the melody (at least {MIN_LABELLED_BEATS} needed)")
    chs: list[tuple[float, float, int | None]] = []
    for b, c in enumerate(labels):
        if chs and chs[-1][2] == c:
            chs[-1] = (chs[-1][0], b + 1.0, c)
        else:
            chs.append((float(b), b + 1.0, c))
    piece = Piece(piece_id, "train", "any", bpb, 0, False, [], melody, chs,
                  max([n.offset for n in melody] + [float(beats)]))
    names = " ".join(chords.name(c) for c in _distinct(labels)[:8])
    return piece, f"melody: {how} ({len(melody)} notes); chords on {labelled}/{beats} beats: {names}..."


def _distinct(labels: list[int | None]) -> list[int]:
    out: list[int] = []
    for c in labels:
        if c is not None and (not out or out[-1] != c):
            out.append(c)
    return out
