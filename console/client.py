"""The console's side of the engine wire: start an engine process, talk to it, stop it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from engine import protocol


class EngineUnavailable(RuntimeError):
    """The engine did not answer; the console keeps the text and says so."""


class EngineClient:
    def __init__(self, path: Path, timeout: float = 2.0):
        self.path = Path(path)
        self.timeout = timeout
        self._sock: socket.socket | None = None
        self._reader = None

    def _connect(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        sock.connect(str(self.path))
        self._sock, self._reader = sock, sock.makefile("rb")

    def request(self, op: str, **fields: Any) -> dict[str, Any]:
        """Send one request and wait for its answer, reconnecting once if the line dropped."""
        for attempt in (0, 1):
            try:
                if self._sock is None:
                    self._connect()
                self._sock.sendall(protocol.encode({"op": op, **fields}))
                line = self._reader.readline()
                if not line:
                    raise ConnectionResetError("the engine closed the connection")
                return protocol.decode(line)
            except (OSError, ValueError) as err:
                self.close()
                if attempt:
                    raise EngineUnavailable(f"engine at {self.path} is not answering ({err})") from None
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self._sock is not None:
            try:
                self._reader.close()
                self._sock.close()
            except OSError:
                pass
        self._sock = self._reader = None


def private_socket_path() -> Path:
    """A socket of this `jam` run's own, so that two consoles never share an engine by accident."""
    return protocol.default_socket_path().with_name(f"engine-{os.getpid()}.sock")


def start_engine(path: Path, audio: bool = True, device: str | None = None, wait: float = 60.0,
                 log: Path | None = None, midi: str | None = None, voice_input: str | None = None,
                 midi_file: str | None = None) -> subprocess.Popen:
    """Start `python -m engine` on path and wait until it answers (the first start compiles kernels)."""
    cmd = [sys.executable, "-m", "engine", "--socket", str(path), "--exit-with-parent"]
    if not audio:
        cmd.append("--no-audio")
    if device:
        cmd += ["--device", device]
    if midi:
        cmd += ["--midi", midi]
    if voice_input:
        cmd += ["--voice-input", voice_input]
    if midi_file:
        cmd += ["--midi-file", str(midi_file)]
    protocol.private_dir(path.parent)
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1")
    stderr = open(log, "ab") if log else subprocess.DEVNULL
    try:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=stderr, env=env,
                                start_new_session=True)
    finally:
        if log:
            stderr.close()  # the child has its own copy
    deadline = time.monotonic() + wait
    client = EngineClient(path, timeout=1.0)
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise EngineUnavailable(f"the engine exited at start (status {proc.returncode})"
                                    + (f"; see {log}" if log else ""))
        try:
            client.request("status")
            client.close()
            return proc
        except EngineUnavailable:
            time.sleep(0.1)
    proc.kill()
    raise EngineUnavailable(f"the engine did not answer within {wait:.0f} s")


def stop_engine(proc: subprocess.Popen, client: EngineClient) -> None:
    try:
        client.request("shutdown")
    except EngineUnavailable:
        pass
    client.close()
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
