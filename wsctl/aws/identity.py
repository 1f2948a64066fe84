"""Where a run sends its calls, in words for a confirmation: the SANDBOX, an endpoint, or an AWS account.

The account number comes from one STS GetCallerIdentity call, which the context makes only
when a question is about to be shown (never for --yes or --dry-run, the sandbox or an
--endpoint-url) and keeps for the run. A failed lookup never fails the command: the
confirmation then says "account unknown".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# The lookup happens while a person waits for a question: a few seconds at most, then "unknown".
STS_ATTEMPTS = 2
STS_CONNECT_TIMEOUT = 3
STS_READ_TIMEOUT = 5

# How the credentials were found (botocore's `Credentials.method`), where it says more than a profile name.
_NOT_A_PROFILE = {
    "env": "credentials from the environment",
    "explicit": "explicit credentials",
    "iam-role": "the instance's role",
    "container-role": "the container's role",
}


@dataclass(frozen=True)
class Where:
    """A run's target in words."""

    long: str  # "in profile prod, Region eu-west-1, account 123456789012": for the "About to" line
    short: str  # "in account 123456789012": for the question itself


def sandbox_where() -> Where:
    from wsctl.sandbox.store import default_db_path

    return Where(f"in the SANDBOX ({default_db_path()})", "in the SANDBOX")


def endpoint_where(endpoint_url: str, region: str | None) -> Where:
    from wsctl.aws.clients import redacted

    url = redacted(endpoint_url)
    return Where(f"at endpoint {url}" + (f" (Region {region})" if region else ""), f"at {url}")


def aws_where(who: str, region: str | None, account: str | None, *, looked_up: bool) -> Where:
    """`who`: 'profile prod', or where the credentials came from; `looked_up` with `account` None: unknown.

    'in profile prod, Region eu-west-1, account 123456789012';
    'in Region eu-west-1, account 123456789012 (credentials from the environment)'.
    """
    region_text = f"Region {region or 'unknown'}"
    parts = [region_text] + ([f"account {account or 'unknown'}"] if looked_up else [])
    if who.startswith("profile "):
        long = f"in {who}, {', '.join(parts)}"
    else:
        long = f"in {', '.join(parts)} ({who})"
    if looked_up and account:
        short = f"in account {account} ({region or 'Region unknown'})"
    else:
        short = f"in {region_text}"
    return Where(long, short)


def credentials_owner(session: Any, profile: str | None) -> str:
    """'profile prod', or where the credentials came from when no profile holds them."""
    method = ""
    try:
        credentials = session.get_credentials()  # cached by the session: the client already asked
        method = str(getattr(credentials, "method", "") or "")
    except Exception:  # noqa: BLE001 - a description must never fail the command
        pass
    if not profile and method in _NOT_A_PROFILE:
        return _NOT_A_PROFILE[method]
    name = profile or getattr(session, "profile", None) or "default"
    return f"profile {name}"


def caller_account(session: Any, region: str | None) -> str | None:
    """The account number behind the session's credentials (STS GetCallerIdentity), or None if it cannot be told.

    Any failure (no permission, no network, an endpoint that is not AWS) is None: the
    account is shown as unknown and the command goes on.
    """
    try:
        from botocore.config import Config

        from wsctl import __version__

        config = Config(
            retries={"mode": "standard", "total_max_attempts": STS_ATTEMPTS},
            user_agent_extra=f"wsctl/{__version__}",
            connect_timeout=STS_CONNECT_TIMEOUT,
            read_timeout=STS_READ_TIMEOUT,
        )
        sts = session.create_client("sts", region_name=region, config=config)
        account = sts.get_caller_identity().get("Account")
    except Exception:  # noqa: BLE001 - an unknown account is said, never fatal
        return None
    return str(account) if account else None
