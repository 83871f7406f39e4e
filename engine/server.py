"""The engine process: plays patches in real time and answers the console over a Unix socket.

Run as `python -m engine` (what `jam` and `jam serve` do). It never imports the
console, and a console that hangs or dies cannot delay an audio block.
"""

from __future__ import annotations

import argparse
import math
import os
import signal
import socket
import sys
import threading
from pathlib import Path
from typing import Any

from dsl.patch import parse_patch
from dsl.pattern import to_time

from dataclasses import replace

from . import protocol
from .directions import Directions
from .voice import Voice
from .realtime import RealtimeEngine


MAX_LINE = 4 << 20  # bytes in one request: a patch is kilobytes, and a runaway line must not eat the memory
MAX_CYCLE = 10**9  # cycles from 0 a transport may start at: past that, times lose their meaning as floats


class BadRequest(ValueError):
    """A request field of the wrong kind or size: answered with what was expected, nothing changed."""


def _number(value: Any, expected: str, low: float = -math.inf, high: float = math.inf) -> int | float:
    """A JSON number within [low, high]. Text is refused, never converted: quicktions' string parser
    overwrites CPython's shared NUL bytes (dsl/rational.py); so are true/false, NaN and inf."""
    if (type(value) is int or type(value) is float and math.isfinite(value)) and low <= value <= high:
        return value
    raise BadRequest(expected)


def _whole(value: Any, expected: str, low: int, high: int) -> int:
    number = _number(value, expected, low, high)
    if number != int(number):
        raise BadRequest(expected)
    return int(number)


def _text(value: Any, expected: str) -> str:
    if not isinstance(value, str):
        raise BadRequest(expected)
    return value


class EngineServer:
    def __init__(self, engine: RealtimeEngine, path: Path, voice_input: str | None = None):
        self.engine = engine
        self.path = path
        self.stopping = threading.Event()
        self.env: dict[str, Any] = {}  # `let` bindings persist between evaluations
        self.directions = Directions(engine)
        self.voice = Voice(self.directions, voice_input)

    def handle(self, request: Any) -> dict[str, Any]:
        """One request's answer; a malformed one gets {"error": what was expected} and changes nothing."""
        if not isinstance(request, dict) or not isinstance(request.get("op"), str):
            return {"error": 'a request is a JSON object with an op, like {"op": "status"}'}
        try:
            return self._handle(request["op"], request)
        except BadRequest as err:
            return {"error": str(err)}

    def _handle(self, op: str, request: dict[str, Any]) -> dict[str, Any]:
        if op == "eval":
            text = _text(request.get("text", ""), "eval text must be the patch's text")
            first_line = _whole(request.get("first_line", 1), "eval first_line must be a line number, like 1",
                                1, 10**9)
            patch = parse_patch(text, first_line, self.env)
            self.env.update(patch.bindings)
            self.engine.apply(patch)
            errors = [{"line": e.line, "column": e.column, "message": e.message} for e in patch.errors]
            return {"ok": not errors, "errors": errors, "channels": sorted(patch.channels)}
        if op == "status":
            return {**self.engine.status(), "directions": list(self.directions.log), "voice": self.voice.status()}
        if op == "playing":
            return {"places": self.engine.playing()}
        if op == "roll":
            return self.engine.piano_roll(float(_number(request.get("cycles", 2),
                                                        "roll cycles must be a number of cycles, like 2", 0, MAX_CYCLE)))
        if op == "transport":
            action = request.get("action")
            if action not in ("start", "stop"):
                return {"error": "transport action must be start or stop"}
            cycle = request.get("cycle")
            if cycle is not None:
                cycle = to_time(_number(cycle, "transport cycle must be a number of cycles, like 0 or 16",
                                        -MAX_CYCLE, MAX_CYCLE))
            self.engine.transport(action, cycle)
            return {"ok": True}
        if op == "rate":  # a rating key: a direction like "that was great", undoable like one
            value = _whole(request.get("value"), "a rating is 1 to 5", 1, 5)
            return {"ok": True, **self.directions.act({"name": "rating", "args": {"value": value}},
                                                      f"rating {value}", "key")}
        if op == "say":  # a typed or spoken direction
            confidence = request.get("confidence")
            if confidence is not None:
                confidence = _number(confidence, "a direction's confidence is 0 to 1, or left out", 0, 1)
            return self.directions.say(_text(request.get("text"), "say needs the direction's text, like \"more brass\""),
                                       _text(request.get("source", "typed"), "a direction's source is a word, like typed"),
                                       confidence)
        if op == "listen":  # the voice key: listen for one phrase, or stop listening
            return self.voice.toggle()
        if op == "undo":
            return self.directions.undo()
        if op == "note":  # the computer keyboard, as an instrument
            pitch = _whole(request.get("pitch"), "a note is a MIDI pitch 0 to 127", 0, 127)
            velocity = _number(request.get("velocity", 0.8), "a note's velocity is 0 to 1, like 0.8", 0, 1)
            self.engine.key_note(pitch, float(velocity))
            return {"ok": True}
        if op == "freeze":  # the band's last bars, as the performer's own channels
            try:
                text, channels = self.engine.band.freeze()
            except ValueError as err:
                return {"error": str(err)}
            return {"text": text, "channels": channels}
        if op == "band":
            band = self.engine.band
            on = request.get("on")
            if on is not None and not isinstance(on, bool):
                raise BadRequest("band on is true or false (left out: switch it)")
            band.configure(replace(band.settings, on=not band.settings.on if on is None else bool(on)))
            return band.status()
        if op in ("mute", "solo"):
            channel = _text(request.get("channel"), f"{op} needs a channel's name, like d1")
            return {"ok": True, "on": self.engine.toggle(op, channel)}
        if op == "hush":
            self.engine.hush()
            return {"ok": True}
        if op == "panic":
            self.engine.panic()
            return {"ok": True}
        if op == "shutdown":
            self.stopping.set()
            return {"ok": True}
        return {"error": f"unknown op {op!r}"}

    def serve_client(self, conn: socket.socket) -> None:
        with conn, conn.makefile("rb") as reader:
            while line := reader.readline(MAX_LINE + 1):
                if len(line) > MAX_LINE:
                    while line and not line.endswith(b"\n"):  # skip the rest of it, a piece at a time
                        line = reader.readline(MAX_LINE)
                    answer = protocol.encode({"error": f"a request is one line of at most {MAX_LINE >> 20} MiB"})
                else:
                    try:
                        answer = protocol.encode(self.handle(protocol.decode(line)))
                    except Exception as err:  # a bad request must not take the engine down
                        answer = protocol.encode({"error": f"{type(err).__name__}: {err}"})
                try:
                    conn.sendall(answer)
                except OSError:
                    return

    def serve(self) -> None:
        protocol.private_dir(self.path.parent)
        if self.path.exists():
            probe = socket.socket(socket.AF_UNIX)
            try:
                probe.connect(str(self.path))
                raise SystemExit(f"an engine is already listening on {self.path}")
            except (ConnectionRefusedError, FileNotFoundError):
                self.path.unlink()
            finally:
                probe.close()
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        old = os.umask(0o177)
        try:
            listener.bind(str(self.path))
        finally:
            os.umask(old)
        os.chmod(self.path, 0o600)
        listener.listen(8)
        listener.settimeout(0.2)
        try:
            while not self.stopping.is_set():
                try:
                    conn, _ = listener.accept()
                except socket.timeout:
                    continue
                threading.Thread(target=self.serve_client, args=(conn,), daemon=True).start()
        finally:
            listener.close()
            try:
                self.path.unlink()
            except FileNotFoundError:
                pass


