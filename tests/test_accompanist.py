"""The accompanist (issue 6): the online protocol, strict causality, the ear's key finding, the evaluation.

Everything runs the real parts: the shipped weights, the Session that serves `--online`, and
lead sheets from ../shared/data (those tests skip where the data is absent).
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from engine.accompanist import chords, leadsheets
from engine.accompanist.ear import Ear, key_name
from engine.accompanist.online import Session, serve

ROOT = Path(__file__).resolve().parent.parent
POP909 = leadsheets.DATA / leadsheets.TRAIN_FILES[0]
CONTRACT = [  # the lines ../shared/checks/contracts.sh sends
    {"reset": {"style": "pop", "time_signature": "4/4", "bpm": 100}}, {"decide": 0.0},
    {"note_on": {"t": 0.0, "pitch": 60, "velocity": 90}}, {"note_off": {"t": 1.0, "pitch": 60}},
    {"note_on": {"t": 1.0, "pitch": 64, "velocity": 90}}, {"decide": 1.25}, {"note_off": {"t": 2.0, "pitch": 64}},
    {"note_on": {"t": 2.0, "pitch": 67, "velocity": 90}}, {"decide": 2.5},
]


@pytest.fixture(scope="module", autouse=True)
def shipped_weights():
    """These tests measure the shipped network, whatever fine-tune of one's own the machine holds."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("JAM_ACCOMPANIST_WEIGHTS", str(ROOT / "engine" / "accompanist" / "weights" / "chord_lstm.pt"))
        yield


@pytest.fixture(scope="module")
def decider():
    from engine.accompanist.decide import ModelDecider

    return ModelDecider()


def play(session: Session, notes, decides) -> list[dict]:
    """Send notes (onset, offset, pitch) and decides in protocol order; the answers."""
    events = [(on, 2, {"note_on": {"t": on, "pitch": p, "velocity": 90}}) for on, _, p in notes]
    events += [(off, 1, {"note_off": {"t": off, "pitch": p}}) for _, off, p in notes]
    events += [(t, 0, {"decide": t}) for t in decides]
    session.handle({"reset": {"style": "pop", "time_signature": "4/4"}})
    out = [session.handle(m) for _, _, m in sorted(events, key=lambda e: (e[0], e[1]))]
    return [a for a in out if a is not None]


def melody(pitches, start=0.0, dur=0.5):
    return [(start + i * dur, start + (i + 1) * dur, p) for i, p in enumerate(pitches)]


# -- the protocol ---------------------------------------------------------------------
def test_contract_lines_get_exact_answers(decider):
    out = io.StringIO()
    serve(Session(decider), io.StringIO("\n".join(json.dumps(m) for m in CONTRACT) + "\n"), out, io.StringIO())
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [a["t"] for a in lines] == [0.0, 1.25, 2.5]
    assert lines[0] == {"t": 0.0, "chord": None}  # nothing heard yet
    for a in lines[1:]:
        assert set(a) == {"t", "root_pc", "pcs"}
        assert 0 <= a["root_pc"] < 12 and a["pcs"] == sorted(set(a["pcs"])) and a["root_pc"] in a["pcs"]
    assert 0 in lines[2]["pcs"] or 4 in lines[2]["pcs"]  # C then E heard: a chord that holds one of them


def test_bad_lines_go_to_stderr_and_every_decide_is_answered(decider):
    lines = ['{"reset": {}}', "not json", '{"note_on": {"t": 2.0, "pitch": 60}}', '{"decide": 1.0}',
             '{"volume": 3}', '{"decide": 3.0}']
    out, err = io.StringIO(), io.StringIO()
    serve(Session(decider), io.StringIO("\n".join(lines)), out, err)
    answers = [json.loads(line) for line in out.getvalue().splitlines()]
    assert answers[0] == {"t": 1.0, "chord": None}  # time went back: answered, but with no chord
    assert answers[1]["t"] == 3.0 and "root_pc" in answers[1]
    assert err.getvalue().count("accompany: line") == 3


