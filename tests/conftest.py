"""Session fixtures: a JACK server with the dummy driver, so the real audio path runs without a sound card.

The dummy driver paces its process cycles with a timer, so everything started in
the tests gets real, paced audio callbacks (48000 Hz, 128 frames) and JACK ports
that other clients (`jack_rec`) can record from.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

RATE = 48000
PERIOD = 128
JACKD = ["jackd", "-d", "dummy", "-r", str(RATE), "-p", str(PERIOD)]  # real-time mode, as jackd defaults
READY_TIMEOUT = 10.0  # seconds for a fresh jackd to accept clients
JACK_TOOLS = ("jackd", "jack_lsp", "jack_rec", "jack_samplerate", "jack_bufsize")

# Real JACK backends for everything started in the tests. JACK_NO_START_SERVER: a client that finds
# no server must fail, never start one of its own (with whatever driver ~/.jackdrc names) that
# would outlive the session.
SESSION_ENV = {
    "MIDO_BACKEND": "mido.backends.rtmidi/UNIX_JACK",
    "JACK_NO_START_SERVER": "1",
}


@dataclass(frozen=True)
class JackServer:
    rate: int  # frames per second
    period: int  # frames per process cycle
    started: bool  # True when this session started the server (and stops it at the end)
    log: Path | None  # jackd's output, when this session started it


@pytest.fixture(scope="session", autouse=True)
def jack_environment():
    """Select the JACK backends (os.environ) for the whole session; restore the old values after."""
    saved = {name: os.environ.get(name) for name in SESSION_ENV}
    os.environ.update(SESSION_ENV)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _jack(*args: str, timeout: float = 5.0) -> subprocess.CompletedProcess:
    return subprocess.run(list(args), stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout)


def jack_running() -> bool:
    """Whether a JACK server answers (jack_lsp never starts one)."""
    try:
        return _jack("jack_lsp").returncode == 0
    except subprocess.TimeoutExpired:
        return False


def _tail(path: Path | None, lines: int = 30) -> str:
    if path is None or not path.exists():
        return ""
    text = path.read_text(errors="replace").splitlines()[-lines:]
    return f"\n--- last lines of {path} ---\n" + "\n".join(text)


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _server_figure(tool: str) -> int:
    result = _jack(tool)
    try:
        return int(result.stdout.split()[-1])
    except (IndexError, ValueError):
        pytest.fail(f"`{tool}` did not report a number (status {result.returncode}): "
                    f"{result.stdout.strip()} {result.stderr.strip()[-500:]}", pytrace=False)


def _start_jackd(command: list[str], log: Path):
    """Start jackd; the process once it accepts clients, False if another server did first,
    None if it exited at start (the log says why)."""
    with open(log, "ab") as out:
        proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    deadline = time.monotonic() + READY_TIMEOUT
    while not jack_running():
        if proc.poll() is not None:
            return False if jack_running() else None
        if time.monotonic() > deadline:
            _stop(proc)
            pytest.fail(f"`{' '.join(command)}` did not accept clients within {READY_TIMEOUT:.0f} s"
                        f"{_tail(log)}", pytrace=False)
        time.sleep(0.1)
    return proc


@pytest.fixture(scope="session")
def jack_server(jack_environment, tmp_path_factory) -> JackServer:
    """A running JACK server: the one already running (left running), or a dummy one of our own."""
    missing = [tool for tool in JACK_TOOLS if shutil.which(tool) is None]
    if missing:
        pytest.fail(f"{', '.join(missing)} not found: the real-time tests play through a JACK server. "
                    "Run the tests with the README's command, `make test`, which installs jackd2 "
                    "(and the other system packages the tests need).", pytrace=False)

    proc: subprocess.Popen | None = None
    log: Path | None = None
    if not jack_running():
        log = tmp_path_factory.mktemp("jack") / "jackd.log"
        # jackd's own default, real-time scheduling; where the machine refuses it, the same server
        # without it (-r) still gives paced callbacks
        for command in (JACKD, JACKD[:1] + ["-r"] + JACKD[1:]):
            proc = _start_jackd(command, log)
            if proc is not None:
                break
        else:
            pytest.fail(f"`{' '.join(JACKD)}` would not start, with or without real-time scheduling"
                        f"{_tail(log)}", pytrace=False)
        if proc is False:
            proc = None  # another server won a race to start: use that one

    try:
        rate, period = _server_figure("jack_samplerate"), _server_figure("jack_bufsize")
        if rate != RATE:
            pytest.fail(f"the running JACK server plays at {rate} Hz; the engine tests need {RATE} Hz "
                        f"(stop it, and the tests start `{' '.join(JACKD)}` themselves)", pytrace=False)
        yield JackServer(rate=rate, period=period, started=proc is not None, log=log)
    finally:
        if proc is not None:
            _stop(proc)


def _nul_intact() -> bool:
    return bytes([0])[0] == 0  # (not `== b"\x00"`: that literal is the shared object itself)


_NUL_REPORTED: list[str] = []


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """Fail the test during which CPython's shared one-byte NUL object was overwritten (see
    dsl/rational.py): afterwards every NUL byte the process reads is wrong, and the tests that
    then fail (MIDI files, torch weights) are far from the cause. Reported once, where it happened."""
    result = yield
    if not _NUL_REPORTED and not _nul_intact():
        _NUL_REPORTED.append(item.nodeid)
        pytest.fail(f"CPython's shared NUL bytes object now reads {bytes([0])!r}: overwritten during "
                    f"this test (by a C extension that wrote into a one-character bytes object)")
    return result
