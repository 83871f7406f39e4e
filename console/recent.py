"""The patches opened or saved lately, newest first, kept in the user's state folder."""

from __future__ import annotations

import json
import os
from pathlib import Path

KEEP = 12


def recent_file() -> Path:
    state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(state) / "jam" / "recent.json"


def recent() -> list[Path]:
    """The recent patches that still exist."""
    try:
        paths = [Path(p) for p in json.loads(recent_file().read_text())]
    except (OSError, ValueError, TypeError):
        return []
    return [p for p in paths if p.is_file()]


def remember(patch: Path) -> None:
    path = str(Path(patch).resolve())
    paths = [path] + [str(p) for p in recent() if str(p) != path]
    target = recent_file()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(".tmp")
        tmp.write_text(json.dumps(paths[:KEEP], indent=1))
        os.replace(tmp, target)
    except OSError:
        pass  # a read-only home must not stop a show