def test_the_jam_command_speaks_the_protocol():
    """The real entry point as a process, as the contract check runs it (torch loads only here)."""
    code = "import sys; from console.accompany_command import cmd_accompany; sys.exit(cmd_accompany(['--online']))"
    run = subprocess.run([sys.executable, "-c", code], input="\n".join(json.dumps(m) for m in CONTRACT) + "\n",
                         capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    assert [json.loads(line)["t"] for line in run.stdout.splitlines()] == [0.0, 1.25, 2.5]


# -- strictly online --------------------------------------------------------------------
def test_future_notes_never_change_earlier_answers(decider):
    tune = melody([60, 62, 64, 65, 67, 69, 71, 72, 67, 64, 60, 62, 64, 62, 60, 59] * 2)
    decides = [i / 4 for i in range(64)]
    base = play(Session(decider), tune, decides)
    for cut in (5.0, 9.25, 12.5):
        # the same performance up to `cut`, then different notes (a note exactly at `cut` too)
        other = [n for n in tune if n[0] < cut] + melody([61, 66, 70, 63] * 4, start=cut, dur=0.25)
        changed = play(Session(decider), [(a, min(b, cut) if a < cut else b, p) for a, b, p in other], decides)
        kept = [a for a in base if a["t"] <= cut]
        assert changed[:len(kept)] == kept
        assert changed != base


def test_a_note_sent_after_a_decide_at_its_own_time_is_not_heard_by_it(decider):
    s1, s2 = Session(decider), Session(decider)
    for s in (s1, s2):
        s.handle({"reset": {}})
    assert s1.handle({"decide": 1.0}) == {"t": 1.0, "chord": None}
    s2.handle({"note_on": {"t": 0.5, "pitch": 62}})
    assert "root_pc" in s2.handle({"decide": 1.0})  # a note before t is heard
    s1.handle({"note_on": {"t": 1.0, "pitch": 62}})
    assert "root_pc" in s1.handle({"decide": 1.25})


@pytest.mark.skipif(not POP909.exists(), reason="shared data absent")
def test_evaluation_harness_is_strict(decider):
    """Frames decided in one pass over a piece equal fresh sessions that saw only the notes before them."""
    from engine.accompanist.evaluate import drive, frame_truth

    piece = leadsheets.load(POP909, "test", limit=1)[0]
    piece.notes = [n for n in piece.notes if n.onset < 40]
    piece.length = 40.0
    frames = len(frame_truth(piece)[1])
    emitted, _ = drive(Session(decider), piece, frames)
    for f in (37, 83, 121, 158):
        t = f / 4
        session = Session(decider)
        session.handle({"reset": {"style": piece.style, "time_signature": "4/4"}})
        # only what happened before t: note-ons before it, note-offs before it, the earlier decides
        msgs = sorted([(n.onset, 2, {"note_on": {"t": n.onset, "pitch": n.pitch}}) for n in piece.notes if n.onset < t] +
                      [(n.offset, 1, {"note_off": {"t": n.offset, "pitch": n.pitch}}) for n in piece.notes if n.offset < t] +
                      [(g / 4, 0, {"decide": g / 4}) for g in range(f + 1)], key=lambda e: (e[0], e[1]))
        answers = [a for a in (session.handle(m) for _, _, m in msgs) if a]
        last = answers[-1]
        assert (emitted[f] == -1) == ("chord" in last)
        if emitted[f] >= 0:
            assert chords.root(int(emitted[f])) == last["root_pc"] and chords.pcs(int(emitted[f])) == last["pcs"]


def test_a_beat_is_corrected_by_the_notes_heard_since_it_began(decider):
    """The chord chosen as a beat begins, before any of its notes, gives way within the beat when
    they clearly outline another: after a phrase in C that ends on G, the chord chosen at beat 8
    does not hold E G B, and once the beat's first notes E G B E are heard it is E minor."""
    phrase = melody([60, 62, 64, 65, 67, 65, 64, 62, 60, 64, 67, 72, 71, 67, 62, 59])
    answers = play(Session(decider), phrase + melody([64, 67, 71, 76], start=8.0, dur=0.25), [8.0, 8.25, 8.5, 8.75])
    assert not {4, 7, 11} <= set(answers[0]["pcs"])
    assert all(a["root_pc"] == 4 and {4, 7, 11} <= set(a["pcs"]) for a in answers[2:])


def test_answers_transpose_with_the_melody(decider):
    """Key-relative by construction: the same tune a third higher gets the same chords a third higher
    (from the second beat on: after one lone note, exact ties between chords are broken by index)."""
    tune = melody([67, 64, 65, 62, 60, 64, 67, 72, 71, 69, 67, 65, 64, 62, 60, 60] * 2)
    decides = [i / 4 for i in range(4, 60)]
    low = play(Session(decider), tune, decides)
    high = play(Session(decider), [(a, b, p + 4) for a, b, p in tune], decides)
    for a, b in zip(low, high):
        assert ("chord" in a) == ("chord" in b)
        if "root_pc" in a:
            assert b["root_pc"] == (a["root_pc"] + 4) % 12 and b["pcs"] == sorted((p + 4) % 12 for p in a["pcs"])


def test_a_repeated_section_gets_the_chords_recognised_the_first_time():
    """A 4-bar section over C, Am, F, G (arpeggios with passing notes), played three times: from the
    second pass on, the memory replays the chords recognised in hindsight on the first, so the
    repeats follow the progression better than the first pass and than a decider without memory."""
    from engine.accompanist.decide import MEMORY_WEIGHT, ModelDecider

    section = [60, 64, 67, 64, 65, 64, 62, 64, 69, 72, 76, 72, 71, 69, 67, 69,
               65, 69, 72, 69, 67, 65, 64, 65, 67, 71, 74, 71, 69, 67, 65, 67]
    progression = [(0, [0, 4, 7])] * 4 + [(9, [0, 4, 9])] * 4 + [(5, [0, 5, 9])] * 4 + [(7, [2, 7, 11])] * 4

    def agreement(memory: float) -> list[float]:
        answers = play(Session(ModelDecider(memory=memory)), melody(section * 3), [float(b) for b in range(48)])
        hits = [a.get("root_pc") == root and set(pcs) <= set(a["pcs"])
                for a, (root, pcs) in zip(answers, progression * 3)]
        return [float(np.mean(hits[i:i + 16])) for i in (0, 16, 32)]

    first, *repeats = agreement(MEMORY_WEIGHT)
    assert min(repeats) > first
    assert np.mean(repeats) > np.mean(agreement(0.0)[1:]) + 0.15


# -- the ear ------------------------------------------------------------------------------
def hear(ear: Ear, notes):
    for on, off, p in notes:
        ear.note_on(on, p)
        ear.note_off(off, p)


def test_key_of_a_major_scale_and_a_minor_melody():
    ear = Ear()
    hear(ear, melody([60, 62, 64, 65, 67, 69, 71, 72, 67, 64, 60] * 2))
    assert key_name(ear.key()) == "C major"
    ear = Ear()
    hear(ear, melody([69, 71, 72, 74, 76, 77, 80, 81, 76, 72, 69, 64, 68, 69] * 2))
    assert key_name(ear.key()) == "A minor"


def test_key_follows_a_modulation():
    ear = Ear()
    c_major = [60, 64, 67, 65, 62, 71, 72, 67, 69, 65, 64, 62] * 3
    hear(ear, melody(c_major))  # 18 beats of C major
    assert key_name(ear.key()) == "C major"
    e_major = [p + 4 for p in c_major] * 2  # then 36 beats of E major
    start = ear.now
    changed_at = None
    for i, (on, off, p) in enumerate(melody(e_major, start=start)):
        ear.note_on(on, p)
        ear.note_off(off, p)
        if changed_at is None and key_name(ear.key()) == "E major":
            changed_at = off - start
    assert changed_at is not None and changed_at <= 16, changed_at  # within four bars


def test_a_named_key_settles_what_the_notes_leave_open():
    """C, E, G and A fit C major and A minor alike: the key the performer named decides, before the
    first note too; a note of another key does not move it."""
    ambiguous = melody([60, 64, 67, 69, 64, 60, 69, 67] * 2)
    heard = {}
    for named in (None, 9 + 12, 0):
        ear = Ear()
        ear.declare(named)
        if named is not None:
            assert ear.key() == named  # nothing heard yet: the named key already holds
        hear(ear, ambiguous + melody([66], start=8.0))  # and one F sharp
        heard[named] = key_name(ear.key())
    assert heard[9 + 12] == "A minor" and heard[0] == "C major", heard


def test_a_named_key_still_follows_a_clear_modulation():
    ear = Ear()
    ear.declare(0)  # the patch says C major
    c_major = [60, 64, 67, 65, 62, 71, 72, 67, 69, 65, 64, 62] * 3
    hear(ear, melody(c_major))
    e_major = [p + 4 for p in c_major] * 3
    start, changed_at = ear.now, None
    for on, off, p in melody(e_major, start=ear.now):
        ear.note_on(on, p)
        ear.note_off(off, p)
        if changed_at is None and key_name(ear.key()) == "E major":
            changed_at = off - start
    assert changed_at is not None and changed_at <= 32, changed_at  # within eight bars


def test_the_protocol_takes_a_named_key(decider):
    """{"reset": {..., "key": "a minor"}} and {"key": ...} lean the ear; a bad key is a clear error."""
    session = Session(decider)
    session.handle({"reset": {"style": "pop", "key": "a minor"}})
    assert key_name(session.ear.key()) == "A minor"
    session.handle({"key": "Eb major"})
    assert key_name(session.ear.key()) == "Eb major"
    session.handle({"key": None})
    assert session.ear.declared is None
    # E dorian (a funk vamp of Em7 and A9: E G B D, A C# E G B) is heard as E minor with its C sharp
    session.handle({"reset": {"style": "funk", "key": "e dorian"}})
    for i, p in enumerate([64, 67, 71, 74, 69, 73, 76, 79] * 4):
        session.handle({"note_on": {"t": i * 0.5, "pitch": p, "velocity": 90}})
        session.handle({"note_off": {"t": i * 0.5 + 0.5, "pitch": p}})
    assert key_name(session.ear.key()) == "E minor"
    err = io.StringIO()
    serve(session, io.StringIO('{"key": "h minor"}\n{"decide": 1.0}\n'), io.StringIO(), err)
    assert "'h minor' is not a key" in err.getvalue()


def test_harmony_and_playing_features():
    ear = Ear()
    hear(ear, [(0.0, 1.0, 64), (1.0, 1.5, 67), (1.5, 2.0, 72), (2.0, 2.75, 64), (2.75, 3.0, 60)])
    logp = ear.chord_logp(0)
    assert chords.name(int(np.argmax(logp))) == "C:maj"
    assert abs(np.exp(logp).sum() - 1) < 1e-6
    playing = ear.playing()
    assert playing.density == pytest.approx(5 / 4) and 0 < playing.syncopation < 1
    assert 60 <= playing.register <= 72


def test_chord_labels_of_the_data_sets():
    assert chords.name(chords.parse("C#:min7/5")) == "C#:min7"
    assert chords.name(chords.parse("E:7(#9)")) == "E:7"
    assert chords.name(chords.parse("Bb:maj6(9)")) == "Bb:maj"
    assert chords.name(chords.parse("Em")) == "E:min" and chords.name(chords.parse("C/E")) == "C:maj"
    assert chords.parse("N") is None
    assert chords.pcs(chords.parse("G7")) == [2, 5, 7, 11]


# -- the evaluation ---------------------------------------------------------------------------
@pytest.mark.skipif(not POP909.exists(), reason="shared data absent")
def test_held_out_pieces_reach_the_targets(decider):
    from engine.accompanist.baselines import KeyTonic
    from engine.accompanist.evaluate import evaluate

    pieces = leadsheets.load(POP909, "test", limit=8)
    result = evaluate(pieces, {"accompanist": lambda p: Session(decider),
                               "online-key-to-tonic": lambda p: Session(KeyTonic())})["overall"]
    ours, truth = result["accompanist"], result["ground truth"]
    assert ours["nic"] >= 0.75 * truth["nic"], result
    assert 0.5 <= ours["changes_per_bar"] <= 1.5, result
    assert ours["triad"] > result["online-key-to-tonic"]["triad"], result
    assert ours["ms_p99"] < 5.0, result


def test_the_numpy_step_is_the_trained_network():
    """The play-time step (numpy, for latency) computes what the torch network computes."""
    import torch

    from engine.accompanist.model import FEATURES, Predictor, load, style_index

    predictor, (net, _) = Predictor(), load()
    predictor.reset("pop")
    rng = np.random.default_rng(0)
    feats = rng.random((40, FEATURES)).astype(np.float32)
    prev = rng.integers(0, chords.NCHORDS + 1, 40)
    ours = np.array([predictor.step(feats[i], int(prev[i])) for i in range(40)])
    with torch.inference_mode():
        logits, _ = net(torch.from_numpy(feats)[None], torch.from_numpy(prev)[None], torch.tensor([style_index("pop")]))
    assert np.abs(ours - torch.log_softmax(logits[0], -1).numpy()).max() < 1e-4


def test_the_numpy_hindsight_is_the_trained_network():
    """The recogniser stepped beat by beat in numpy labels each beat as the torch network does from
    the whole sequence, `lookahead` beats late, rotated back to absolute chords."""
    import torch

    from engine.accompanist.hindsight import INPUTS, Recogniser, load

    recogniser, (net, _) = Recogniser(), load()
    rng = np.random.default_rng(0)
    x = rng.random((40, INPUTS)).astype(np.float32)
    rotation = rng.integers(0, 12, 40)
    labels = [recogniser.step(x[b], int(rotation[b])) for b in range(40)]
    ahead = recogniser.lookahead
    assert ahead >= 1 and all(label is None for label in labels[:ahead])
    with torch.inference_mode():
        relative = torch.log_softmax(net(torch.from_numpy(x)[None])[0], -1).numpy()
    for b in range(ahead, 40):
        s = b - ahead
        assert np.abs(labels[b] - relative[s][chords.ROTATE[(-rotation[s]) % 12]]).max() < 1e-4


def test_a_past_beat_is_labelled_only_from_notes_before_its_label_is_ready():
    """The chord of beat s is recognised at boundary s + 1 + lookahead from the notes before it: a
    performance that differs only from then on gets the same label for s, and a different one for s + 1."""
    from engine.accompanist.decide import ModelDecider

    decider = ModelDecider()
    ahead = decider.recogniser.lookahead
    tune = melody([60, 64, 67, 72, 69, 65, 62, 59] * 3)
    s = 6
    cut = float(s + 1 + ahead)
    other = [(a, min(b, cut), p) for a, b, p in tune if a < cut] + melody([61, 66, 70, 63] * 4, start=cut, dur=0.5)
    rows = []
    for notes in (tune, other):
        play(Session(decider), notes, [i / 4 for i in range(48)])
        assert decider.known[s] and decider.known[s + 1]
        rows.append(decider.hindsight[:s + 2].copy())
    assert np.array_equal(rows[0][:s + 1], rows[1][:s + 1])
    assert not np.allclose(rows[0][s + 1], rows[1][s + 1])


def test_the_ear_hears_the_sixteenths_of_the_last_beat():
    """Which pitch class sounds in the middle of each sixteenth of the beat before the boundary (the
    latest note wins; a held note counts up to the boundary) and on which sixteenths notes start."""
    ear = Ear()
    ear.note_on(3.0, 60)
    ear.note_on(3.5, 64)  # over the C still held: from here on E is the latest note
    ear.note_off(3.7, 64)
    ear.note_off(3.72, 60)
    ear.note_on(3.8, 67)  # starts on the last sixteenth (3.75 rounded) and is still held at 4
    ear.note_on(3.95, 71)  # rounds to beat 4: the next beat's first sixteenth, sounding after every middle here
    snap = ear.snapshot(4.0)
    assert [int(np.argmax(row)) if row.any() else None for row in snap.frames] == [0, 0, 4, 7]
    assert snap.frame_onsets.tolist() == [1.0, 0.0, 1.0, 1.0]
    assert snap.frames.sum() == 4


def test_a_network_with_the_previous_chord_input_still_plays(tmp_path):
    """Weights files of the older scheme (the chord of the last beat an input, `feedback`) load, and the
    numpy step follows the previous chord as the torch forward does; the shipped network has no such input."""
    import torch

    from engine.accompanist.model import FEATURES, ChordLSTM, Predictor, style_index

    assert Predictor().feedback is False
    torch.manual_seed(0)
    net = ChordLSTM(feedback=True).eval()
    path = tmp_path / "older.pt"
    torch.save({"config": {k: v for k, v in net.config.items() if k != "feedback"}, "state": net.state_dict()}, path)
    predictor = Predictor(path)
    assert predictor.feedback is True
    predictor.reset("pop")
    rng = np.random.default_rng(1)
    feats = rng.random((20, FEATURES)).astype(np.float32)
    prev = rng.integers(0, chords.NCHORDS + 1, 20)
    ours = np.array([predictor.step(feats[i], int(prev[i])) for i in range(20)])
    with torch.inference_mode():
        logits, _ = net(torch.from_numpy(feats)[None], torch.from_numpy(prev)[None], torch.tensor([style_index("pop")]))
    assert np.abs(ours - torch.log_softmax(logits[0], -1).numpy()).max() < 1e-4
