"""The `jam` command: console, engine, offline render, query and check (contracts in DESIGN.md).

Imports are lazy so that `jam query` and `jam check` start fast and never load
the audio stack, `jam render --midi-in` never loads the pattern language, and nothing here
imports torch.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dsl.rational import Fraction

DEFAULT_PATCH = Path(__file__).resolve().parent.parent / "patches" / "hello.jam"


def main(argv: list[str] | None = None) -> int:
    """argv None: the `jam` process's own arguments; a render then ends the process itself."""
    process = argv is None
    argv = list(sys.argv[1:] if argv is None else argv)
    commands = {"render": cmd_render, "query": cmd_query, "check": cmd_check, "serve": cmd_serve,
                "attach": cmd_attach, "bench": cmd_bench, "accompany": cmd_accompany, "train": cmd_train,
                "listen": cmd_listen}
    if argv and argv[0] in commands:
        status = commands[argv[0]](argv[1:])
        if process and argv[0] == "render":
            _exit_now(status)
        return status
    first = argv[0] if argv else ""
    if first and not first.startswith("-") and not first.endswith(".jam") and not Path(first).exists():
        print(f"jam: unknown command {first!r} (commands: {', '.join(commands)}; or give a .jam patch)",
              file=sys.stderr)
        return 2
    return cmd_console(argv)


