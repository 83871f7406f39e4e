"""Parsing numbers must not corrupt the interpreter: quicktions' string parser once wrote into
CPython's shared one-byte bytes object for NUL, and every later NUL byte read in the process
(mido reading MIDI files, torch loading weights) came back as another character."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path

import mido

from dsl import parse_patch
from dsl.rational import Fraction, parse_fraction

ROOT = Path(__file__).resolve().parent.parent


def nul_intact() -> bool:
    return bytes([0]) == b"\x00" and io.BytesIO(b"\x00\x01").read(1)[0] == 0


def test_parse_fraction_is_exact():
    assert parse_fraction("3") == 3 and parse_fraction("-0.25") == Fraction(-1, 4)
    assert parse_fraction("1/3") == Fraction(1, 3) and parse_fraction("1e-3") == Fraction(1, 1000)
    assert type(parse_fraction("0.5")) is Fraction


def test_every_shipped_patch_and_the_readme_tour_leave_nul_bytes_alone(tmp_path):
    texts = [p.read_text() for p in sorted(ROOT.glob("patches/*.jam")) + sorted(ROOT.glob("examples/*.jam"))]
    texts += [line.split("--")[0] for line in (ROOT / "README.md").read_text().splitlines()
              if re.match(r"\s+(d\d|tempo)", line)]
    texts += ['d1 $ n "<[-27@4 ~] [-31]>" # legato 0.9', 'd1 $ s "bd*1%3 sn@1.5" # speed "-1 0.5"',
              'setcps 0.45\nd1 $ (1/8) ~> fast 1.5 (s "bd")']
    for text in texts:
        parse_patch(text)
    assert nul_intact()
    song = mido.MidiFile()
    song.tracks.append(mido.MidiTrack([mido.Message("note_on", note=60, velocity=90),
                                       mido.Message("note_off", note=60, time=240)]))
    song.save(tmp_path / "one.mid")
    assert [m.type for m in mido.MidiFile(tmp_path / "one.mid").tracks[0]][:2] == ["note_on", "note_off"]


def test_text_in_every_time_argument_and_ratio_shorthands_leave_nul_bytes_alone():
    # wchoose's values are its texts: `ply (wchoose [("3", 1)])` once gave ply the text "3", which it read
    # with quicktions. Played in a child process, so that a failure here leaves this one's NUL alone.
    from dsl.library import LIBRARY

    fill = {"pattern": 's "bd sn"', "function": "(fast 2)", "int": "2", "number": "2", "span": "(0.25, 0.75)",
            "patterns": '[s "bd", s "sn"]', "functions": "[fast 2, rev]", "values": "[1, 2]", "numbers": "[1, 2]",
            "timed": '[(1, s "bd")]', "weighted": '[("bd", 1)]', "pattern:bool": '"t f"'}
    lines = ['d1 $ (wchoose [("3", 1)]) ~> s "bd"', 'd2 $ s "{bd sn}%<3>"',
             'd4 $ "<3e 2q>" ~> s "bd"']  # (Tidal's ratio shorthands: the count was read with quicktions)
    for name, f in LIBRARY.items():
        params = getattr(f, "params", ())
        for i, kind in enumerate(params):
            if kind == "pattern:rational":
                args = ['(wchoose [("3", 1)])' if j == i else fill.get(k, '"1 2"') for j, k in enumerate(params)]
                lines.append(f'd3 $ {name} {" ".join(args)}')
    assert len(lines) > 25
    code = ("import sys\nfrom dsl import parse_patch\nfrom dsl.rational import Fraction\n"
            "for line in sys.stdin.read().splitlines():\n"
            "    for pattern in parse_patch(line).channels.values():\n"
            "        try:\n            pattern.query_span(Fraction(0), Fraction(2))\n"
            "        except Exception:\n            pass\n"
            "print(bytes([0])[0])\n")
    done = subprocess.run([sys.executable, "-c", code], input="\n".join(lines), capture_output=True, text=True,
                          cwd=ROOT, timeout=120)
    assert done.stdout.strip() == "0", done.stdout + done.stderr[-2000:]
