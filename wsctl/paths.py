"""Where wsctl keeps its state: `$XDG_STATE_HOME/wsctl` (XDG default `~/.local/state/wsctl`)."""

from __future__ import annotations

import os
from pathlib import Path


def state_dir() -> Path:
    state_home = os.environ.get("XDG_STATE_HOME", "").strip()
    # The XDG spec says a relative value is invalid and must be ignored.
    base = Path(state_home) if state_home and os.path.isabs(state_home) else Path.home() / ".local" / "state"
    return base / "wsctl"


def make_private_dirs(path: Path) -> Path:
    """Create `path` and its missing parents with permission 0700, as the XDG Base Directory spec asks.

    Folders that already exist are left as they are. Raises OSError (a parent is a file,
    no permission, a read-only file system) for the caller to report with the path.
    """
    missing: list[Path] = []
    folder = path
    while not os.path.lexists(folder) and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    for new in reversed(missing):
        try:
            new.mkdir(mode=0o700)
        except FileExistsError:  # made meanwhile by another wsctl
            continue
        os.chmod(new, 0o700)  # whatever the umask
    if not path.is_dir():
        raise NotADirectoryError(20, "Not a directory", str(path))
    return path
