"""Sample playback from a Dirt-Samples-like folder, judged in the rendered audio.

The folder is made here: tones, a click, a rising ramp, a FLAC at 44.1 kHz and a stereo OGG,
written with soundfile. Each test renders a patch through the real renderer and listens: where
the onsets land, which file played (its pitch, by FFT), how long it lasted, which way it ran.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from dsl import parse_patch
from engine.offline import render_patch
from engine.samples import SampleBank
from engine.scheduler import Scheduler
from engine.wavfile import read_wav
from tests.audio import onset_times

ROOT = Path(__file__).resolve().parent.parent
RATE = 48000
CENTRE = np.cos(np.pi / 4) * 0.8  # pan 0.5 and the master gain: a file's value comes out times this


def tone(freq: float, seconds: float, rate: int = RATE, amp: float = 0.5) -> np.ndarray:
    return amp * np.sin(2 * np.pi * freq * np.arange(int(round(seconds * rate))) / rate)


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("Dirt-Samples")
    for name in ("tone", "click", "ramp", "long", "bd", "hifi", "wide", "broken"):
        (root / name).mkdir()
    # files sorted by name: tone:0 is 1 kHz, tone:1 1.5 kHz (the names sort that way, not the order written)
    sf.write(root / "tone" / "b_1500.wav", tone(1500, 0.2), RATE, subtype="FLOAT")
    sf.write(root / "tone" / "a_1000.wav", tone(1000, 0.2), RATE, subtype="FLOAT")
    (root / "tone" / "notes.txt").write_text("not audio: ignored")
    click = np.zeros(960)
    click[0], click[1:48] = 0.5, 0.2 * np.exp(-np.arange(47) / 8.0)  # under the master compressor's knee
    sf.write(root / "click" / "click.wav", click, RATE, subtype="FLOAT")
    sf.write(root / "ramp" / "ramp.wav", tone(1000, 0.2) * np.linspace(0, 1, int(0.2 * RATE)), RATE, subtype="FLOAT")
    sf.write(root / "long" / "long.wav", tone(501, 1.0), RATE, subtype="FLOAT")
    sf.write(root / "bd" / "bd.wav", tone(3000, 0.2), RATE, subtype="FLOAT")  # shadows the built-in kick
    sf.write(root / "hifi" / "hifi.flac", tone(2000, 0.1, 44100), 44100)  # FLAC at another rate
    stereo = np.stack([tone(1000, 0.3, amp=0.4), tone(1500, 0.3, amp=0.4)], axis=1)
    sf.write(root / "wide" / "wide.ogg", stereo, RATE)  # OGG Vorbis, two channels
    (root / "broken" / "broken.wav").write_bytes(b"RIFF\x00\x00\x00\x00WAVEjunk")
    return root


def render(folder: Path, text: str, seconds: float, **kw) -> np.ndarray:
    patch = parse_patch(text)
    assert not patch.errors, patch.errors
    return render_patch(patch, rate=RATE, seconds=seconds, samples=str(folder), **kw).astype(np.float64)


def peak_hz(x: np.ndarray) -> float:
    x = x[np.abs(x) > 0] if np.any(x) else x
    n = 1 << 17
    spectrum = np.abs(np.fft.rfft(x * np.hanning(len(x)), n))
    return float(np.fft.rfftfreq(n, 1 / RATE)[np.argmax(spectrum)])


def sounding(x: np.ndarray, floor: float = 1e-4) -> tuple[int, int]:
    """First and last sample above the floor."""
    loud = np.flatnonzero(np.abs(x) > floor)
    return int(loud[0]), int(loud[-1])


def test_onsets_land_on_their_exact_samples_through_jam_render(folder, tmp_path):
    """`jam render` with JAM_SAMPLES set: every hit of `click(3,8)` starts on its sample, at the file's value."""
    patch, out = tmp_path / "p.jam", tmp_path / "out.wav"
    patch.write_text('tempo 120\nd1 $ s "click(3,8)"\n')  # a cycle is 2 s: hits at 0, 3/8 and 6/8 of it
    env = dict(os.environ, JAM_SAMPLES=os.pathsep.join([str(tmp_path / "nothing-here"), str(folder)]))
    result = subprocess.run([sys.executable, "-m", "console", "render", str(patch), "-o", str(out), "--cycles", "1",
                             "--format", "float32"], capture_output=True, text=True, cwd=ROOT, env=env, timeout=240)
    assert result.returncode == 0, result.stderr
    audio, rate = read_wav(out)
    left = audio[:, 0].astype(np.float64)
    starts = [0, 36000, 72000]
    for s in starts:
        assert s == 0 or left[s - 1] == 0.0, f"sound just before the hit at {s}"
        assert abs(left[s] - 0.5 * CENTRE) < 1e-6, (s, left[s])  # the click's first value, on its sample
    assert np.flatnonzero(np.abs(left) > 1e-7)[0] == 0
    heard = onset_times(audio, rate)
    assert [round(t * rate) for t in heard] == starts, heard


