"""The oscillators, filter and envelope, judged by what comes out of `jam render`."""

from __future__ import annotations

import numpy as np
import pytest

from dsl import parse_patch
from engine.offline import render_patch

RATE = 48000


def render(text: str, seconds: float) -> np.ndarray:
    patch = parse_patch(text)
    assert not patch.errors, patch.errors
    return render_patch(patch, rate=RATE, seconds=seconds)[:, 0].astype(np.float64)


def blackman_harris(n: int) -> np.ndarray:
    """The 4-term window: side lobes near -92 dB, so leakage does not pass for aliasing."""
    t = 2 * np.pi * np.arange(n) / (n - 1)
    return 0.35875 - 0.48829 * np.cos(t) + 0.14128 * np.cos(2 * t) - 0.01168 * np.cos(3 * t)


def test_a_5_khz_saw_keeps_its_aliases_40_db_below_the_fundamental():
    # note 51 above c5 is 4978 Hz; harmonics at 9956, 14934 and 19912 Hz are the only true partials
    audio = render('setcps 0.5\nd1 $ note 51 # s "saw" # sustain 2 # attack 0.001', 1.5)[RATE // 4:RATE // 4 + 32768]
    spectrum = np.abs(np.fft.rfft(audio * blackman_harris(len(audio)))) ** 2
    freqs = np.fft.rfftfreq(len(audio), 1 / RATE)
    f0 = 261.6255653005986 * 2 ** (51 / 12)
    harmonic = np.zeros_like(freqs, dtype=bool)
    for k in range(1, int(RATE / 2 / f0) + 1):
        harmonic |= np.abs(freqs - k * f0) < 60
    fundamental = spectrum[np.abs(freqs - f0) < 60].sum()
    aliases = spectrum[(~harmonic) & (freqs > 30)].sum()
    ratio_db = 10 * np.log10(fundamental / aliases)
    assert ratio_db >= 40, f"aliases only {ratio_db:.1f} dB below the fundamental"


@pytest.mark.parametrize("cutoff", [20, 200, 2000, 12000, 23900, 30000])
@pytest.mark.parametrize("resonance", [0, 0.5, 0.9, 1])
def test_the_low_pass_is_stable_at_every_cutoff_and_resonance(cutoff, resonance):
    audio = render(f'setcps 1\nd1 $ n "0 12 24 -12" # s "saw" # cutoff {cutoff} # resonance {resonance}', 1.0)
    assert np.isfinite(audio).all()
    assert np.abs(audio).max() <= 0.97  # the limiter's ceiling, never a blast


def test_the_low_pass_takes_the_top_off_a_saw():
    bright = render('setcps 0.5\nd1 $ note (-12) # s "saw" # sustain 1', 1.0)
    dark = render('setcps 0.5\nd1 $ note (-12) # s "saw" # sustain 1 # cutoff 400', 1.0)

    def high_share(x):
        spectrum = np.abs(np.fft.rfft(x[4800:40000])) ** 2
        freqs = np.fft.rfftfreq(len(x[4800:40000]), 1 / RATE)
        return spectrum[freqs > 2000].sum() / spectrum.sum()

    assert high_share(dark) < high_share(bright) / 20


def test_the_envelope_attacks_decays_sustains_and_releases():
    # gain 0.5: under the master compressor's knee, so that the envelope heard is the oscillator's own
    audio = render('setcps 0.5\nd1 $ s "sine" # attack 0.1 # decay 0.2 # suslevel 0.5 # release 0.3 # sustain 0.6'
                   ' # gain 0.5', 1.2)
    env = np.array([np.abs(audio[i:i + 480]).max() for i in range(0, len(audio) - 480, 480)])  # 10 ms peaks
    peak = env.max()
    at = lambda seconds: env[int(seconds * 100)] / peak  # noqa: E731
    assert 0.4 < at(0.05) < 0.6  # half-way up the attack
    assert at(0.1) > 0.9  # the top
    assert 0.45 < at(0.45) < 0.55  # the sustain level
    assert 0.2 < at(0.75) < 0.35  # half-way down the release
    assert at(0.95) < 0.02  # gone


def test_square_triangle_pulse_and_noise_sound():
    for sound in ("square", "triangle", "pulse", "noise", "sine"):
        audio = render(f'setcps 1\nd1 $ s "{sound}" # pw 0.2', 0.5)
        assert np.sqrt(np.mean(audio[:20000] ** 2)) > 0.05, sound


def test_a_stolen_voice_fades_out_instead_of_clicking():
    """160 long notes a cycle and a pool of 128: from the 129th on, each note steals the oldest voice.
    Against the same patch with room for every voice, the difference is exactly the stolen voices:
    nothing before the first steal, then their sound going away, as 3 ms fades, never a jump."""
    text = 'setcps 0.25\nd1 $ fast 5 $ n "0 .. 31" # s "sine" # octave 3 # sustain 8 # gain 0.02'
    patch = parse_patch(text)
    stolen = render_patch(patch, rate=RATE, seconds=4.0, compressor=False).astype(np.float64)[:, 0]
    roomy = render_patch(patch, rate=RATE, seconds=4.0, compressor=False, voices=512).astype(np.float64)[:, 0]
    one = 0.02 * np.cos(np.pi / 4) * 0.8  # one voice's level
    first_steal = 128 * RATE * 4 // 160  # the 129th note
    gone = stolen - roomy
    assert np.array_equal(stolen[:first_steal], roomy[:first_steal])
    assert np.abs(gone[first_steal:]).max() > 0.5 * one  # the stolen notes were heard, and then not
    # a jump: how far a sample lands from where the two before it were heading (the second difference).
    # A voice stopped dead jumps by its value there (up to `one`); the sines themselves bend by far less
    jumps = np.abs(np.diff(gone, 2))
    assert jumps.max() < 0.05 * one, f"a click of {jumps.max() / one:.2f} of a voice's level"
    assert np.abs(np.diff(stolen, 2)).max() < np.abs(np.diff(roomy, 2)).max() + 0.05 * one


def test_voices_rendered_side_by_side_sound_as_each_would_alone():
    """Sustained plain saws, squares and pulses render eight at a time in vector lanes
    (plain_oscillators), the rest one by one (plain_oscillator). Twenty voices — filtered and not,
    polyBLEP and high notes summed exactly, one released mid-way — mixed by the engine, against
    each voice's own loop summed by hand: the same dry bus to rounding, over every block."""
    from engine.bench import w1_voices
    from engine.dsp.synths import plain_oscillator
    from engine.kernel import EventRing
    from engine.voices import ACTIVE, EV_CUTOFF, EV_FREQ, EV_GATE, EV_KIND, EV_WIDTH, KIND, PULSE, SQUARE

    block, blocks = 128, 60
    rows = w1_voices(20, RATE, 1.0)
    rows[::3, EV_KIND] = SQUARE
    rows[1::5, EV_KIND], rows[1::5, EV_WIDTH] = PULSE, 0.2
    rows[::4, EV_CUTOFF] = 0.0  # unfiltered
    rows[2::6, EV_FREQ] *= 24  # a few harmonics under Nyquist: summed exactly
    rows[7, EV_GATE] = 30 * block + 17  # released inside a block, and sounding on
    ring = EventRing(capacity=32, voices=32, max_block=block)
    ring.push(rows)
    out = np.zeros((block, 2), dtype=np.float32)
    ring.render(out, 0, float(RATE))  # the voices start (one by one)
    alone = ring.voices.copy()
    for b in range(1, blocks):
        ring.render(out, b * block, float(RATE))
        mixed = ring.mix[0, :block].copy()
        expected = np.zeros((block, 2))
        for v in np.flatnonzero(alone[:, ACTIVE]):
            plain_oscillator(alone[v], expected, 0, float(RATE), int(alone[v, KIND]))
        assert np.allclose(mixed, expected, rtol=0, atol=1e-9), f"block {b}"
    assert np.abs(expected).max() > 0.05  # they were sounding
