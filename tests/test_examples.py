"""The examples run as their docstrings say, and make the sound they promise."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from engine.wavfile import read_wav
from tests.audio import onset_times

ROOT = Path(__file__).resolve().parent.parent


def test_api_example_renders_a_groove(tmp_path):
    out = tmp_path / "api.wav"
    result = subprocess.run([sys.executable, str(ROOT / "examples" / "api_render.py"), str(out)],
                            capture_output=True, text=True, timeout=240, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "96 bpm" in result.stdout and "d1 at cycle 1/8" in result.stdout
    audio, rate = read_wav(out)
    assert abs(len(audio) / rate - 10.0) < 0.01  # 4 cycles at 96 bpm
    assert len(onset_times(audio, rate)) >= 4 * 4  # kicks, snares, hats: plenty of hits
