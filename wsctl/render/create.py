"""Output of `wsctl create`: plan, results, summary."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.table import Table

from wsctl.errors import ExitCode
from wsctl.render.outcome import Outcome
from wsctl.render.tables import (
    ALL_ROWS,
    LIST_ALL_UP_TO,
    Column,
    collapse,
    counted_line,
    fit_table,
    running_mode_text,
    volumes_text,
    workspaces_table,
)

PLAN_ROWS_SHOWN = 50
PENDING_COLUMNS = ("WorkspaceId", "UserName", "State", "RunningMode", "ComputeTypeName", "BundleId")

FAILURE_HINTS = {
    "ResourceNotFound.User": "the user must exist in the directory",
    "ResourceNotFound.Directory": "check the directory ID and --region; it must be registered with WorkSpaces",
    "ResourceNotFound.Bundle": "check the bundle ID and --region",
    "ResourceExists.WorkSpace": "the user already has a WorkSpace in this directory",
    "ResourceLimitExceededException": "the account's WorkSpaces quota is reached; ask AWS for a higher limit",
    "ThrottlingException": "AWS kept throttling; rerun the same command to finish (nothing is created twice)",
}


def failure_hint(failure: dict[str, Any]) -> str:
    code = str(failure.get("ErrorCode", ""))
    message = str(failure.get("ErrorMessage", ""))
    if "MANUAL" in message or "Core" in message:
        return "MANUAL needs an allow-listed WorkSpaces Core account; use AUTO_STOP or ALWAYS_ON"
    return FAILURE_HINTS.get(code, "")


def pending_table(workspaces: Sequence[dict[str, Any]], *, title: str, sandbox: bool) -> Table:
    return workspaces_table(workspaces, title=title, sandbox=sandbox, columns=PENDING_COLUMNS)


def listed_table(workspaces: Sequence[dict[str, Any]], *, title: str, sandbox: bool) -> Any:
    """PendingRequests or Existing as a final table: above 20, a line counts them by state instead."""
    shown, line = collapse(workspaces, lambda w: str(w.get("State") or "PENDING"))
    if line and not shown:
        return counted_line(title, line)
    return workspaces_table(shown, title=title, sandbox=sandbox, columns=PENDING_COLUMNS, caption=line)


def failed_table(failures: Sequence[dict[str, Any]], *, sandbox: bool) -> Table:
    if len(failures) > LIST_ALL_UP_TO and not ALL_ROWS.get():
        return grouped_failed_table(failures, sandbox=sandbox)
    columns = (
        Column("UserName", whole=True),
        Column("DirectoryId", whole=True, drop=2),
        Column("ErrorCode", whole=True, style="red"),
        Column("ErrorMessage", wrap=True),
        Column("Hint", wrap=True, drop=1, style="cyan"),
    )
    rows = []
    for failure in failures:
        request = failure.get("WorkspaceRequest", {})
        rows.append(
            (
                str(request.get("UserName", "")),
                str(request.get("DirectoryId", "")),
                str(failure.get("ErrorCode", "")),
                str(failure.get("ErrorMessage", "")),
                failure_hint(failure),
            )
        )
    return fit_table("FailedRequests", columns, rows, sandbox=sandbox)


def _failure_key(failure: dict[str, Any]) -> tuple[str, str, str]:
    request = failure.get("WorkspaceRequest", {})
    return str(failure.get("ErrorCode", "")), str(request.get("DirectoryId", "")), str(request.get("BundleId", ""))


def grouped_failed_table(failures: Sequence[dict[str, Any]], *, sandbox: bool) -> Table:
    """Many FailedRequests: one row per error code, directory and bundle, with one sample message."""
    groups: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for failure in failures:
        groups.setdefault(_failure_key(failure), []).append(failure)
    columns = (
        Column("Count", whole=True, justify="right"),
        Column("ErrorCode", whole=True, style="red"),
        Column("BundleId", whole=True, drop=2),
        Column("Users", wrap=True),
        Column("Sample ErrorMessage", wrap=True),
        Column("Hint", wrap=True, drop=1, style="cyan"),
    )
    rows = []
    for (code, _, bundle), members in sorted(groups.items(), key=lambda kv: -len(kv[1])):
        users = [str(m.get("WorkspaceRequest", {}).get("UserName", "")) for m in members]
        more = f", ... ({len(users) - 3:,} more)" if len(users) > 3 else ""
        rows.append(
            (
                f"{len(members):,}",
                code,
                bundle,
                ", ".join(users[:3]) + more,
                str(members[0].get("ErrorMessage", "")),
                failure_hint(members[0]),
            )
        )
    caption = f"{len(failures):,} failed requests, grouped; --verbose lists each"
    return fit_table("FailedRequests", columns, rows, sandbox=sandbox, caption=caption)


def unconfirmed_table(failures: Sequence[dict[str, Any]], *, sandbox: bool) -> Table:
    columns = (
        Column("UserName", whole=True),
        Column("DirectoryId", whole=True, drop=1),
        Column("Last error", wrap=True, style="yellow"),
    )
    rows = []
    for failure in failures:
        request = failure.get("WorkspaceRequest", {})
        rows.append(
            (str(request.get("UserName", "")), str(request.get("DirectoryId", "")), str(failure.get("ErrorCode", "")))
        )
    return fit_table("Unconfirmed (may or may not exist)", columns, rows, sandbox=sandbox)


def plan_table(requests: Sequence[dict[str, Any]], *, sandbox: bool) -> Table:
    shown = requests[:PLAN_ROWS_SHOWN]
    more = len(requests) - len(shown)
    caption = f"... and {more:,} more (use -o json for all)" if more > 0 else None
    columns = (
        Column("UserName", whole=True),
        Column("DirectoryId", whole=True, drop=5),
        Column("BundleId", whole=True, drop=4),
        Column("RunningMode", drop=3),
        Column("Compute", drop=2),
        Column("Root/User GiB", drop=1),
        Column("Encrypted", drop=6),
        Column("Tags", wrap=True, drop=7),
    )
    rows = []
    for request in shown:
        props = request.get("WorkspaceProperties") or {}
        encrypted = [
            n
            for n, k in (("root", "RootVolumeEncryptionEnabled"), ("user", "UserVolumeEncryptionEnabled"))
            if request.get(k)
        ]
        tags = ", ".join(f"{t.get('Key')}={t.get('Value', '')}" for t in request.get("Tags", []))
        rows.append(
            (
                str(request.get("UserName", "")),
                str(request.get("DirectoryId", "")),
                str(request.get("BundleId", "")),
                running_mode_text(props) if props.get("RunningMode") else "(bundle default)",
                props.get("ComputeTypeName") or "(bundle)",
                volumes_text(props) if "RootVolumeSizeGib" in props or "UserVolumeSizeGib" in props else "(bundle)",
                "+".join(encrypted) or "-",
                tags or "-",
            )
        )
    return fit_table("Requests to send", columns, rows, sandbox=sandbox, caption=caption)


def plan_outcome(
    requests: Sequence[dict[str, Any]], existing: Sequence[dict[str, Any]], calls: int, *, sandbox: bool
) -> Outcome:
    tables = []
    if requests:
        tables.append(lambda: plan_table(requests, sandbox=sandbox))
    if existing:
        tables.append(lambda: pending_table(existing, title="Existing (not sent)", sandbox=sandbox))
    return Outcome(
        data={"Requests": list(requests), "Existing": list(existing), "CreateWorkspacesCalls": calls},
        ids=[w["WorkspaceId"] for w in existing],
        tables=tables,
        table_notes=[
            f"Dry run: {len(requests):,} WorkSpace{'s' if len(requests) != 1 else ''} to create in {calls} "
            f"CreateWorkspaces call{'s' if calls != 1 else ''}; {len(existing):,} already exist. Nothing was sent."
        ],
    )


def results_outcome(
    pending: Sequence[dict[str, Any]],
    failed: Sequence[dict[str, Any]],
    existing: Sequence[dict[str, Any]],
    *,
    sandbox: bool,
    final: Sequence[dict[str, Any]] | None = None,
    unconfirmed: Sequence[dict[str, Any]] = (),
) -> Outcome:
    """PendingRequests (created by this run), FailedRequests, Existing; `Unconfirmed` only when some
    requests could not be looked up (their WorkSpaces may or may not exist: a rerun settles them)."""
    data: dict[str, Any] = {
        "PendingRequests": list(pending),
        "FailedRequests": list(failed),
        "Existing": list(existing),
    }
    if unconfirmed:
        data["Unconfirmed"] = list(unconfirmed)
    if final is not None:
        data["Workspaces"] = list(final)
    tables = []
    if pending:
        tables.append(lambda: listed_table(pending, title="PendingRequests", sandbox=sandbox))
    if existing:
        tables.append(lambda: listed_table(existing, title="Existing (not sent)", sandbox=sandbox))
    if failed:
        tables.append(lambda: failed_table(failed, sandbox=sandbox))
    if unconfirmed:
        tables.append(lambda: unconfirmed_table(unconfirmed, sandbox=sandbox))
    return Outcome(
        data=data,
        ids=[w["WorkspaceId"] for w in (*pending, *existing)],
        tables=tables,
        exit_code=ExitCode.PARTIAL if failed or unconfirmed else ExitCode.OK,
    )


def summary_line(
    created: int,
    existing: int,
    failed: int,
    calls: str,
    seconds: float,
    *,
    unconfirmed: int = 0,
    at_least: bool = False,
) -> str:
    unknown = f", unconfirmed {unconfirmed:,}" if unconfirmed else ""
    return (
        f"Created {'at least ' if at_least else ''}{created:,}, existing {existing:,}, failed {failed:,}{unknown}"
        f" · calls: {calls} · {seconds:.1f} s"
    )
