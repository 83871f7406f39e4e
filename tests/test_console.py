"""The console under Textual's pilot, talking to a real engine process (on a silent clock)."""

from __future__ import annotations

import asyncio

import pytest
from textual.widgets import Static

from console.app import JamApp, block_at
from console.client import EngineClient, start_engine, stop_engine


@pytest.fixture
def engine(tmp_path):
    path = tmp_path / "engine.sock"
    proc = start_engine(path, audio=False, log=tmp_path / "engine.log")
    client = EngineClient(path)
    try:
        yield client
    finally:
        stop_engine(proc, client)


def text_of(app: JamApp, widget_id: str) -> str:
    return str(app.query_one(widget_id, Static).render())


async def wait_for(predicate, timeout: float = 5.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError("the screen never showed it")
        await asyncio.sleep(0.05)


def test_block_at_finds_the_paragraph_under_the_cursor():
    text = "tempo 120\n\nd1 $ s \"bd\"\n  # gain 0.8\n\nd2 $ s \"hh\""
    assert block_at(text, 3) == ('d1 $ s "bd"\n  # gain 0.8', 3)
    assert block_at(text, 5) == ('d2 $ s "hh"', 6)
    assert block_at(text, 1)[0] == ""


async def test_console_evaluates_an_edit_and_shows_it(engine, tmp_path):
    patch = tmp_path / "p.jam"
    patch.write_text("tempo 120\n")
    app = JamApp(patch, engine)
    async with app.run_test(size=(80, 24)) as pilot:
        # the engine has no audio here: the console says so once
        await wait_for(lambda: "silent clock" in text_of(app, "#messages"))
        app.editor.move_cursor((1, 0))
        await pilot.press("enter", *'d1 $ s "bd sn"')
        await pilot.press("ctrl+r")
        await wait_for(lambda: "evaluated: d1" in text_of(app, "#messages"))
        await wait_for(lambda: "playing d1" in text_of(app, "#status"))
        assert "120 bpm" in text_of(app, "#status")
        assert engine.request("status")["channels"] == ["d1"]


async def test_an_error_is_shown_at_its_place_and_the_old_pattern_keeps_playing(engine, tmp_path):
    patch = tmp_path / "p.jam"
    patch.write_text('d1 $ s "bd*2"\n\nd2 $ s "hh*4"\n')
    app = JamApp(patch, engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(lambda: "playing d1 d2" in text_of(app, "#status"))
        app.editor.move_cursor((2, 13))
        await pilot.press("backspace")  # d2 $ s "hh*4  -> unterminated string
        await pilot.press("ctrl+r")
        await wait_for(lambda: "p.jam:3:8: unterminated string" in text_of(app, "#messages"))
        assert app.query_one("#messages").has_class("error")
        status = engine.request("status")
        assert status["channels"] == ["d1", "d2"] and not status["runtime_errors"]
        cycle = status["cycle"]
        await asyncio.sleep(0.3)
        assert engine.request("status")["cycle"] > cycle  # the clock goes on


async def test_save_writes_the_editor_text(engine, tmp_path):
    patch = tmp_path / "new.jam"
    app = JamApp(patch, engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*'d1 $ s "cp"')
        await pilot.press("ctrl+s")
        await wait_for(lambda: "saved" in text_of(app, "#messages"))
    assert patch.read_text() == 'd1 $ s "cp"'


async def test_hush_silences_every_channel(engine, tmp_path):
    patch = tmp_path / "p.jam"
    patch.write_text('d1 $ s "bd"\nd2 $ s "sn"\n')
    app = JamApp(patch, engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(lambda: "playing d1 d2" in text_of(app, "#status"))
        await pilot.press("f8")
        await wait_for(lambda: "playing nothing" in text_of(app, "#status"))
