"""Directions by voice, end to end: a phrase spoken by flite into a WAV file is heard by the
engine's listener as if through a microphone, recognized, and changes what the band plays; the
console's f4 starts it and its panel shows the level meter, then what was heard and done."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from console.app import JamApp
from console.client import EngineClient, start_engine, stop_engine
from tests.test_console import text_of, wait_for


def spoken(text: str, folder: Path) -> Path:
    """`text` in flite's kal16 voice, as 16 kHz mono 16-bit (what a microphone gives the listener)."""
    if not (shutil.which("flite") and shutil.which("sox")):
        pytest.fail("flite and sox are needed (make test installs them)", pytrace=False)
    raw, out = folder / "raw.wav", folder / f"{text.replace(' ', '_')}.wav"
    subprocess.run(["flite", "-voice", "kal16", "-t", text, "-o", str(raw)], check=True, capture_output=True)
    subprocess.run(["sox", "-R", "-G", str(raw), "-r", "16000", "-c", "1", "-b", "16", str(out)], check=True,
                   capture_output=True)
    return out


@pytest.fixture
def voiced_engine(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    wav = spoken("switch to jazz", tmp_path)
    sock = Path(tempfile.mkdtemp(prefix="jam-voice-")) / "e.sock"
    proc = start_engine(sock, audio=False, log=tmp_path / "engine.log", voice_input=str(wav))
    client = EngineClient(sock)
    try:
        yield client
    finally:
        stop_engine(proc, client)
        sock.unlink(missing_ok=True)
        sock.parent.rmdir()


def test_a_spoken_direction_changes_the_band(voiced_engine):
    engine = voiced_engine
    engine.request("eval", text='tempo 120\nd1 $ n "c e g c6" # s "piano"')
    assert engine.request("listen")["state"] == "listening"
    levels, speech = [], False
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        status = engine.request("status")
        levels.append(status["voice"]["level"])
        speech |= status["voice"]["speech"]
        if status["voice"]["state"] != "listening":
            break
        time.sleep(0.05)
    assert status["voice"]["state"] == "idle", status["voice"]
    assert speech and max(levels) > -40, "the meter never showed the voice"
    heard = status["directions"][-1]
    assert heard["source"] == "voice" and heard["text"] == "switch to jazz", heard
    assert heard["did"] == "the band plays jazz" and 0 < heard["confidence"] <= 1
    assert status["band"]["on"] and status["band"]["style"] == "jazz"
    assert engine.request("undo")["did"] == "undid 'switch to jazz'"  # a spoken direction undoes like a typed one


async def test_f4_listens_and_the_panel_shows_the_meter_then_what_it_did(voiced_engine, tmp_path):
    app = JamApp(tmp_path / "p.jam", voiced_engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(lambda: "silent clock" in text_of(app, "#messages"))  # the engine's first word
        await pilot.press("f4")
        await wait_for(lambda: "listening" in text_of(app, "#messages"))
        await wait_for(lambda: "listening ▮" in text_of(app, "#band"), timeout=15)
        await wait_for(lambda: 'heard "switch to jazz" → the band plays jazz' in text_of(app, "#band"), timeout=30)
