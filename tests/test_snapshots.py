"""SVG snapshots of the main screen at 80x24 and 160x48, against a real engine with its transport stopped.

The figures that move on their own (CPU load, xruns) are masked; everything else must
match the stored SVG. After an intended change of the screen, refresh the stored ones:
    JAM_UPDATE_SNAPSHOTS=1 .venv/bin/python -m pytest tests/test_snapshots.py
and look at them (any SVG viewer; `rsvg-convert` makes a PNG).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from console.app import JamApp
from console.client import EngineClient, start_engine, stop_engine

SNAPSHOTS = Path(__file__).parent / "snapshots"
HELLO = Path(__file__).resolve().parent.parent / "patches" / "hello.jam"


def normalized(svg: str) -> str:
    svg = re.sub(r"terminal-\d+", "terminal-N", svg)
    svg = re.sub(r"cpu&#160;\d+%", "cpu&#160;N%", svg)
    return re.sub(r"xrun&#160;\d+", "xrun&#160;N", svg)


@pytest.fixture
def engine(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    path = tmp_path / "engine.sock"
    proc = start_engine(path, audio=False)
    client = EngineClient(path)
    try:
        yield client
    finally:
        stop_engine(proc, client)


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
async def test_main_screen(engine, tmp_path, size):
    patch = tmp_path / "hello.jam"
    patch.write_text(HELLO.read_text())
    app = JamApp(patch, engine)
    async with app.run_test(size=size) as pilot:
        await pilot.pause(0.5)
        # a still picture: nothing sounding, the clock stopped at the top
        engine.request("hush")
        engine.request("transport", action="start", cycle=0)
        engine.request("transport", action="stop")
        await pilot.pause(0.6)
        app.sub_title = "hello.jam"
        await pilot.pause(0.1)
        svg = normalized(app.export_screenshot())
    stored = SNAPSHOTS / f"main_{size[0]}x{size[1]}.svg"
    if os.environ.get("JAM_UPDATE_SNAPSHOTS") or not stored.exists():
        stored.write_text(svg)
        assert os.environ.get("JAM_UPDATE_SNAPSHOTS"), f"wrote the missing snapshot {stored.name}: look at it, commit it"
    assert svg == stored.read_text(), f"the screen changed: compare with {stored} (see this module's docstring)"