def _exit_now(status: int) -> None:
    """End the process without the interpreter's teardown: its files are written and closed, and
    unloading numba, LLVM and every module took about 0.04 s of a render's 0.7 s. Only the `jam`
    command does this, never a function that Python code calls."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)


# -- the console ------------------------------------------------------------------
def cmd_console(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="jam", description="Jam Console: live-code grooves in the terminal.",
                                     epilog="commands: render, query, check, serve, attach (jam COMMAND --help)")
    parser.add_argument("patch", nargs="?", type=Path, help="a .jam patch file (created if missing)")
    parser.add_argument("--no-audio", action="store_true", help="play on a silent clock")
    parser.add_argument("--device", help="audio output device (part of its name, e.g. JACK)")
    parser.add_argument("--midi", metavar="PATTERN", help="play the MIDI input ports whose names match (regex)")
    parser.add_argument("--voice-input", metavar="DEVICE_OR_WAV",
                        help="where f4 listens for spoken directions: an input device (part of its name) or a WAV file")
    parser.add_argument("--midi-file", metavar="FILE.mid",
                        help="play a MIDI file, looped, as if you played it (rehearsal: the band follows it)")
    args = parser.parse_args(argv)
    from .app import run_console
    from .client import private_socket_path

    return run_console(args.patch or DEFAULT_PATCH, private_socket_path(), start=True,
                       audio=not args.no_audio, device=args.device, midi=args.midi, voice_input=args.voice_input,
                       midi_file=args.midi_file)


def cmd_serve(argv: list[str]) -> int:
    from engine.server import main as serve

    return serve(argv)


def cmd_accompany(argv: list[str]) -> int:
    from .accompany_command import cmd_accompany as accompany

    return accompany(argv)


def cmd_listen(argv: list[str]) -> int:
    from .listen_command import cmd_listen as listen

    return listen(argv)


def cmd_train(argv: list[str]) -> int:
    from engine.accompanist.train import main as train

    return train(argv)


def cmd_bench(argv: list[str]) -> int:
    from engine.bench import main as bench

    return bench(argv)


def cmd_attach(argv: list[str]) -> int:
    from engine.protocol import default_socket_path

    parser = argparse.ArgumentParser(prog="jam attach", description="Open the console on a running `jam serve`.")
    parser.add_argument("patch", nargs="?", type=Path)
    parser.add_argument("--socket", type=Path, default=default_socket_path())
    args = parser.parse_args(argv)
    from .app import run_console

    return run_console(args.patch or DEFAULT_PATCH, args.socket, start=False)


# -- offline ------------------------------------------------------------------------
def _read_patch(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as err:
        raise SystemExit(f"jam: cannot read {path}: {err.strerror}") from None
    except UnicodeDecodeError:
        raise SystemExit(f"jam: {path} is not UTF-8 text") from None


_NUMBER = re.compile(r"\s*[-+]?(\d+/0*[1-9]\d*|(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?)\s*")


def fraction(text: str) -> Fraction:
    """A number written as text, exact (the pattern language's rationals, loaded only for it): the
    forms a harness writes (not Python's nan, inf or 1_000); parse_fraction refuses exponents past e400."""
    from dsl.rational import parse_fraction

    if not _NUMBER.fullmatch(text):
        raise ValueError(f"{text!r} is not a number like 4, 1/3 or 2.5")
    return parse_fraction(text)


def cmd_render(argv: list[str]) -> int:
    """The cycle collector stays off while a render runs: numba's import and the kernel's load make
    hundreds of thousands of objects and no cyclic garbage, nor does a render (none after a minute
    of the demo patch or of W1), and its passes over them took about 0.1 s of a start. What exists
    at the end is frozen, so the interpreter's last collections at exit skip it too."""
    gc.disable()
    try:
        return _render(argv)
    finally:
        gc.freeze()
        gc.enable()


def _render(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="jam render", description="Render a patch (or a MIDI file) to WAV, offline.")
    parser.add_argument("patch", type=Path, nargs="?")
    parser.add_argument("-o", "--output", type=Path, required=True)
    length = parser.add_mutually_exclusive_group()
    length.add_argument("--cycles", type=fraction, help="how many cycles (default 4)")
    length.add_argument("--seconds", type=float)
    parser.add_argument("--seed", type=int, default=0, help="seed of the synthesized noise (same seed, same bytes)")
    parser.add_argument("--rate", type=int, default=48000, choices=(44100, 48000, 96000))
    parser.add_argument("--format", default="pcm16", choices=("pcm16", "pcm24", "float32"))
    parser.add_argument("--stems", type=Path, metavar="DIR", help="also write one WAV per channel into DIR")
    parser.add_argument("--midi", type=Path, metavar="OUT.mid", help="also write what was played as a MIDI file")
    parser.add_argument("--midi-in", type=Path, metavar="FILE.mid",
                        help="render a standard MIDI file through the General MIDI mapping instead of a patch")
    args = parser.parse_args(argv)
    if (args.patch is None) == (args.midi_in is None):
        parser.error("give a PATCH or --midi-in FILE.mid (one of them)")
    if args.cycles is not None and args.cycles <= 0 or args.seconds is not None and args.seconds <= 0:
        parser.error("the length must be positive")
    for out in (args.output, args.midi):  # say so now, not after the render
        if out is not None and not (out.parent.is_dir() and os.access(out.parent, os.W_OK)):
            parser.error(f"cannot write {out}: {out.parent} is not a folder this user can write to")

    from engine.offline import render_events, render_patch
    from engine.wavfile import write_wav

    if args.midi_in is not None:
        from engine.midifile import read_midi

        try:
            rows, length = read_midi(args.midi_in, args.rate)
        except (OSError, ValueError, EOFError) as err:
            raise SystemExit(f"jam: cannot read {args.midi_in} as a MIDI file: {err}") from None
        seconds = args.seconds or length + 2.0  # room for the last notes to ring out
        audio = render_events(rows, seconds, args.rate)
        write_wav(args.output, audio, args.rate, args.format)
        print(f"{args.output}: {len(audio) / args.rate:.2f} s, {len(rows)} notes, {args.rate} Hz", file=sys.stderr)
        return 0

    from dsl import parse_patch

    name = str(args.patch)
    patch = parse_patch(_read_patch(args.patch))
    for err in patch.errors:
        print(err.format(name), file=sys.stderr)
    played: list = []
    audio = render_patch(patch, rate=args.rate, cycles=args.cycles, seconds=args.seconds, seed=args.seed,
                         played=played)
    write_wav(args.output, audio, args.rate, args.format)
    print(f"{args.output}: {len(audio) / args.rate:.2f} s, {args.rate} Hz, {args.format}", file=sys.stderr)
    if args.midi is not None:
        import numpy as np

        from engine.midifile import write_midi

        bpm = float(patch.cps * 240) if patch.cps else 120.0
        write_midi(args.midi, np.concatenate(played) if played else np.zeros((0, 16)), args.rate, bpm)
    if args.stems is not None:
        args.stems.mkdir(parents=True, exist_ok=True)
        for channel in sorted(patch.channels):
            stem = render_patch(patch, rate=args.rate, cycles=args.cycles, seconds=args.seconds, seed=args.seed,
                                only=channel)
            write_wav(args.stems / f"{channel}.wav", stem, args.rate, args.format)
    return 1 if patch.errors else 0


def cmd_check(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="jam check", description="Validate a patch: FILE:LINE:COL: message.")
    parser.add_argument("patch", type=Path)
    args = parser.parse_args(argv)
    from dsl import parse_patch

    patch = parse_patch(_read_patch(args.patch))
    for err in patch.errors:
        print(err.format(str(args.patch)))
    return 1 if patch.errors else 0


# -- query --------------------------------------------------------------------------
def _time(t: Fraction) -> str:
    return str(t.numerator) if t.denominator == 1 else f"{t.numerator}/{t.denominator}"


def _plain(value: Any) -> Any:
    """JSON-ready values: exact rationals become ints when whole, else floats."""
    from dsl.rational import Fraction

    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, Fraction):
        return int(value) if value.denominator == 1 else float(value)
    return value


def query_events(expr: str, begin: Fraction, end: Fraction, kind: str | None) -> list[dict[str, Any]]:
    from dsl.patch import query_expression

    events = query_expression(expr, begin, end, kind)
    rows = [{"whole": None if e.whole is None else [_time(e.whole.begin), _time(e.whole.end)],
             "part": [_time(e.part.begin), _time(e.part.end)], "value": _plain(e.value),
             "_begin": e.part.begin} for e in events]
    rows.sort(key=lambda r: (r["_begin"], json.dumps(r["value"], sort_keys=True)))
    for r in rows:
        del r["_begin"]
    return rows


QUERY_TYPES = ("string", "number", "note", "bool", "rational")


def _batch_cycle(req: dict, name: str, default: str) -> Fraction:
    value = req.get(name, default)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)  # "1e+300" too; NaN and inf fail below
    if isinstance(value, str):
        try:
            return fraction(value)
        except ValueError:
            pass
    raise ValueError(f'{name} must be a number of cycles, like "0", "1/3" or "2.5", not {json.dumps(value)}')


