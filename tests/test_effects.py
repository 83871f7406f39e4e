"""Effects, heard: the reverb's tail, the delay's echoes, and each voice's own effects."""

from __future__ import annotations

import numpy as np

from dsl import parse_patch
from engine.offline import render_patch
from tests.audio import onset_times

RATE = 48000


def render(line: str, seconds: float = 3.0) -> np.ndarray:
    patch = parse_patch("setcps 0.2\n" + line)  # one cycle is 5 s: a single hit to listen to
    assert not patch.errors, patch.errors
    return render_patch(patch, rate=RATE, seconds=seconds).astype(np.float64)


def rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(x ** 2)))


def test_room_leaves_a_tail_that_size_lengthens():
    dry = render('d1 $ s "cp"')
    small = render('d1 $ s "cp" # room 0.5 # size 0.2')
    large = render('d1 $ s "cp" # room 0.5 # size 0.9')
    window = slice(int(0.6 * RATE), int(1.0 * RATE))  # the clap itself is over by 0.5 s
    assert rms(small[window]) > 20 * max(rms(dry[window]), 1e-6)
    assert rms(large[window]) > 3 * rms(small[window])


def test_delay_repeats_the_hit_at_the_delay_time_and_fades():
    audio = render('d1 $ s "rim" # delay 0.7 # delaytime 0.3 # delayfeedback 0.5')
    hits = onset_times(audio, RATE, ratio=2.0)
    assert [round(t, 3) for t in hits[:4]] == [0.0, 0.3, 0.6, 0.9], hits
    peaks = [np.abs(audio[int(t * RATE): int(t * RATE) + 600]).max() for t in (0.3, 0.6, 0.9)]
    assert peaks[0] > peaks[1] > peaks[2]


def test_shape_adds_harmonics_crush_quantises_coarse_holds_hcutoff_thins():
    clean = render('d1 $ s "sine" # sustain 1', 1.0)[:, 0]
    shaped = render('d1 $ s "sine" # sustain 1 # shape 0.9', 1.0)[:, 0]

    def odd_harmonic_share(x):
        spectrum = np.abs(np.fft.rfft(x[4800:4800 + 32768])) ** 2
        freqs = np.fft.rfftfreq(32768, 1 / RATE)
        return spectrum[(freqs > 700) & (freqs < 900)].sum() / spectrum.sum()  # 3rd harmonic of middle C

    assert odd_harmonic_share(shaped) > 100 * odd_harmonic_share(clean)

    crushed = render('d1 $ s "sine" # sustain 1 # crush 3 # gain 0.5', 1.0)[4800:9600, 0]
    assert len(np.unique(np.round(crushed, 5))) <= 12  # a handful of levels (times the limiter's gain)

    held = render('d1 $ s "sine" # sustain 1 # coarse 16', 1.0)[4800:9600, 0]
    assert np.mean(np.diff(held) == 0) > 0.85  # the value is held for 16 samples at a time

    low = render('d1 $ note (-24) # s "saw" # sustain 1', 1.0)[:, 0]
    thin = render('d1 $ note (-24) # s "saw" # sustain 1 # hcutoff 2000', 1.0)[:, 0]
    assert rms(thin[4800:]) < rms(low[4800:]) / 3
