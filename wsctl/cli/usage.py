"""`wsctl usage`: hours used and billed per WorkSpace, and the running mode that costs less."""

from __future__ import annotations

from typing import Annotated

import typer

from wsctl.cli.options import (
    DebugOpt,
    NoInputOpt,
    OutputOpt,
    TargetBundleOpt,
    TargetDirectoryOpt,
    TargetIdsArg,
    app_context,
    file_option,
)


def _complete_thresholds(incomplete: str) -> list[str]:
    """COMPUTE= for --threshold, from the model's compute types."""
    from wsctl.cli.completion import complete_compute_types

    return [f"{c}=" for c in complete_compute_types(incomplete)]


def _complete_recommendations(incomplete: str) -> list[str]:
    from wsctl.spec.usage import RECOMMENDATIONS

    return [r for r in RECOMMENDATIONS if r.lower().startswith(incomplete.lower())]


# The options `usage` and `set-mode --by-usage` share, so both read usage the same way.
DaysOpt = Annotated[
    int | None, typer.Option("--days", metavar="N", help="The last N days (default 30).", show_default=False)
]
SinceOpt = Annotated[
    str | None, typer.Option("--since", metavar="DATE", help="From this date (UTC unless an offset is given) to now.")
]
UntilOpt = Annotated[
    str | None,
    typer.Option(
        "--until",
        metavar="DATE",
        help="Up to this date (UTC unless an offset is given) instead of now.",
        show_default=False,
    ),
]
ThresholdOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--threshold",
        metavar="COMPUTE=HOURS",
        help="Break-even hours a month for a compute type (repeatable); defaults: the Cost Optimizer's.",
        show_default=False,
        autocompletion=_complete_thresholds,
    ),
]
ConfigOpt = Annotated[
    str | None, typer.Option("--config", metavar="FILE", help="YAML with a `thresholds:` mapping (COMPUTE: HOURS).")
]
UnusedDaysOpt = Annotated[
    int | None,
    typer.Option("--unused-days", metavar="N", help="`unused`: no connection in N days (default: the period)."),
]
MinSavingOpt = Annotated[
    float | None,
    typer.Option(
        "--min-saving", metavar="HOURS", help="A switch saving fewer hours than this stays `keep` [default: 5]."
    ),
]
MonthEndOnlyOpt = Annotated[
    bool,
    typer.Option(
        "--month-end-only",
        metavar="",
        help="ALWAYS_ON -> AUTO_STOP only on a month's last day (UTC), as the Cost Optimizer does.",
    ),
]


def usage(
    ctx: typer.Context,
    workspace_ids: TargetIdsArg = None,
    directory_id: TargetDirectoryOpt = None,
    bundle_id: TargetBundleOpt = None,
    file: Annotated[str | None, file_option("YAML or CSV with a workspace_id per WorkSpace.")] = None,
    days: DaysOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    threshold: ThresholdOpt = None,
    config: ConfigOpt = None,
    unused_days: UnusedDaysOpt = None,
    min_saving: MinSavingOpt = None,
    month_end_only: MonthEndOnlyOpt = False,
    recommendation: Annotated[
        list[str] | None,
        typer.Option(
            "--recommendation",
            metavar="REC",
            help="Only WorkSpaces with this recommendation: keep, ALWAYS_ON, AUTO_STOP, unused (repeatable).",
            show_default=False,
            autocompletion=_complete_recommendations,
        ),
    ] = None,
    explain: Annotated[
        str | None,
        typer.Option("--explain", metavar="ID", help="Show the sessions found for this WorkSpace and how they sum."),
    ] = None,
    output: OutputOpt = None,
    no_input: NoInputOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Hours used and billed, and the cheaper running mode.

    Connected and billable hours, and whether ALWAYS_ON or AUTO_STOP costs less. With no
    targets, every WorkSpace in the Region. Reads CloudWatch's UserConnected metric and the
    last known user connection; billable hours follow the Cost Optimizer for Amazon
    WorkSpaces (each session rounded up to whole hours, plus the auto-stop time after it).
    Only read calls are made; `wsctl set-mode --by-usage` applies the recommendations.

    Example:

        \b
        wsctl --sandbox usage --days 30 --threshold STANDARD=90
        wsctl --sandbox usage --recommendation unused -o ids
    """
    app = app_context(ctx, output, no_input, debug)
    from wsctl.ops.usage import settings_from_flags, usage_report

    settings = settings_from_flags(
        days=days,
        since=since,
        until=until,
        thresholds=threshold,
        config=config,
        unused_days=unused_days,
        min_saving=min_saving,
        month_end_only=month_end_only,
        recommendations=recommendation,
        explain=explain,
        stdin=app.stdin,
    )
    report = usage_report(app, settings, list(workspace_ids or []), file, directory_id, bundle_id)
    from wsctl.render.outcome import show
    from wsctl.render.usage import usage_outcome

    raise typer.Exit(show(app, usage_outcome(report, sandbox=app.sandbox)))
