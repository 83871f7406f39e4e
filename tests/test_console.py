"""The console under Textual's pilot, talking to a real engine process (on a silent clock)."""

from __future__ import annotations

import asyncio
import time

import pytest
from textual.widgets import Static

from console.app import JamApp, block_at
from console.client import EngineClient, start_engine, stop_engine


@pytest.fixture(autouse=True)
def private_state(tmp_path, monkeypatch):
    """Recovery files go to a folder of the test's own."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))


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


def test_a_transport_cycle_that_is_not_a_number_is_refused_and_the_clock_goes_on(engine):
    # (text here once reached the rational type's string parser, which corrupts the process: rational.py)
    assert "must be a number" in engine.request("transport", action="start", cycle="3")["error"]
    assert engine.request("transport", action="start", cycle=16)["ok"]
    assert engine.request("status")["cycle"] > 15  # (the clock heard now is a block or two behind)


def test_a_control_too_large_to_play_stops_its_channel_and_the_rest_plays_on(engine):
    assert engine.request("eval", text='d1 $ s "bd*4"')["ok"]
    assert engine.request("eval", text='d2 $ s "sine" # n 1e300\nd3 $ s "hh" # orbit 1e400')["ok"]
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and len(engine.request("status")["runtime_errors"]) < 2:
        time.sleep(0.1)
    status = engine.request("status")
    assert sorted(e.split(" stopped: ")[0] for e in status["runtime_errors"]) == ["d2", "d3"], status["runtime_errors"]
    assert all("too large to play" in e for e in status["runtime_errors"])
    time.sleep(1.0)  # two beats later, d1 still sounds
    later = engine.request("status")
    assert later["levels"]["d1"] > -60 and later["voices"] > 0 and later["cycle"] > status["cycle"]


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
        await wait_for(lambda: "▶ d1" in text_of(app, "#status"))
        assert "120 bpm" in text_of(app, "#status")
        assert engine.request("status")["channels"] == ["d1"]


async def test_an_error_is_shown_at_its_place_and_the_old_pattern_keeps_playing(engine, tmp_path):
    patch = tmp_path / "p.jam"
    patch.write_text('d1 $ s "bd*2"\n\nd2 $ s "hh*4"\n')
    app = JamApp(patch, engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(lambda: "▶ d1 d2" in text_of(app, "#status"))
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
        await wait_for(lambda: "▶ d1 d2" in text_of(app, "#status"))
        await pilot.press("f8")
        await wait_for(lambda: "▶ –" in text_of(app, "#status"))


async def test_the_atoms_that_sound_are_lit_in_the_editor(engine, tmp_path):
    patch = tmp_path / "p.jam"
    patch.write_text('tempo 240\nd1 $ s "bd sn hh cp"\n')  # one atom per 1/4 s
    app = JamApp(patch, engine)
    async with app.run_test(size=(80, 24)):
        seen: set[int] = set()

        def collect() -> bool:
            for line, start, end in app.editor.playing:
                assert line == 2 and patch.read_text().splitlines()[1][start - 1:end - 1] in ("bd", "sn", "hh", "cp")
                seen.add(start)
            return len(seen) >= 3

        await wait_for(collect, timeout=6)  # the light moves across the atoms


async def test_panic_and_comment_toggle(engine, tmp_path):
    patch = tmp_path / "p.jam"
    patch.write_text('d1 $ s "bd*4"\n')
    app = JamApp(patch, engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(lambda: "▶ d1" in text_of(app, "#status"))
        await pilot.press("ctrl+t")
        assert app.editor.text.startswith('-- d1 $ s "bd*4"')
        await pilot.press("ctrl+t")
        assert app.editor.text.startswith('d1 $ s "bd*4"')
        await pilot.press("f9")
        await wait_for(lambda: "panic" in text_of(app, "#messages"))
        await wait_for(lambda: "▶ –" in text_of(app, "#status"))


async def test_selection_is_evaluated_alone(engine, tmp_path):
    patch = tmp_path / "p.jam"
    patch.write_text('d1 $ s "bd"\nd2 $ s "sn"\n')
    app = JamApp(patch, engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(lambda: "▶ d1 d2" in text_of(app, "#status"))
        await pilot.press("f8")
        await wait_for(lambda: "▶ –" in text_of(app, "#status"))
        app.editor.selection = ((1, 0), (1, 11))  # select the d2 line only
        await pilot.press("ctrl+r")
        await wait_for(lambda: "▶ d2" in text_of(app, "#status"))
        assert engine.request("status")["channels"] == ["d2"]


async def test_help_lists_every_key(engine, tmp_path):
    app = JamApp(tmp_path / "p.jam", engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f1")
        help_text = str(app.screen.query_one(Static).render())
        for key in ("ctrl+r", "f5", "f8", "f9", "ctrl+t", "ctrl+s", "f2", "ctrl+p", "ctrl+q"):
            assert key in help_text
        await pilot.press("escape")
        assert app.screen is app.screen_stack[0]


async def test_save_as_writes_a_new_file_and_follows_it(engine, tmp_path):
    app = JamApp(tmp_path / "a.jam", engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*'d1 $ s "bd"')
        await pilot.press("f2")
        field = app.screen.query_one("#path")
        field.value = str(tmp_path / "b.jam")
        await pilot.press("enter")
        await wait_for(lambda: "saved" in text_of(app, "#messages"))
        assert app.patch_path == tmp_path / "b.jam"
    assert (tmp_path / "b.jam").read_text() == 'd1 $ s "bd"'


async def test_palette_offers_the_pattern_functions_with_their_docs(engine, tmp_path):
    from console.palette import _entries

    names = dict(_entries())
    assert len(names) >= 60 and names["fast"].startswith("speed up")
    app = JamApp(tmp_path / "p.jam", engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+p")
        await pilot.press(*"jux")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await wait_for(lambda: app.editor.text.startswith("jux"))


async def test_unsaved_text_is_offered_back_after_a_crash(engine, tmp_path):
    from console import recovery

    patch = tmp_path / "p.jam"
    patch.write_text('d1 $ s "bd"\n')
    recovery.write_recovery(patch, 'd1 $ s "bd sn"\n-- typed before the crash\n')
    app = JamApp(patch, engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(lambda: app.screen.__class__.__name__ == "RecoverScreen")
        await pilot.press("y")
        await wait_for(lambda: "typed before the crash" in app.editor.text)
        await pilot.press("ctrl+s")
    assert "typed before the crash" in patch.read_text()
    assert recovery.pending_recovery(patch) is None


async def test_autosave_keeps_the_typing(engine, tmp_path):
    from console import recovery

    patch = tmp_path / "p.jam"
    app = JamApp(patch, engine)
    app.AUTOSAVE_INTERVAL = 0.2
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*'d1 $ s "cp"')
        path = recovery.recovery_path(patch)
        await wait_for(lambda: path.exists() and path.read_text() == 'd1 $ s "cp"')


async def test_meters_show_each_channel_and_mute_solo_keys_work(engine, tmp_path):
    patch = tmp_path / "p.jam"
    patch.write_text('d1 $ s "bd*8"\nd2 $ s "hh*8"\n')
    app = JamApp(patch, engine)
    async with app.run_test(size=(120, 30)) as pilot:
        meters = app.query_one("#meters")
        assert meters.display
        await wait_for(lambda: "d1" in str(meters.render()) and "█" in str(meters.render()))
        await pilot.press("alt+2")
        await wait_for(lambda: "d2 muted" in text_of(app, "#messages"))
        await wait_for(lambda: "▶ d1" in text_of(app, "#status") and "d2" not in text_of(app, "#status"))
        assert engine.request("status")["muted"] == ["d2"]
        await pilot.press("alt+2")
        await wait_for(lambda: "▶ d1 d2" in text_of(app, "#status"))
        await pilot.press("alt+exclamation_mark")
        await wait_for(lambda: engine.request("status")["soloed"] == ["d1"])


async def test_meters_and_the_piano_roll_fold_away_on_a_small_terminal(engine, tmp_path):
    app = JamApp(tmp_path / "p.jam", engine)
    async with app.run_test(size=(80, 24)):
        assert not app.query_one("#side").display  # meters and piano roll: the editor wins
        assert app.query_one("#editor").size.width >= 75  # (its scrollbar takes the rest)


async def test_the_band_key_the_direction_line_and_undo(engine, tmp_path):
    patch = tmp_path / "p.jam"
    patch.write_text('tempo 130\nd1 $ n "a4 c e a" # s "piano"\n')
    app = JamApp(patch, engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(lambda: "band off" in text_of(app, "#band") and "silent clock" in text_of(app, "#messages"))
        await pilot.press("f6")
        await wait_for(lambda: "the band plays pop" in text_of(app, "#messages"))
        await wait_for(lambda: "plays Am" in text_of(app, "#band"), timeout=30)  # it heard d1
        await wait_for(lambda: "▶ band d1" in text_of(app, "#status"))  # its channels, folded into one name
        await pilot.press("f3")
        assert app.query_one("#direct").has_focus
        await pilot.press(*"switch to jazz", "enter")
        await wait_for(lambda: "the band plays jazz · alt+z undoes it" in text_of(app, "#messages"))
        assert app.editor.has_focus and "jazz" not in app.editor.text  # typed into the line, not the patch
        await wait_for(lambda: "band jazz" in text_of(app, "#band") and 'typed "switch to jazz"' in text_of(app, "#band"))
        await pilot.press("f3", *"more cowbell please", "enter")
        await wait_for(lambda: "nothing changed" in text_of(app, "#messages"))
        await pilot.press("alt+z")
        await wait_for(lambda: "undid 'switch to jazz'" in text_of(app, "#messages"))
        await wait_for(lambda: "band pop" in text_of(app, "#band"))
        await pilot.press("f3", *"tempo", "escape")
        assert app.editor.has_focus and engine.request("status")["bpm"] == 130  # escape sent nothing
        await pilot.press("f6")
        await wait_for(lambda: "band off" in text_of(app, "#band"))


async def test_the_piano_roll_shows_the_performer_and_the_band(engine, tmp_path):
    patch = tmp_path / "p.jam"
    patch.write_text('tempo 130\nd1 $ n "a4 c e a" # s "piano"\n')
    app = JamApp(patch, engine)
    async with app.run_test(size=(160, 48)) as pilot:
        def cells() -> str:  # the roll without its legend
            return text_of(app, "#roll").rsplit("\n", 1)[0]

        await wait_for(lambda: "█" in cells(), timeout=10)
        assert "▒" not in cells()
        await pilot.press("f6")
        await wait_for(lambda: "▒" in cells(), timeout=20)


async def test_status_autosave_and_light_go_on_under_the_help_screen(engine, tmp_path):
    from console import recovery

    patch = tmp_path / "p.jam"
    patch.write_text('d1 $ s "bd*4"\n')
    app = JamApp(patch, engine)
    app.AUTOSAVE_INTERVAL = 0.2
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f1")
        app.editor.insert("-- typed under the help\n")
        path = recovery.recovery_path(patch)
        await wait_for(lambda: path.exists() and "under the help" in path.read_text())
        await pilot.pause(0.5)  # status and light timers fire with the modal up
        await pilot.press("escape")
        await wait_for(lambda: "▶ d1" in text_of(app, "#status"))


async def test_rating_keys_reach_the_profile_with_their_bars(engine, tmp_path):
    from engine.accompanist.learner import Learner, profile_path

    app = JamApp(tmp_path / "p.jam", engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(lambda: "silent clock" in text_of(app, "#messages"))  # the engine's first word, once
        await pilot.press("alt+r")
        await wait_for(lambda: "rated the last bars 4/5" in text_of(app, "#messages"))
        await pilot.press("ctrl+down")
        await wait_for(lambda: "ratings so far: 4 1" in text_of(app, "#messages"), timeout=10)
    # the engine runs with this test's XDG_STATE_HOME: its profile is the test's own
    history = Learner.load(profile_path()).history
    assert [r.value for r in history] == [4, 1] and all(isinstance(r.bars, list) for r in history)


async def test_freezing_the_band_puts_its_bars_in_the_patch(engine, tmp_path):
    patch = tmp_path / "p.jam"
    patch.write_text('tempo 150\nstyle "funk"\nd1 $ n "a4 c e a" # s "piano"\n')
    app = JamApp(patch, engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(lambda: "silent clock" in text_of(app, "#messages"))  # the engine's first word
        await pilot.press("ctrl+f")
        await wait_for(lambda: "the band is not playing" in text_of(app, "#messages"))
        await pilot.press("f6")
        await wait_for(lambda: "plays Am" in text_of(app, "#band"), timeout=30)
        await pilot.press("ctrl+f")
        await wait_for(lambda: "the band's bars are yours" in text_of(app, "#messages"))
        text = app.editor.text
        assert "-- the band (funk), frozen from bar" in text and "d2 $ " in text and '# s "bass"' in text
        status = engine.request("status")
        assert not status["band"]["on"] and not status["band"]["channels"]
        assert {"d2", "d3"} <= set(status["channels"]) and not app.editor.error_places
        # the frozen atoms light in the editor, at their lines under the performer's own
        await wait_for(lambda: any(line > 4 for line, _, _ in engine.request("playing")["places"]))


async def test_open_a_patch_by_path_then_from_the_recent_list(engine, tmp_path):
    first, second = tmp_path / "first.jam", tmp_path / "second.jam"
    first.write_text('d1 $ s "bd"\n')
    second.write_text('d1 $ s "hh*4"\n')
    app = JamApp(first, engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(lambda: "silent clock" in text_of(app, "#messages"))  # the engine's first word, once
        await pilot.press("ctrl+o")
        await pilot.press(*str(second), "enter")
        await wait_for(lambda: f"opened {second}" in text_of(app, "#messages"))
        assert app.editor.text == second.read_text() and app.patch_path == second
        assert engine.request("status")["channels"] == ["d1"]  # the music goes on until f5
        await pilot.press("ctrl+o")
        await pilot.pause(0.2)
        choices = app.screen.query_one("#choices")
        assert str(first.resolve()) == str(choices.get_option_at_index(0).prompt)  # the recent one first
        assert any("hello.jam" in str(choices.get_option_at_index(i).prompt) for i in range(choices.option_count))
        await pilot.press("tab", "enter")
        await wait_for(lambda: app.editor.text == first.read_text())


async def test_the_computer_keyboard_plays_notes_the_band_hears(engine, tmp_path):
    app = JamApp(tmp_path / "p.jam", engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f12")
        for key in "zcbm":  # c e g b: a Cmaj7 arpeggio, octave 4
            await pilot.press(key)
            await pilot.pause(0.1)
        assert engine.request("status")["voices"] >= 1  # they sound
        assert "c4 e4 g4 b4" in str(app.screen.query_one("#keys").render())
        assert app.editor.text == ""  # the keys played, they did not type
        roll = engine.request("roll", cycles=2)["notes"]
        assert sorted(n[2] for n in roll if n[3] == "you") == [60, 64, 67, 71]
        await pilot.press("escape")
        assert app.editor.has_focus
