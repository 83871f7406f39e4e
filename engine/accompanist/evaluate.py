"""Scoring an accompanist on lead sheets, strictly online, through the same Session as the protocol.

Frames are sixteenth notes (a quarter of a beat). Before deciding frame f (at t = f/4) the
harness sends every note event earlier than t, and nothing else; the answer is the chord of
frame f. Melody notes and true chords are quantised to the frame grid (onset and offset rounded)
for scoring only. Metrics per piece, then the mean over pieces (decision times over all decisions):

- nic: frames whose melody pitch class is in the emitted chord / frames with a melody note and a chord
- root, triad: frames whose emitted chord has the true chord's root (and triad class) / frames with a true chord
- changes_per_bar: chord changes (ignoring gaps) per bar
- ms_median, ms_p99: wall time of one decide
"""

from __future__ import annotations

import time
from typing import Callable

import numpy as np

from . import chords
from .leadsheets import Piece
from .online import Session

FRAMES_PER_BEAT = 4
_TRIAD_ID = {name: i for i, name in enumerate(sorted(set(chords.TRIAD.values())))}
_ROOTS = np.array([c // chords.NQ for c in range(chords.NCHORDS)] + [-1])
_TRIADS = np.array([_TRIAD_ID[chords.TRIAD[chords.quality(c)]] for c in range(chords.NCHORDS)] + [-1])
_PCS = np.vstack([chords.PC_MATRIX, np.zeros(12)]).astype(bool)  # row -1: no chord


def frame_truth(piece: Piece) -> tuple[np.ndarray, np.ndarray]:
    """(melody pc or -1, true chord or -1) per frame."""
    n = int(np.ceil(piece.length * FRAMES_PER_BEAT))
    melody = np.full(n, -1)
    for note in sorted(piece.notes, key=lambda x: x.onset):
        a = int(round(note.onset * FRAMES_PER_BEAT))
        b = max(a + 1, int(round(note.offset * FRAMES_PER_BEAT)))
        melody[max(a, 0):b] = note.pitch % 12
    truth = np.full(n, -1)
    for onset, offset, chord in piece.chords:
        a, b = (int(round(x * FRAMES_PER_BEAT)) for x in (onset, offset))
        truth[max(a, 0):b] = -1 if chord is None else chord
    return melody, truth


def drive(session: Session, piece: Piece, frames: int) -> tuple[np.ndarray, np.ndarray]:
    """Play the piece into the session; (emitted chord or -1 per frame, seconds per decide)."""
    events = []  # (time, order, message): at equal times decide first, then note-offs, then note-ons
    for note in piece.notes:
        events.append((note.onset, 2, {"note_on": {"t": note.onset, "pitch": note.pitch, "velocity": note.velocity}}))
        events.append((note.offset, 1, {"note_off": {"t": note.offset, "pitch": note.pitch}}))
    events += [(f / FRAMES_PER_BEAT, 0, {"decide": f / FRAMES_PER_BEAT}) for f in range(frames)]
    events.sort(key=lambda e: (e[0], e[1]))
    session.handle({"reset": {"style": piece.style, "time_signature": f"{piece.beats_per_bar}/4"}})
    emitted = np.full(frames, -1)
    seconds = np.zeros(frames)
    f = 0
    clock = time.perf_counter
    for _, order, msg in events:
        if order:
            session.handle(msg)
            continue
        start = clock()
        reply = session.handle(msg)
        seconds[f] = clock() - start
        if "root_pc" in reply:
            emitted[f] = _index(reply["root_pc"], reply["pcs"])
        f += 1
    return emitted, seconds


_BY_PCS = {(chords.root(c), tuple(chords.pcs(c))): c for c in range(chords.NCHORDS)}


def _index(root_pc: int, pcs: list[int]) -> int:
    return _BY_PCS[(root_pc, tuple(pcs))]


def score(melody: np.ndarray, truth: np.ndarray, emitted: np.ndarray, beats_per_bar: int) -> dict:
    sounding = (melody >= 0) & (emitted >= 0)
    nic = float(_PCS[emitted[sounding], melody[sounding]].mean()) if sounding.any() else float("nan")
    known = truth >= 0
    root = float((_ROOTS[emitted[known]] == _ROOTS[truth[known]]).mean()) if known.any() else float("nan")
    triad = float(((_ROOTS[emitted[known]] == _ROOTS[truth[known]]) &
                   (_TRIADS[emitted[known]] == _TRIADS[truth[known]])).mean()) if known.any() else float("nan")
    played = emitted[emitted >= 0]
    bars = len(emitted) / (FRAMES_PER_BEAT * beats_per_bar)
    changes = float(np.count_nonzero(played[1:] != played[:-1]) / bars) if bars else 0.0
    return {"nic": nic, "root": root, "triad": triad, "changes_per_bar": changes}


def evaluate(pieces: list[Piece], systems: dict[str, Callable[[Piece], Session]],
             progress: Callable[[str], None] | None = None) -> dict:
    """{"pieces": [{"id", name: metrics...}], "overall": {name: metrics}}; 'ground truth' included."""
    rows = []
    times: dict[str, list[np.ndarray]] = {name: [] for name in systems}
    for i, piece in enumerate(pieces):
        melody, truth = frame_truth(piece)
        row = {"id": piece.id, "ground truth": score(melody, truth, truth, piece.beats_per_bar)}
        for name, make in systems.items():
            emitted, seconds = drive(make(piece), piece, len(truth))
            row[name] = score(melody, truth, emitted, piece.beats_per_bar)
            times[name].append(seconds)
        rows.append(row)
        if progress:
            progress(f"{i + 1}/{len(pieces)} {piece.id}")
    overall = {}
    for name in ["ground truth", *systems]:
        metrics = {k: float(np.nanmean([r[name][k] for r in rows])) for k in rows[0][name]} if rows else {}
        if name in times and times[name]:
            ms = np.concatenate(times[name]) * 1000.0
            metrics["ms_median"], metrics["ms_p99"] = float(np.median(ms)), float(np.percentile(ms, 99))
        overall[name] = metrics
    return {"pieces": rows, "overall": overall}


def table(result: dict) -> str:
    """The overall metrics as a fixed-width text table."""
    cols = ["nic", "root", "triad", "changes_per_bar", "ms_median", "ms_p99"]
    lines = [f"{'system':<22}" + "".join(f"{c:>16}" for c in cols)]
    for name, m in result["overall"].items():
        lines.append(f"{name:<22}" + "".join(f"{m[c]:>16.3f}" if c in m else f"{'-':>16}" for c in cols))
    return "\n".join(lines)
