"""The filters after a voice (engine/dsp/filters.py), heard: band-pass, vowel formants, the resonant
high-pass and the ladder, each measured in rendered audio; and each stable at the extremes."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from dsl import parse_patch
from engine.dsp.filters import band_pass, high_pass, ladder, vowel
from engine.offline import render_patch
from engine.voices import BANDF, BANDQ, HCUTOFF, HDAMPING, LADDER, LADDERQ, VOICE_FIELDS, VOWEL

RATE = 48000
NOISE = 'd1 $ s "noise" # sustain 1.2 # gain 0.3'


def render(line: str, seconds: float = 1.5) -> np.ndarray:
    patch = parse_patch("setcps 0.2\n" + line)
    assert not patch.errors, patch.errors
    return render_patch(patch, rate=RATE, seconds=seconds).astype(np.float64)[:, 0]


def spectrum(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Power spectrum of one second of the held sound (after its attack)."""
    x = x[RATE // 10: RATE // 10 + RATE]
    return np.fft.rfftfreq(len(x), 1 / RATE), np.abs(np.fft.rfft(x * np.hanning(len(x)))) ** 2


def share(freqs: np.ndarray, power: np.ndarray, low: float, high: float) -> float:
    return float(power[(freqs >= low) & (freqs < high)].sum() / power.sum())


@pytest.fixture(scope="module")
def noise_power() -> np.ndarray:
    return spectrum(render(NOISE))[1]


def response_db(line: str, noise_power: np.ndarray, centres) -> list[float]:
    """The filter's gain (dB) in third-octave bands around each centre: filtered noise over noise."""
    freqs, power = spectrum(render(f"{NOISE} # {line}"))
    ratio = power / noise_power
    return [float(10 * np.log10(ratio[(freqs > c / 1.12) & (freqs < c * 1.12)].mean())) for c in centres]


def test_bandf_puts_the_noise_around_its_centre_and_bandq_narrows_it():
    freqs, power = spectrum(render(f"{NOISE} # bandf 1000 # bandq 10"))
    assert share(freqs, power, 800, 1250) > 0.75  # (white noise has 1.9% there)
    freqs, power = spectrum(render(f"{NOISE} # bpf 4000 # bpq 10"))
    assert share(freqs, power, 3200, 5000) > 0.75 and share(freqs, power, 800, 1250) < 0.01
    freqs, power = spectrum(render(f"{NOISE} # bandf 1000 # bandq 1"))
    assert 0.1 < share(freqs, power, 800, 1250) < 0.5  # Q 1: an octave or two wide


def harmonic_gains(name: str) -> tuple[np.ndarray, np.ndarray]:
    """A low saw's harmonics (65 Hz apart) through the vowel: frequency and gain (dB) of each."""
    line = 'd1 $ note (-24) # s "saw" # sustain 1.2'
    freqs, wet = spectrum(render(f'{line} # vowel "{name}"'))
    dry = spectrum(render(line))[1]
    harmonics = np.arange(1, 60) * 261.6255653005986 / 4
    bins = [int(np.argmin(np.abs(freqs - h))) for h in harmonics]
    return harmonics, 10 * np.log10(wet[bins] / dry[bins])


@pytest.mark.parametrize("name, first", [("a", 660), ("e", 440), ("i", 270), ("o", 430), ("u", 370)])
def test_each_vowel_lifts_the_harmonics_at_its_first_formant(name, first):
    harmonics, gain = harmonic_gains(name)
    low = harmonics < 1000
    assert abs(harmonics[low][np.argmax(gain[low])] - first) < 40  # the harmonic nearest the formant


def test_vowel_a_and_i_differ_where_their_second_formants_are():
    """Each vowel's second formant is a peak of its own: a's at 1120 Hz, i's at 1850 Hz."""
    harmonics, a = harmonic_gains("a")
    _, i = harmonic_gains("i")

    def rise(gain, formant):  # the gain at the formant over the gain 250 Hz below it
        at = lambda hz: gain[np.argmin(np.abs(harmonics - hz))]  # noqa: E731
        return at(formant) - at(formant - 250)

    assert rise(a, 1120) > 8 and rise(i, 1120) < 3
    assert rise(i, 1850) > 8 and rise(a, 1850) < 3


def test_an_unknown_vowel_is_ignored_as_superdirt_does():
    plain = render(NOISE, 0.5)
    assert np.array_equal(render(f'{NOISE} # vowel "x"', 0.5), plain)
    assert np.array_equal(render(f'{NOISE} # vowel "ae"', 0.5), plain)
    assert not np.array_equal(render(f'{NOISE} # vowel "a"', 0.5), plain)


def test_hresonance_makes_a_peak_at_hcutoff_and_a_two_pole_slope(noise_power):
    plain = response_db("hcutoff 2000", noise_power, (500, 1000, 2000))
    flat = response_db("hcutoff 2000 # hresonance 0", noise_power, (500, 1000, 2000, 8000))
    peaked = response_db("hpf 2000 # hpq 0.9", noise_power, (500, 1000, 2000, 8000))
    assert plain[0] - plain[1] > -7  # the one-pole: 6 dB an octave
    assert flat[0] - flat[1] < -9  # the 2-pole: 12 dB an octave
    assert peaked[2] > peaked[3] + 8 and peaked[2] > flat[2] + 12  # a peak at the cutoff
    assert abs(peaked[3]) < 1.5  # and the pass band where it was


def test_the_ladder_rolls_off_at_24_db_an_octave_and_resonates_near_its_cutoff(noise_power):
    gains = response_db("ladder 1000", noise_power, (250, 2000, 4000))
    assert abs(gains[0]) < 2  # the pass band
    assert -27 < gains[2] - gains[1] < -21  # 24 dB an octave above the cutoff
    freqs, power = spectrum(render(f"{NOISE} # ladder 1000 # ladderq 0.9"))
    smooth = np.convolve(power / noise_power, np.ones(25) / 25, "same")
    assert abs(freqs[50:][np.argmax(smooth[50:])] - 1000) < 60  # the resonance, near the cutoff
    peak = response_db("ladder 1000 # ladderq 0.9", noise_power, (1000,))[0]
    assert peak > 15


FILTERS = {"band": (band_pass, {BANDF: 1.0, BANDQ: 1.0}), "high": (high_pass, {HCUTOFF: 1.0, HDAMPING: 1.0}),
           "ladder": (ladder, {LADDER: 1.0, LADDERQ: 1.0}), "vowel": (vowel, {VOWEL: 1.0})}


@pytest.mark.parametrize("name", sorted(FILTERS))
@pytest.mark.parametrize("cutoff", [10.0, 100.0, 5000.0, 23000.0, 1e6])
@pytest.mark.parametrize("resonance", [0.0, 0.5, 1.0])
def test_every_filter_is_stable_at_every_cutoff_and_resonance(name, cutoff, resonance):
    """Loud noise for 0.1 s, then silence: the output stays finite and bounded, and its ringing
    does not grow once the input stops."""
    kernel, settings = FILTERS[name]
    v = np.zeros(VOICE_FIELDS)
    for column in settings:
        v[column] = {BANDF: cutoff, HCUTOFF: cutoff, LADDER: cutoff, BANDQ: 1.0 + 99.0 * resonance,
                     HDAMPING: 2.0 - 1.98 * resonance, LADDERQ: resonance, VOWEL: 1 + int(4 * resonance)}[column]
    rng = np.random.default_rng(1)
    peaks = []
    for block in range(100):
        x = np.zeros((480, 2))
        if block < 10:
            x[:] = rng.uniform(-1.0, 1.0, (480, 2))
        kernel(v, x, 480, float(RATE))
        assert np.isfinite(x).all() and np.abs(x).max() < 500.0
        peaks.append(np.abs(x).max())
    assert max(peaks[60:]) <= max(peaks[10:20]) + 1e-12


def test_the_filters_at_their_extremes_render_finite_sound():
    for line in ("ladder 1e6 # ladderq 1", "ladder 10 # ladderq 1", "bandf 30000 # bandq 1000",
                 "hcutoff 10 # hresonance 1", "hcutoff 1e6 # hresonance 1", 'vowel "u" # ladder 200 # ladderq 1'):
        audio = render(f'd1 $ s "saw noise" # sustain 0.5 # {line}', 0.8)
        assert np.isfinite(audio).all() and np.abs(audio).max() > 1e-4, line


EXISTING = '''setcps 0.5
d1 $ s "bd sn hh cp" # shape 0.4 # hcutoff 300 # room 0.2
d2 $ n "0 7 12" # s "saw" # cutoff 1200 # resonance 0.6 # crush 6 # pan 0.3
d3 $ n "c e" # s "epiano organ" # cutoff 2000 # coarse 3 # delay 0.3 # vowel "x"
d4 $ n "-12" # s "square" # hcutoff 500 # lfo 1 # chorus 0.4 # gain 0.5'''


def test_a_voice_without_the_new_filters_renders_exactly_as_before():
    """The hash of this render before the filters came (commit d2b534a, on this machine's libm):
    drums, oscillators and instruments through the effects that were there. Renewed since as the
    electric piano's and the drums' loops were rewritten for speed (decays by multiplies, sines by
    polynomials, filters regrouped): each time a change by rounding, at most 3e-8 against a peak
    of 0.69 from the hash's first render, the difference 186 dB down."""
    audio = render_patch(parse_patch(EXISTING), rate=RATE, seconds=4.0)
    digest = hashlib.sha256(np.ascontiguousarray(audio).tobytes()).hexdigest()
    assert digest == "1c4cc3111dd3579d5ef05dc3169c1d9f666d2ddfe6cf05020ee6fbd1bcd7b869"
