"""SuperDirt's orbits and `dry`: each orbit has global effects of its own, heard in the audio."""

from __future__ import annotations

import numpy as np

from dsl import parse_patch
from engine.offline import render_patch

RATE = 48000
BLIP = 's "sine" # note 12 # sustain 0.02 # attack 0.001 # release 0.001 # gain 0.3'


def render(text: str, seconds: float) -> np.ndarray:
    """Linear: no compressor, and quiet enough for the limiter to leave it alone."""
    return render_patch(parse_patch("setcps 0.25\n" + text), rate=RATE, seconds=seconds,
                        compressor=False).astype(np.float64)


def test_two_orbits_echo_at_their_own_delay_times():
    """A blip on the left through orbit 0's delay (0.1 s) and one on the right through orbit 1's
    (0.25 s), at the same moment: each echo comes at its own orbit's time. One shared delay would
    take the later event's time for both."""
    audio = render(f"d1 $ {BLIP} # pan 0 # delay 1 # delaytime 0.1 # delayfeedback 0\n"
                   f"d2 $ {BLIP} # pan 1 # delay 1 # delaytime 0.25 # delayfeedback 0 # orbit 1", 0.4)
    left, right = audio[:, 0], audio[:, 1]
    blip = int(0.03 * RATE)
    for channel, lag, other in ((left, 0.1, 0.25), (right, 0.25, 0.1)):
        at, away = round(lag * RATE), round(other * RATE)
        assert np.abs(channel[:blip]).max() > 0.05
        assert np.allclose(channel[at:at + blip], channel[:blip], atol=1e-6)
        assert np.abs(channel[away:away + blip]).max() < 1e-6


def test_two_orbits_reverberate_with_their_own_sizes():
    """A blip in a small room (orbit 0) and one in a large room (orbit 1), together, sound as the
    sum of each alone, and the large room's tail outlasts the small one's. One shared reverb would
    give both the later event's size."""
    small = f"d1 $ {BLIP} # room 0.5 # size 0.05"
    large = f"d2 $ {BLIP} # note 19 # room 0.5 # size 0.95 # orbit 1"
    both, first, second = render(small + "\n" + large, 3.0), render(small, 3.0), render(large, 3.0)
    assert np.abs(both).max() > 0.05
    assert np.allclose(both, first + second, atol=1e-5)

    def tail(audio):  # RMS from 1.5 s on, well after the blip itself
        return np.sqrt(np.mean(audio[int(1.5 * RATE):] ** 2))

    assert tail(second) > 30 * tail(first)


def test_dry_takes_the_reverb_out_in_proportion():
    """`dry 1` leaves no reverb tail, `dry 0.5` half of it, as SuperDirt's reverb return (1 - dry);
    the clap itself is the same."""
    def clap(dry: str) -> np.ndarray:
        return render(f'd1 $ s "cp" # gain 0.3 # room 0.6 # size 0.7{dry}', 2.0)

    wet, half, dry = clap(""), clap(" # dry 0.5"), clap(" # dry 1")
    start = int(0.5 * RATE)  # the clap is over: only the reverb rings

    def rms(audio):
        return np.sqrt(np.mean(audio[start:] ** 2))

    assert rms(wet) > 1e-4
    assert rms(dry) < 1e-9
    assert abs(rms(half) / rms(wet) - 0.5) < 0.02
    first_ms = int(0.004 * RATE)  # before the reverb's first return
    assert np.array_equal(dry[:first_ms], wet[:first_ms])


def test_dry_eases_the_reverb_out_without_a_click():
    """An event with `dry 1` halfway through a reverb's tail: the tail fades out over some
    milliseconds (SuperDirt lags it too), not at once."""
    audio = render('d1 $ s "cp" # gain 0.3 # room 0.6 # size 0.9\nd2 $ s "~ sine" # gain 0 # dry 1', 2.5)[:, 0]
    switch, ms = 2 * RATE, RATE // 1000  # the second event, at half a cycle (setcps 0.25)

    def rms(start, stop):
        return np.sqrt(np.mean(audio[switch + start * ms:switch + stop * ms] ** 2))

    before = rms(-20, 0)
    assert before > 1e-5
    assert rms(0, 3) > 0.5 * before
    assert rms(100, 200) < 1e-3 * before


def test_orbit_numbers_wrap_around_and_orbit_0_is_the_default():
    """As SuperDirt's: orbit 12 is orbit 0 (of 12); naming orbit 0 changes nothing."""
    line = 'd1 $ s "cp sn" # room 0.4 # delay 0.3 # chorus 0.2'
    plain = render(line, 1.5)
    assert np.array_equal(render(line + " # orbit 0", 1.5), plain)
    assert np.array_equal(render(line + " # orbit 12", 1.5), plain)
    assert not np.array_equal(render(line + " # orbit 1 # dry 1", 1.5), plain)
