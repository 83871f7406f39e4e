"""Modulation (vibrato, tremolo, the filter LFO, pitch and filter envelopes) and the wavetable
oscillator, heard in rendered audio. Each modulation test also renders the patch without its
control and checks that the effect is then absent."""

from __future__ import annotations

import numpy as np
import pytest

from dsl import parse_patch
from engine.offline import render_patch

RATE = 48000
A4 = 440.0
C5 = 261.6255653005986


def render(text: str, seconds: float) -> np.ndarray:
    patch = parse_patch(text)
    assert not patch.errors, patch.errors
    return render_patch(patch, rate=RATE, seconds=seconds)[:, 0].astype(np.float64)


def frequency_track(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(time, frequency) of each period, from upward zero crossings placed between samples."""
    i = np.flatnonzero((x[:-1] <= 0) & (x[1:] > 0))
    crossings = i + (-x[i]) / (x[i + 1] - x[i])
    return crossings[1:] / RATE, RATE / np.diff(crossings)


def strongest_rate(track: np.ndarray, step_seconds: float) -> float:
    """The frequency (Hz) of the strongest swing in an evenly sampled control track."""
    spectrum = np.abs(np.fft.rfft((track - track.mean()) * np.hanning(len(track)), 8 * len(track)))
    return float(np.fft.rfftfreq(8 * len(track), step_seconds)[spectrum.argmax()])


SINE_A4 = 'setcps 0.25\nd1 $ note 9 # s "sine" # sustain 3 # gain 0.4'


def test_vibrato_swings_the_pitch_by_its_depth_at_its_rate():
    plain = render(SINE_A4, 2.0)[2400:-4800]
    t, f = frequency_track(plain)
    assert f.max() - f.min() < 0.01  # without vibrato: a steady 440 Hz

    wobbly = render(SINE_A4 + " # vibrato 1 # vibratorate 4", 2.0)[2400:-4800]
    t, f = frequency_track(wobbly)
    up, down = A4 * 2 ** (1 / 12), A4 * 2 ** (-1 / 12)  # one semitone each way
    assert abs(f.max() - up) < 0.01 * A4 and abs(f.min() - down) < 0.01 * A4, (f.min(), f.max())
    even = np.interp(np.arange(t[0], t[-1], 0.01), t, f)
    assert abs(strongest_rate(even, 0.01) - 4.0) < 0.2


def test_vibrato_reaches_the_instruments():
    """Instruments follow vibrato once per block: an organ's fundamental moves by a semitone each way."""
    def fundamental_range(text):
        audio = render(text, 2.0)
        found = []
        for i in range(4800, 2 * RATE - 9600, 2400):
            spectrum = np.abs(np.fft.rfft(audio[i:i + 8192] * np.hanning(8192), 65536))
            freqs = np.fft.rfftfreq(65536, 1 / RATE)
            band = (freqs > 380) & (freqs < 500)
            found.append(freqs[band][spectrum[band].argmax()])
        return min(found), max(found)

    low, high = fundamental_range('setcps 0.25\nd1 $ note 9 # s "organ" # sustain 3 # gain 0.4')
    assert high - low < 3
    low, high = fundamental_range('setcps 0.25\nd1 $ note 9 # s "organ" # sustain 3 # gain 0.4'
                                  ' # vibrato 1 # vibratorate 3')
    assert low < 422 and high > 458, (low, high)


def test_tremolo_dips_the_level_by_its_depth_at_its_rate():
    def envelope(text):
        audio = render(text, 2.0)
        return np.array([np.abs(audio[i:i + 240]).max() for i in range(4800, 2 * RATE - 4800, 240)])  # 5 ms peaks

    steady = envelope(SINE_A4)
    assert steady.min() / steady.max() > 0.99
    # SuperDirt's name, tremolodepth, and the short one, tremolo
    for name in ("tremolo", "tremolodepth"):
        env = envelope(SINE_A4 + f" # {name} 0.8 # tremolorate 6")
        assert 0.15 < env.min() / env.max() < 0.25  # down to 1 - 0.8
        assert abs(strongest_rate(env, 240 / RATE) - 6.0) < 0.2


def test_the_filter_lfo_swings_the_spectral_centroid_at_its_rate():
    def centroids(text):
        audio = render(text, 2.0)
        freqs = np.fft.rfftfreq(2048, 1 / RATE)
        out = []
        for i in range(2400, 2 * RATE - 6000, 480):
            power = np.abs(np.fft.rfft(audio[i:i + 2048] * np.hanning(2048))) ** 2
            out.append((power * freqs).sum() / power.sum())
        return np.array(out)

    saw = 'setcps 0.25\nd1 $ note (-12) # s "saw" # cutoff 800 # sustain 3 # gain 0.4'
    still = centroids(saw)
    assert still.max() / still.min() < 1.01
    swept = centroids(saw + " # lfo 2 # lforate 2")
    assert swept.max() / swept.min() > 1.6
    assert abs(strongest_rate(swept, 0.01) - 2.0) < 0.2


def test_the_filter_envelope_opens_the_filter_then_closes_it_to_the_cutoff():
    def high_share(audio):
        power = np.abs(np.fft.rfft(audio * np.hanning(len(audio)))) ** 2
        freqs = np.fft.rfftfreq(len(audio), 1 / RATE)
        return power[freqs > 1500].sum() / power.sum()

    saw = 'setcps 0.25\nd1 $ note (-12) # s "saw" # cutoff 400 # sustain 2 # gain 0.4'
    plain = render(saw, 1.0)
    swept = render(saw + " # fenv 4 # fdecay 0.3", 1.0)
    early, late = slice(480, 480 + 4096), slice(int(0.5 * RATE), int(0.5 * RATE) + 4096)
    assert high_share(swept[early]) > 20 * high_share(plain[early])  # 16x the cutoff at the start
    assert np.allclose(swept[late], plain[late], atol=1e-3)  # back to the cutoff after fdecay


def test_the_pitch_envelope_falls_from_its_semitones_to_the_note_within_the_decay():
    plain = render('setcps 0.25\nd1 $ s "sine" # sustain 1 # gain 0.4', 0.5)
    t, f = frequency_track(plain)
    assert np.abs(f[t > 0.01] - C5).max() < 0.01  # (the attack bends the first period)

    zap = render('setcps 0.25\nd1 $ s "sine" # sustain 1 # gain 0.4 # penv 24 # pdecay 0.2', 0.5)
    t, f = frequency_track(zap)
    for at in (0.02, 0.05, 0.1, 0.15):  # linear in semitones: 24 at the onset, 0 at 0.2 s
        expected = C5 * 2 ** (24 * (1 - at / 0.2) / 12)
        assert abs(f[np.searchsorted(t, at)] / expected - 1) < 0.01, at
    assert f[0] > 3.5 * C5
    after = f[t > 0.21]
    assert np.abs(after - C5).max() < 0.01


# -- the wavetable --------------------------------------------------------------------------

def harmonics(text: str, f0: float, count: int = 8) -> np.ndarray:
    """Power of harmonics 1..count, relative to the fundamental's."""
    audio = render(text, 1.0)[RATE // 4:RATE // 4 + 16384]
    spectrum = np.abs(np.fft.rfft(audio * np.blackman(len(audio)))) ** 2
    freqs = np.fft.rfftfreq(len(audio), 1 / RATE)
    power = np.array([spectrum[np.abs(freqs - k * f0) < 20].sum() for k in range(1, count + 1)])
    return power / power[0]


def wavetable(wave: float, sound: str = "wavetable") -> str:
    return f'setcps 0.5\nd1 $ note (-12) # s "{sound}" # wave {wave} # sustain 2 # gain 0.4'


def test_the_wave_control_morphs_sine_triangle_saw_square():
    f0 = C5 / 2
    sine, tri, saw, square = (harmonics(wavetable(w), f0) for w in (0, 1 / 3, 2 / 3, 1))
    assert sine[1:].max() < 1e-6  # a pure sine
    # triangle: odd harmonics at 1/k^2 (power 1/k^4), no even ones
    assert abs(10 * np.log10(tri[2]) - 10 * np.log10(1 / 81)) < 1 and tri[1] < 1e-6
    # saw: every harmonic at 1/k
    assert abs(10 * np.log10(saw[1]) - 10 * np.log10(1 / 4)) < 1 and abs(10 * np.log10(saw[2]) + 10 * np.log10(9)) < 1
    # square: odd harmonics at 1/k, no even ones
    assert abs(10 * np.log10(square[2]) + 10 * np.log10(9)) < 1 and square[1] < 1e-6
    # odd/even balance and brightness (the harmonics' centroid) move as the wave goes round
    centroid = [float((np.arange(1, 9) * h).sum() / h.sum()) for h in (sine, tri, saw, square)]
    assert centroid[0] < centroid[1] < centroid[2] and centroid[1] < centroid[3]
    # half-way from triangle to saw: the fundamentals add (the tables are in phase), the even
    # harmonics come from the saw's half alone: (0.5 / 2 * 2/π) / (0.5 * (8/π² + 2/π)) → 0.19 of a saw's power
    half = harmonics(wavetable(0.5), f0)
    assert 0.15 * saw[1] < half[1] < 0.25 * saw[1]


@pytest.mark.parametrize("wave", [2 / 3, 1.0])
def test_a_5_khz_wavetable_note_keeps_its_aliases_40_db_below_the_fundamental(wave):
    text = f'setcps 0.5\nd1 $ note 51 # s "wt" # wave {wave} # sustain 2 # attack 0.001'
    audio = render(text, 1.5)[RATE // 4:RATE // 4 + 32768]
    t = 2 * np.pi * np.arange(len(audio)) / (len(audio) - 1)
    window = 0.35875 - 0.48829 * np.cos(t) + 0.14128 * np.cos(2 * t) - 0.01168 * np.cos(3 * t)
    spectrum = np.abs(np.fft.rfft(audio * window)) ** 2
    freqs = np.fft.rfftfreq(len(audio), 1 / RATE)
    f0 = C5 * 2 ** (51 / 12)
    harmonic = np.zeros_like(freqs, dtype=bool)
    for k in range(1, int(RATE / 2 / f0) + 1):
        harmonic |= np.abs(freqs - k * f0) < 60
    fundamental = spectrum[np.abs(freqs - f0) < 60].sum()
    aliases = spectrum[(~harmonic) & (freqs > 30)].sum()
    assert 10 * np.log10(fundamental / aliases) >= 40


def test_the_wavetable_is_deterministic_and_wt_is_its_alias():
    text = 'setcps 1\nd1 $ n "0 7 12 -5" # s "wavetable" # wave "<0 0.3 0.7 1>" # vibrato 0.3 # lfo 1'
    first = render_patch(parse_patch(text), rate=RATE, seconds=2.0)
    again = render_patch(parse_patch(text), rate=RATE, seconds=2.0)
    alias = render_patch(parse_patch(text.replace('"wavetable"', '"wt"')), rate=RATE, seconds=2.0)
    assert first.tobytes() == again.tobytes() == alias.tobytes()
    assert np.sqrt(np.mean(first.astype(np.float64) ** 2)) > 0.05
