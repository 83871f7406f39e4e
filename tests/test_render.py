"""Offline rendering: the drums are heard in the audio itself, on the pattern's beats."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from dsl import parse_patch
from engine.wavfile import read_wav
from tests.audio import onset_times

ROOT = Path(__file__).resolve().parent.parent
HELLO = ROOT / "patches" / "hello.jam"
RATE = 48000
DRUM_CHANNELS = ("d1", "d2", "d3", "d4")


def jam(*args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "console", *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=240, **kw)


def render(tmp_path: Path, text: str, *args: str) -> np.ndarray:
    patch, out = tmp_path / "p.jam", tmp_path / "out.wav"
    patch.write_text(text)
    result = jam("render", str(patch), "-o", str(out), *args)
    assert result.returncode == 0, result.stderr
    audio, rate = read_wav(out)
    assert rate == RATE
    return audio


def hello_line(channel: str) -> str:
    return next(line for line in HELLO.read_text().splitlines() if line.startswith(channel + " "))


@pytest.mark.parametrize("channel", DRUM_CHANNELS)
def test_hello_drums_sound_on_the_pattern_times(tmp_path, channel):
    """Each drum line of the demo patch, rendered alone: every onset heard within 1 ms of the pattern's time."""
    text = "tempo 112\n" + hello_line(channel) + "\n"
    patch = parse_patch(text)
    expected = sorted({float(e.whole.begin / patch.cps) for e in patch.channels[channel].onsets(0, 4)})
    heard = onset_times(render(tmp_path, text, "--cycles", "4", "--format", "float32"), RATE)
    assert len(heard) == len(expected), f"heard {len(heard)} hits, the pattern has {len(expected)}: {heard}"
    worst = max(abs(h - e) for h, e in zip(heard, expected))
    assert worst < 0.001, f"an onset is {worst * 1000:.2f} ms away from its beat"


