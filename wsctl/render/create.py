"""Output of `wsctl create`: plan, results, summary."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.table import Table

from wsctl.errors import ExitCode
from wsctl.render.outcome import Outcome
from wsctl.render.tables import id_column, new_table, running_mode_text, volumes_text, workspaces_table

PLAN_ROWS_SHOWN = 50
PENDING_COLUMNS = ("WorkspaceId", "UserName", "State", "RunningMode", "Compute", "BundleId")

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


def failed_table(failures: Sequence[dict[str, Any]], *, sandbox: bool) -> Table:
    table = new_table("FailedRequests", sandbox=sandbox)
    table.add_column("UserName", overflow="fold")
    id_column(table, "DirectoryId", (f.get("WorkspaceRequest", {}).get("DirectoryId") for f in failures))
    table.add_column("ErrorCode", style="red", overflow="fold")
    table.add_column("ErrorMessage", overflow="fold")
    table.add_column("Hint", style="cyan", overflow="fold")
    for failure in failures:
        request = failure.get("WorkspaceRequest", {})
        table.add_row(
            str(request.get("UserName", "")),
            str(request.get("DirectoryId", "")),
            str(failure.get("ErrorCode", "")),
            str(failure.get("ErrorMessage", "")),
            failure_hint(failure),
        )
    return table


def unconfirmed_table(failures: Sequence[dict[str, Any]], *, sandbox: bool) -> Table:
    table = new_table("Unconfirmed (may or may not exist)", sandbox=sandbox)
    table.add_column("UserName", overflow="fold")
    id_column(table, "DirectoryId", (f.get("WorkspaceRequest", {}).get("DirectoryId") for f in failures))
    table.add_column("Last error", style="yellow", overflow="fold")
    for failure in failures:
        request = failure.get("WorkspaceRequest", {})
        table.add_row(
            str(request.get("UserName", "")), str(request.get("DirectoryId", "")), str(failure.get("ErrorCode", ""))
        )
    return table


def plan_table(requests: Sequence[dict[str, Any]], *, sandbox: bool) -> Table:
    shown = requests[:PLAN_ROWS_SHOWN]
    more = len(requests) - len(shown)
    caption = f"... and {more:,} more (use -o json for all)" if more > 0 else None
    table = new_table("Requests to send", sandbox=sandbox)
    if caption:
        table.caption = caption
    table.add_column("UserName", overflow="fold")
    id_column(table, "DirectoryId", (r.get("DirectoryId") for r in shown))
    id_column(table, "BundleId", (r.get("BundleId") for r in shown))
    table.add_column("RunningMode", no_wrap=True)
    table.add_column("Compute", no_wrap=True)
    table.add_column("Root/User GiB", no_wrap=True)
    table.add_column("Encrypted", no_wrap=True)
    table.add_column("Tags", overflow="fold")
    for request in shown:
        props = request.get("WorkspaceProperties") or {}
        encrypted = [
            n
            for n, k in (("root", "RootVolumeEncryptionEnabled"), ("user", "UserVolumeEncryptionEnabled"))
            if request.get(k)
        ]
        tags = ", ".join(f"{t.get('Key')}={t.get('Value', '')}" for t in request.get("Tags", []))
        table.add_row(
            str(request.get("UserName", "")),
            str(request.get("DirectoryId", "")),
            str(request.get("BundleId", "")),
            running_mode_text(props) if props.get("RunningMode") else "(bundle default)",
            props.get("ComputeTypeName") or "(bundle)",
            volumes_text(props) if "RootVolumeSizeGib" in props or "UserVolumeSizeGib" in props else "(bundle)",
            "+".join(encrypted) or "-",
            tags or "-",
        )
    return table


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
        tables.append(lambda: pending_table(pending, title="PendingRequests", sandbox=sandbox))
    if existing:
        tables.append(lambda: pending_table(existing, title="Existing (not sent)", sandbox=sandbox))
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
