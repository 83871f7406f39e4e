"""Bad input never kills or corrupts a long-lived process that other programs drive: the engine's
socket, `jam accompany --online` and `jam query --batch`. Each test drives the real process with
malformed requests (hand-picked, then hypothesis's) and checks what a user would notice: an
answer that says what was expected, the process alive, and the next good request answered right
(the engine's clock still advancing and its patch still sounding)."""

from __future__ import annotations

import io
import json
import os
import queue
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from console.client import EngineClient, start_engine, stop_engine

ROOT = Path(__file__).resolve().parent.parent
JAM = [sys.executable, "-c", "import sys; from console.cli import main; sys.exit(main(sys.argv[1:]))"]
RAW_EXCEPTION = re.compile(r"^[A-Z]\w*(Error|Exception)\b")  # "ValueError: ...": an answer no one wrote
EXAMPLES = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

# JSON values of the wrong kind for a number, a name or a switch (NaN, Infinity: Python's JSON has them)
NOT_NUMBERS = st.one_of(st.none(), st.booleans(), st.sampled_from(["3", "0", "1/3", "1e999999999", "nan", "", "x"]),
                        st.sampled_from([float("nan"), float("inf"), -float("inf")]),
                        st.integers(min_value=10**12, max_value=10**400), st.floats(min_value=1e12),
                        st.lists(st.integers(), max_size=2), st.dictionaries(st.text(max_size=2), st.integers(), max_size=2))
NOT_TEXT = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True),
                     st.lists(st.text(max_size=2), max_size=2), st.dictionaries(st.text(max_size=2), st.integers(), max_size=2))


def assert_clear(error: str) -> None:
    assert not RAW_EXCEPTION.match(error), f"an error a performer cannot act on: {error!r}"


class Lines:
    """A process that answers JSON lines: stdin written as bytes, stdout and stderr read in threads."""

    def __init__(self, args: list[str], env: dict | None = None):
        self.proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     cwd=ROOT, env=dict(os.environ, OPENBLAS_NUM_THREADS="1", **(env or {})))
        self.out: queue.Queue[bytes] = queue.Queue()
        self.err: list[bytes] = []
        threading.Thread(target=self._read, args=(self.proc.stdout, self.out.put), daemon=True).start()
        threading.Thread(target=self._read, args=(self.proc.stderr, self.err.append), daemon=True).start()

    @staticmethod
    def _read(stream, put) -> None:
        for line in stream:
            put(line)

    def send(self, *lines: bytes) -> None:
        self.proc.stdin.write(b"".join(line + b"\n" for line in lines))
        self.proc.stdin.flush()

    def answer(self, timeout: float = 30.0) -> dict:
        try:
            line = self.out.get(timeout=timeout)
        except queue.Empty:
            pytest.fail(f"no answer within {timeout} s (alive: {self.proc.poll() is None}); "
                        f"stderr: {b''.join(self.err[-5:])!r}", pytrace=False)
        return json.loads(line)

    def close(self) -> None:
        self.proc.stdin.close()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


# -- the engine's socket -------------------------------------------------------------------------
GOOD_PATCH = 'd1 $ s "sine*8" # gain 0.8'


@pytest.fixture(scope="module")
def engine():
    """A real engine on a silent clock, playing d1; its state (ratings) in a folder of its own."""
    folder = Path(tempfile.mkdtemp(prefix="jam-bad-"))  # short: a socket path holds 108 bytes
    path = folder / "e.sock"
    saved = os.environ.get("XDG_STATE_HOME")
    os.environ["XDG_STATE_HOME"] = str(folder / "state")
    try:
        proc = start_engine(path, audio=False)
    finally:
        if saved is None:
            del os.environ["XDG_STATE_HOME"]
        else:
            os.environ["XDG_STATE_HOME"] = saved
    client = EngineClient(path, timeout=10.0)
    try:
        assert client.request("eval", text=GOOD_PATCH)["ok"]
        yield path, client, proc
    finally:
        stop_engine(proc, client)
        shutil.rmtree(folder, ignore_errors=True)


