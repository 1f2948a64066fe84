"""`wsctl usage`: connected and billable hours per WorkSpace, and the running mode that costs less.

Read-only: DescribeWorkspaces, DescribeWorkspacesConnectionStatus, DescribeTags (only for
WorkSpaces a change would be recommended for, to honour `Skip_Convert`) and CloudWatch
GetMetricData. The arithmetic is in `wsctl.spec.usage`; `set-mode --by-usage` uses the same report.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from typing import Any

from wsctl.context import AppContext
from wsctl.errors import InvalidInput, LocatedProblem
from wsctl.spec import usage as u
from wsctl.spec.usage_report import UsageReport, UsageRow, UsageSettings

_NUMBER = re.compile(r"(?:0|[1-9][0-9]{0,5})(?:\.[0-9]{1,3})?\Z", re.ASCII)
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2})?(?:Z|[+-][0-9]{2}:[0-9]{2})?)?\Z")
DEFAULT_DAYS = 30
_NO_OPERATION = "UnknownOperationException"  # what an endpoint without an operation answers (the sandbox)


def settings_from_flags(
    *,
    days: int | None,
    since: str | None,
    until: str | None = None,
    thresholds: Sequence[str] | None,
    config: str | None,
    unused_days: int | None,
    min_saving: float | None,
    month_end_only: bool = False,
    recommendations: Sequence[str] | None = None,
    explain: str | None = None,
    stdin: Any = None,
    now: dt.datetime | None = None,
) -> UsageSettings:
    """Every flag checked before any call; all problems at once (exit 2)."""
    now = now or dt.datetime.now(dt.UTC)
    problems: list[LocatedProblem] = []
    end = _floor(now, u.FIVE_MINUTES)
    if until is not None:
        # A fixed period gives the same answer whenever it is asked (a report, the README's tour).
        ended = _parse_moment("--until", until, now, problems)
        if ended is not None:
            end = _floor(ended, u.FIVE_MINUTES)
    start = end - dt.timedelta(days=days if days is not None else DEFAULT_DAYS)
    if days is not None and since is not None:
        problems.append(LocatedProblem("--days --since", "", "give the period one way, not both"))
    if days is not None and not 1 <= days <= u.HOURLY_RETENTION_DAYS:
        problems.append(LocatedProblem("--days", "", f"{days} is out of range: 1 to {u.HOURLY_RETENTION_DAYS}"))
    if since is not None:
        before = len(problems)
        parsed = _parse_moment("--since", since, now, problems)
        if parsed is not None:
            start = _floor(parsed, u.FIVE_MINUTES)
            if start >= end and len(problems) == before:  # a --since in the future is already said
                problems.append(LocatedProblem("--since --until", "", "the period must start before it ends"))
    merged = dict(u.DEFAULT_THRESHOLDS)
    if config:
        merged.update(_config_thresholds(config, stdin, problems))
    merged.update(_flag_thresholds(thresholds or (), problems))
    if unused_days is not None and not 1 <= unused_days <= u.HOURLY_RETENTION_DAYS:
        problems.append(
            LocatedProblem("--unused-days", "", f"{unused_days} is out of range: 1 to {u.HOURLY_RETENTION_DAYS}")
        )
    if min_saving is not None and (math.isnan(min_saving) or min_saving < 0):
        problems.append(LocatedProblem("--min-saving", "", f"{min_saving} is not 0 or more hours"))
    for value in recommendations or ():
        if value not in u.RECOMMENDATIONS:
            problems.append(
                LocatedProblem("--recommendation", "", f"{value!r} is not one of {', '.join(u.RECOMMENDATIONS)}")
            )
    if explain is not None:
        from wsctl.spec import model

        problems += [
            LocatedProblem("--explain", "", p.message) for p in model.validator().validate_shape("WorkspaceId", explain)
        ]
    if problems:
        raise InvalidInput(problems)
    period_days = (end - start).total_seconds() / 86400
    return UsageSettings(
        start=start,
        end=end,
        thresholds=merged,
        unused_days=float(unused_days) if unused_days is not None else period_days,
        min_saving=u.DEFAULT_MIN_SAVING if min_saving is None else float(min_saving),
        month_end_only=month_end_only,
        recommendations=tuple(dict.fromkeys(recommendations or ())),
        explain=explain,
        now=now,
    )


def _floor(moment: dt.datetime, seconds: int) -> dt.datetime:
    stamp = int(moment.timestamp())
    return dt.datetime.fromtimestamp(stamp - stamp % seconds, dt.UTC)


def _parse_moment(flag: str, text: str, now: dt.datetime, problems: list[LocatedProblem]) -> dt.datetime | None:
    hint = "a date such as 2026-11-01 or 2026-11-01T08:00Z (UTC unless an offset is given)"
    if not _DATE.match(text):
        problems.append(LocatedProblem(flag, "", f"{text!r} is not {hint}"))
        return None
    try:
        parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        problems.append(LocatedProblem(flag, "", f"{text!r}: {exc}"))
        return None
    parsed = parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
    if parsed >= now:
        problems.append(LocatedProblem(flag, "", f"{text!r} is not in the past"))
    elif parsed > now - dt.timedelta(minutes=5):
        # CloudWatch's newest 5-minute point is still being filled: a period ending inside it is short.
        problems.append(
            LocatedProblem(flag, "", f"{text!r} is less than 5 minutes ago; give an earlier time or leave {flag} out")
        )
    elif parsed < now - dt.timedelta(days=u.HOURLY_RETENTION_DAYS):
        problems.append(
            LocatedProblem(
                flag,
                "",
                f"{text!r} is more than {u.HOURLY_RETENTION_DAYS} days ago, beyond CloudWatch's retention",
            )
        )
    return parsed


def _compute_types() -> tuple[str, ...]:
    from wsctl.spec.enums import COMPUTE, enum_values

    return enum_values(COMPUTE)


def _threshold_problem(where: str, compute: str, hours: str) -> str | None:
    valid = _compute_types()
    if compute not in valid:
        return f"{compute!r} is not a compute type; valid: {', '.join(valid)}"
    if not _NUMBER.match(hours):
        return f"{hours!r} is not a number of hours a month (0 or more, e.g. 85 or 82.5)"
    return None


def _flag_thresholds(values: Sequence[str], problems: list[LocatedProblem]) -> dict[str, float]:
    out: dict[str, float] = {}
    for raw in values:
        compute, sep, hours = raw.partition("=")
        if not sep:
            problems.append(LocatedProblem("--threshold", "", f"{raw!r} is not COMPUTE=HOURS (e.g. STANDARD=85)"))
            continue
        message = _threshold_problem("--threshold", compute.strip(), hours.strip())
        if message:
            problems.append(LocatedProblem("--threshold", "", message))
            continue
        out[compute.strip()] = float(hours)
    return out


def _config_thresholds(path: str, stdin: Any, problems: list[LocatedProblem]) -> dict[str, float]:
    """`thresholds:` from a YAML file: compute type -> hours a month; each problem at file:line:col."""
    from wsctl.input import yamlsafe
    from wsctl.input.sources import read_source

    name, text, error = read_source(path, stdin)
    if text is None:
        problems.append(LocatedProblem(name, "", error or "cannot read"))
        return {}
    try:
        root = yamlsafe.load(text)
    except yamlsafe.YamlError as exc:
        where = f"{name}:{exc.mark.line}:{exc.mark.col}" if exc.mark else name
        problems.append(LocatedProblem(where, "", exc.message))
        return {}
    if root is None:
        return {}
    if not isinstance(root, dict):
        problems.append(LocatedProblem(name, "", "the file must be a mapping with a `thresholds:` key"))
        return {}
    out: dict[str, float] = {}
    for key in root:
        if key != "thresholds":
            mark = getattr(root, "key_marks", {}).get(key)
            where = f"{name}:{mark.line}:{mark.col}" if mark else name
            problems.append(LocatedProblem(where, str(key), "unknown key; this file takes `thresholds:`"))
    table = root.get("thresholds")
    if table is None:
        return out
    if not isinstance(table, dict):
        mark = getattr(root, "value_marks", {}).get("thresholds")
        where = f"{name}:{mark.line}:{mark.col}" if mark else name
        problems.append(LocatedProblem(where, "thresholds", "must map compute types to hours, e.g. STANDARD: 85"))
        return out
    for compute, hours in table.items():
        mark = getattr(table, "value_marks", {}).get(compute)
        where = f"{name}:{mark.line}:{mark.col}" if mark else name
        written = yamlsafe.as_written(table, compute)
        text_hours = str(written) if isinstance(written, int | float | str) and not isinstance(written, bool) else "?"
        message = _threshold_problem(where, str(compute), text_hours)
        if message:
            problems.append(LocatedProblem(where, str(compute), message))
            continue
        out[str(compute)] = float(hours)
    return out


def usage_report(
    app: AppContext,
    settings: UsageSettings,
    ids: list[str],
    file: str | None,
    directory_id: str | None,
    bundle_id: str | None,
) -> UsageReport:
    """Describe the targets (every WorkSpace when none is given), read their usage, recommend."""
    from wsctl.ops.changes import refuse_missing, resolve_targets

    if ids or file or directory_id or bundle_id:
        _, workspaces, unknown = resolve_targets(app, ids, file, directory_id, bundle_id, allowed=set(), int_keys=set())
        refuse_missing(unknown)
    else:
        workspaces = app.service.describe_workspaces()
    if settings.explain and settings.explain not in {w["WorkspaceId"] for w in workspaces}:
        raise InvalidInput(
            [LocatedProblem("--explain", "", f"{settings.explain} is not among the WorkSpaces reported")]
        )
    return measure_workspaces(app, settings, workspaces)


def measure_workspaces(app: AppContext, settings: UsageSettings, workspaces: list[dict[str, Any]]) -> UsageReport:
    from wsctl.aws.cloudwatch import CloudWatchService, build_cloudwatch_client
    from wsctl.aws.ratelimit import TokenBucket

    ids = [str(w["WorkspaceId"]) for w in workspaces]
    interval = settings.interval
    # Its own bucket with the same --max-rate/--burst: CloudWatch's limits are not WorkSpaces'.
    bucket = TokenBucket(app.options.max_rate, app.options.burst)
    session = None if app.sandbox else app.session  # the WorkSpaces client's: credentials resolved once
    cloudwatch = CloudWatchService(build_cloudwatch_client(app.options, bucket, session), rate_limiter=bucket)
    # The two services have their own buckets: the connection status is read while CloudWatch answers.
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="wsctl-status") as pool:
        pending = pool.submit(_connection_status, app, ids)
        metrics = cloudwatch.user_connected(ids, settings.fetch_start, settings.end, interval) if ids else None
        statuses = pending.result()
    rules = settings.rules()
    unused_from = settings.end - dt.timedelta(days=settings.unused_days)
    rows: list[UsageRow] = []
    for ws in workspaces:
        points = metrics.points.get(ws["WorkspaceId"]) if metrics else None
        points = points or u.Series()
        rows.append(_row(ws, points, statuses.get(ws["WorkspaceId"], {}), settings, interval, unused_from, rules))
    _apply_skip_tags(app, rows, rules)
    calls = dict(app.service.calls.counts)
    calls.update(cloudwatch.calls.counts)
    return UsageReport(settings, rows, interval, calls=calls, problems=metrics.problems if metrics else [])


def _unsupported(code: str) -> bool:
    """An endpoint without the operation: a local emulator (moto answers HTML 500, the sandbox a code)."""
    return code.isdigit() or code == _NO_OPERATION


def _connection_status(app: AppContext, ids: list[str]) -> dict[str, dict[str, Any]]:
    from wsctl.errors import ServiceError

    if not ids:
        return {}
    try:
        return app.service.connection_status(ids)
    except ServiceError as exc:
        if not _unsupported(exc.code):
            raise
        app.warn(
            "the endpoint does not serve DescribeWorkspacesConnectionStatus: no LastKnownUserConnectionTimestamp, "
            "`unused` is judged from UserConnected alone"
        )
        return {}


def _row(
    ws: dict[str, Any],
    points: u.Series,
    status: dict[str, Any],
    settings: UsageSettings,
    interval: int,
    unused_from: dt.datetime,
    rules: u.Rules,
) -> UsageRow:
    props = ws.get("WorkspaceProperties") or {}
    in_period = points.between(settings.start.timestamp(), settings.end.timestamp())
    usage = u.measure(
        in_period,
        interval_seconds=interval,
        running_mode=props.get("RunningMode"),
        auto_stop_timeout=props.get("RunningModeAutoStopTimeoutInMinutes"),
    )
    last_known = status.get("LastKnownUserConnectionTimestamp")
    if isinstance(last_known, dt.datetime) and last_known.tzinfo is None:
        last_known = last_known.replace(tzinfo=dt.UTC)
    connected = points.connected_since(unused_from.timestamp()) or (
        isinstance(last_known, dt.datetime) and last_known >= unused_from
    )
    timeout = props.get("RunningModeAutoStopTimeoutInMinutes")
    at_60 = None
    if props.get("RunningMode") == "AUTO_STOP" and isinstance(timeout, int) and timeout > u.ALWAYS_ON_IDLE_MINUTES:
        at_60 = u.measure(
            in_period, interval_seconds=interval, running_mode="AUTO_STOP", auto_stop_timeout=u.ALWAYS_ON_IDLE_MINUTES
        ).billable_hours
    facts = u.Facts(
        running_mode=props.get("RunningMode"),
        compute_type=props.get("ComputeTypeName"),
        billable_hours=usage.billable_hours,
        has_data=usage.points > 0,
        connected_in_unused_window=connected,
        billable_hours_at_60=at_60,
        auto_stop_timeout=timeout if isinstance(timeout, int) else None,
    )
    return UsageRow(ws, usage, last_known if isinstance(last_known, dt.datetime) else None, u.recommend(facts, rules))


def _apply_skip_tags(app: AppContext, rows: list[UsageRow], rules: u.Rules) -> None:
    """Skip_Convert, read only for the WorkSpaces a change is recommended for (one DescribeTags each)."""
    candidates = [r for r in rows if r.advice.recommendation != u.KEEP]
    if not candidates:
        return
    tags = app.service.tags_of([r.workspace_id for r in candidates])
    if tags and all(isinstance(t, str) and _unsupported(t) for t in tags.values()):
        app.warn("the endpoint does not serve DescribeTags: Skip_Convert tags were not checked")
        return
    for row in candidates:
        found = tags.get(row.workspace_id, [])
        if isinstance(found, str):
            # As the Cost Optimizer does when it cannot read a WorkSpace's tags: no change for it.
            row.advice = u.Advice(u.KEEP, f"its tags could not be read ({found}), so Skip_Convert is unknown", 0.0)
        elif u.has_skip_tag(found):
            row.advice = u.Advice(u.KEEP, "tag Skip_Convert: excluded from recommendations", 0.0)
