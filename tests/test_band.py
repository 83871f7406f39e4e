"""The band, live: it follows the harmony the performer plays (heard in the engine's JACK output),
and takes typed directions that can be undone."""

from __future__ import annotations

import os
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import pytest
import rtmidi

from console.client import EngineClient, start_engine, stop_engine
from dsl import parse_patch
from engine.accompanist.arranger import arrange_parts
from engine.accompanist.learner import Learner
from engine.wavfile import read_wav
from tests.test_realtime import jack_output_ports

A_MINOR = [57, 60, 64, 69]  # the performer's arpeggios, all above the bass's register
F_MAJOR = [53, 57, 60, 65]
NAMES = ["C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B"]
PORT = f"jamtest-band-{os.getpid()}"  # this run's own keyboard: a test run beside it on the same JACK server has its own
AM, F = (9, [9, 0, 4]), (5, [5, 9, 0])


def wait_until(predicate, timeout: float = 20.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def bass_pitch_class(audio: np.ndarray, rate: int) -> tuple[int, np.ndarray]:
    """The strongest pitch class between 40 and 180 Hz (the bass's register), and the profile."""
    mono = audio.mean(axis=1) if audio.ndim > 1 else audio
    spectrum = np.abs(np.fft.rfft(mono * np.hanning(len(mono)))) ** 2
    freqs = np.fft.rfftfreq(len(mono), 1 / rate)
    band = (freqs > 40) & (freqs < 180)
    pcs = np.round(69 + 12 * np.log2(freqs[band] / 440.0)).astype(int) % 12
    profile = np.bincount(pcs, weights=spectrum[band], minlength=12)
    return int(np.argmax(profile)), profile / profile.sum()


# -- the arranger's live window ------------------------------------------------------------------
def test_a_window_of_bars_plays_each_bar_in_its_own_cycle():
    """Arranged from bar 7, the two bars land in cycles 7 and 8 (and 9, 10... repeat them), so a
    window swapped in mid-show plays the bars it was made for."""
    parts = dict(arrange_parts([AM] * 4 + [F] * 4, "pop", first_bar=7))
    bass = next(iter(parse_patch(f'd1 $ {parts["bass"]}').channels.values()))
    first = {bar: min(bass.onsets(bar, bar + 1), key=lambda e: e.whole.begin).value["n"] % 12 for bar in (7, 8)}
    assert first == {7: 9, 8: 5}


def test_a_break_leaves_the_drums_alone_and_a_fill_adds_hits():
    plain = dict(arrange_parts([AM] * 8, "rock", first_bar=4))
    directed = dict(arrange_parts([AM] * 8, "rock", first_bar=4, fills=frozenset({4}), breaks=frozenset({5})))

    def onsets(parts, part, bar):
        return len(next(iter(parse_patch(f"d1 $ {parts[part]}").channels.values())).onsets(bar, bar + 1))

    assert onsets(directed, "sn", 4) > onsets(plain, "sn", 4)
    assert onsets(plain, "bass", 5) > 0 and onsets(directed, "bass", 5) == 0 and onsets(directed, "comp", 5) == 0
    assert onsets(directed, "bd", 5) == onsets(plain, "bd", 5)


# -- live, through the engine ----------------------------------------------------------------------
@pytest.fixture
def band_engine(jack_server, tmp_path, monkeypatch):
    """The engine process on JACK with a MIDI input, and its two new JACK output ports."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))  # the rated profile goes here
    sock = Path(tempfile.mkdtemp(prefix="jam-band-")) / "e.sock"  # socket paths are short on Linux
    before = jack_output_ports()
    proc = start_engine(sock, audio=True, device="JACK", log=tmp_path / "engine.log", midi=f"{PORT}$")
    client = EngineClient(sock)
    try:
        wait_until(lambda: len(jack_output_ports() - before) == 2, 10, "the engine's JACK ports")
        client.ports = sorted(jack_output_ports() - before)
        yield client
    finally:
        stop_engine(proc, client)
        sock.unlink(missing_ok=True)
        sock.parent.rmdir()


class Keyboard:
    """A JACK MIDI keyboard port that plays arpeggios in a thread, like a performer vamping."""

    def __init__(self) -> None:
        self.port = rtmidi.MidiOut(rtapi=rtmidi.API_UNIX_JACK, name="jamtest-player")
        self.port.open_virtual_port(PORT)
        self.notes = A_MINOR
        self.running = True
        self.thread = threading.Thread(target=self._play, daemon=True)
        self.thread.start()

    def _play(self) -> None:
        while self.running:
            for note in self.notes:
                self.port.send_message([0x90, note, 90])
                time.sleep(0.22)
                self.port.send_message([0x80, note, 0])
                time.sleep(0.03)

    def close(self) -> None:
        self.running = False
        self.thread.join()
        self.port.close_port()


def bass_settles_on(engine: EngineClient, names: tuple[str, ...], path: Path, tries: int = 4) -> None:
    """The bass, recorded 3 s at a time, plays one of `names` within `tries` recordings: the bars the
    band arranged before it heard the new harmony (this bar and the next, 4 s at 120 BPM, longer on
    a loaded machine) play out first."""
    for _ in range(tries):
        audio, rate = record(engine, path)
        pc, profile = bass_pitch_class(audio, rate)
        if NAMES[pc] in names:
            return
    raise AssertionError(f"the bass never settled on {' or '.join(names)}; last profile "
                         f"{dict(zip(NAMES, profile.round(2)))}")


def record(engine: EngineClient, path: Path, seconds: int = 3) -> tuple[np.ndarray, int]:
    result = subprocess.run(["jack_rec", "-f", str(path), "-d", str(seconds), "-b", "16", *engine.ports],
                            capture_output=True, text=True, timeout=seconds + 30)
    assert result.returncode == 0, result.stderr
    return read_wav(path)


def test_the_band_follows_the_harmony_played_on_a_midi_keyboard(band_engine, tmp_path):
    engine = band_engine
    engine.request("eval", text='tempo 120\nstyle "pop"')
    keyboard = Keyboard()
    try:
        wait_until(lambda: engine.request("status")["midi"]["ports"], what="the engine to find the keyboard")
        assert engine.request("band", on=True)["on"]
        reply = engine.request("say", text="drop the drums")  # so the low band holds the bass alone
        assert reply["intent"]["name"] == "drop_instrument", reply
        wait_until(lambda: engine.request("status")["band"]["brain"] == "ready", what="the band's brain")
        wait_until(lambda: engine.request("status")["band"]["chord"] == "A:min", what="the band to hear A minor")
        status = engine.request("status")["band"]
        assert status["on"] and status["key"], status  # an arpeggio names no key alone (A minor, C major, D minor...)
        assert "band-bass" in status["channels"] and not {"band-bd", "band-sn", "band-hh"} & set(status["channels"])
        bass_settles_on(engine, ("A", "E"), tmp_path / "a.wav")

        keyboard.notes = F_MAJOR
        wait_until(lambda: engine.request("status")["band"]["chord"] == "F:maj", what="the band to hear F major")
        bass_settles_on(engine, ("F", "C"), tmp_path / "f.wav")
    finally:
        keyboard.close()


@pytest.fixture
def silent_engine(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    sock = Path(tempfile.mkdtemp(prefix="jam-band-")) / "e.sock"
    proc = start_engine(sock, audio=False, log=tmp_path / "engine.log")
    client = EngineClient(sock)
    try:
        yield client
    finally:
        stop_engine(proc, client)
        sock.unlink(missing_ok=True)
        sock.parent.rmdir()


def test_directions_change_what_plays_and_undo_puts_it_back(silent_engine, tmp_path):
    engine = silent_engine
    engine.request("eval", text='tempo 120\nd1 $ n "<[a c6 e6 a6] [f a c6 f6]>" # s "piano"')

    def band():
        return engine.request("status")["band"]

    def steady_key(seconds: float = 2.0) -> str:
        """The key the band hears once it has held for `seconds` (A minor and F major arpeggios: by
        ear F major, A minor or C major)."""
        held, since, deadline = None, time.monotonic(), time.monotonic() + 30
        while time.monotonic() < deadline:
            key = band()["key"]
            if key != held:
                held, since = key, time.monotonic()
            elif key is not None and time.monotonic() - since >= seconds:
                return key
            time.sleep(0.1)
        raise AssertionError(f"the band's key never settled (last {held})")

    reply = engine.request("say", text="switch to jazz")
    assert reply["did"] == "the band plays jazz"
    wait_until(lambda: "band-ride" in band()["channels"], what="the jazz band's ride")
    assert band()["style"] == "jazz" and engine.request("status")["style"] == "jazz"

    engine.request("say", text="drop the drums")
    wait_until(lambda: not {"band-ride", "band-hh", "band-bd"} & set(band()["channels"]), what="the drums to go")
    assert "band-bass" in band()["channels"]
    assert engine.request("undo")["did"] == "undid 'drop the drums'"
    wait_until(lambda: "band-ride" in band()["channels"], what="the drums to come back")

    engine.request("say", text="add brass")
    wait_until(lambda: "band-brass" in band()["channels"], what="the brass")

    assert engine.request("say", text="faster")["did"] == "tempo 130"
    assert round(engine.request("status")["bpm"]) == 130
    engine.request("undo")
    assert round(engine.request("status")["bpm"]) == 120
    heard = steady_key()
    assert heard != "D minor"
    engine.request("say", text="key of d minor")  # the arpeggios fit D minor too: the named key decides
    assert engine.request("status")["key"] == {"tonic": 2, "mode": "minor"}
    assert steady_key() == "D minor", f"the band still hears {heard}"

    before = engine.request("status")
    nothing = engine.request("say", text="make me a sandwich")
    assert nothing["intent"] is None and nothing["did"].startswith("nothing changed")
    after = engine.request("status")
    assert (after["bpm"], after["key"], after["band"]["channels"]) == (before["bpm"], before["key"],
                                                                       before["band"]["channels"])

    profile = tmp_path / "state" / "jam" / "profile.json"
    engine.request("rate", value=5)
    assert [r.value for r in Learner.load(profile).history] == [5]
    engine.request("undo")
    assert Learner.load(profile).history == []
    log = engine.request("status")["directions"]
    assert [e["text"] for e in log][-3:] == ["make me a sandwich", "rating 5", "undo"]


def test_the_band_hears_the_performers_own_channels(silent_engine):
    """Without a MIDI keyboard the band follows the melodic channels of the patch."""
    engine = silent_engine
    engine.request("eval", text='tempo 140\nd1 $ n "a4 c e a" # s "piano"')
    engine.request("band", on=True)
    wait_until(lambda: engine.request("status")["band"]["chord"] == "A:min", what="A minor")
    engine.request("eval", text='d1 $ n "f4 a c5 f" # s "piano"')
    wait_until(lambda: engine.request("status")["band"]["chord"] == "F:maj", what="F major")
    engine.request("band", on=False)
    wait_until(lambda: not engine.request("status")["band"]["channels"], what="the band to leave")
    assert engine.request("status")["channels"] == ["d1"]


def test_a_midi_file_rehearses_the_performers_part_and_the_band_follows_it(tmp_path, monkeypatch):
    """`jam --midi-file`: the file plays at its own tempo, looped, as if played live."""
    import mido

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    song = mido.MidiFile(ticks_per_beat=480)
    track = mido.MidiTrack([mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(132))])
    for chord in (A_MINOR, A_MINOR, F_MAJOR, F_MAJOR):  # a bar each, eighth notes up and down
        for note in chord + chord[::-1]:
            track += [mido.Message("note_on", note=note, velocity=90), mido.Message("note_off", note=note, time=240)]
    song.tracks.append(track)
    song.save(tmp_path / "vamp.mid")
    sock = Path(tempfile.mkdtemp(prefix="jam-band-")) / "e.sock"
    proc = start_engine(sock, audio=False, log=tmp_path / "engine.log", midi_file=str(tmp_path / "vamp.mid"))
    engine = EngineClient(sock)
    try:
        assert round(engine.request("status")["bpm"]) == 132
        engine.request("band", on=True)
        chords = set()
        deadline = time.monotonic() + 40
        while not {"A:min", "F:maj"} <= chords and time.monotonic() < deadline:
            chords.add(engine.request("status")["band"]["chord"])
            time.sleep(0.1)
        assert {"A:min", "F:maj"} <= chords, chords
        roll = engine.request("roll", cycles=2)["notes"]
        assert {n[2] for n in roll if n[3] == "you"} & set(A_MINOR + F_MAJOR)  # the file's notes, as yours
        assert any(n[3] == "band" for n in roll)
    finally:
        stop_engine(proc, engine)
        sock.unlink(missing_ok=True)
        sock.parent.rmdir()


def test_the_learned_follow_knob_weighs_what_the_band_hears():
    """{"follow": 1} makes the brain trust its ear more than the model: after an A minor arpeggio
    the chord it hears (A minor) gets more of the probability than with {"follow": 0}."""
    import json
    import sys

    def weighed(follow: float) -> dict:
        brain = subprocess.Popen([sys.executable, "-m", "engine.accompanist.brain"], stdin=subprocess.PIPE,
                                 stdout=subprocess.PIPE, text=True)
        lines = [{"reset": {"style": "pop"}}, {"follow": follow}]
        lines += [{"note_on": {"t": i * 0.5, "pitch": A_MINOR[i % 4], "velocity": 90}} for i in range(8)]
        lines += [{"decide": 4.0}]
        out, _ = brain.communicate("\n".join(json.dumps(m) for m in lines) + "\n", timeout=60)
        answers = [json.loads(line) for line in out.splitlines()]
        assert answers[0] == {"ready": True}
        return {w["name"]: w["p"] for w in answers[-1]["weighed"]}

    close, loose = weighed(1.0), weighed(0.0)
    assert close.get("A:min", 0) > loose.get("A:min", 0) + 0.05, (close, loose)