def exchange(path: Path, payload: bytes, answers: int = 1) -> list[dict]:
    """Send raw bytes on a fresh connection; the answer lines (fewer when the engine closed it)."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(10)
        sock.connect(str(path))
        sock.sendall(payload)
        with sock.makefile("rb") as reader:
            return [json.loads(line) for line in (reader.readline() for _ in range(answers)) if line]


def assert_still_playing(engine) -> None:
    """Alive, answering, its clock going on, d1 sounding, nothing muted, and a patch still evaluates."""
    path, client, proc = engine
    assert proc.poll() is None, "the engine died"
    first = client.request("status")
    time.sleep(0.3)
    later = client.request("status")
    assert not later["stopped"] and later["cycle"] > first["cycle"], (first["cycle"], later["cycle"])
    assert later["levels"].get("d1", -100) > -60, f"d1 is silent: {later['levels']} {later['runtime_errors']}"
    assert later["muted"] == [] and later["soloed"] == [] and not later["band"]["on"], later
    reply = client.request("eval", text=GOOD_PATCH)
    assert reply["ok"] and reply["channels"] == ["d1"], reply


BAD_REQUESTS = [  # (request line, words its error must hold)
    (b"not json", ""),
    (b"[1, 2]", "JSON object with an op"),
    (b'{"op": 5}', "JSON object with an op"),
    (b'{"op": "eval", "text": 5}', "eval text"),
    (b'{"op": "eval", "text": "d2 $ s \\"sine\\"", "first_line": "3"}', "first_line"),
    (b'{"op": "eval", "text": "d2 $ s \\"sine\\"", "first_line": 1e400}', "first_line"),
    (b'{"op": "transport", "action": "start", "cycle": "3"}', "transport cycle"),
    (b'{"op": "transport", "action": "start", "cycle": NaN}', "transport cycle"),
    (b'{"op": "transport", "action": "start", "cycle": 1e300}', "transport cycle"),
    (b'{"op": "transport", "action": "start", "cycle": 1' + b"0" * 400 + b"}", "transport cycle"),
    (b'{"op": "transport", "action": "start", "cycle": [0]}', "transport cycle"),
    (b'{"op": "transport", "action": ["stop"]}', "transport action"),
    (b'{"op": "rate", "value": 1e400}', "rating is 1 to 5"),
    (b'{"op": "rate", "value": NaN}', "rating is 1 to 5"),
    (b'{"op": "rate", "value": "5"}', "rating is 1 to 5"),
    (b'{"op": "note", "pitch": 60, "velocity": NaN}', "velocity"),
    (b'{"op": "note", "pitch": 60, "velocity": "loud"}', "velocity"),
    (b'{"op": "note", "pitch": Infinity}', "MIDI pitch"),
    (b'{"op": "note", "pitch": 60.5}', "MIDI pitch"),
    (b'{"op": "roll", "cycles": "2"}', "roll cycles"),
    (b'{"op": "roll", "cycles": -Infinity}', "roll cycles"),
    (b'{"op": "say", "text": ["more", "brass"]}', "say needs"),
    (b'{"op": "say", "text": "more brass", "confidence": "high"}', "confidence"),
    (b'{"op": "band", "on": "false"}', "band on"),  # bool("false") switched the band on
    (b'{"op": "band", "on": 0}', "band on"),
    (b'{"op": "mute", "channel": null}', "mute needs"),  # str(None): a channel "None" muted
    (b'{"op": "solo", "channel": ["d1"]}', "solo needs"),
    (b"\xff\xfe{\"op\": \"status\"}", ""),
    (b"[" * 100_000, ""),
    (b'{"op": "eval", "text": "d2", "nested": ' + b"[" * 50_000 + b"]" * 50_000 + b"}", ""),
]


@pytest.mark.parametrize("line", [line for line, _ in BAD_REQUESTS], ids=range(len(BAD_REQUESTS)))
def test_a_bad_request_is_answered_with_what_was_expected_and_the_music_goes_on(engine, line):
    words = dict(BAD_REQUESTS)[line]
    path = engine[0]
    reply, after = exchange(path, line + b'\n{"op": "playing"}\n', answers=2)
    assert "error" in reply, reply
    assert words in reply["error"]
    if words:
        assert_clear(reply["error"])
    assert "places" in after, after  # the same connection answers the next request
    assert_still_playing(engine)


def test_a_line_too_long_is_refused_and_the_connection_answers_the_next(engine):
    reply, after = exchange(engine[0], b'{"op": "eval", "text": "' + b"x" * (5 << 20) + b'"}\n{"op": "playing"}\n', 2)
    assert "at most" in reply["error"] and "places" in after
    assert_still_playing(engine)


def test_a_half_written_request_then_a_dropped_connection_changes_nothing(engine):
    for half in (b'{"op": "transport", "action": "st', b'{"op": "hush"', b"\xff"):
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.connect(str(engine[0]))
            sock.sendall(half)
    assert_still_playing(engine)


FIELDS = {  # op -> {field: (a valid value, what a wrong one is drawn from)}
    "eval": {"text": ('d2 $ s "sine"', NOT_TEXT), "first_line": (1, NOT_NUMBERS)},
    "transport": {"action": ("start", NOT_TEXT), "cycle": (0, NOT_NUMBERS.filter(lambda v: v is not None))},
    "rate": {"value": (None, NOT_NUMBERS)},
    "say": {"text": ("hello there", NOT_TEXT), "source": ("typed", NOT_TEXT.filter(lambda v: v is not None)),
            "confidence": (0.5, NOT_NUMBERS.filter(lambda v: v is not None))},
    "note": {"pitch": (60, NOT_NUMBERS), "velocity": (0.5, NOT_NUMBERS.filter(lambda v: v is not None))},
    "band": {"on": (None, NOT_NUMBERS.filter(lambda v: v is not None and not isinstance(v, bool)))},
    "mute": {"channel": (None, NOT_TEXT)},
    "solo": {"channel": (None, NOT_TEXT)},
    "roll": {"cycles": (2, NOT_NUMBERS)},
}


@st.composite
def wrong_requests(draw) -> dict:
    """A request of a known op with one field of the wrong kind, the others right."""
    op = draw(st.sampled_from(sorted(FIELDS)))
    wrong = draw(st.sampled_from(sorted(FIELDS[op])))
    request = {"op": op, **{name: valid for name, (valid, _) in FIELDS[op].items() if valid is not None}}
    request[wrong] = draw(FIELDS[op][wrong][1])
    return request


def test_wrong_fields_of_every_op_are_refused_and_the_music_goes_on(engine):
    path, client, _ = engine

    @EXAMPLES
    @given(wrong_requests())
    def check(request):
        reply = exchange(path, (json.dumps(request) + "\n").encode())[0]
        assert "error" in reply, (request, reply)
        assert_clear(reply["error"])

    check()
    client.request("hush")  # the band, had a wrong answer switched it on; then d1 again
    assert_still_playing(engine)


# -- jam accompany --online --------------------------------------------------------------------
@pytest.fixture(scope="module")
def weights():
    """The shipped network, whatever fine-tune of one's own the machine holds."""
    return {"JAM_ACCOMPANIST_WEIGHTS": str(ROOT / "engine" / "accompanist" / "weights" / "chord_lstm.pt")}