def test_hello_renders_audible_drums_from_the_command_line(tmp_path):
    """`jam render patches/hello.jam -o out.wav --cycles 4`: audible, loud enough, never clipping."""
    out = tmp_path / "out.wav"
    result = jam("render", str(HELLO), "-o", str(out), "--cycles", "4")
    assert result.returncode == 0, result.stderr
    audio, rate = read_wav(out)
    seconds = 4 * 4 * 60 / 112
    assert abs(len(audio) / rate - seconds) < 0.01
    peak = np.abs(audio).max()
    assert 0.3 < peak <= 10 ** (-0.3 / 20) + 1e-4, f"peak {peak}"
    # sound all through: no 0.5 s stretch of the groove is silent
    rms = [np.sqrt(np.mean(audio[i:i + rate // 2] ** 2)) for i in range(0, len(audio) - rate // 2, rate // 2)]
    assert min(rms) > 0.01
    # the first kick starts at sample 0, as the contract says
    assert np.flatnonzero(np.abs(audio[:, 0]) > 1e-3)[0] < 0.002 * rate


def test_same_seed_same_bytes_and_another_seed_differs(tmp_path):
    text = 'tempo 120\nd1 $ s "bd hh sn hh"\n'
    a = render(tmp_path, text, "--cycles", "2", "--seed", "7")
    b = render(tmp_path, text, "--cycles", "2", "--seed", "7")
    c = render(tmp_path, text, "--cycles", "2", "--seed", "8")
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)  # the hats' and snare's noise come from the seed


def test_limiter_holds_the_ceiling_on_a_patch_built_to_clip(tmp_path):
    text = 'tempo 160\nd1 $ s "[bd sn cp oh]*8" # gain 8\nd2 $ n "0 7 12" # s "saw" # gain 6\n'
    audio = render(tmp_path, text, "--cycles", "2", "--format", "float32")
    assert np.abs(audio).max() <= 10 ** (-0.3 / 20) + 1e-6
    assert np.isfinite(audio).all()


def test_a_bad_line_is_reported_and_the_good_ones_still_render(tmp_path):
    patch = tmp_path / "p.jam"
    patch.write_text('tempo 120\nd1 $ s "bd*4"\nd2 $ s "hh [sn"\n')
    result = jam("render", str(patch), "-o", str(tmp_path / "o.wav"), "--cycles", "1")
    assert result.returncode == 1
    assert f"{patch}:3:" in result.stderr and "unbalanced" in result.stderr
    audio, rate = read_wav(tmp_path / "o.wav")
    assert len(onset_times(audio, rate)) == 4


# -- sample rates ---------------------------------------------------------------------------

@pytest.mark.parametrize("rate", [44100, 96000])
def test_a_kick_lands_on_its_exact_sample_at_each_rate(rate):
    """setcps 0.37: a cycle is 2.7027... s, so an onset falls between samples and must be rounded
    the same way at every rate; nothing sounds before it, the kick's first sample is on it."""
    from fractions import Fraction

    from engine.offline import render_patch

    audio = render_patch(parse_patch('setcps 0.37\nd1 $ s "bd"'), rate=rate, seconds=3 * 2.7028)[:, 0]
    for k in range(3):
        onset = round(Fraction(k) / Fraction(37, 100) * rate)
        window = audio[max(onset - 2000, 0):onset + 200]
        assert np.flatnonzero(window)[0] + max(onset - 2000, 0) == onset, (rate, k)


def test_nudge_plays_an_event_later_by_seconds_and_the_events_before_it_on_time():
    """SuperDirt's `nudge`: the second kick 0.9 s late, past the clap at 2.5 s, which still plays
    on its beat though the scheduler finds it after the kick (the engine plays its events in order,
    so the kick must wait its turn)."""
    from engine.offline import render_patch

    text = 'tempo 60\nd1 $ s "bd*2" # nudge "0 0.9"\nd2 $ s "~ ~ ~ ~ ~ cp ~ ~"'
    heard = onset_times(render_patch(parse_patch(text), seconds=4), RATE)
    assert np.allclose(heard, [0, 2.5, 2.9], atol=0.001), heard


def test_a_nudge_of_ages_plays_its_event_eight_seconds_late():
    from engine.offline import render_patch

    text = 'tempo 60\nd1 $ s "<bd ~ ~ ~ ~ ~ ~ ~>" # nudge 1e300\nd2 $ s "~ cp"'
    heard = onset_times(render_patch(parse_patch(text), seconds=10), RATE)
    assert np.allclose(heard, [2, 6, 8], atol=0.001), heard  # (a cycle is 4 s: the claps on 2 and 6)


@pytest.mark.parametrize("rate", [44100, 96000])
def test_an_a4_sine_measures_440_hz_at_each_rate(rate):
    from engine.offline import render_patch

    audio = render_patch(parse_patch('setcps 0.5\nd1 $ note 9 # s "sine" # sustain 2 # gain 0.4'), rate=rate,
                         seconds=1.0)[:, 0].astype(np.float64)
    x = audio[rate // 10:rate * 9 // 10]
    i = np.flatnonzero((x[:-1] <= 0) & (x[1:] > 0))
    crossings = i + (-x[i]) / (x[i + 1] - x[i])
    assert abs((len(crossings) - 1) * rate / (crossings[-1] - crossings[0]) - 440.0) < 0.01


@pytest.mark.parametrize("rate", [44100, 96000])
def test_the_effect_buses_size_themselves_per_rate(rate):
    """The delay line holds 4 s at any rate and an echo comes exactly `delaytime` seconds later; the
    reverb's tail lasts as long in seconds as at 48 kHz."""
    from engine.kernel import EventRing
    from engine.offline import render_patch

    ring = EventRing(rate=rate)
    assert ring.delay.shape[-1] == 4 * rate + 1
    echo = render_patch(parse_patch('setcps 0.5\nd1 $ s "sine" # sustain 0.01 # gain 0.4 # delay 1 # delaytime 0.3'
                                    ' # delayfeedback 0'), rate=rate, seconds=0.8)[:, 0].astype(np.float64)
    lag, heard = round(0.3 * rate), int(0.1 * rate)
    assert np.abs(echo[:heard]).max() > 0.1
    assert np.allclose(echo[lag:lag + heard], echo[:heard], atol=1e-6)

    def tail_seconds(r):
        audio = render_patch(parse_patch('setcps 0.5\nd1 $ s "sine" # sustain 0.05 # gain 0.4 # room 1 # size 0'),
                             rate=r, seconds=1.5)[:, 0].astype(np.float64)
        block = r // 100
        level = np.array([np.sqrt(np.mean(audio[i:i + block] ** 2)) for i in range(0, len(audio) - block, block)])
        return np.flatnonzero(level > level.max() * 10 ** (-30 / 20))[-1] * 0.01

    assert abs(tail_seconds(rate) / tail_seconds(48000) - 1) < 0.1


# -- two threads ------------------------------------------------------------------------------

DENSE = '''setcps 0.6
d1 $ n "[0,3,7,10,14,17,21,24] [2,5,9,12,16,19,23,26]" # s "saw" # cutoff 1500 # resonance 0.4 # legato 1.5
d2 $ n "<[0,4,7,11] [5,9,12,16]>" # s "<square pulse>" # sustain 1.2 # pw 0.3 # gain 0.5
d3 $ s "bd*2 [sn cp] hh*4 oh" # room 0.3 # cut "<0 1>"
d4 $ n "[0,7] [3,10]" # s "<epiano guitar>" # vibrato 0.3 # delay 0.2 # gain 0.6
d5 $ n "[12,19,24]*2" # s "sine triangle" # tremolo 0.5 # chorus 0.3 # shape 0.3
d6 $ s "wavetable*4" # n "-12" # wave 0.6 # lfo 1 # fenv 1 # pan sine'''


def test_a_render_on_two_threads_gives_the_same_bytes_as_on_one():
    """Over 16 voices at once, with a pool small enough to steal from: groups of plain saws, drums
    and instruments straight to the dry bus, voices with effects, sends (two orbits), tremolo and
    cut fades; whoever renders the second half of a block, the same bytes."""
    from engine.offline import render_patch

    patch = parse_patch(DENSE)
    one = render_patch(patch, seconds=6.0, voices=24, threads=1)
    two = render_patch(patch, seconds=6.0, voices=24, threads=2)
    assert np.abs(one).max() > 0.1
    assert np.array_equal(one, two)


def test_voices_rendered_in_halves_sum_as_rendered_together():
    """A split ring (offline: two halves of the voices apart, then added) against the audio
    callback's ring (all voices in one pass), on the dense patch: the same sound, to rounding; and
    with a Helper taking second halves, the same bytes as without."""
    from engine.kernel import EPOCH, EventRing, Helper
    from engine.scheduler import Scheduler

    scheduler = Scheduler(RATE)
    scheduler.apply(parse_patch(DENSE), 0)
    rows = scheduler.rows_between(0, 3 * RATE)

    def render(split: bool, helped: bool) -> tuple[np.ndarray, EventRing]:
        ring, out = EventRing(capacity=len(rows) + 1, voices=24), np.zeros((3 * RATE, 2), np.float32)
        ring.push(rows)
        if split:
            ring.split(128)
        helper = Helper(ring) if helped else None
        try:
            for start in range(0, 3 * RATE, 12800):
                ring.render_blocks(out[start:start + 12800], 128, start, float(RATE), helper)
        finally:
            if helper is not None:
                helper.close()
        return out, ring

    together, _ = render(False, False)
    (halves, ring), (helped, _) = render(True, False), render(True, True)
    assert ring.ctl[EPOCH] > 0  # blocks were split
    assert np.abs(together).max() > 0.1
    assert np.allclose(halves, together, atol=1e-6)
    assert np.array_equal(halves, helped)


def test_events_of_the_same_value_keep_their_own_lengths_and_onsets():
    """The scheduler keeps each value's row shape for the next event of that value: the gates
    still follow each event's length (legato), the onsets and seeds each event's own."""
    from engine.scheduler import Scheduler
    from engine.voices import EV_GATE, EV_SAMPLE, EV_SEED

    scheduler = Scheduler(RATE)
    scheduler.apply(parse_patch('setcps 0.5\nd1 $ s "saw [saw saw] saw*4" # legato 0.5'), 0)
    rows = scheduler.rows_between(0, 4 * RATE)
    cycle = 2 * RATE  # samples
    assert list(rows[:7, EV_SAMPLE]) == [0, cycle / 3, cycle / 2] + [2 * cycle / 3 + k * cycle / 12 for k in range(4)]
    assert list(rows[:7, EV_GATE]) == [cycle / 6, cycle / 12, cycle / 12] + [cycle / 24] * 4
    assert len(set(rows[:, EV_SEED])) == len(rows)
