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

    # (gain 0.5: under the master compressor's knee, whose gain would move under the held values)
    held = render('d1 $ s "sine" # sustain 1 # coarse 16 # gain 0.5', 1.0)[4800:9600, 0]
    assert np.mean(np.diff(held) == 0) > 0.85  # the value is held for 16 samples at a time

    low = render('d1 $ note (-24) # s "saw" # sustain 1', 1.0)[:, 0]
    thin = render('d1 $ note (-24) # s "saw" # sustain 1 # hcutoff 2000', 1.0)[:, 0]
    assert rms(thin[4800:]) < rms(low[4800:]) / 3


def with_chorus(line: str, amount: float, seconds: float) -> np.ndarray:
    """Render with `# chorus amount` on d1, written in the patch as a performer would."""
    patch = parse_patch(f"setcps 0.2\n{line} # chorus {amount}")
    assert not patch.errors, patch.errors
    return render_patch(patch, rate=RATE, seconds=seconds).astype(np.float64)


def test_chorus_widens_the_stereo_image_and_the_partials():
    line = 'd1 $ note (-12) # s "saw" # sustain 2 # gain 0.3'
    dry = render(line, 2.0)
    assert np.array_equal(with_chorus(line, 0, 2.0), dry)  # chorus 0 is no chorus at all
    wet = with_chorus(line, 0.8, 2.0)
    steady = slice(int(0.2 * RATE), int(1.8 * RATE))

    def width(x):
        left, right = x[steady, 0], x[steady, 1]
        return np.corrcoef(left, right)[0, 1], rms(left - right) / rms(left + right)

    def smeared(x):
        """Share of the 1-3 kHz energy more than 4 Hz away from the saw's harmonics."""
        left = x[steady, 0]
        n = len(left)
        t = 2 * np.pi * np.arange(n) / (n - 1)
        window = 0.35875 - 0.48829 * np.cos(t) + 0.14128 * np.cos(2 * t) - 0.01168 * np.cos(3 * t)
        spectrum = np.abs(np.fft.rfft(left * window)) ** 2
        freqs = np.fft.rfftfreq(n, 1 / RATE)
        f0 = 261.6255653005986 / 2
        band = (freqs > 1000) & (freqs < 3000)
        near = np.abs(freqs / f0 - np.round(freqs / f0)) * f0 < 4
        return spectrum[band & ~near].sum() / spectrum[band].sum()

    correlation, side = width(dry)
    assert correlation > 0.9999 and side < 1e-6  # a centred voice: left and right the same
    correlation, side = width(wet)
    assert correlation < 0.85 and side > 0.25  # the two sides now differ: a wider image
    assert smeared(dry) < 1e-4 and smeared(wet) > 0.15  # each partial spread by the swinging delays


def crest_db(x: np.ndarray) -> float:
    return float(20 * np.log10(np.abs(x).max() / rms(x)))


def test_the_master_compressor_narrows_the_dynamics_under_the_limiter_ceiling():
    patch = parse_patch('setcps 0.2\nd1 $ s "bd*4 sn*2" # gain "1.4 0.3"\nd2 $ n "0 ~" # s "pad" # gain 0.4')
    plain = render_patch(patch, rate=RATE, seconds=5.0, compressor=False).astype(np.float64)
    squeezed = render_patch(patch, rate=RATE, seconds=5.0).astype(np.float64)
    assert crest_db(squeezed) < crest_db(plain) - 1.5, (crest_db(squeezed), crest_db(plain))
    half = int(2.5 * RATE)  # loud kicks in the first half of the cycle, soft snares in the second

    def spread(x):
        return 20 * np.log10(np.abs(x[:half]).max() / np.abs(x[half:]).max())

    assert spread(squeezed) < spread(plain) - 1.5  # loud and soft come closer together
    ceiling = 10 ** (-0.3 / 20)
    loud = parse_patch('setcps 0.6\nd1 $ s "[bd sn cp oh]*8" # gain 8\nd2 $ n "0 7 12" # s "saw" # gain 6')
    audio = render_patch(loud, rate=RATE, seconds=3.0)
    assert np.abs(audio).max() <= ceiling + 1e-6 and np.isfinite(audio).all()  # the limiter still holds
    quiet = parse_patch('setcps 0.2\nd1 $ s "sine" # gain 0.4 # sustain 1')  # under the knee: untouched
    assert np.array_equal(render_patch(quiet, seconds=1.0), render_patch(quiet, seconds=1.0, compressor=False))


