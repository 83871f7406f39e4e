"""Real-time playback through a JACK server (dummy driver): the engine keeps time, and what it plays is heard.

The engine runs as its own process (`python -m engine --device JACK`), exactly as
`jam` starts it; the tests talk to it over its socket and record its JACK output
ports with `jack_rec`, then find the drum onsets in the recorded samples.

A JACK server without real-time scheduling (`jackd -r`) on a shared machine often
wakes a client late, and JACK then reports an xrun to every client; in a recording
a block is lost or repeated there, shifting everything after it by a block (2.7 ms).
Such a disturbance is the machine's, not the engine's: the engine must play
WINDOW seconds without an xrun somewhere in OBSERVE seconds, and a recording that
an xrun made inexact is reported and recorded again (MAX_TAKES times at most). A
recording without an xrun must be exact.
"""

from __future__ import annotations

import math
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest

from console.client import EngineClient, EngineUnavailable, start_engine, stop_engine
from engine.wavfile import read_wav
from tests.audio import onset_times

GROOVE = 'tempo 120\nd1 $ s "bd*4"\nd2 $ s "hh*8"\n'
SETTLE = 1.0  # seconds after an evaluation before measuring
WINDOW = 3.0  # seconds of playing that must pass without a problem
POLL = 0.25  # seconds between status requests while watching for such a stretch
OBSERVE = 90.0  # seconds to watch at most
PROBLEMS = ("xruns", "late_events", "slow_callbacks")
CALLBACK_TOLERANCE = 0.15
TAKE_SECONDS = 3  # jack_rec takes whole seconds
MAX_TAKES = 12  # recordings to try for one that an xrun did not disturb
EDGE = 0.01  # onsets this close to the start of a take are the tail of a kick cut by the take's start
INTERVAL_TOLERANCE = 0.001  # seconds
BEATS_PER_CYCLE = 4  # `tempo` counts beats; one cycle is four of them


def seconds_between_kicks(bpm: float, kicks_per_cycle: int) -> float:
    return BEATS_PER_CYCLE * 60.0 / bpm / kicks_per_cycle


def jack_output_ports() -> set[str]:
    """Every output port on the JACK server (`jack_lsp -p` lists each port, then its properties)."""
    result = subprocess.run(["jack_lsp", "-p"], capture_output=True, text=True, timeout=10)
    assert result.returncode == 0, f"jack_lsp failed: {result.stderr.strip()}"
    ports, name = set(), None
    for line in result.stdout.splitlines():
        if not line.startswith((" ", "\t")):
            name = line.strip()
        elif name and "properties:" in line:
            if "output" in (flag.strip() for flag in line.split("properties:", 1)[1].split(",")):
                ports.add(name)
    return ports


@dataclass
class Engine:
    proc: subprocess.Popen
    client: EngineClient
    log: Path
    ports: list[str]  # the engine's JACK output ports, left channel first

    def request(self, op: str, **fields) -> dict:
        try:
            return self.client.request(op, **fields)
        except EngineUnavailable as err:
            state = "running" if self.proc.poll() is None else f"exited with status {self.proc.returncode}"
            pytest.fail(f"{err} (the engine process is {state}); its log:\n{self.log_text()}", pytrace=False)

    def status(self) -> dict:
        return self.request("status")

    def eval(self, text: str) -> dict:
        reply = self.request("eval", text=text)
        assert reply.get("ok"), f"the engine refused {text!r}: {reply}"
        return reply

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


@pytest.fixture
def engine(jack_server, tmp_path):
    """The real engine process, playing through the JACK server."""
    sock = tmp_path / "e.sock"
    short_dir = None
    if len(str(sock)) > 100:  # a Unix socket's path has a length limit (108 bytes on Linux)
        short_dir = Path(tempfile.mkdtemp(prefix="jam-rt-"))
        sock = short_dir / "e.sock"
    log = tmp_path / "engine.log"
    before = jack_output_ports()
    try:
        proc = start_engine(sock, audio=True, device="JACK", log=log)
    except EngineUnavailable as err:
        pytest.fail(f"{err}\n{log.read_text(errors='replace') if log.exists() else ''}", pytrace=False)
    client = EngineClient(sock, timeout=5.0)
    try:
        deadline = time.monotonic() + 10
        ports = sorted(jack_output_ports() - before)
        while len(ports) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
            ports = sorted(jack_output_ports() - before)
        status = client.request("status")
        assert len(ports) == 2, (f"the engine should add two JACK output ports; new ones: {ports}; "
                                 f"engine status: {status}; log: {log.read_text(errors='replace')}")
        yield Engine(proc, client, log, ports)
    finally:
        stop_engine(proc, client)
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if short_dir is not None:
            for leftover in short_dir.iterdir():
                leftover.unlink()
            short_dir.rmdir()