def test_n_picks_the_file_in_name_order_and_wraps(folder):
    spans = {}
    for text in ('s "tone"', 's "tone:1"', 's "tone:3"', 's "tone" # n 2', 's "tone" # n 1'):
        audio = render(folder, f"setcps 1\nd1 $ {text}", 0.5)[:, 0]
        spans[text] = round(peak_hz(audio))
    assert spans['s "tone"'] == 1000
    assert spans['s "tone:1"'] == 1500  # the second file
    assert spans['s "tone:3"'] == 1500  # 3 modulo the 2 files
    assert spans['s "tone" # n 2'] == 1000
    assert spans['s "tone" # n 1'] == 1500


def test_speed_two_doubles_the_pitch_and_halves_the_length(folder):
    normal = render(folder, 'setcps 1\nd1 $ s "tone"', 0.6)[:, 0]
    fast = render(folder, 'setcps 1\nd1 $ s "tone" # speed 2', 0.6)[:, 0]
    slow = render(folder, 'setcps 1\nd1 $ s "tone" # speed 0.5', 0.6)[:, 0]
    up = render(folder, 'setcps 1\nd1 $ s "tone" # note 12', 0.6)[:, 0]  # note transposes a sample
    assert round(peak_hz(normal)) == 1000
    assert round(peak_hz(fast)) == 2000 and round(peak_hz(up)) == 2000
    assert round(peak_hz(slow)) == 500
    length = lambda x: np.subtract(*sounding(x)[::-1])  # noqa: E731
    assert abs(length(normal) - 9600) <= 2
    assert abs(length(fast) - 4800) <= 2
    assert abs(length(slow) - 19200) <= 2


def test_negative_speed_plays_the_file_backwards(folder):
    forward = render(folder, 'setcps 1\nd1 $ s "ramp"', 0.5)[:, 0]
    backward = render(folder, 'setcps 1\nd1 $ s "ramp" # speed (-1)', 0.5)[:, 0]
    frames = int(0.2 * RATE)

    def envelope(x):
        return np.array([np.abs(x[i:i + 480]).max() for i in range(0, frames, 480)])

    rising, falling = envelope(forward), envelope(backward)
    assert rising[-1] > 10 * rising[0] and falling[0] > 10 * falling[-1]
    assert np.allclose(falling, rising[::-1], atol=0.02)  # the same sound, mirrored
    assert abs(sounding(backward)[1] - sounding(forward)[1]) <= 48  # and as long (its quiet end aside)
    assert round(peak_hz(backward)) == 1000


def test_begin_and_end_play_only_that_part_of_the_file(folder):
    whole = render(folder, 'setcps 1\nd1 $ s "ramp"', 0.5)[:, 0]
    part = render(folder, 'setcps 1\nd1 $ s "ramp" # begin 0.5 # end 0.75', 0.5)[:, 0]
    first, last = sounding(part)
    assert first <= 1  # on the event's sample (the file's middle frame is a zero of its sine)
    assert abs((last - first) - int(0.05 * RATE)) <= 2  # a quarter of the 0.2 s file
    # the part is the file from its middle on: half the ramp's level at the start, three quarters at the end
    assert 0.4 < np.abs(part[96:600]).max() / np.abs(whole).max() < 0.6
    assert 0.65 < np.abs(part[last - 600:last]).max() / np.abs(whole).max() < 0.8


