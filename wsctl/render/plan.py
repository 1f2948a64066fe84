"""Output of `wsctl plan` and `wsctl apply`: the plan as a person reads it, or as JSON in the API's names.

In the spirit of `terraform plan`: `+` create, `~` change (`from -> to` for each property),
`>` migrate, `-` terminate (an extra WorkSpace with --prune; without it an extra is listed
with `?`), `!` cannot converge, and one summary line with the counts and the calls `apply`
would make. A heading line holds the WorkSpace ID and the user name whole; the detail lines
below it are wrapped to the terminal's width, never an ID or a user name.
"""

from __future__ import annotations

import textwrap
from typing import Any

from wsctl.errors import ExitCode
from wsctl.render.outcome import Outcome
from wsctl.spec.plan_diff import Blocked, Change, FleetPlan, Migration, PropertyChange
from wsctl.text import count

INDENT = "    "
NONE_SHOWN = "(none)"


def _value(value: Any) -> str:
    if value is None:
        return NONE_SHOWN
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(str(v) for v in value) or "[]"
    return str(value)


def _arrow(item: PropertyChange) -> str:
    return f"{item.property}: {_value(item.before)} -> {_value(item.after)}"


def plan_data(plan: FleetPlan) -> dict[str, Any]:
    """The `-o json` shape: AWS's member names, one list per kind of difference."""

    def changes(items: list[PropertyChange]) -> list[dict[str, Any]]:
        return [{"Property": i.property, "From": i.before, "To": i.after} for i in items]

    def blocked(b: Blocked) -> dict[str, Any]:
        return {
            "WorkspaceId": b.workspace["WorkspaceId"],
            "UserName": b.workspace.get("UserName"),
            "Property": b.change.property,
            "From": b.change.before,
            "To": b.change.after,
            "Reason": b.reason,
        }

    return {
        "Create": plan.create,
        "Change": [
            {"WorkspaceId": c.workspace_id, "UserName": c.user_name, "Changes": changes(c.changes)} for c in plan.change
        ],
        "Migrate": [
            {
                "WorkspaceId": m.workspace["WorkspaceId"],
                "UserName": m.workspace.get("UserName"),
                "BundleId": m.bundle_id,
                "Changes": changes([PropertyChange("BundleId", m.workspace.get("BundleId"), m.bundle_id)]),
                "ThenChanges": changes(m.after),  # the new WorkSpace's, once migrated
                "Allowed": plan.allow_migrate,
            }
            for m in plan.migrate
        ],
        "Extra": [w["WorkspaceId"] for w in plan.extra],
        "CannotConverge": [blocked(b) for b in plan.cannot],
        "Unchanged": [w["WorkspaceId"] for w in plan.unchanged],
        "InProgress": [
            {"WorkspaceId": ws["WorkspaceId"], "UserName": ws.get("UserName"), **changes([item])[0]}
            for ws, item in plan.in_progress
        ],
        "Calls": plan.calls(),
    }


def summary_line(plan: FleetPlan) -> str:
    parts = [
        f"{len(plan.create):,} to create",
        f"{len(plan.change):,} to change",
        f"{len(plan.migrate):,} to migrate" + ("" if plan.allow_migrate or not plan.migrate else " (--allow-migrate)"),
        f"{len(plan.extra):,} extra" + (" to terminate" if plan.prune and plan.extra else ""),
        f"{len(plan.cannot):,} cannot converge",
        f"{len(plan.unchanged):,} unchanged",
    ]
    if plan.in_progress:
        parts.append(f"{count(len(plan.in_progress), 'change')} in progress")
    calls = plan.calls()
    made = ", ".join(f"{n:,} {op}" for op, n in calls.items()) if calls else "no call that changes anything"
    return f"Plan: {', '.join(parts)}. apply would make {made}."


def _migration_details(migration: Migration) -> list[str]:
    ws = migration.workspace
    # What else differs is the new WorkSpace's, once migrated: `apply --wait` sends it when the
    # migration is done; without --wait, the next apply does.
    then = [f"then {_arrow(c)} (once migrated)" for c in migration.after]
    return [f"BundleId: {ws.get('BundleId')} -> {migration.bundle_id}", *then]


def plan_lines(plan: FleetPlan, width: int | None) -> list[str]:
    """The plan, each line at most `width` columns (None: any), IDs and user names never cut."""
    out: list[str] = []

    def fits(text: str) -> bool:
        return width is None or len(text) <= width

    def heading(mark: str, what: str, workspace_id: str, user: str, note: str = "") -> None:
        line = f"{mark} {what} {workspace_id} {user}".rstrip()
        if fits(line + (f" ({note})" if note else "")):
            out.append(line + (f" ({note})" if note else ""))
            return
        if fits(line):
            out.append(line)
        else:  # the user name on a line of its own, so neither it nor the ID is cut
            out.append(f"{mark} {what} {workspace_id}")
            out.append(INDENT + user if fits(INDENT + user) else user)
        if note:
            detail(f"({note})")

    def detail(text: str) -> None:
        if width is None or len(INDENT) + len(text) <= width:
            out.append(INDENT + text)
            return
        out.extend(
            textwrap.wrap(
                text,
                width=max(width, 20),
                initial_indent=INDENT,
                subsequent_indent=INDENT + "  ",
                break_long_words=False,
                break_on_hyphens=False,
            )
        )

    for request in plan.create:
        heading("+", "create", str(request.get("UserName", "")), f"in {request.get('DirectoryId', '')}")
        detail(_request_text(request))
    for change in plan.change:
        _change_lines(change, heading, detail)
    for migration in plan.migrate:
        ws = migration.workspace
        note = "" if plan.allow_migrate else "not done without --allow-migrate: it recreates the root volume"
        heading(">", "migrate", str(ws["WorkspaceId"]), str(ws.get("UserName", "")), note)
        for line in _migration_details(migration):
            detail(line)
    pruned = ("-", "terminate", "not in the file")
    mark, what, why = pruned if plan.prune else ("?", "extra", "not in the file; --prune")
    for ws in plan.extra:
        heading(mark, what, str(ws["WorkspaceId"]), str(ws.get("UserName", "")), why)
    for blocked in plan.cannot:
        ws = blocked.workspace
        heading("!", "cannot converge", str(ws["WorkspaceId"]), str(ws.get("UserName", "")))
        detail(_arrow(blocked.change))
        detail(blocked.reason)
    for ws, item in plan.in_progress:
        heading("*", "in progress", str(ws["WorkspaceId"]), str(ws.get("UserName", "")))
        detail(_arrow(item))
    summary = summary_line(plan)
    wrapped = textwrap.wrap(summary, width=width, break_long_words=False, break_on_hyphens=False) if width else []
    out.extend(wrapped or [summary])
    return out


