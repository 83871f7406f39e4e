"""The shipped patches: each one checks clean, declares what it is, and sounds like music when rendered.

Every `patches/*.jam` is tested (a new patch is picked up by the glob), and every style the
arranger knows has its demo patch `patches/<style>.jam` that names that style and plays at a
tempo inside the style's range. The renders go through the real offline renderer (the engine's
kernel, master compressor and limiter, as `jam render` does), four cycles each, and are judged
by measurement: level, peaks, gaps, onsets and where the energy sits in the spectrum.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from dsl import parse_patch
from engine.accompanist.arranger import STYLES
from engine.offline import render_patch
from tests.audio import onset_times

ROOT = Path(__file__).resolve().parent.parent
PATCHES = sorted((ROOT / "patches").glob("*.jam"))
RATE = 48000
CYCLES = 4
CEILING = 10 ** (-0.3 / 20)  # the master limiter's ceiling
RMS_RANGE_DB = (-24.0, -10.0)  # a sensible overall level: neither a whisper nor a wall of limiting
GAP_DB = -40.0  # every half second of the render is louder than this (no silent holes)


def db(x: float) -> float:
    return 20 * np.log10(max(float(x), 1e-12))


def load(path: Path):
    patch = parse_patch(path.read_text(encoding="utf-8"))
    assert not patch.errors, "\n".join(err.format(str(path)) for err in patch.errors)
    return patch


@pytest.fixture(scope="module")
def renders():
    """Each patch rendered once (4 cycles), shared by the tests that listen to it."""
    cache: dict[Path, np.ndarray] = {}

    def get(path: Path) -> np.ndarray:
        if path not in cache:
            cache[path] = render_patch(load(path), rate=RATE, cycles=CYCLES, seed=0).astype(np.float64)
        return cache[path]

    return get


def test_the_patches_are_found():
    assert len(PATCHES) >= 1 + len(STYLES), [p.name for p in PATCHES]


@pytest.mark.parametrize("style", sorted(STYLES))
def test_every_style_has_a_demo_patch(style):
    path = ROOT / "patches" / f"{style}.jam"
    assert path.exists(), f"the style {style!r} has no demo patch {path.relative_to(ROOT)}"


@pytest.mark.parametrize("path", PATCHES, ids=lambda p: p.name)
def test_jam_check_passes(path):
    result = subprocess.run([sys.executable, "-m", "console", "check", str(path)], capture_output=True, text=True,
                            cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == "", result.stdout


@pytest.mark.parametrize("path", PATCHES, ids=lambda p: p.name)
def test_declares_tempo_and_its_style(path):
    patch = load(path)
    assert patch.cps is not None, f"{path.name} declares no tempo"
    assert patch.channels, f"{path.name} plays nothing"
    style = path.stem
    if style in STYLES:  # a style's demo: that style, a key, and a tempo the style is played at
        assert patch.style == style, f"{path.name} says style {patch.style!r}"
        assert patch.key is not None, f"{path.name} declares no key"
        low, high = STYLES[style].bpm
        bpm = float(patch.cps * 240)
        assert low <= bpm <= high, f"{path.name}: tempo {bpm:g} is outside {style}'s {low}..{high}"
        assert 4 <= len(patch.channels) <= 8, f"{path.name} has {len(patch.channels)} channels"


@pytest.mark.parametrize("path", PATCHES, ids=lambda p: p.name)
def test_renders_balanced_audible_music(path, renders):
    """Four cycles: the right length, under the limiter's ceiling, a sensible level, no silent gap,
    onsets heard, and energy across the spectrum (not all rumble, not all fizz)."""
    patch = load(path)
    audio = renders(path)
    seconds = CYCLES / float(patch.cps)
    assert abs(len(audio) / RATE - seconds) < 0.01
    assert np.isfinite(audio).all()

    peak = np.abs(audio).max()
    rms = np.sqrt(np.mean(audio ** 2))
    assert peak <= CEILING + 1e-4, f"peak {db(peak):.2f} dBFS is over the limiter's ceiling"
    assert peak > 0.1, f"peak {db(peak):.1f} dBFS: nearly silent"
    assert RMS_RANGE_DB[0] < db(rms) < RMS_RANGE_DB[1], f"RMS {db(rms):.1f} dBFS"

    half = RATE // 2
    windows = [np.sqrt(np.mean(audio[i:i + half] ** 2)) for i in range(0, len(audio) - half + 1, half)]
    quietest = int(np.argmin(windows))
    assert db(windows[quietest]) > GAP_DB, f"a gap at {quietest * 0.5:.1f} s: {db(windows[quietest]):.1f} dBFS"

    onsets = onset_times(audio, RATE)
    assert len(onsets) >= CYCLES, f"only {len(onsets)} onsets heard in {CYCLES} cycles"

    power = np.abs(np.fft.rfft(audio.mean(axis=1))) ** 2
    freqs = np.fft.rfftfreq(len(audio), 1 / RATE)
    low = power[freqs < 100].sum() / power.sum()
    high = power[freqs > 5000].sum() / power.sum()
    assert low < 0.9, f"{low:.0%} of the energy is under 100 Hz"
    assert high < 0.5, f"{high:.0%} of the energy is over 5 kHz"
