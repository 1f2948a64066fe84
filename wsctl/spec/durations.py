"""How long AWS says each operation may take: the default of every --timeout.

A module of its own, with nothing to import, because `--help` shows these defaults.
"""

from __future__ import annotations

# Seconds. AWS: creation up to 20 minutes (40 with encryption); compute changes up to an
# hour, disk changes up to two; image import 90 minutes or more (3 hours with Office).
DEFAULT_TIMEOUT = {
    "create": 1200.0,
    "create-encrypted": 2400.0,
    "describe": 2400.0,
    "set-mode": 600.0,
    "modify-compute": 3600.0,
    "modify-volume": 7200.0,
    "import-image": 10800.0,
    "import-image-office": 14400.0,
}


def timeout_for(kind: str, given: float | None) -> float:
    """The --timeout the user gave, else how long AWS says `kind` may take."""
    return DEFAULT_TIMEOUT[kind] if given is None else given
