"""`wsctl describe`: DescribeWorkspaces with its filter rules, every page, in any format."""

from __future__ import annotations

from typing import Annotated, Any, TextIO

import typer

from wsctl.cli.completion import complete_bundle_ids, complete_directory_ids, complete_states
from wsctl.cli.options import (
    DebugOpt,
    NoInputOpt,
    OutputOpt,
    PollIntervalOpt,
    app_context,
    timeout_option,
    wait_option,
)
from wsctl.errors import LocatedProblem, UsageError
from wsctl.options import OutputFormat

FLAGS = {
    "WorkspaceIds": "--id",
    "WorkspaceId": "--id",
    "DirectoryId": "--directory-id",
    "UserName": "--user",
    "BundleId": "--bundle-id",
    "WorkspaceName": "--name",
    "Limit": "--limit",
}


def describe(
    ctx: typer.Context,
    ids: Annotated[
        list[str] | None,
        typer.Option("--id", metavar="ID", help="A WorkSpace ID (repeatable; any number, 25 per call)."),
    ] = None,
    directory_id: Annotated[
        str | None,
        typer.Option(
            "--directory-id",
            metavar="ID",
            help="WorkSpaces of this directory.",
            autocompletion=complete_directory_ids,
        ),
    ] = None,
    user: Annotated[
        str | None, typer.Option("--user", metavar="NAME", help="Only this user's WorkSpace (needs --directory-id).")
    ] = None,
    bundle_id: Annotated[
        str | None,
        typer.Option(
            "--bundle-id", metavar="ID", help="WorkSpaces created from this bundle.", autocompletion=complete_bundle_ids
        ),
    ] = None,
    name: Annotated[
        str | None, typer.Option("--name", metavar="NAME", help="The WorkSpace with this WorkspaceName.")
    ] = None,
    ids_from: Annotated[
        str | None,
        typer.Option("--ids-from", metavar="FILE", help="Read WorkSpace IDs from FILE, one a line (- for stdin)."),
    ] = None,
    limit: Annotated[int | None, typer.Option("--limit", min=1, metavar="N", help="Show at most N WorkSpaces.")] = None,
    states: Annotated[
        list[str] | None,
        typer.Option(
            "--state",
            metavar="STATE",
            help="Keep only WorkSpaces in this state (repeatable; filtered here, not by AWS).",
            autocompletion=complete_states,
        ),
    ] = None,
    columns: Annotated[
        str | None,
        typer.Option(
            "--columns",
            metavar="NAMES",
            help="The table's columns, comma-separated, named as in -o json (WorkspaceId,UserName,State,...).",
        ),
    ] = None,
    wait: Annotated[
        bool, wait_option("Wait until every selected WorkSpace settles (resumes an interrupted wait).")
    ] = False,
    timeout: Annotated[float | None, timeout_option(("describe", ""))] = None,
    poll_interval: PollIntervalOpt = None,
    output: OutputOpt = None,
    no_input: NoInputOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Show WorkSpaces: all of them, or those one filter selects.

    The service takes one filter at a time (--id, --directory-id, --bundle-id or --name);
    --user narrows --directory-id to one user. Every page is fetched.

    Example:

        \b
        wsctl --sandbox describe --directory-id d-318474464b --state AVAILABLE -o ids
    """
    app = app_context(ctx, output, no_input, debug)
    chosen = _check_columns(columns)
    ids = list(dict.fromkeys([*(ids or []), *read_ids(ids_from, app.stdin)]))
    wanted_states = _check_filters(ids, directory_id, user, bundle_id, name, states or [])

    workspaces = app.service.describe_workspaces(
        workspace_ids=ids,
        directory_id=directory_id,
        user_name=user,
        bundle_id=bundle_id,
        workspace_name=name,
        limit=None if wanted_states else limit,
    )
    from wsctl.cli.completion import remember_workspaces, scope_of

    remember_workspaces(scope_of(app.options), workspaces)  # for --directory-id/--bundle-id <TAB>
    if wanted_states:
        workspaces = [w for w in workspaces if w.get("State") in wanted_states][:limit]
    if wait:
        from wsctl.ops.waiting import wait_for_workspaces

        raise typer.Exit(
            wait_for_workspaces(
                app, workspaces, timeout=timeout, poll_interval=poll_interval, requested_ids=ids, columns=chosen
            )
        )
    from wsctl.render.describe import workspaces_outcome
    from wsctl.render.outcome import show

    show(app, workspaces_outcome(workspaces, sandbox=app.sandbox, columns=chosen))


def _check_columns(text: str | None) -> list[str] | None:
    """--columns as names of the column registry; exit 2 before any call on an unknown name."""
    if text is None:
        return None
    from wsctl.render.columns import resolve

    names, problems = resolve(text)
    if problems:
        from wsctl.errors import InvalidInput

        raise InvalidInput([LocatedProblem("--columns", "", p) for p in problems])
    return names


def read_ids(path: str | None, stdin: TextIO) -> list[str]:
    """IDs one a line from a file or stdin (blank lines and # comments skipped)."""
    if path is None:
        return []
    from wsctl.input.sources import id_lines, read_source

    name, text, error = read_source(path, stdin)
    if error is not None or text is None:
        raise UsageError(f"--ids-from {path}: {error}")
    return [value for value, _ in id_lines(text, name)]


def _check_filters(
    ids: list[str],
    directory_id: str | None,
    user: str | None,
    bundle_id: str | None,
    name: str | None,
    states: list[str],
) -> set[str]:
    from wsctl.input.flags import flag_problems, raise_if_problems
    from wsctl.spec import enums as modeldata
    from wsctl.spec import model

    problems: list[LocatedProblem] = []
    chosen = [
        flag
        for flag, value in (
            ("--id", ids),
            ("--directory-id", directory_id),
            ("--bundle-id", bundle_id),
            ("--name", name),
        )
        if value
    ]
    if len(chosen) > 1:
        problems.append(
            LocatedProblem(
                " ".join(chosen),
                "",
                "the service takes one filter at a time; "
                "use one of --id, --directory-id, --bundle-id, --name (add --state to narrow further)",
            )
        )
    if user and not directory_id:
        problems.append(LocatedProblem("--user", "", "needs --directory-id (the service looks users up per directory)"))
    params: dict[str, Any] = {}
    for key, value in (
        ("DirectoryId", directory_id),
        ("UserName", user),
        ("BundleId", bundle_id),
        ("WorkspaceName", name),
    ):
        if value is not None:
            params[key] = value
    # Nothing to check means no service model to load (a plain `wsctl describe` stays quick).
    found = model.validate("DescribeWorkspaces", params) if params else []
    for workspace_id in ids:
        found += model.validator().validate_shape("WorkspaceId", workspace_id, ("WorkspaceId",))
    problems += flag_problems(found, FLAGS)
    valid_states = modeldata.enum_values(modeldata.WORKSPACE_STATE) if states else ()
    for state in states:
        if state not in valid_states:
            message = model.validator().validate_shape("WorkspaceState", state)[0].message
            problems.append(LocatedProblem("--state", "", message))
    raise_if_problems(problems)
    return set(states)


__all__ = ["describe", "OutputFormat"]
