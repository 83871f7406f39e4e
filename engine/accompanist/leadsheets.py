"""Lead sheets of ../shared/data on the performer's beat grid, and the split by song.

The online accompanist knows the clock: t is in beats and bars start every `beats_per_bar`
beats from t = 0. Annotated performances drift from that (POP909 follows the recording's
tempo), so each annotated bar is mapped linearly onto one nominal bar of the grid; the notes and
chords keep their place inside the bar. The split hashes the song (artist and title where the
data has them: Billboard holds some songs twice, in two chart slots), so it never depends on file
order and a song never lands on both sides.
"""

from __future__ import annotations

import gzip
import os
import json
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