@pytest.fixture(scope="module")
def online(weights):
    proc = Lines(JAM + ["accompany", "--online"], weights)
    yield proc
    proc.close()


@pytest.fixture(scope="module")
def reference(weights):
    """Answers of the same decider in this process, to the good lines alone."""
    from engine.accompanist.decide import ModelDecider
    from engine.accompanist.online import Session, serve

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("JAM_ACCOMPANIST_WEIGHTS", weights["JAM_ACCOMPANIST_WEIGHTS"])
        decider = ModelDecider()

    def answers(lines: list[bytes]) -> list[dict]:
        out = io.StringIO()
        serve(Session(decider), io.StringIO(b"\n".join(lines).decode() + "\n"), out, io.StringIO())
        return [json.loads(line) for line in out.getvalue().splitlines()]
    return answers


def performance(start: float) -> list[bytes]:
    """A reset, a few bars of melody and a decide every half beat, from beat `start` on."""
    lines = [b'{"reset": {"style": "pop", "time_signature": "4/4"}}']
    for i, pitch in enumerate([60, 64, 67, 65, 62, 59, 60, 64]):
        t = start + i
        lines += [json.dumps({"note_on": {"t": t, "pitch": pitch, "velocity": 90}}).encode(),
                  json.dumps({"decide": t + 0.5}).encode(),
                  json.dumps({"note_off": {"t": t + 0.9, "pitch": pitch}}).encode()]
    return lines