def test_a_cut_group_stops_the_previous_sample_without_a_click(folder):
    # `long` is 1 s of 501 Hz; hits every 0.25 s, 125.25 periods apart: each new hit starts at 0 where the
    # one before is at its peak, so stopping that one dead would jump by the whole of its level
    free = render(folder, 'setcps 1\nd1 $ s "long*4"', 1.5)[:, 0]
    cut = render(folder, 'setcps 1\nd1 $ s "long*4" # cut 1', 1.5)[:, 0]
    other = render(folder, 'setcps 1\nd1 $ s "long*4" # cut "<1 2>"', 1.5)[:, 0]  # group 1, then group 2
    one = np.abs(cut[3000:12000]).max()  # one hit alone
    assert np.abs(free[12300:24000]).max() > 1.3 * one  # two hits a quarter period apart, in the free one
    for hit in (12000, 24000, 36000):  # once the 5 ms fade of the one before is over, one at a time
        assert np.abs(cut[hit + 300:hit + 12000]).max() < 1.05 * one
    assert np.array_equal(cut[:RATE], other[:RATE])
    assert np.abs(other[RATE + 480:RATE + 12000]).max() > 1.3 * one  # group 2 does not stop group 1
    natural = 2 * np.pi * 501 / RATE * one  # the largest step a 501 Hz sine of that level takes
    for s in (12000, 24000, 36000):
        assert abs(cut[s - 1]) > 0.9 * one  # the one before is at its peak here
        window = cut[s - 48:s + 480]
        assert np.abs(np.diff(window)).max() < 2 * natural, f"a click at the cut near sample {s}"


def test_a_negative_cut_group_stops_only_the_same_sample(folder):
    same = render(folder, 'setcps 1\nd1 $ s "long*2" # cut (-1)', 1.0)[:, 0]
    mixed = render(folder, 'setcps 1\nd1 $ s "long tone" # cut (-1)', 1.0)[:, 0]
    one = np.abs(same[3000:12000]).max()
    assert np.abs(same[26000:30000]).max() < 1.05 * one  # the second `long` stopped the first
    assert np.abs(mixed[26000:30000]).max() > 1.3 * one  # `tone` let `long` ring on


def test_legato_and_sustain_cut_a_sample_short_with_a_fade(folder):
    legato = render(folder, 'setcps 1\nd1 $ s "long ~" # legato 0.4', 1.0)[:, 0]  # 0.4 of 0.5 s
    sustain = render(folder, 'setcps 1\nd1 $ s "long" # sustain 0.1', 1.0)[:, 0]
    for x, seconds in ((legato, 0.2), (sustain, 0.1)):
        gate = int(seconds * RATE)
        last = sounding(x)[1]
        assert gate <= last <= gate + int(0.006 * RATE), (seconds, last)  # the gate, then a 5 ms release
        assert np.abs(np.diff(x[gate - 48:gate + 480])).max() < 1.6 * 2 * np.pi * 501 / RATE * 0.5 * CENTRE


def test_a_sample_folder_named_like_a_built_in_sound_wins(folder, tmp_path):
    ours = render(folder, 'setcps 1\nd1 $ s "bd"', 0.5)[:, 0]
    built_in = render(tmp_path, 'setcps 1\nd1 $ s "bd"', 0.5)[:, 0]  # an empty folder: the synthesized kick
    assert round(peak_hz(ours)) == 3000
    assert peak_hz(built_in) < 200


def test_flac_at_another_rate_is_resampled_and_ogg_keeps_its_two_channels(folder):
    hifi = render(folder, 'setcps 1\nd1 $ s "hifi"', 0.5)[:, 0]
    assert round(peak_hz(hifi)) == 2000  # 44.1 kHz brought to 48 kHz: the same pitch
    first, last = sounding(hifi, 1e-3)
    assert abs((last - first) - int(0.1 * RATE)) <= 24  # and the same length (the resampler's ring aside)
    wide = render(folder, 'setcps 1\nd1 $ s "wide"', 0.5)
    assert round(peak_hz(wide[:, 0])) == 1000 and round(peak_hz(wide[:, 1])) == 1500
    right = render(folder, 'setcps 1\nd1 $ s "wide" # pan 1', 0.5)
    assert np.abs(right[:, 0]).max() < 1e-6 and np.abs(right[:, 1]).max() > 0.2  # pan still pans


