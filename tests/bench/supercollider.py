"""W1 'poly synth' of ../shared/bench/WORKLOADS.md for SuperCollider's server, written from Python
(no sclang needed): the SynthDef as SCgf version 2 bytes and the non-real-time score as OSC
bundles, so that `scsynth -N` renders the same job as `jam render tests/bench/w1.jam`.

    scsynth -N w1.osc _ w1.wav 48000 WAV float -o 2 -z 128
"""

from __future__ import annotations

import struct
from pathlib import Path

VOICES, PERIOD, GATE = 64, 0.5, 0.3  # seconds: retriggered every 0.5 s, gate on for 0.3 s


def _pstring(text: str) -> bytes:
    return bytes([len(text)]) + text.encode()


def synthdef() -> bytes:
    """w1(freq, pan, gate): Saw -> RLPF 1200 Hz rq 0.5 -> linear ADSR (5 ms, 100 ms to 0.6,
    200 ms) x 0.05 -> Pan2 -> Out 0."""
    constants = [1200.0, 0.5, 1.0, 0.0, 3.0, 2.0, -99.0, 0.005, 0.6, 0.1, 0.2, 0.05]

    def c(value: float) -> tuple[int, int]:
        return -1, constants.index(value)

    envelope = [0.0, 3.0, 2.0, -99.0,  # start level, segments, release node, no loop
                1.0, 0.005, 1.0, 0.0,  # (level, time, shape 1 = linear, curve) per segment
                0.6, 0.1, 1.0, 0.0,
                0.0, 0.2, 1.0, 0.0]
    ar, kr = 2, 1
    ugens = [  # class, rate, inputs, output rates, special index
        ("Control", kr, [], [kr, kr, kr], 0),
        ("Saw", ar, [(0, 0)], [ar], 0),
        ("RLPF", ar, [(1, 0), c(1200.0), c(0.5)], [ar], 0),
        ("EnvGen", ar, [(0, 2), c(1.0), c(0.0), c(1.0), c(0.0)] + [c(x) for x in envelope], [ar], 0),
        ("BinaryOpUGen", ar, [(2, 0), (3, 0)], [ar], 2),  # 2: multiply
        ("BinaryOpUGen", ar, [(4, 0), c(0.05)], [ar], 2),
        ("Pan2", ar, [(5, 0), (0, 1), c(1.0)], [ar, ar], 0),
        ("Out", ar, [c(0.0), (6, 0), (6, 1)], [], 0),
    ]
    params, names = [440.0, 0.0, 1.0], ["freq", "pan", "gate"]
    body = _pstring("w1") + struct.pack(">i", len(constants)) + struct.pack(f">{len(constants)}f", *constants)
    body += struct.pack(">i", len(params)) + struct.pack(f">{len(params)}f", *params)
    body += struct.pack(">i", len(names)) + b"".join(_pstring(n) + struct.pack(">i", i) for i, n in enumerate(names))
    body += struct.pack(">i", len(ugens))
    for name, rate, inputs, outputs, special in ugens:
        body += _pstring(name) + struct.pack(">biih", rate, len(inputs), len(outputs), special)
        body += b"".join(struct.pack(">ii", *i) for i in inputs) + bytes(outputs)
    body += struct.pack(">h", 0)  # no variants
    return b"SCgf" + struct.pack(">ih", 2, 1) + body


def _osc_string(text: str) -> bytes:
    data = text.encode() + b"\0"
    return data + b"\0" * (-len(data) % 4)


def message(address: str, *args: int | float | str | bytes) -> bytes:
    tags, data = ",", b""
    for arg in args:
        if isinstance(arg, bytes):
            tags, data = tags + "b", data + struct.pack(">i", len(arg)) + arg + b"\0" * (-len(arg) % 4)
        elif isinstance(arg, str):
            tags, data = tags + "s", data + _osc_string(arg)
        elif isinstance(arg, int):
            tags, data = tags + "i", data + struct.pack(">i", arg)
        else:
            tags, data = tags + "f", data + struct.pack(">f", arg)
    return _osc_string(address) + _osc_string(tags) + data


def bundle(seconds: float, messages: list[bytes]) -> bytes:
    """One timed bundle as an NRT score holds it: its size, then the bundle."""
    data = b"#bundle\0" + struct.pack(">Q", round(seconds * 2 ** 32))
    data += b"".join(struct.pack(">i", len(m)) + m for m in messages)
    return struct.pack(">i", len(data)) + data


def score(seconds: float) -> bytes:
    """The whole job: the SynthDef, 64 voices started together, their gates off at 0.3 s and on
    again at 0.5 s of every period, and an empty bundle at the end that sets the length."""
    nodes = range(1000, 1000 + VOICES)
    out = bundle(0.0, [message("/d_recv", synthdef())])
    out += bundle(0.0, [message("/s_new", "w1", node, 0, 0, "freq", 55.0 * 2 ** (v / 12), "pan",
                                -1.0 + 2.0 * v / (VOICES - 1)) for v, node in enumerate(nodes)])
    start = 0.0
    while start < seconds:
        out += bundle(start + GATE, [message("/n_set", node, "gate", 0.0) for node in nodes])
        if start + PERIOD < seconds:
            out += bundle(start + PERIOD, [message("/n_set", node, "gate", 1.0) for node in nodes])
        start += PERIOD
    return out + bundle(seconds, [message("/c_set", 0, 0)])


def command(folder: Path, seconds: float) -> list[str]:
    """Write the score into folder; the scsynth command line that renders it."""
    path = folder / f"w1_{seconds:g}s.osc"
    path.write_bytes(score(seconds))
    return ["scsynth", "-N", str(path), "_", str(folder / "w1_sc.wav"), "48000", "WAV", "float", "-o", "2",
            "-z", "128"]


if __name__ == "__main__":
    import sys

    print(" ".join(command(Path(sys.argv[1] if len(sys.argv) > 1 else "."), 60.0)))