def test_the_compressor_follows_its_curve_sample_by_sample():
    """A loud hit, then a tone that stays above the knee while the detector lets go of the hit:
    the output is the uncompressed input times the gain that the compressor's definition (peak
    detector, soft-knee curve, smoothing; engine/kernel.py) gives, computed plainly here."""
    from engine.kernel import (COMP_RATIO, COMP_RELEASE, COMP_SMOOTH, COMP_THRESHOLD_DB, COMP_KNEE_DB,
                               compressor_gain)

    text = 'setcps 0.5\nd1 $ s "bd ~ ~ ~" # gain 1.0\nd2 $ n "0 ~" # s "sine" # gain 0.75 # sustain 1.2'
    plain = render_patch(parse_patch(text), rate=RATE, seconds=1.5, compressor=False).astype(np.float64)
    squeezed = render_patch(parse_patch(text), rate=RATE, seconds=1.5).astype(np.float64)
    assert np.abs(plain).max() < 10 ** (-0.3 / 20)  # the limiter left it alone
    let_go, smooth = np.exp(-1 / (COMP_RELEASE * RATE)), 1 - np.exp(-1 / (COMP_SMOOTH * RATE))
    level, gain, expected = 0.0, 1.0, np.empty(len(plain))
    for i, peak in enumerate(np.abs(plain).max(axis=1)):
        level = max(peak, level * let_go)
        over = 20 * np.log10(max(level, 1e-30)) - COMP_THRESHOLD_DB
        if over <= -COMP_KNEE_DB / 2:
            curve = 1.0
        elif over < COMP_KNEE_DB / 2:
            curve = 10 ** ((1 / COMP_RATIO - 1) * (over + COMP_KNEE_DB / 2) ** 2 / (2 * COMP_KNEE_DB) / 20)
        else:
            curve = 10 ** ((1 / COMP_RATIO - 1) * over / 20)
        gain = curve if curve < gain else gain + (curve - gain) * smooth
        expected[i] = gain
    assert abs(compressor_gain(0.9) - 10 ** ((1 / COMP_RATIO - 1) * (20 * np.log10(0.9) + 8) / 20)) < 1e-12
    assert expected[int(0.05 * RATE):int(0.3 * RATE)].max() < 0.85  # squeezed while the detector lets go
    assert np.allclose(squeezed, plain * expected[:, None], rtol=0, atol=2e-6)

def test_the_buses_rest_in_silence_and_wake_with_the_next_send():
    """A bus that nothing is sent to stops computing once its lines hold only silence; the next
    send after a long rest still gets its whole tail, and echoes at its own delay time with no
    leftovers of the first."""
    patch = parse_patch('setcps 0.0833333\nd1 $ s "cp ~" # room 0.5 # size 0.3')  # claps at 0 s and 12 s
    wet = render_patch(patch, rate=RATE, seconds=14.0).astype(np.float64)
    dry = render_patch(parse_patch('setcps 0.0833333\nd1 $ s "cp ~"'), rate=RATE, seconds=14.0).astype(np.float64)
    first, second = slice(int(0.6 * RATE), int(1.2 * RATE)), slice(int(12.6 * RATE), int(13.2 * RATE))
    assert rms(wet[second]) > 20 * max(rms(dry[second]), 1e-6)
    assert abs(rms(wet[second]) / rms(wet[first]) - 1) < 0.2

    text = 'setcps 0.0833333\nd1 $ s "rim ~" # delay 0.7 # delaytime "<0.3 1>" # delayfeedback 0.3'
    audio = render_patch(parse_patch(text), rate=RATE, seconds=15.5).astype(np.float64)
    hits = [round(t, 2) for t in onset_times(audio, RATE, ratio=2.0)]
    assert hits[:3] == [0.0, 0.3, 0.6] and [t for t in hits if t >= 6] == [12.0, 13.0, 14.0, 15.0], hits


def reverb_one_sample_at_a_time(x: np.ndarray, rate: int, size: float) -> np.ndarray:
    """The reverb bus as engine/dsp/effects.py describes it, written plainly, a sample at a time:
    four all-passes, then eight damped lines mixed by the Householder matrix."""
    from engine.dsp.effects import DIFFUSER_LENGTHS, DIFFUSION, REVERB_LENGTHS

    scale = rate / 48000
    lengths = [int(n * scale) for n in REVERB_LENGTHS]
    gains = [10.0 ** (-3.0 * n / ((0.4 + 6.0 * size ** 1.5) * rate)) for n in lengths]
    diffusers = [int(n * scale) for n in DIFFUSER_LENGTHS]
    lines, passes = [[0.0] * n for n in lengths], [[0.0] * n for n in diffusers]
    damp, out = [0.0] * 8, np.zeros_like(x)
    for i in range(len(x)):
        ret = []
        for j in range(8):
            damp[j] += 0.65 * (lines[j][i % lengths[j]] - damp[j])
            ret.append(damp[j] * gains[j])
        into = (x[i, 0] + x[i, 1]) * 0.5
        for a in range(4):
            delayed = passes[a][i % diffusers[a]]
            w = into + DIFFUSION * delayed
            passes[a][i % diffusers[a]] = w
            into = delayed - DIFFUSION * w
        for j in range(8):
            lines[j][i % lengths[j]] = ret[j] - sum(ret) / 4.0 + into
        out[i] = 0.35 * sum(ret[0::2]), 0.35 * sum(ret[1::2])
    return out


def test_the_reverb_in_passes_gives_what_the_network_gives_sample_by_sample():
    """Over more than its lines' span (positions wrap), in blocks that do not divide it."""
    from engine.dsp.effects import SIZE, new_buses, reverb

    rate, block = 44100, 1000
    x = np.random.default_rng(3).uniform(-0.5, 0.5, (12000, 2))
    x[3000:] = 0.0  # then the tail alone
    lines, _, _, settings = new_buses(rate)
    settings[SIZE] = 0.8
    out = np.zeros_like(x)
    for s in range(0, len(x), block):
        reverb(out[s:s + block], x[s:s + block], lines, settings, block, float(rate))
    expected = reverb_one_sample_at_a_time(x, rate, 0.8)
    assert np.abs(expected[-2000:]).max() > 0.01  # still ringing at the end
    assert np.allclose(out, expected, rtol=0, atol=1e-12)