def _request_text(request: dict[str, Any]) -> str:
    """What a new WorkSpace gets, in a few words: bundle, compute, running mode, volumes, tags."""
    props = request.get("WorkspaceProperties") or {}
    shown = [str(request.get("BundleId", ""))]
    if props.get("ComputeTypeName"):
        shown.append(str(props["ComputeTypeName"]))
    if props.get("RunningMode"):
        timeout = props.get("RunningModeAutoStopTimeoutInMinutes")
        shown.append(str(props["RunningMode"]) + (f" {timeout} min" if timeout else ""))
    if "RootVolumeSizeGib" in props or "UserVolumeSizeGib" in props:
        shown.append(f"{props.get('RootVolumeSizeGib', '-')}/{props.get('UserVolumeSizeGib', '-')} GiB")
    if request.get("RootVolumeEncryptionEnabled") or request.get("UserVolumeEncryptionEnabled"):
        shown.append("encrypted")
    if request.get("Tags"):
        shown.append("tags " + ",".join(f"{t['Key']}={t.get('Value', '')}" for t in request["Tags"]))
    return ", ".join(shown)


def _change_lines(change: Change, heading: Any, detail: Any) -> None:
    heading("~", "change", change.workspace_id, change.user_name)
    for item in change.changes:
        detail(_arrow(item))


def plan_outcome(plan: FleetPlan, *, sandbox: bool, exit_code: int = 0) -> Outcome:
    from wsctl.render.tables import FIT_WIDTH

    def text() -> Any:
        from rich.text import Text

        lines = plan_lines(plan, FIT_WIDTH.get())
        if sandbox:
            lines.insert(0, "Plan (SANDBOX)")
        return Text("\n".join(lines))

    # -o ids: the WorkSpaces apply would act on (what it would create has no ID yet).
    ids = [c.workspace_id for c in plan.change] + [str(m.workspace["WorkspaceId"]) for m in plan.migrate]
    ids += [str(w["WorkspaceId"]) for w in plan.extra] if plan.prune else []
    return Outcome(data=plan_data(plan), ids=ids, tables=[text], exit_code=exit_code)


# Applied rows whose state is "requested": the table's step, and the key of Applied's JSON.
_REQUESTED_STEPS = (("change", "Changed"), ("tags", "Tagged"))


def applied_outcome(data: dict[str, Any], *, users: dict[str, str], sandbox: bool) -> Outcome:
    """What `apply` did: one row a WorkSpace and step; -o json keeps the lists by step."""
    rows: list[tuple[str, str, str, str]] = []
    users = dict(users)
    for ws in data.get("Created", []):
        users[str(ws["WorkspaceId"])] = str(ws.get("UserName") or "")
        rows.append(("create", str(ws["WorkspaceId"]), str(ws.get("UserName") or ""), str(ws.get("State") or "")))
    migrated = {str(m["TargetWorkspaceId"]): m for m in data.get("Migrated", [])}
    # A migrated WorkSpace's own changes (apply --wait sends them after the migration) follow its migrate row.
    for step, key in _REQUESTED_STEPS:
        rows += [(step, i, users.get(i, ""), "requested") for i in data.get(key, []) if i not in migrated]
    for target, m in migrated.items():
        source = str(m["SourceWorkspaceId"])
        users.setdefault(target, users.get(source, ""))
        rows.append(("migrate", source, users.get(source, ""), f"new WorkSpace {target}"))
        rows += [
            (step, target, users[target], "requested") for step, key in _REQUESTED_STEPS if target in data.get(key, [])
        ]
    rows += [("terminate", i, users.get(i, ""), "requested") for i in data.get("Terminated", [])]
    for f in data.get("Failed", []):
        who = str(f.get("WorkspaceId") or "")
        user = str(f.get("UserName") or users.get(who, ""))
        rows.append((str(f.get("Step")), who, user, f"failed: {f.get('ErrorCode')}: {f.get('ErrorMessage') or ''}"))

    def table() -> Any:
        from wsctl.render.tables import id_column, new_table

        made = new_table("Applied", sandbox=sandbox)
        made.add_column("Step", no_wrap=True)
        id_column(made, "WorkspaceId", (r[1] for r in rows))
        made.add_column("UserName", no_wrap=True)
        made.add_column("Result", overflow="fold")
        for row in rows:
            made.add_row(*row)
        return made

    ids = [str(w["WorkspaceId"]) for w in data.get("Created", [])] + [
        str(m["TargetWorkspaceId"]) for m in data.get("Migrated", [])
    ]
    return Outcome(
        data=data,
        ids=ids,
        tables=[table] if rows else [],
        empty_note=None,
        exit_code=ExitCode.PARTIAL if data.get("Failed") else ExitCode.OK,
    )
