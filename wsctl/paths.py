"""Where wsctl keeps its state: `$XDG_STATE_HOME/wsctl` (XDG default `~/.local/state/wsctl`)."""

from __future__ import annotations

import os
from pathlib import Path


def state_dir() -> Path:
    state_home = os.environ.get("XDG_STATE_HOME", "").strip()
    # The XDG spec says a relative value is invalid and must be ignored.
    base = Path(state_home) if state_home and os.path.isabs(state_home) else Path.home() / ".local" / "state"
    return base / "wsctl"
