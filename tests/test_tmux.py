"""End to end in a real terminal: `jam` in tmux at 80x24, driven by keys, read off the screen.

This is what a performer over SSH does: type, evaluate, watch the playing atom move,
make a mistake and keep the music, save; and lose nothing when the console is killed.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

JAM = [sys.executable, "-m", "console"]
ROOT = Path(__file__).resolve().parent.parent


class Tmux:
    def __init__(self, name: str, env: dict[str, str]):
        self.name, self.env = name, env

    def run(self, *args: str) -> str:
        return subprocess.run(["tmux", *args], capture_output=True, text=True, env=self.env, check=True).stdout

    def start(self, command: list[str], cwd: Path, size: tuple[int, int] = (80, 24)) -> None:
        line = " ".join(f"'{c}'" for c in command)
        self.run("new-session", "-d", "-s", self.name, "-x", str(size[0]), "-y", str(size[1]), "-c", str(cwd),
                 line + "; sleep 60")

    def keys(self, *keys: str) -> None:
        """Press keys one at a time, as a hand does (a burst of escape sequences can lose keys)."""
        for key in keys:
            self.run("send-keys", "-t", self.name, key)
            time.sleep(0.15)

    def type(self, text: str) -> None:
        self.run("send-keys", "-t", self.name, "-l", text)
        time.sleep(0.15)

    def screen(self, escapes: bool = False) -> str:
        return self.run("capture-pane", "-p", *(["-e"] if escapes else []), "-t", self.name)

    def wait_for(self, text: str, timeout: float = 90.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.2)
        raise AssertionError(f"never saw {text!r} on the screen:\n{self.screen()}")

    def pane_pid(self) -> int:
        return int(self.run("display-message", "-p", "-t", self.name, "#{pane_pid}").strip())

    def kill(self) -> None:
        subprocess.run(["tmux", "kill-session", "-t", self.name], capture_output=True, env=self.env)


@pytest.fixture
def tmux(tmp_path, jack_server):
    if not shutil.which("tmux"):
        pytest.fail("tmux is missing: run the README's test command (make test), which installs it")
    env = dict(os.environ, XDG_STATE_HOME=str(tmp_path / "state"), TMUX_TMPDIR=str(tmp_path), TERM="xterm-256color")
    env.pop("TMUX", None)
    session = Tmux("jamtest", env)
    try:
        yield session
    finally:
        session.kill()


def lit_atoms(screen_with_escapes: str, line_prefix: str) -> set[str]:
    """The words drawn in reverse video on the editor line that starts with line_prefix."""
    lit = set()
    for line in screen_with_escapes.splitlines():
        plain = re.sub(r"\x1b\[[0-9;]*m", "", line)
        if line_prefix not in plain:
            continue
        for match in re.finditer(r"\x1b\[(?:[0-9;]*;)?7(?:;[0-9;]*)?m((?:\x1b\[[0-9;]*m)*)([a-z]+)", line):
            lit.add(match.group(2))
    return lit


def test_a_performer_types_evaluates_errs_and_saves_over_a_terminal(tmux, tmp_path):
    patch = tmp_path / "set.jam"
    patch.write_text("tempo 240\n\n")
    tmux.start([*JAM, str(patch)], tmp_path)
    tmux.wait_for("evaluated")
    time.sleep(0.5)  # keys sent while Textual still sets the terminal up can be dropped
    tmux.keys("Down", "Down")
    tmux.type('d1 $ s "bd sn hh cp"')
    tmux.keys("C-r")
    tmux.wait_for("evaluated: d1")
    tmux.wait_for("▶ d1")

    seen: set[str] = set()
    deadline = time.monotonic() + 10
    while len(seen) < 3 and time.monotonic() < deadline:
        seen |= lit_atoms(tmux.screen(escapes=True), 'd1 $ s "bd')
        time.sleep(0.05)
    assert len(seen) >= 3, f"the light did not move across the atoms (saw {seen})"

    tmux.keys("End", "BSpace", "C-r")  # remove the closing quote: an error
    screen = tmux.wait_for("set.jam:3:8: unterminated string")
    assert "▶ d1" in screen  # the old pattern plays on
    later: set[str] = set()
    deadline = time.monotonic() + 10
    while len(later) < 2 and time.monotonic() < deadline:
        later |= lit_atoms(tmux.screen(escapes=True), 'd1 $ s "bd')
        time.sleep(0.05)
    assert len(later) >= 2, "the old pattern stopped playing after the error"

    tmux.type('"')
    tmux.keys("C-s")
    tmux.wait_for("saved")
    assert patch.read_text() == 'tempo 240\n\nd1 $ s "bd sn hh cp"'
    tmux.keys("C-q")


def test_killing_the_console_mid_edit_loses_nothing(tmux, tmp_path):
    patch = tmp_path / "song.jam"
    patch.write_text('d1 $ s "bd"\n')
    tmux.start([*JAM, "--no-audio", str(patch)], tmp_path)
    tmux.wait_for("evaluated")
    time.sleep(0.5)
    tmux.keys("End")
    tmux.type(" # gain 0.8 -- typed, never saved")
    time.sleep(3.0)  # longer than the autosave interval
    pane = tmux.pane_pid()
    children = subprocess.run(["pgrep", "-P", str(pane)], capture_output=True, text=True).stdout.split()
    for pid in children:
        os.kill(int(pid), signal.SIGKILL)  # the console dies at once: no handler, no save
    time.sleep(1.0)
    tmux.kill()
    assert "never saved" not in patch.read_text()

    tmux.start([*JAM, "--no-audio", str(patch)], tmp_path)
    tmux.wait_for("Recover it?")
    time.sleep(0.5)
    tmux.keys("y")
    tmux.wait_for("recovered the unsaved text")
    tmux.keys("C-s")
    tmux.wait_for("saved")
    assert patch.read_text() == 'd1 $ s "bd" # gain 0.8 -- typed, never saved\n'
    tmux.keys("C-q")


def test_rig_mode_survives_a_dropped_link_and_takes_a_new_console(tmux, tmp_path):
    """`jam serve` on the rig, `jam attach` in a terminal (as over SSH): the link drops (the
    terminal and the console get SIGHUP), the music goes on, and a new console attaches."""
    from console.client import EngineClient

    patch = tmp_path / "rig.jam"
    patch.write_text('tempo 160\nd1 $ s "bd hh sn hh"\n')
    sock = Path(tempfile.mkdtemp(prefix="jam-rig-")) / "rig.sock"
    env = dict(tmux.env)
    server = subprocess.Popen([*JAM, "serve", "--socket", str(sock), "--patch", str(patch), "--no-audio"],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)
    client = EngineClient(sock)
    try:
        deadline = time.monotonic() + 60
        while not sock.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        tmux.start([*JAM, "attach", str(patch), "--socket", str(sock)], tmp_path)
        tmux.wait_for("▶ d1")
        consoles = _children(tmux.pane_pid())
        assert consoles, "no console process under the terminal"
        tmux.kill()  # the link drops: tmux hangs up on the console
        deadline = time.monotonic() + 10
        while any(map(_alive, consoles)) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(map(_alive, consoles)), "the console outlived its terminal"
        before = client.request("status")
        time.sleep(1.0)
        after = client.request("status")
        assert after["channels"] == ["d1"] and after["cycle"] > before["cycle"] + 0.5, "the music stopped"

        tmux.start([*JAM, "attach", str(patch), "--socket", str(sock)], tmp_path)
        tmux.wait_for("▶ d1")
        tmux.keys("C-q")  # a console that attached leaves the engine running
        time.sleep(1.0)
        assert server.poll() is None and client.request("status")["channels"] == ["d1"]
    finally:
        client.close()
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=10)
        sock.parent.rmdir() if sock.parent.exists() and not any(sock.parent.iterdir()) else None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False


def _children(pid: int) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    return [int(c) for c in found] + [g for c in found for g in _children(int(c))]


def test_the_band_keys_pass_through_a_terminal(tmux, tmp_path):
    """f6, f3, alt+z, ctrl+f, ctrl+o and f12 reach the console through tmux as they do over SSH."""
    patch = tmp_path / "band.jam"
    patch.write_text('tempo 150\nd1 $ n "a4 c e a" # s "piano"\n')
    tmux.start([*JAM, "--no-audio", str(patch)], tmp_path)
    tmux.wait_for("silent clock")
    time.sleep(0.5)
    tmux.keys("F6")
    tmux.wait_for("the band plays pop")
    tmux.wait_for("plays Am", timeout=60)
    tmux.keys("F3")
    tmux.type("faster")
    tmux.keys("Enter")
    tmux.wait_for("tempo 162")
    tmux.keys("M-z")
    tmux.wait_for("undid 'faster'")
    tmux.keys("C-f")
    tmux.wait_for("the band's bars are yours")
    tmux.keys("F12")
    tmux.wait_for("the octave above")
    tmux.keys("Escape", "C-o")
    tmux.wait_for("Open (a path")
    tmux.keys("Escape", "C-q")


SGR = re.compile(r"\x1b\[([0-9;]*)m")
RICH_COLOUR = re.compile(r"(?:^|;)[34]8;[25];")  # 256-colour and true-colour codes


@pytest.mark.parametrize("terminal", ["xterm", "NO_COLOR"])
def test_a_16_colour_terminal_and_no_color_at_300_columns(tmux, tmp_path, terminal):
    """A plain xterm (16 colours) and NO_COLOR, on a 300-column screen: the console uses the whole
    width, draws only colours such a terminal has (with NO_COLOR only black, white and greys, as
    Textual's monochrome does), and the playing atoms are still lit, in reverse video."""
    patch = tmp_path / "wide.jam"
    patch.write_text('tempo 240\nd1 $ s "bd sn hh cp"\n')
    env = ["env", "-u", "COLORTERM", "TERM=xterm"] + (["NO_COLOR=1"] if terminal == "NO_COLOR" else [])
    tmux.start([*env, *JAM, "--no-audio", str(patch)], tmp_path, size=(300, 60))
    screen = tmux.wait_for("▶ d1")
    assert max(len(line.rstrip()) for line in screen.splitlines()) > 250, "the console does not use the width"
    seen: set[str] = set()
    codes: set[str] = set()
    deadline = time.monotonic() + 10
    while len(seen) < 3 and time.monotonic() < deadline:
        lit = tmux.screen(escapes=True)
        seen |= lit_atoms(lit, 'd1 $ s "bd')
        codes |= set(SGR.findall(lit))
        time.sleep(0.05)
    assert len(seen) >= 3, f"the light did not move across the atoms (saw {seen})"
    assert not [c for c in codes if RICH_COLOUR.search(c)], sorted(codes)
    if terminal == "NO_COLOR":
        hues = [c for c in codes for part in c.split(";") if part and int(part) % 10 in range(1, 7)
                and 30 <= int(part) <= 107]
        assert not hues, sorted(codes)
    tmux.keys("C-q")