def _watch_parent(parent: int, stopping: threading.Event) -> None:
    """Stop when the `jam` that started this engine is gone (rig mode uses `jam serve` instead)."""
    while not stopping.wait(0.5):
        if os.getppid() != parent:
            stopping.set()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="jam serve", description="Run the Jam Console engine.")
    parser.add_argument("--socket", type=Path, default=protocol.default_socket_path())
    parser.add_argument("--patch", type=Path, help="a patch to play from the start")
    parser.add_argument("--rate", type=int, default=48000)
    parser.add_argument("--block", type=int, default=128)
    parser.add_argument("--no-audio", action="store_true", help="run on a silent clock")
    parser.add_argument("--device", help="output device (part of its name, e.g. JACK)")
    parser.add_argument("--midi", metavar="PATTERN", help="play MIDI input ports whose names match (regex; '.' = all)")
    parser.add_argument("--midi-instrument", default="piano", help="the sound MIDI notes play (default piano)")
    parser.add_argument("--midi-file", metavar="FILE.mid",
                        help="play a MIDI file, looped, as if you played it (rehearsal; the band follows it)")
    parser.add_argument("--voice-input", metavar="DEVICE_OR_WAV",
                        help="where spoken directions come from: an input device (part of its name; default: the "
                             "default input) or a WAV file heard as one")
    parser.add_argument("--exit-with-parent", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

    from .scheduler import SOUNDS

    if args.midi_instrument not in SOUNDS:
        parser.error(f"unknown sound {args.midi_instrument!r}")
    engine = RealtimeEngine(rate=args.rate, block=args.block, audio=not args.no_audio, device=args.device,
                            midi=args.midi, midi_instrument=SOUNDS[args.midi_instrument])
    server = EngineServer(engine, args.socket, args.voice_input)
    if args.patch:
        patch = parse_patch(args.patch.read_text(encoding="utf-8"), env=server.env)
        for err in patch.errors:
            print(err.format(str(args.patch)), file=sys.stderr)
        engine.apply(patch)
    if args.midi_file:
        try:
            engine.rehearse(args.midi_file)
        except (OSError, ValueError, EOFError) as err:
            print(f"jam: cannot play {args.midi_file}: {err}", file=sys.stderr)
    engine.start()
    if engine.info.message:
        print(engine.info.message, file=sys.stderr)
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: server.stopping.set())
    signal.signal(signal.SIGHUP, signal.SIG_IGN)  # a dropped SSH session must not stop the music
    if args.exit_with_parent:
        threading.Thread(target=_watch_parent, args=(os.getppid(), server.stopping), daemon=True).start()
    print(f"engine listening on {args.socket}", file=sys.stderr, flush=True)
    try:
        server.serve()
    finally:
        server.voice.stop()
        engine.stop()
    return 0
