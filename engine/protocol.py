"""The console-engine wire: JSON lines over a Unix socket that only its owner can open.

Requests are objects with an "op" ("eval", "status", "playing", "transport",
"mute", "solo", "rate", "hush", "panic", "shutdown");
each gets one JSON line back. The socket lives in a 0700 directory of the user's.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any


def default_socket_path() -> Path:
    """$XDG_RUNTIME_DIR/jam/engine.sock, or a per-user folder under the temp dir."""
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    base = Path(runtime) / "jam" if runtime else Path(tempfile.gettempdir()) / f"jam-{os.getuid()}"
    return base / "engine.sock"


def private_dir(path: Path) -> None:
    """Create the socket's folder readable by its owner alone, and refuse one owned by someone else."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    st = path.stat()
    if st.st_uid != os.getuid():
        raise PermissionError(f"{path} belongs to another user")
    os.chmod(path, 0o700)


def encode(message: dict[str, Any]) -> bytes:
    return (json.dumps(message) + "\n").encode()


def decode(line: bytes) -> dict[str, Any]:
    return json.loads(line.decode())
