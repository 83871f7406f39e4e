"""The command-line contracts of DESIGN.md: `jam query` and `jam check`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def jam(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "console", *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=120, input=stdin)


def events(*args: str) -> list[tuple]:
    result = jam("query", *args, "--json")
    assert result.returncode == 0, result.stderr
    return [(tuple(e["whole"]) if e["whole"] else None, tuple(e["part"]), e["value"]) for e in json.loads(result.stdout)]


@pytest.mark.parametrize("expr, args, expected", [
    ('"bd ~ [sn sn]"', [], [(("0", "1/3"), ("0", "1/3"), "bd"), (("2/3", "5/6"), ("2/3", "5/6"), "sn"),
                           (("5/6", "1"), ("5/6", "1"), "sn")]),
    ('"<a b>*2 c"', ["--from", "1", "--to", "2"], [(("1", "5/4"), ("1", "5/4"), "a"),
                                                    (("5/4", "3/2"), ("5/4", "3/2"), "b"),
                                                    (("3/2", "2"), ("3/2", "2"), "c")]),
    ('"a/2"', ["--to", "2"], [(("0", "2"), ("0", "1"), "a"), (("0", "2"), ("1", "2"), "a")]),
    ('"1 [2 3]"', [], [(("0", "1/2"), ("0", "1/2"), 1), (("1/2", "3/4"), ("1/2", "3/4"), 2),
                       (("3/4", "1"), ("3/4", "1"), 3)]),
    ('"c e g"', ["--type", "note"], [(("0", "1/3"), ("0", "1/3"), 0), (("1/3", "2/3"), ("1/3", "2/3"), 4),
                                     (("2/3", "1"), ("2/3", "1"), 7)]),
    ('s "bd*2" # gain 0.5', [], [(("0", "1/2"), ("0", "1/2"), {"s": "bd", "gain": 0.5}),
                                 (("1/2", "1"), ("1/2", "1"), {"s": "bd", "gain": 0.5})]),
])
def test_query_json(expr, args, expected):
    assert events(expr, *args) == expected


def test_query_text_output_is_one_event_per_line():
    result = jam("query", '"bd sn"')
    assert result.returncode == 0
    assert result.stdout.splitlines() == ['(0>1/2) (0>1/2) "bd"', '(1/2>1) (1/2>1) "sn"']


def test_query_error_is_one_line_with_a_column():
    result = jam("query", '"bd [sn"')
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0 and "unbalanced bracket" in result.stderr
    assert "Traceback" not in result.stderr


def test_query_batch_answers_each_line_and_survives_errors():
    lines = [{"expr": '"a b"', "from": "0", "to": "1", "type": "string"}, {"expr": '"a [b"'},
             {"expr": "fsat 2 $ \"a\""}, {"expr": '"0 .. 2"', "type": "number"}]
    result = jam("query", "--batch", stdin="\n".join(json.dumps(x) for x in lines) + "\n")
    replies = [json.loads(line) for line in result.stdout.splitlines()]
    assert [e["value"] for e in replies[0]["events"]] == ["a", "b"]
    assert "unbalanced" in replies[1]["error"]
    assert "did you mean `fast`" in replies[2]["error"]
    assert [e["value"] for e in replies[3]["events"]] == [0, 1, 2]


def test_check_reports_an_unbalanced_bracket_as_file_line_col(tmp_path):
    patch = tmp_path / "bad.jam"
    patch.write_text('tempo 120\n\nd1 $ s "bd [sn sn"\n')
    result = jam("check", str(patch))
    assert result.returncode == 1
    assert result.stdout.strip() == f"{patch}:3:12: unbalanced bracket: `[` is never closed (add `]`)"


def test_check_accepts_every_shipped_patch():
    patches = sorted((ROOT / "patches").glob("*.jam")) + sorted((ROOT / "examples").glob("*.jam"))
    assert len(patches) >= 2
    for patch in patches:
        result = jam("check", str(patch))
        assert result.returncode == 0, result.stdout


@pytest.mark.parametrize("line, message", [
    ('d1 $ fsat 2 $ s "bd"', "1:6: unknown function `fsat` — did you mean `fast`?"),
    ('d1 $ s "bd" # gian 0.5', "1:15: unknown function `gian` — did you mean `gain`?"),
    ('d1 $ s "bd*"', "1:11: mini-notation ends too early"),
    ('d1 $ s "bd sn', '1:8: unterminated string'),
    ('d1 $ fast "bd" $ s "bd"', "1:12: `bd` is not a rational"),
    ('tempo 0', "tempo 0 is out of range"),
])
def test_check_messages_a_newcomer_can_read(tmp_path, line, message):
    patch = tmp_path / "p.jam"
    patch.write_text(line + "\n")
    result = jam("check", str(patch))
    assert result.returncode == 1
    assert message in result.stdout, result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_unknown_command_is_an_error_not_a_console():
    result = jam("accompanyx")
    assert result.returncode == 2 and "unknown command" in result.stderr


def test_render_to_a_missing_folder_says_so_before_rendering(tmp_path):
    result = jam("render", "patches/hello.jam", "-o", str(tmp_path / "no" / "such" / "out.wav"), "--cycles", "1")
    assert result.returncode == 2 and "is not a folder" in result.stderr
    assert "Traceback" not in result.stderr and not (tmp_path / "no").exists()
