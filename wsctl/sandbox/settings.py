"""What `wsctl sandbox reset` sets, and the account the sandbox pretends to be.

Its own module so that the seed and the store, which both need it, do not import each other.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields

ACCOUNT_ID = "111122223333"


@dataclass(frozen=True)
class Settings:
    """What `wsctl sandbox reset` sets; stored in the database with the seed it made."""

    users: int = 50
    time_scale: float = 1.0
    rate_limit: float | None = None  # requests per second; None: no server-side bucket
    burst: int = 5
    throttle_rate: float = 0.0
    server_error_rate: float = 0.0
    lost_response_rate: float = 0.0
    seed: int = 0
    core: bool = True
    image_limit: int = 40
    usage_days: int = 90  # how far back the seeded usage history goes (sandbox.usage)

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Settings:
        raw = json.loads(text)
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in raw.items() if k in known})
