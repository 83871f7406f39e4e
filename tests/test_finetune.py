"""`jam train --from DIR`: fine-tuning the shipped chord network on the performer's own MIDI files.

Real parts throughout: MIDI files written with mido, `jam train` as a process, the weights it
saves, and the `--online` Session measuring what the network expects, beat by beat.
"""

from __future__ import annotations

import copy
import hashlib
import os
import re
import subprocess
import sys
from pathlib import Path

import mido
import numpy as np
import pytest

from engine.accompanist import chords, leadsheets
from engine.accompanist.leadsheets import Unusable

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "engine" / "accompanist" / "weights" / "chord_lstm.pt"
LOOP = (0, 3, 5, 8)  # I - bIII - IV - bVI, one bar each, all major: a progression pop rarely plays
TONICS = (0, 2, 5, 9)
EPOCHS = 6


@pytest.fixture(autouse=True)
def _few_threads():
    import torch

    torch.set_num_threads(1)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def track(name: str, notes: list[tuple[float, float, int]], channel: int, tpb: int) -> mido.MidiTrack:
    """A track of (onset beat, offset beat, pitch) notes."""
    events = [(round(on * tpb), 1, mido.Message("note_on", channel=channel, note=p, velocity=80)) for on, _, p in notes]
    events += [(round(off * tpb), 0, mido.Message("note_off", channel=channel, note=p)) for _, off, p in notes]
    out, now = mido.MidiTrack([mido.MetaMessage("track_name", name=name)]), 0
    for tick, _, msg in sorted(events, key=lambda e: (e[0], e[1])):
        out.append(msg.copy(time=tick - now))
        now = tick
    return out


def progression(tonic: int, loops: int = 4) -> list[int]:
    """The true chord of every beat."""
    return [chords.index(tonic + step, "maj") for _ in range(loops) for step in LOOP for _ in range(4)]


def song(path: Path, tonic: int, variant: int = 0, tpb: int = 480, melody_only: bool = False) -> list[int]:
    """A melody track on chord tones over a chord track (three-note chords on every beat); the chords."""
    beats = progression(tonic)
    melody, accompaniment = [], []
    for b, c in enumerate(beats):
        pc = (chords.root(c) + (0, 4, 7)[(b + variant) % 3]) % 12  # root, third, fifth, from `variant` on
        melody.append((b, b + 0.9, 72 + pc - (12 if pc > 7 else 0)))
        accompaniment += [(b, b + 0.95, 48 + (chords.root(c) + i) % 12 + (12 if (chords.root(c) + i) % 12 < 5 else 0))
                          for i in (0, 4, 7)]
    midi = mido.MidiFile(type=1, ticks_per_beat=tpb)
    midi.tracks.append(mido.MidiTrack([mido.MetaMessage("time_signature", numerator=4, denominator=4)]))
    midi.tracks.append(track("Melody", melody, 0, tpb))
    if not melody_only:
        midi.tracks.append(track("Piano", accompaniment, 1, tpb))
    midi.save(str(path))
    return beats


def performer_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "my midi"
    (folder / "sub").mkdir(parents=True)
    for i, tonic in enumerate(TONICS):
        song(folder / ("sub" if i % 2 else "") / f"song{i}.mid", tonic, variant=i)
    return folder


