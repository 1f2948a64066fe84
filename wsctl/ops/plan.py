"""`plan`: the difference between a fleet file and what AWS reports, with no state file.

Reads the file as `create` does (every problem reported before any call), then the current
fleet of every directory the file names (DescribeWorkspaces by directory, 25 a page) and
the tags of the WorkSpaces whose entries manage tags (one DescribeTags each: the API takes
one resource a call and DescribeWorkspaces returns no tags). No other call is made.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from wsctl.context import AppContext
from wsctl.errors import ExitCode, InvalidInput, UsageError

if TYPE_CHECKING:
    from wsctl.errors import LocatedProblem
    from wsctl.input.batch import FlagValues
    from wsctl.spec.plan_diff import FleetPlan


def read_requests(
    app: AppContext, files: list[str], flags: FlagValues, flag_problems: list[LocatedProblem] | None = None
) -> list[dict[str, Any]]:
    """The file's entries as WorkspaceRequests; exit 2 on any problem, nothing sent."""
    from wsctl.input.batch import load_batch

    batch = load_batch(files, flags, app.stdin)
    if batch.problems or flag_problems:
        raise InvalidInput([*(flag_problems or []), *batch.problems])
    if not batch.requests:
        given = [("<stdin>" if f == "-" else f) for f in files] or ["the flags"]
        raise UsageError(f"nothing to plan: no entries in {', '.join(given)}")
    for line in batch.warnings:
        app.warn(line)
    return [p.request for p in batch.requests]


def compute_plan(app: AppContext, requests: list[dict[str, Any]], *, allow_migrate: bool, prune: bool) -> FleetPlan:
    """What AWS reports now, compared with the requests (the reads only)."""
    from wsctl.spec.plan_diff import diff_fleet, manages_tags, match_workspaces, user_key

    service = app.service
    workspaces: list[dict[str, Any]] = []
    for directory_id in dict.fromkeys(str(r["DirectoryId"]) for r in requests):
        workspaces += service.describe_workspaces(directory_id=directory_id)
    live, _ = match_workspaces(workspaces)
    tagged = []
    for request in requests:
        ws = live.get(user_key(str(request["DirectoryId"]), request))
        # A WorkSpace about to migrate too: what else differs is shown with its migration.
        if ws is not None and manages_tags(request):
            tagged.append(str(ws["WorkspaceId"]))
    tags = service.describe_tags(tagged) if tagged else {}
    return diff_fleet(requests, workspaces, tags, allow_migrate=allow_migrate, prune=prune)


def plan_exit_code(plan: FleetPlan, detailed: bool) -> int:
    """--detailed-exitcode: 5 when apply would change something or something cannot converge."""
    return ExitCode.DIFFERENT if detailed and (plan.calls() or plan.cannot) else ExitCode.OK


def run_plan(
    app: AppContext,
    files: list[str],
    flags: FlagValues,
    *,
    allow_migrate: bool,
    prune: bool,
    detailed_exitcode: bool,
    flag_problems: list[LocatedProblem] | None = None,
) -> int:
    import time

    from wsctl.options import OutputFormat
    from wsctl.render.outcome import show
    from wsctl.render.plan import plan_outcome, summary_line

    started = time.monotonic()
    requests = read_requests(app, files, flags, flag_problems)
    plan = compute_plan(app, requests, allow_migrate=allow_migrate, prune=prune)
    code = plan_exit_code(plan, detailed_exitcode)
    show(app, plan_outcome(plan, sandbox=app.sandbox, exit_code=code))
    if app.output not in (OutputFormat.table, OutputFormat.wide):
        app.note(summary_line(plan))  # a table has it as its last line
    app.note(f"calls: {app.service.calls.summary()} · {time.monotonic() - started:.1f} s")
    return code