def assert_playing_through_jack(status: dict) -> None:
    assert status["audio"] == "audio", (f"the engine plays on a silent clock, not through JACK: "
                                        f"{status['message']!r}")
    assert "JACK" in status["device"], f"the engine plays through {status['device']!r}, not JACK"


def clean_stretch(samples: list[tuple[float, dict]], seconds: float) -> tuple[int, int] | None:
    """The latest pair of samples at least `seconds` apart with no xrun, late event or slow callback between."""
    j = len(samples) - 1
    t_end, end = samples[j]
    for i in range(j - 1, -1, -1):
        t, status = samples[i]
        if any(status[key] != end[key] for key in PROBLEMS):
            return None
        if t_end - t >= seconds:
            return i, j
    return None


def test_engine_keeps_time_through_jack(engine, jack_server):
    engine.eval(GROOVE)
    time.sleep(SETTLE)
    first = engine.status()
    assert_playing_through_jack(first)
    assert first["channels"] == ["d1", "d2"] and first["runtime_errors"] == [], first
    print(f"\nJACK server: {jack_server}; engine ports {engine.ports}; device {first['device']!r}, "
          f"latency {first['latency'] * 1000:.2f} ms")
    print(f"at start: {first['xruns']} xruns, {first['late_events']} late events, "
          f"{first['slow_callbacks']} slow callbacks in the first {first['callbacks']} callbacks")

    # Poll the counters until WINDOW seconds pass without a problem (at most OBSERVE seconds).
    samples = [(time.monotonic(), first)]
    found = None
    while found is None and samples[-1][0] - samples[0][0] < OBSERVE:
        time.sleep(POLL)
        samples.append((time.monotonic(), engine.status()))
        found = clean_stretch(samples, WINDOW)
    (t0, start), (t1, end) = samples[0], samples[-1]
    expected = jack_server.rate / jack_server.period  # callbacks per second
    overall = (end["callbacks"] - start["callbacks"]) / (t1 - t0)
    problems = {key: end[key] - start[key] for key in PROBLEMS}
    print(f"observed {t1 - t0:.1f} s: {overall:.1f} callbacks/s (expected {expected:.1f}/s); {problems}")
    assert_playing_through_jack(end)
    assert end["runtime_errors"] == [], end["runtime_errors"]
    assert abs(overall / expected - 1) <= CALLBACK_TOLERANCE, (
        f"the engine got {overall:.1f} audio callbacks per second over {t1 - t0:.1f} s, expected {expected:.1f} "
        f"(rate {jack_server.rate} / period {jack_server.period})")
    assert found is not None, (
        f"no {WINDOW:.0f} s stretch in {t1 - t0:.1f} s of playing passed without a problem: {problems} "
        f"(xruns at {[round(t - t0, 2) for (t, s), (_, p) in zip(samples[1:], samples) if s['xruns'] != p['xruns']]}"
        f" s)")
    (ta, a), (tb, b) = samples[found[0]], samples[found[1]]
    rate = (b["callbacks"] - a["callbacks"]) / (tb - ta)
    print(f"clean stretch {ta - t0:.2f}-{tb - t0:.2f} s: {b['callbacks'] - a['callbacks']} callbacks in "
          f"{tb - ta:.3f} s = {rate:.1f}/s, no xrun, late event or slow callback")
    assert abs(rate / expected - 1) <= CALLBACK_TOLERANCE, (
        f"{b['callbacks'] - a['callbacks']} callbacks in {tb - ta:.2f} s = {rate:.1f}/s, expected {expected:.1f}/s")


@dataclass
class Take:
    audio: np.ndarray
    rate: int
    xruns: int
    onsets: list[float] = field(default_factory=list)  # seconds from the take's start

    @property
    def seconds(self) -> float:
        return self.audio.shape[0] / self.rate

    @property
    def peak(self) -> float:
        return float(np.abs(self.audio).max()) if self.audio.size else 0.0

    def describe(self) -> str:
        intervals = np.diff(self.onsets)
        return (f"{self.seconds:.2f} s recorded, peak {self.peak:.3f}, {self.xruns} xruns during the take; "
                f"onsets at {[round(float(t), 4) for t in self.onsets]} s, "
                f"intervals {[round(float(d), 4) for d in intervals]} s")


