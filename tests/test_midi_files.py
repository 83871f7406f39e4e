"""MIDI files: rendered through the General MIDI mapping, and written from what a patch played."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import mido
import numpy as np

from engine.wavfile import read_wav
from tests.audio import onset_times

ROOT = Path(__file__).resolve().parent.parent


def jam(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "console", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=300)


def write_file(path: Path) -> None:
    """Four GM kicks half a second apart (120 bpm, channel 10) and a held piano A4 (program 0)."""
    midi = mido.MidiFile(type=1, ticks_per_beat=480)
    drums, piano = mido.MidiTrack(), mido.MidiTrack()
    midi.tracks += [drums, piano]
    drums.append(mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(120), time=0))
    for i in range(4):
        drums.append(mido.Message("note_on", channel=9, note=36, velocity=110, time=0 if i == 0 else 420))
        drums.append(mido.Message("note_off", channel=9, note=36, velocity=0, time=60))
    piano.append(mido.Message("program_change", channel=0, program=0, time=0))
    piano.append(mido.Message("note_on", channel=0, note=69, velocity=90, time=960 * 3))
    piano.append(mido.Message("note_off", channel=0, note=69, velocity=0, time=960))
    midi.save(str(path))


def test_a_midi_file_plays_through_the_general_midi_mapping(tmp_path):
    write_file(tmp_path / "in.mid")
    result = jam("render", "--midi-in", str(tmp_path / "in.mid"), "-o", str(tmp_path / "out.wav"),
                 "--format", "float32")
    assert result.returncode == 0, result.stderr
    audio, rate = read_wav(tmp_path / "out.wav")
    kicks = onset_times(audio[: int(1.9 * rate)], rate)
    assert len(kicks) == 4 and max(abs(k - 0.5 * i) for i, k in enumerate(kicks)) < 0.001, kicks
    piano = audio[int(3.2 * rate): int(3.7 * rate), 0]
    spectrum = np.abs(np.fft.rfft(piano * np.hanning(len(piano))))
    freqs = np.fft.rfftfreq(len(piano), 1 / rate)
    assert abs(freqs[np.argmax(spectrum)] - 440) < 5  # program 0 is a piano, playing A4


READER = """
import json, sys, mido
seconds, notes, programs = 0.0, [], {}
for message in mido.MidiFile(sys.argv[1]):
    seconds += message.time
    if message.type == "program_change":
        programs[message.channel] = message.program
    if message.type == "note_on" and message.velocity > 0:
        notes.append((round(seconds, 3), message.channel, message.note))
print(json.dumps([notes, programs]))
"""


def read_notes(path: Path) -> tuple[list[tuple], dict]:
    """Read a MIDI file in a fresh process. In this long test process mido has been seen to misread
    valid bytes (a NUL read back as 0x30) after other modules ran; `jam` never reads MIDI in a
    long-lived process, so the check reads it the way a user's tool would."""
    result = subprocess.run([sys.executable, "-c", READER, str(path)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    import json

    notes, programs = json.loads(result.stdout)
    return [tuple(n) for n in notes], {int(k): v for k, v in programs.items()}


def test_what_a_patch_played_comes_back_as_midi(tmp_path):
    patch = tmp_path / "p.jam"
    patch.write_text('tempo 120\nd1 $ s "bd sn"\nd2 $ n "c e" # s "piano"\n')
    result = jam("render", str(patch), "-o", str(tmp_path / "o.wav"), "--cycles", "1", "--midi", str(tmp_path / "o.mid"))
    assert result.returncode == 0, result.stderr
    notes, programs = read_notes(tmp_path / "o.mid")
    assert (0.0, 9, 36) in notes and (1.0, 9, 38) in notes  # GM kick and snare on channel 10
    piano = [(t, n) for t, c, n in notes if c != 9]
    assert piano == [(0.0, 60), (1.0, 64)] and 0 in programs.values()  # c5 is middle C, a GM piano


def test_stems_hold_one_channel_each(tmp_path):
    patch = tmp_path / "p.jam"
    patch.write_text('tempo 120\nd1 $ s "bd*4"\nd2 $ s "~ cp"\n')
    result = jam("render", str(patch), "-o", str(tmp_path / "mix.wav"), "--cycles", "1", "--stems",
                 str(tmp_path / "stems"), "--format", "float32")
    assert result.returncode == 0, result.stderr
    d1, rate = read_wav(tmp_path / "stems" / "d1.wav")
    d2, _ = read_wav(tmp_path / "stems" / "d2.wav")
    assert [round(t, 3) for t in onset_times(d1, rate)] == [0.0, 0.5, 1.0, 1.5]
    assert [round(t, 3) for t in onset_times(d2, rate)] == [1.0]


def test_a_file_that_is_not_midi_is_refused_in_one_line(tmp_path):
    bad = tmp_path / "bad.mid"
    bad.write_text("not midi")
    result = jam("render", "--midi-in", str(bad), "-o", str(tmp_path / "o.wav"))
    assert result.returncode != 0 and "cannot read" in result.stderr and "Traceback" not in result.stderr