BAD_LINES = [  # each with its one answer when it is a decide (no chord)
    (b"not json", None), (b"42", None), (b"\xff\xfe\x00 not UTF-8", None), (b"[" * 100_000, None),
    (b'{"reset": 5}', None), (b'{"reset": ["pop"]}', None), (b'{"reset": {"time_signature": "999999999/1"}}', None),
    (b'{"reset": {"time_signature": "4/4/4"}}', None), (b'{"reset": {"key": 5}}', None),
    (b'{"reset": {"key": "h minor"}}', None), (b'{"reset": {"style": ["pop"]}}', None),
    (b'{"note_on": [1, 60]}', None), (b'{"note_on": {"t": "1", "pitch": 60}}', None),
    (b'{"note_on": {"t": 1e400, "pitch": 60}}', None), (b'{"note_on": {"t": 99, "pitch": Infinity}}', None),
    (b'{"note_on": {"t": 99, "pitch": 1000}}', None), (b'{"note_on": {"t": 99, "pitch": 60, "velocity": 1e300}}', None),
    (b'{"note_on": {"t": 99, "pitch": 60, "velocity": 1' + b"0" * 400 + b"}}", None),
    (b'{"note_on": {"t": 99, "pitch": 60, "velocity": -5}}', None), (b'{"note_off": {"t": NaN, "pitch": 60}}', None),
    (b'{"note_off": {"t": 99}}', None), (b'{"key": 5}', None), (b'{"key": "h minor"}', None), (b'{"volume": 1}', None),
    (b'{"decide": "99"}', {"t": None, "chord": None}), (b'{"decide": NaN}', {"t": None, "chord": None}),
    (b'{"decide": 1e300}', {"t": 1e300, "chord": None}), (b'{"decide": [99]}', {"t": None, "chord": None}),
]


def test_bad_lines_get_one_error_each_and_the_good_ones_the_right_answers(online, reference):
    """Each bad line in turn, inside a performance: its error on stderr, and the performance's
    answers those of the same performance without it."""
    good = performance(0.0)
    expected = reference(good)
    for bad, fallback in BAD_LINES:
        errors = len(online.err)
        online.send(*good[:4], bad, *good[4:])
        answers = [online.answer() for _ in range(len(expected) + (fallback is not None))]
        if fallback is not None:
            assert answers.pop(1) == fallback, bad
        assert answers == expected, bad
        assert online.proc.poll() is None
        deadline = time.monotonic() + 5  # (stderr is read by a thread of its own: its line may come after the answers)
        while len(online.err) == errors and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(online.err) == errors + 1 and online.err[-1].startswith(b"accompany: line"), (bad, online.err[errors:])


NOT_TIMES = NOT_NUMBERS.filter(lambda v: not isinstance(v, (int, float)) or isinstance(v, bool) or v != v or v > 1e11)
NOT_MIDI = st.one_of(NOT_NUMBERS, st.integers(min_value=128), st.integers(max_value=-1), st.floats(0.1, 0.9))
NOW = "now"  # stands for a time that is right: the line is wrong in its other field alone
WRONG_LINES = st.one_of(
    st.builds(lambda t: {"decide": t}, NOT_TIMES),
    st.builds(lambda t: {"note_on": {"t": t, "pitch": 60}}, NOT_TIMES),
    st.builds(lambda p: {"note_on": {"t": NOW, "pitch": p}}, NOT_MIDI),
    st.builds(lambda v: {"note_on": {"t": NOW, "pitch": 60, "velocity": v}}, NOT_MIDI),
    st.builds(lambda p: {"note_off": {"t": NOW, "pitch": p}}, NOT_MIDI),
    st.builds(lambda o: {"reset": o}, NOT_TEXT.filter(lambda v: v is not None and not isinstance(v, dict))),
    st.builds(lambda ts: {"reset": {"time_signature": ts}}, st.sampled_from(["0/4", "4", "4/0", "1000/4", "a/b", "4/4/4"])),
    st.builds(lambda k: {"key": k}, NOT_TEXT.filter(lambda v: v is not None)),
)


