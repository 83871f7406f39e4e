"""Write WAV files: 16- or 24-bit PCM, or 32-bit float (the stdlib `wave` has no float)."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np

FORMATS = ("pcm16", "pcm24", "float32")


def write_wav(path: str | Path, audio: np.ndarray, rate: int, fmt: str = "pcm16") -> None:
    """audio: float frames x channels in [-1, 1]. Float32 frames are written as they are (a
    minute of stereo is 23 MB: no copies)."""
    audio = np.asarray(audio)
    if audio.ndim == 1:
        audio = audio[:, None]
    frames, channels = audio.shape
    if fmt == "float32":
        data, tag, bits = np.ascontiguousarray(audio, dtype="<f4"), 3, 32
    elif fmt == "pcm16":
        data, tag, bits = np.round(np.clip(audio.astype(np.float64), -1, 1) * 32767).astype("<i2"), 1, 16
    elif fmt == "pcm24":
        ints = np.round(np.clip(audio.astype(np.float64), -1, 1) * 8388607).astype("<i4")
        data, tag, bits = ints.view(np.uint8).reshape(-1, 4)[:, :3].tobytes(), 1, 24
    else:
        raise ValueError(f"unknown WAV format {fmt!r} (choose {', '.join(FORMATS)})")
    size = frames * channels * bits // 8
    block = channels * bits // 8
    fmt_chunk = struct.pack("<HHIIHH", tag, channels, rate, rate * block, block, bits)
    with open(path, "wb") as f:
        f.write(b"RIFF" + struct.pack("<I", 4 + 8 + len(fmt_chunk) + 8 + size) + b"WAVE")
        f.write(b"fmt " + struct.pack("<I", len(fmt_chunk)) + fmt_chunk)
        f.write(b"data" + struct.pack("<I", size))
        f.write(memoryview(data))
        if size % 2:
            f.write(b"\0")


def read_wav(path: str | Path) -> tuple[np.ndarray, int]:
    """Read what write_wav writes (and other plain PCM/float WAVs) as float64 frames x channels."""
    raw = Path(path).read_bytes()
    if raw[:4] != b"RIFF" or raw[8:12] != b"WAVE":
        raise ValueError(f"{path} is not a WAV file")
    pos, fmt, data = 12, None, None
    while pos + 8 <= len(raw):
        cid, size = raw[pos:pos + 4], struct.unpack("<I", raw[pos + 4:pos + 8])[0]
        if cid == b"fmt ":
            fmt = struct.unpack("<HHIIHH", raw[pos + 8:pos + 24])
        elif cid == b"data":
            data = raw[pos + 8:pos + 8 + size]
        pos += 8 + size + (size & 1)
    if fmt is None or data is None:
        raise ValueError(f"{path} has no fmt or data chunk")
    tag, channels, rate, _, _, bits = fmt
    if tag == 3 and bits == 32:
        audio = np.frombuffer(data, "<f4").astype(np.float64)
    elif tag == 1 and bits == 16:
        audio = np.frombuffer(data, "<i2") / 32768.0
    elif tag == 1 and bits == 24:
        b = np.frombuffer(data, np.uint8).reshape(-1, 3).astype(np.int32)
        audio = ((b[:, 0] | (b[:, 1] << 8) | (b[:, 2] << 16)) << 8 >> 8) / 8388608.0
    else:
        raise ValueError(f"{path}: unsupported WAV encoding (tag {tag}, {bits} bits)")
    return audio.reshape(-1, channels), rate