def record(engine: Engine, path: Path) -> Take:
    before = engine.status()
    result = subprocess.run(["jack_rec", "-f", str(path), "-d", str(TAKE_SECONDS), "-b", "16", *engine.ports],
                            capture_output=True, text=True, timeout=TAKE_SECONDS + 30)
    assert result.returncode == 0, f"jack_rec failed (status {result.returncode}): {result.stderr.strip()}"
    time.sleep(0.2)  # an xrun in the take's last blocks reaches the engine a moment later
    after = engine.status()
    audio, rate = read_wav(path)
    assert rate == after["rate"], f"jack_rec recorded at {rate} Hz, the engine plays at {after['rate']} Hz"
    onsets = [t for t in onset_times(audio, rate) if t >= EDGE]
    return Take(audio, rate, after["xruns"] - before["xruns"], onsets)


def timing_problem(take: Take, interval: float) -> str | None:
    """What is wrong with a take that should hold a kick every `interval` seconds, or None."""
    if take.peak <= 0.05:
        return "the recording of the engine's JACK output is silent"
    if len(take.onsets) < 2:
        return f"expected a kick every {interval} s, heard fewer than two"
    errors = np.diff(take.onsets) - interval
    worst = float(errors[np.argmax(np.abs(errors))])
    print(f"  {len(take.onsets)} kicks; intervals off {interval} s by {worst * 1e6:+.1f} us at worst, "
          f"{float(np.median(errors)) * 1e6:+.1f} us median")
    if abs(worst) > INTERVAL_TOLERANCE:
        return (f"expected a kick every {interval} s (within {INTERVAL_TOLERANCE * 1000:.0f} ms); "
                f"an interval is off by {worst * 1000:+.2f} ms")
    # onsets fall in [EDGE, seconds): as many as the take's length holds, give or take the phase
    span = (take.seconds - EDGE) / interval
    low, high = math.floor(span + 1e-6), math.ceil(span - 1e-6)
    if not low <= len(take.onsets) <= high:
        return (f"{take.seconds:.2f} s at a kick every {interval} s should hold {low} to {high} kicks, "
                f"heard {len(take.onsets)}")
    return None


def assert_steady_kicks(engine: Engine, tmp_path: Path, name: str, interval: float, what: str) -> Take:
    """Record the engine's JACK output and check that it holds a kick every `interval` seconds.

    A take during which the engine saw no xrun must be exact. A take disturbed by an xrun (a block
    lost or repeated, everything after it shifted by a block) that is exact all the same counts too;
    one that is not is reported and recorded again, MAX_TAKES times at most.
    """
    disturbed = []
    for attempt in range(1, MAX_TAKES + 1):
        take = record(engine, tmp_path / f"{name}-{attempt}.wav")
        print(f"{name} take {attempt}: {take.describe()}")
        problem = timing_problem(take, interval)
        if take.xruns == 0:
            assert problem is None, f"{what}: {problem}; heard {take.describe()}"
            return take
        if problem is None:
            print(f"  exact despite {take.xruns} xruns")
            return take
        print(f"  disturbed by {take.xruns} xruns ({problem}): recording again")
        disturbed.append((take, problem))
    last, problem = disturbed[-1]
    pytest.fail(f"{what}: every one of {MAX_TAKES} recordings was disturbed by JACK xruns "
                f"({[t.xruns for t, _ in disturbed]} xruns) and inexact; the machine is too busy to judge "
                f"the timing. Last take: {problem}; heard {last.describe()}", pytrace=False)


def test_live_edit_reaches_the_jack_output(engine, tmp_path):
    engine.eval('tempo 120\nd1 $ s "bd*4"\n')
    time.sleep(SETTLE)
    status = engine.status()
    assert_playing_through_jack(status)
    assert status["bpm"] == 120, status
    print(f"\nrecording {engine.ports} through jack_rec")
    quarter = seconds_between_kicks(status["bpm"], 4)  # 0.5 s
    assert_steady_kicks(engine, tmp_path, "bd*4", quarter, 'd1 $ s "bd*4" at tempo 120')

    reply = engine.eval('d1 $ s "bd*8"\n')
    assert reply["channels"] == ["d1"], reply
    time.sleep(0.5)  # the change is heard once the events queued ahead of it (the lookahead) have played
    eighth = seconds_between_kicks(engine.status()["bpm"], 8)  # 0.25 s
    assert_steady_kicks(engine, tmp_path, "bd*8", eighth, 'after evaluating d1 $ s "bd*8" over the socket')
    final = engine.status()
    assert final["runtime_errors"] == [] and final["late_events"] == 0, final
