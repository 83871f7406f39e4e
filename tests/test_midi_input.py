"""Live MIDI through JACK: a virtual keyboard port is found by name, its notes sound and stop,
the sustain pedal holds them, and a port that comes back is found again."""

from __future__ import annotations

import os
import time

import pytest
import rtmidi

from console.client import EngineClient, start_engine, stop_engine
from engine.midi_input import MidiPlayer
from engine.voices import EV_KIND, KICK, PIANO, RELEASE_KIND, SNARE


KEYS = f"jamtest-keys-{os.getpid()}"  # this run's own port: a test run beside it on the same JACK server has its own


def wait_until(predicate, timeout: float = 10.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


@pytest.fixture
def engine_with_midi(jack_server, tmp_path):
    path = tmp_path / "e.sock"
    proc = start_engine(path, audio=True, device="JACK", log=tmp_path / "engine.log", midi=f"{KEYS}$")  # anchored: pid 12 is not 123
    client = EngineClient(path)
    try:
        yield client
    finally:
        stop_engine(proc, client)


def open_keyboard() -> rtmidi.MidiOut:
    keyboard = rtmidi.MidiOut(rtapi=rtmidi.API_UNIX_JACK, name="jamtest-kb")
    keyboard.open_virtual_port(KEYS)
    return keyboard


def test_notes_from_a_jack_midi_port_sound_and_stop(engine_with_midi):
    engine = engine_with_midi
    keyboard = open_keyboard()
    try:
        wait_until(lambda: engine.request("status")["midi"]["ports"], what="the engine to find the port")
        keyboard.send_message([0x90, 60, 100])
        wait_until(lambda: engine.request("status")["voices"] >= 1, what="a voice for the note")
        assert [60, 100] in engine.request("status")["midi"]["recent"]
        time.sleep(0.5)
        assert engine.request("status")["voices"] >= 1  # held while the key is down
        keyboard.send_message([0x80, 60, 0])
        wait_until(lambda: engine.request("status")["voices"] == 0, timeout=3, what="the note to end")

        keyboard.send_message([0xB0, 64, 127])  # pedal down
        keyboard.send_message([0x90, 64, 90])
        keyboard.send_message([0x80, 64, 0])
        time.sleep(0.8)
        assert engine.request("status")["voices"] >= 1, "the pedal did not hold the note"
        keyboard.send_message([0xB0, 64, 0])  # pedal up
        wait_until(lambda: engine.request("status")["voices"] == 0, timeout=3, what="the pedal release")
    finally:
        keyboard.close_port()


def test_a_replugged_port_is_found_again(engine_with_midi):
    engine = engine_with_midi
    keyboard = open_keyboard()
    wait_until(lambda: engine.request("status")["midi"]["ports"], what="the port")
    keyboard.close_port()
    del keyboard
    wait_until(lambda: not engine.request("status")["midi"]["ports"], what="the port to go")
    keyboard = open_keyboard()
    try:
        wait_until(lambda: engine.request("status")["midi"]["ports"], what="the port to come back")
        keyboard.send_message([0x99, 38, 120])  # channel 10: a GM snare
        wait_until(lambda: engine.request("status")["midi"]["messages"] >= 1, what="the drum note")
    finally:
        keyboard.close_port()


def test_the_player_maps_channels_velocity_and_the_pedal():
    player = MidiPlayer(48000, PIANO)
    assert player.rows([0x99, 36, 100], 0)[0][EV_KIND] == KICK
    assert player.rows([0x99, 38, 100], 0)[0][EV_KIND] == SNARE
    assert player.rows([0x90, 60, 100], 0)[0][EV_KIND] == PIANO
    assert player.rows([0x80, 60, 0], 10)[0][EV_KIND] == RELEASE_KIND
    assert player.rows([0xB0, 64, 127], 0) == [] and player.rows([0x80, 61, 0], 0) == []
    assert [r[EV_KIND] for r in player.rows([0xB0, 64, 0], 20)] == [RELEASE_KIND]