def jam_train(*args: str, state: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "XDG_STATE_HOME": str(state), "OMP_NUM_THREADS": "1"}
    env.pop("JAM_ACCOMPANIST_WEIGHTS", None)
    return subprocess.run([sys.executable, "-m", "console", "train", *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=240, env=env)


def progression_logp(predictor, piece, truth: list[int], style: str = "pop") -> float:
    """Mean log P(true chord of the beat) the network gives, played strictly online through the
    `--online` Session: notes before each beat, a decide on every beat (the accompanist's own
    choices are the previous-chord input, as live)."""
    from engine.accompanist.decide import ModelDecider
    from engine.accompanist.online import Session

    decider = ModelDecider(predictor, memory=0.0)  # the network's own probabilities, no memory added
    session = Session(decider)
    session.handle({"reset": {"style": style, "time_signature": "4/4"}})
    events = [(n.onset, 2, {"note_on": {"t": n.onset, "pitch": n.pitch}}) for n in piece.notes]
    events += [(n.offset, 1, {"note_off": {"t": n.offset, "pitch": n.pitch}}) for n in piece.notes]
    events += [(float(b), 0, {"decide": float(b)}) for b in range(len(truth))]
    logp = []
    for t, order, msg in sorted(events, key=lambda e: (e[0], e[1])):
        session.handle(msg)
        if order == 0 and decider.prior_logp is not None:
            logp.append(decider.prior_logp[truth[int(t)]])
    assert len(logp) >= len(truth) - 2
    return float(np.mean(logp))


# -- MIDI files -> pieces -----------------------------------------------------------------------
def test_a_melody_track_and_a_chord_track_become_a_piece(tmp_path):
    truth = song(tmp_path / "a.mid", 2, tpb=96)
    piece, how = leadsheets.midi_piece(tmp_path / "a.mid", "a.mid")
    assert "melody" in how and piece.beats_per_bar == 4 and len(piece.notes) == len(truth)
    assert all(n.pitch >= 60 for n in piece.notes)  # the melody track, not the piano
    labels = [c for onset, offset, c in piece.chords for _ in range(int(offset - onset))]
    assert labels == truth  # D F G Bb, each a bar


def test_the_highest_voice_is_the_melody_when_no_track_is_named(tmp_path):
    song(tmp_path / "a.mid", 0)
    midi = mido.MidiFile(str(tmp_path / "a.mid"))
    for t in midi.tracks:
        for i, msg in enumerate(t):
            if msg.type == "track_name":
                t[i] = msg.copy(name="Track")
    midi.save(str(tmp_path / "b.mid"))
    piece, how = leadsheets.midi_piece(tmp_path / "b.mid", "b")
    assert how.startswith("melody: the highest voice") and min(n.pitch for n in piece.notes) >= 60


def test_one_polyphonic_track_is_split_by_its_top_notes(tmp_path):
    song(tmp_path / "a.mid", 0)
    two = mido.MidiFile(str(tmp_path / "a.mid"))
    merged = mido.MidiFile(type=0, ticks_per_beat=two.ticks_per_beat)
    merged.tracks.append(mido.merge_tracks(two.tracks))
    merged.save(str(tmp_path / "one.mid"))
    piece, how = leadsheets.midi_piece(tmp_path / "one.mid", "one")
    assert "top notes" not in how  # two channels are two voices even in one track
    for msg in merged.tracks[0]:
        if hasattr(msg, "channel"):
            msg.channel = 0
    merged.save(str(tmp_path / "one channel.mid"))
    piece, how = leadsheets.midi_piece(tmp_path / "one channel.mid", "x")
    assert "top notes" in how
    labels = [c for onset, offset, c in piece.chords for _ in range(int(offset - onset))]
    assert labels == progression(0)


def test_files_that_cannot_teach_chords_say_why(tmp_path):
    song(tmp_path / "line.mid", 0, melody_only=True)
    with pytest.raises(Unusable, match="single melody line"):
        leadsheets.midi_piece(tmp_path / "line.mid", "line")
    (tmp_path / "junk.mid").write_bytes(b"MThd not really")
    with pytest.raises(Unusable, match="not a readable standard MIDI file"):
        leadsheets.midi_piece(tmp_path / "junk.mid", "junk")
    drums = mido.MidiFile()
    drums.tracks.append(track("Drums", [(b, b + 0.5, 36) for b in range(16)], 9, 480))
    drums.save(str(tmp_path / "drums.mid"))
    with pytest.raises(Unusable, match="no pitched notes"):
        leadsheets.midi_piece(tmp_path / "drums.mid", "drums")


def test_twelve_transpositions_are_the_replay_transposed(tmp_path):
    """What `finetune.transpose` builds equals a real replay of the transposed piece."""
    from engine.accompanist.finetune import transpose
    from engine.accompanist.train import replay

    song(tmp_path / "a.mid", 0, variant=1)
    piece, _ = leadsheets.midi_piece(tmp_path / "a.mid", "a")
    base = replay(piece)
    for k in range(1, 12):
        moved = copy.deepcopy(piece)
        for n in moved.notes:
            n.pitch += k
        moved.chords = [(a, b, None if c is None else chords.rotate(c, k)) for a, b, c in moved.chords]
        real, ours = replay(moved), transpose(base, k)
        assert np.array_equal(real.feats, ours.feats)
        assert np.array_equal(real.rot, ours.rot) and np.array_equal(real.chord, ours.chord)


# -- jam train --from DIR -------------------------------------------------------------------------
def test_fine_tuning_learns_the_performers_progression(tmp_path, monkeypatch):
    from engine.accompanist.model import Predictor

    folder, state, out = performer_dir(tmp_path), tmp_path / "state", tmp_path / "tuned.pt"
    shipped_hash = sha256(SHIPPED)
    run = jam_train("--from", str(folder), "--epochs", str(EPOCHS), "--out", str(out), state=state)
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    for e in range(1, EPOCHS + 1):
        assert f"epoch {e:2d}/{EPOCHS}" in run.stderr  # a progress line per epoch
    assert re.search(r"held out: (sub/)?song\d\.mid;", run.stderr)  # 4 files: one held out, by file
    assert out.exists() and not (state / "jam" / "chord_lstm.pt").exists()  # --out was asked for
    assert sha256(SHIPPED) == shipped_hash

    shipped, tuned = Predictor(SHIPPED), Predictor(out)
    assert tuned.fusion == shipped.fusion  # the shipped fusion is kept
    for i, tonic in enumerate(TONICS):
        path = folder / ("sub" if i % 2 else "") / f"song{i}.mid"
        piece, _ = leadsheets.midi_piece(path, path.name)
        truth = progression(tonic)
        before, after = progression_logp(shipped, piece, truth), progression_logp(tuned, piece, truth)
        assert after > before + 0.5, (path.name, before, after)

    # the default place: the accompanist plays the performer's weights from then on; seeded, so the same
    again = jam_train("--from", str(folder), "--epochs", str(EPOCHS), state=state)
    assert again.returncode == 0, again.stderr
    mine = state / "jam" / "chord_lstm.pt"
    assert mine.exists() and sha256(SHIPPED) == shipped_hash
    monkeypatch.delenv("JAM_ACCOMPANIST_WEIGHTS", raising=False)
    monkeypatch.setenv("XDG_STATE_HOME", str(state))
    default = Predictor()
    assert default.path == mine
    assert np.array_equal(default.w_out, tuned.w_out) and np.array_equal(default.w_hh, tuned.w_hh)
    from engine.accompanist.decide import ModelDecider

    assert ModelDecider().predictor.path == mine  # what `jam accompany --online` and the band build


def test_a_corrupt_performer_file_falls_back_to_the_shipped_weights(tmp_path, monkeypatch, capfd):
    from engine.accompanist.model import Predictor

    monkeypatch.delenv("JAM_ACCOMPANIST_WEIGHTS", raising=False)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    assert Predictor().path == SHIPPED and capfd.readouterr().err == ""  # no file of one's own: the shipped one
    (tmp_path / "jam").mkdir()
    (tmp_path / "jam" / "chord_lstm.pt").write_bytes(b"half a file")
    predictor = Predictor()
    assert predictor.path == SHIPPED
    err = capfd.readouterr().err
    assert "cannot load the weights" in err and str(tmp_path / "jam" / "chord_lstm.pt") in err
    assert "playing the shipped weights" in err


def test_bad_input_gets_a_message_and_nothing_is_saved(tmp_path, monkeypatch, capsys):
    from engine.accompanist.train import main

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    shipped_hash = sha256(SHIPPED)

    assert main(["--from", str(tmp_path / "nowhere")]) == 1
    assert "does not exist" in capsys.readouterr().err

    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "notes.txt").write_text("not MIDI")
    assert main(["--from", str(tmp_path / "empty")]) == 1
    assert "no MIDI files" in capsys.readouterr().err

    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "broken.mid").write_bytes(b"RIFF....")
    song(bad / "tune only.mid", 0, melody_only=True)
    assert main(["--from", str(bad)]) == 1
    err = capsys.readouterr().err
    assert f"skipped {bad / 'broken.mid'}: not a readable standard MIDI file" in err
    assert f"skipped {bad / 'tune only.mid'}: a single melody line with no harmony" in err
    assert "none of the 2 MIDI files" in err and "nothing saved" in err and "Traceback" not in err

    song(bad / "good.mid", 5)  # one usable file among the bad ones: trained, and no held-out check said
    assert main(["--from", str(bad), "--epochs", "1"]) == 0
    err = capsys.readouterr().err
    assert "skipped" in err and "no held-out check" in err
    assert (tmp_path / "state" / "jam" / "chord_lstm.pt").exists()

    assert main(["--from", str(bad), "--epochs", "1", "--out", str(SHIPPED)]) == 1
    assert "shipped weights file" in capsys.readouterr().err
    assert sha256(SHIPPED) == shipped_hash
    assert not (tmp_path / "state" / "jam" / "chord_lstm.pt.partial").exists()