def test_wrong_lines_change_nothing(online, reference):
    good = performance(0.0)
    expected = reference(good)

    @settings(max_examples=40, deadline=None)
    @given(WRONG_LINES)
    def check(msg):
        for note in ("note_on", "note_off"):
            if msg.get(note, {}).get("t") == NOW:
                msg[note]["t"] = 0.95
        errors = len(online.err)
        online.send(*good[:4], json.dumps(msg).encode(), *good[4:])
        answers = [online.answer() for _ in range(len(expected) + ("decide" in msg))]
        if "decide" in msg:
            assert answers.pop(1)["chord"] is None
        assert answers == expected, msg
        deadline = time.monotonic() + 5
        while len(online.err) == errors and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(online.err) == errors + 1, (msg, online.err[errors:])

    check()


# -- jam query --batch ---------------------------------------------------------------------------
GOOD_QUERY = b'{"expr": "s \\"bd [sn sn]\\"", "from": "0", "to": "1"}'
GOOD_EVENTS = [{"whole": ["0", "1/2"], "part": ["0", "1/2"], "value": {"s": "bd"}},
               {"whole": ["1/2", "3/4"], "part": ["1/2", "3/4"], "value": {"s": "sn"}},
               {"whole": ["3/4", "1"], "part": ["3/4", "1"], "value": {"s": "sn"}}]


@pytest.fixture(scope="module")
def batch():
    proc = Lines(JAM + ["query", "--batch"])
    yield proc
    proc.close()


BAD_QUERIES = [
    (b"not json", "JSON object"), (b"[1]", "JSON object"), (b'{"expr": 5}', "JSON object"), (b"\xff\xfe", "UTF-8"),
    (b"[" * 100_000, ""),
    (b'{"expr": "\\"bd\\"", "from": "1e999999999"}', "from must be"),  # Python's Fraction: hours on 10**999999999
    (b'{"expr": "\\"bd\\"", "to": "1e-999999999"}', "to must be"),
    (b'{"expr": "\\"bd\\"", "from": "1/0"}', "from must be"), (b'{"expr": "\\"bd\\"", "from": NaN}', "from must be"),
    (b'{"expr": "\\"bd\\"", "to": [1]}', "to must be"), (b'{"expr": "\\"bd\\"", "from": true}', "from must be"),
    (b'{"expr": "\\"bd\\"", "type": ["string"]}', "type must be"), (b'{"expr": "\\"bd\\"", "type": "colour"}', "type must be"),
]


@pytest.mark.parametrize("line", [line for line, _ in BAD_QUERIES], ids=range(len(BAD_QUERIES)))
def test_a_bad_query_is_answered_with_what_was_expected_and_the_next_one_right(batch, line):
    words = dict(BAD_QUERIES)[line]
    batch.send(line, GOOD_QUERY)
    reply = batch.answer(timeout=10)
    assert words in reply.get("error", ""), reply
    if words:
        assert_clear(reply["error"])
    assert batch.answer(timeout=10) == {"events": GOOD_EVENTS}


def test_wrong_query_fields_are_refused(batch):
    @EXAMPLES
    @given(st.sampled_from(["from", "to", "expr", "type"]), NOT_NUMBERS)
    def check(field, value):
        if isinstance(value, str) and field != "type" or value is None and field == "type":
            return  # a right value, or text where a time goes (the contract's way): checked above
        request = {"expr": '"bd"', field: value}
        batch.send(json.dumps(request).encode(), GOOD_QUERY)
        reply = batch.answer(timeout=10)
        if "error" not in reply:  # a number where a time goes: read as that many cycles
            assert field in ("from", "to") and isinstance(value, (int, float)) and not isinstance(value, bool), reply
        else:
            assert_clear(reply["error"])
        assert batch.answer(timeout=10) == {"events": GOOD_EVENTS}

    check()
