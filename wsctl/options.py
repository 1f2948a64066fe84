"""What the global options are: the values every command runs with, before anything is built.

Plain data with no imports of wsctl's layers, so the client factory, the context and the
CLI can all depend on it without depending on each other.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any


class OutputFormat(StrEnum):
    table = "table"
    wide = "wide"  # a table with every column, whatever the terminal's width
    json = "json"
    yaml = "yaml"
    ids = "ids"


class RetryMode(StrEnum):
    standard = "standard"
    adaptive = "adaptive"


# Enough that a batch survives sustained 30% throttling (0.3**12 ~ 5e-7 per call).
DEFAULT_MAX_ATTEMPTS = 12
# AWS documents WorkSpaces API throttling at a steady 2 calls per second with bursts of 5
# per account and Region (see wsctl.aws.ratelimit).
DEFAULT_RATE = 2.0
DEFAULT_BURST = 5


@dataclass(frozen=True)
class GlobalOptions:
    profile: str | None = None
    region: str | None = None
    endpoint_url: str | None = None
    # --endpoint-url given as a flag applies to every client (CloudWatch too); from
    # AWS_ENDPOINT_URL_WORKSPACES it is the WorkSpaces endpoint only, as botocore reads that variable.
    endpoint_url_from_env: bool = False
    sandbox: bool = False
    output: OutputFormat = OutputFormat.table
    no_input: bool = False
    debug: bool = False
    verbose: bool = False  # result tables list every item, not only those that did not succeed
    retry_mode: RetryMode = RetryMode.standard
    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    max_rate: float = DEFAULT_RATE
    burst: int = DEFAULT_BURST

    def with_overrides(self, **changes: Any) -> GlobalOptions:
        return replace(self, **{k: v for k, v in changes.items() if v not in (None, False)})