def test_gain_pan_and_the_voice_effects_apply_to_samples(folder):
    plain = render(folder, 'setcps 1\nd1 $ s "bd"', 0.5)
    quiet = render(folder, 'setcps 1\nd1 $ s "bd" # gain 0.5', 0.5)
    left = render(folder, 'setcps 1\nd1 $ s "bd" # pan 0', 0.5)
    dark = render(folder, 'setcps 1\nd1 $ s "bd" # cutoff 300', 0.5)
    wet = render(folder, 'setcps 1\nd1 $ s "bd" # room 0.5 # size 0.8', 1.5)
    rms = lambda x: float(np.sqrt(np.mean(x ** 2)))  # noqa: E731
    assert abs(rms(quiet) / rms(plain) - 0.5) < 0.01
    assert rms(left[:, 1]) < 1e-6 < rms(left[:, 0])
    assert rms(dark) < rms(plain) / 5  # a 3 kHz tone through a 300 Hz low-pass
    assert rms(wet[int(0.5 * RATE):]) > 1e-3  # the reverb's tail after the 0.2 s file


def test_unknown_and_unreadable_sounds_are_reported_and_the_rest_plays(folder):
    bank = SampleBank(str(folder), RATE)
    scheduler = Scheduler(RATE, samples=bank)
    scheduler.apply(parse_patch('setcps 1\nd1 $ s "tone broken nosuch bd sn"'), 0)
    rows = scheduler.rows_between(0, RATE)
    assert len(rows) == 3  # tone, bd (the folder), sn (built in)
    assert scheduler.unknown_sounds == {"nosuch"}
    assert any("broken.wav" in m for m in scheduler.messages)
    scheduler.rows_between(RATE, 2 * RATE)
    assert sum("broken.wav" in m for m in scheduler.messages) == 1  # said once


def test_the_bank_grows_by_a_new_array_and_keeps_the_old_one_whole(folder):
    """What the audio callback holds is never written over: a bank that must grow is built anew
    and swapped in; files loaded before keep their values in the array the callback had."""
    bank = SampleBank(str(folder), RATE)
    assert bank.names() == ["bd", "broken", "click", "hifi", "long", "ramp", "tone", "wide"]
    start, frames, channels = bank.get("tone", 0)
    held = bank.array  # what a block in flight reads
    before = held[start:start + frames].copy()
    bank.preload()  # `long` (1 s) does not fit in the first array: a new one comes
    assert bank.array is not held
    assert np.array_equal(held[start:start + frames], before)
    assert np.array_equal(bank.array[start:start + frames], before)
    assert bank.array.dtype == np.float32 and bank.array.ndim == 1


def test_same_patch_same_bytes_with_samples(folder):
    text = 'setcps 1\nd1 $ s "tone:1 bd click*2" # speed "1 1.37 -1"\nd2 $ s "long" # cut 1 # legato 0.3'
    assert np.array_equal(render(folder, text, 1.0), render(folder, text, 1.0))


def test_the_realtime_engine_shares_one_bank_from_jam_samples(folder, monkeypatch):
    """RealtimeEngine takes its folders from JAM_SAMPLES unless given; the scheduler loads into the
    very bank the kernel reads, and a block rendered after the event plays the file."""
    from engine.realtime import RealtimeEngine

    monkeypatch.setenv("JAM_SAMPLES", str(folder))
    engine = RealtimeEngine(audio=False)
    assert "tone" in engine.samples and engine.ring.samples is engine.scheduler.samples is engine.samples
    assert "tone" not in RealtimeEngine(audio=False, samples=str(folder / "tone")).samples  # given: that path only
    engine.apply(parse_patch('setcps 1\nd1 $ s "click"'))
    engine.ring.push(engine.scheduler.rows_between(0, 128))
    out = np.zeros((128, 2), dtype=np.float32)
    engine.ring.render(out, 0, float(RATE))
    assert abs(out[0, 0] - 0.5 * CENTRE) < 1e-6
