"""Nothing typed is lost: the editor's text goes to a recovery file every few seconds.

The recovery file lives in the user's state folder, named after the patch's path, and
is removed when the patch is saved. On start, a recovery newer than the patch that
differs from it is offered back.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path


def recovery_dir() -> Path:
    state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(state) / "jam" / "recovery"


def recovery_path(patch: Path) -> Path:
    absolute = str(Path(patch).resolve())
    digest = hashlib.sha1(absolute.encode()).hexdigest()[:12]
    return recovery_dir() / f"{Path(patch).stem}-{digest}.jam"


def write_recovery(patch: Path, text: str) -> None:
    """Write atomically (temp file + rename): a kill mid-write leaves the previous copy whole."""
    path = recovery_path(patch)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def pending_recovery(patch: Path) -> str | None:
    """The recovered text, if it is newer than the patch file and different from it."""
    path = recovery_path(patch)
    if not path.exists():
        return None
    text = path.read_text(encoding="utf-8")
    patch = Path(patch)
    if patch.exists():
        if patch.stat().st_mtime >= path.stat().st_mtime or patch.read_text(encoding="utf-8") == text:
            return None
    return text


def discard_recovery(patch: Path) -> None:
    try:
        recovery_path(patch).unlink()
    except FileNotFoundError:
        pass
