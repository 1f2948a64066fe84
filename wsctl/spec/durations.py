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
    # UNVERIFIED: AWS publishes no durations for these. A stopped WorkSpace resumes in about 90
    # seconds (admin guide, running mode); the rest are generous guesses, as long as a create
    # where a new root volume is made (rebuild, restore, migrate).
    "start": 1200.0,
    "stop": 1200.0,
    "reboot": 1200.0,
    "rebuild": 2400.0,
    "restore": 2400.0,
    "migrate": 2400.0,
    "maintenance on": 600.0,
    "maintenance off": 600.0,
    "terminate": 1200.0,
}


def timeout_for(kind: str, given: float | None) -> float:
    """The --timeout the user gave, else how long AWS says `kind` may take."""
    return DEFAULT_TIMEOUT[kind] if given is None else given
