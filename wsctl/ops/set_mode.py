"""`set-mode`: the plan of running-mode changes, checked against the model and the rules."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from wsctl.input.targets import Target
    from wsctl.ops.changes import Plan
    from wsctl.spec.usage_report import UsageReport

FLAGS = {"running_mode": "--running-mode", "auto_stop_timeout": "--auto-stop-timeout"}
MEMBER_KEYS = {"RunningMode": "running_mode", "RunningModeAutoStopTimeoutInMinutes": "auto_stop_timeout"}


def check_flag_values(running_mode: str | None, auto_stop_timeout: int | None) -> None:
    """The flags' own values, before any WorkSpace is looked up: a mistyped mode costs no call."""
    from wsctl.input.flags import flag_problems, raise_if_problems
    from wsctl.spec import model, rules

    props = {k: v for k, v in zip(MEMBER_KEYS, (running_mode, auto_stop_timeout), strict=True) if v is not None}
    if not props:
        return
    found = rules.merge(
        model.validator().validate_shape("WorkspaceProperties", props),
        [p for p in rules.running_mode_problems(props, ()) if not p.warning],
    )
    raise_if_problems(flag_problems(found, {m: FLAGS[k] for m, k in MEMBER_KEYS.items()}))


def build_plan(
    targets: list[Target], workspaces: list[dict[str, Any]], running_mode: str | None, auto_stop_timeout: int | None
) -> Plan:
    from wsctl.ops.changes import Plan, PlannedChange, locate_problems
    from wsctl.spec import model, rules

    plan = Plan()
    checker = model.validator()
    manual = 0
    for target, ws in zip(targets, workspaces, strict=True):
        mode = target.values.get("running_mode", running_mode)
        timeout = target.values.get("auto_stop_timeout", auto_stop_timeout)
        if "running_mode" in target.values and "auto_stop_timeout" not in target.values and mode != "AUTO_STOP":
            timeout = None  # a flag's timeout does not follow a row that chose another mode
        props: dict[str, Any] = {}
        if mode is not None:
            props["RunningMode"] = mode
        if timeout is not None:
            props["RunningModeAutoStopTimeoutInMinutes"] = timeout
        current = ws.get("WorkspaceProperties") or {}
        found = rules.merge(
            checker.validate_shape("WorkspaceProperties", props),
            rules.running_mode_problems(props, (), current_mode=current.get("RunningMode")),
        )
        manual += sum(1 for p in found if p.warning)
        plan.problems += locate_problems([p for p in found if not p.warning], target, FLAGS, MEMBER_KEYS)
        if not props:
            plan.problems.append(_needs_mode(target))
            continue
        if all(current.get(k) == v for k, v in props.items()):
            plan.unchanged.append(ws)
            continue
        wanted = dict(props)
        if wanted.get("RunningMode", current.get("RunningMode")) == "AUTO_STOP" and timeout is None:
            wanted.pop("RunningModeAutoStopTimeoutInMinutes", None)
        plan.changes.append(PlannedChange(ws, [props], wanted))
    if manual:
        plan.warnings.append(f"running mode MANUAL {rules.CORE_NOTE} ({manual} WorkSpaces)")
    return plan


def _needs_mode(target: Target) -> Any:
    from wsctl.errors import LocatedProblem

    return LocatedProblem(
        target.where, "", f"{target.workspace_id}: no running mode given (--running-mode or the file)"
    )


def build_usage_plan(report: UsageReport) -> Plan:
    """`--by-usage`: exactly the ALWAYS_ON/AUTO_STOP recommendations of `wsctl usage` with the same options."""
    from wsctl.ops.changes import Plan, PlannedChange
    from wsctl.spec import usage as u

    plan = Plan()
    mid_month = 0
    month_end = u.is_month_end(report.settings.now)
    for row in report.shown:
        mode = row.advice.recommendation
        if mode not in (u.ALWAYS_ON, u.AUTO_STOP):
            plan.unchanged.append(row.workspace)
            continue
        # The mode alone, as the Cost Optimizer sends it: AUTO_STOP gets the service's default timeout.
        props = {"RunningMode": mode}
        plan.changes.append(PlannedChange(row.workspace, [props], dict(props)))
        mid_month += mode == u.AUTO_STOP and not month_end
    if mid_month:
        plan.warnings.append(
            f"{mid_month} ALWAYS_ON -> AUTO_STOP switch{'es' if mid_month != 1 else ''} mid-month: an ALWAYS_ON "
            "WorkSpace switched before the month ends still pays that month's monthly fee, and hourly fees on top "
            "(the Cost Optimizer switches only on a month's last day; --month-end-only does the same)"
        )
    return plan
