"""Exit codes, the error hierarchy, and the one place where exceptions become messages.

Every outcome a script can branch on has a named exit code here; nothing else in wsctl
picks a number. Command code raises `WsctlError` subclasses (or lets botocore errors
through); `report_exception` turns them into one sentence on stderr and an exit code.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    pass


class ExitCode(IntEnum):
    OK = 0
    ERROR = 1  # service, network, credentials, anything unexpected
    USAGE = 2  # bad flags or invalid input; nothing was sent
    PARTIAL = 3  # some items failed (FailedRequests, failed modifications, failure states)
    TIMEOUT = 4  # --wait gave up while items were still pending
    INTERRUPTED = 130  # Ctrl-C / SIGINT


class WsctlError(Exception):
    """An error with a message meant for the user (no traceback unless --debug)."""

    exit_code: ExitCode = ExitCode.ERROR

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def lines(self) -> list[str]:
        out = [f"error: {self.message}"]
        if self.hint:
            out.append(f"hint: {self.hint}")
        return out


class UsageError(WsctlError):
    """Bad flags or a missing value: exit 2, nothing was sent."""

    exit_code = ExitCode.USAGE


@dataclass(frozen=True, slots=True)
class LocatedProblem:
    """A validation problem with the place the user can fix it."""

    where: str  # "fleet.yaml:14:5", "users.csv row 7", "--running-mode"
    label: str  # the key or flag the user wrote: "running_mode"
    message: str  # what is wrong and what would be right

    def __str__(self) -> str:
        prefix = f"{self.where}: " if self.where else ""
        label = f"{self.label}: " if self.label and self.label != self.where else ""
        return f"{prefix}{label}{self.message}"


class InvalidInput(UsageError):
    """One or more problems found before sending anything."""

    def __init__(self, problems: Iterable[LocatedProblem | str], *, hint: str | None = None) -> None:
        self.problems = list(dict.fromkeys(str(p) for p in problems))  # the same line once
        count = len(self.problems)
        super().__init__(f"{count} problem{'s' if count != 1 else ''} found; nothing was sent", hint=hint)

    def lines(self) -> list[str]:
        out = [f"error: {p}" for p in self.problems]
        if len(self.problems) > 1:
            out.append(f"{len(self.problems)} problems found; nothing was sent.")
        else:
            out.append("Nothing was sent.")
        if self.hint:
            out.append(f"hint: {self.hint}")
        return out


class ServiceError(WsctlError):
    """The service (AWS or the sandbox) refused a call."""

    def __init__(self, message: str, *, code: str = "", operation: str = "", hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.code = code
        self.operation = operation


# --- botocore errors -> one sentence -------------------------------------------------------

_CREDENTIAL_HINT = "pass --profile, set AWS credentials (aws configure), or try --sandbox"

_CLIENT_ERROR_SENTENCES: dict[str, str] = {
    "AccessDeniedException": "Access denied: the credentials in use lack permission for {op} "
    "(check the IAM policy, or use --profile for another identity).",
    "AccessDenied": "Access denied: the credentials in use lack permission for {op} "
    "(check the IAM policy, or use --profile for another identity).",
    "UnrecognizedClientException": "AWS did not recognise the credentials: " + _CREDENTIAL_HINT + ".",
    "InvalidClientTokenId": "AWS did not recognise the credentials: " + _CREDENTIAL_HINT + ".",
    "InvalidSignatureException": "AWS rejected the request signature: check the secret key "
    "of the credentials in use, or " + _CREDENTIAL_HINT + ".",
    "SignatureDoesNotMatch": "AWS rejected the request signature: check the secret key of the "
    "credentials in use, or " + _CREDENTIAL_HINT + ".",
    "ExpiredTokenException": "The session credentials have expired: refresh them "
    "(for example `aws sso login`) and run the command again.",
    "ExpiredToken": "The session credentials have expired: refresh them "
    "(for example `aws sso login`) and run the command again.",
    "ThrottlingException": "AWS kept throttling {op} after every retry: lower --max-rate, raise "
    "--max-attempts, or try again later.",
}


def translate_aws_error(exc: BaseException) -> WsctlError | None:
    """Map a botocore exception to a WsctlError with one actionable sentence, or None."""
    module = type(exc).__module__
    if not (module.startswith("botocore") or module.startswith("boto3")):
        return None
    from botocore import exceptions as bx

    if isinstance(exc, bx.NoCredentialsError | bx.PartialCredentialsError):
        return WsctlError(f"No AWS credentials were found: {_CREDENTIAL_HINT}.")
    if isinstance(exc, bx.ProfileNotFound):
        profile = exc.kwargs.get("profile", "")
        return WsctlError(
            f"The AWS profile '{profile}' does not exist: check --profile / AWS_PROFILE "
            f"(profiles live in ~/.aws/config), or try --sandbox."
        )
    if isinstance(exc, bx.NoRegionError):
        return WsctlError("No AWS Region is set: pass --region, set AWS_REGION, or add `region` to your profile.")
    if isinstance(exc, bx.EndpointConnectionError | bx.ConnectTimeoutError | bx.ConnectionClosedError):
        url = exc.kwargs.get("endpoint_url", "the WorkSpaces endpoint")
        return WsctlError(f"Could not reach {url}: check --endpoint-url and --region, and your network or proxy.")
    if isinstance(exc, bx.ReadTimeoutError):
        return WsctlError("The WorkSpaces endpoint did not answer in time: try again, or check your network.")
    if isinstance(exc, bx.ParamValidationError):
        return UsageError(f"Invalid request: {exc.kwargs.get('report', exc)}")
    if isinstance(exc, bx.ClientError):
        error = exc.response.get("Error", {})
        code = str(error.get("Code", "Unknown"))
        message = str(error.get("Message", "")).strip()
        op = exc.operation_name
        template = _CLIENT_ERROR_SENTENCES.get(code)
        if template:
            return ServiceError(template.format(op=op), code=code, operation=op)
        text = f"{op} failed: {code}" + (f": {message}" if message else "")
        return ServiceError(text, code=code, operation=op)
    if isinstance(exc, bx.BotoCoreError):
        return WsctlError(str(exc))
    return None


def report_exception(exc: BaseException, *, debug: bool = False, stream: Any = None) -> ExitCode:
    """Print a user-facing message for `exc` on stderr and return the exit code to use."""
    stream = stream or sys.stderr
    if isinstance(exc, KeyboardInterrupt):
        stream.write("\ninterrupted\n")
        return ExitCode.INTERRUPTED
    error = exc if isinstance(exc, WsctlError) else translate_aws_error(exc)
    if debug and not isinstance(exc, WsctlError):
        import traceback

        traceback.print_exception(exc, file=stream)
    if error is None:
        stream.write(f"error: unexpected {type(exc).__name__}: {exc}\n")
        stream.write("hint: run again with --debug for the full traceback, and report it.\n")
        return ExitCode.ERROR
    for line in error.lines():
        stream.write(line + "\n")
    return error.exit_code