def _batch_request(line: bytes) -> dict[str, Any]:
    """One request's answer; ValueError with what was expected for a malformed one."""
    try:
        req = json.loads(line.decode("utf-8"))
    except json.JSONDecodeError as err:
        raise ValueError(f"a request is one JSON object a line ({err})") from None
    if not isinstance(req, dict) or not isinstance(req.get("expr"), str):
        raise ValueError('a request is a JSON object with the expression as text: {"expr": "s \\"bd sn\\""}')
    kind = req.get("type")
    if kind is not None and kind not in QUERY_TYPES:
        raise ValueError(f"type must be one of {', '.join(QUERY_TYPES)}, not {json.dumps(kind)}")
    return {"events": query_events(req["expr"], _batch_cycle(req, "from", "0"), _batch_cycle(req, "to", "1"), kind)}


def _batch() -> int:
    """Answer JSON lines on stdin, read as bytes: a line that is not UTF-8 is one bad request."""
    from dsl import PatchError

    for line in sys.stdin.buffer:
        if not line.strip():
            continue
        try:
            reply = _batch_request(line)
        except UnicodeDecodeError:
            reply = {"error": "a request is a line of UTF-8 text"}
        except (PatchError, ValueError) as err:
            reply = {"error": str(err)}
        except Exception as err:  # one bad request must not end the batch
            reply = {"error": f"{type(err).__name__}: {err}"}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()
    return 0


def cmd_query(argv: list[str]) -> int:
    from dsl.rational import Fraction

    parser = argparse.ArgumentParser(prog="jam query", description="Print the events of a pattern expression.")
    parser.add_argument("expr", nargs="?", help='e.g. \'"bd [sn sn]"\' or \'fast 2 $ s "bd sn"\'')
    parser.add_argument("--from", dest="begin", type=fraction, default=Fraction(0))
    parser.add_argument("--to", dest="end", type=fraction, default=Fraction(1))
    parser.add_argument("--type", choices=QUERY_TYPES)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--batch", action="store_true", help="answer JSON requests on stdin, one per line")
    args = parser.parse_args(argv)
    if args.batch:
        return _batch()
    if args.expr is None:
        parser.error("an expression is needed (or --batch)")
    from dsl import PatchError

    try:
        rows = query_events(args.expr, args.begin, args.end, args.type)
    except PatchError as err:
        print(f"<expr>:{err}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(rows))
    else:
        for r in rows:
            whole = "~" if r["whole"] is None else f"({r['whole'][0]}>{r['whole'][1]})"
            print(f"{whole} ({r['part'][0]}>{r['part'][1]}) {json.dumps(r['value'])}")
    return 0
