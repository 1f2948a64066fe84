"""`modify`: the plan of compute and volume changes, checked against the documented rules."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from wsctl.input.targets import Target
    from wsctl.ops.changes import Plan, PlannedChange

FLAGS = {
    "compute_type": "--compute-type",
    "root_volume_size": "--root-volume-size",
    "user_volume_size": "--user-volume-size",
}
MEMBER_KEYS = {
    "ComputeTypeName": "compute_type",
    "RootVolumeSizeGib": "root_volume_size",
    "UserVolumeSizeGib": "user_volume_size",
}
KEY_MEMBERS = {v: k for k, v in MEMBER_KEYS.items()}


def check_flag_values(compute_type: str | None, root_volume_size: int | None, user_volume_size: int | None) -> None:
    """The flags' own values (compute type, 1-2000 GiB), before any WorkSpace is looked up."""
    from wsctl.input.flags import flag_problems, raise_if_problems
    from wsctl.spec import model, rules

    given = zip(
        ("ComputeTypeName", "RootVolumeSizeGib", "UserVolumeSizeGib"),
        (compute_type, root_volume_size, user_volume_size),
        strict=True,
    )
    props = {k: v for k, v in given if v is not None}
    if not props:
        return
    sizes = [p for p in rules.volume_problems(props, ()) if p.kind != "rule" or "outside" in p.message]
    found = rules.merge(model.validator().validate_shape("WorkspaceProperties", props), sizes)
    raise_if_problems(flag_problems([p for p in found if not p.warning], {m: FLAGS[k] for m, k in MEMBER_KEYS.items()}))


def describe_props(props: dict[str, Any]) -> str:
    parts = []
    if "ComputeTypeName" in props:
        parts.append(str(props["ComputeTypeName"]))
    if "RootVolumeSizeGib" in props or "UserVolumeSizeGib" in props:
        parts.append(f"{props.get('RootVolumeSizeGib', '?')}/{props.get('UserVolumeSizeGib', '?')} GiB")
    return ", ".join(parts) or "-"


def step_note(change: PlannedChange, index: int) -> str:
    step = change.steps[index]
    return ", ".join(
        f"{'root' if k == 'RootVolumeSizeGib' else 'user'} volume to {v} GiB"
        if "Volume" in k
        else f"compute type to {v}"
        for k, v in step.items()
    )


def build_plan(targets: list[Target], workspaces: list[dict[str, Any]], flags: dict[str, Any]) -> Plan:
    from wsctl.errors import LocatedProblem
    from wsctl.ops.changes import Plan, PlannedChange, locate_problems
    from wsctl.spec import model, rules
    from wsctl.text import count

    plan = Plan()
    checker = model.validator()
    for target, ws in zip(targets, workspaces, strict=True):
        values = {**flags, **target.values}
        if not values:
            plan.problems.append(LocatedProblem(target.where, "", f"{target.workspace_id}: nothing to change"))
            continue
        props = {KEY_MEMBERS[k]: v for k, v in values.items()}
        current = ws.get("WorkspaceProperties") or {}
        if all(current.get(k) == v for k, v in props.items()):
            plan.unchanged.append(ws)
            continue
        found = rules.merge(checker.validate_shape("WorkspaceProperties", props), rules.modify_problems(ws, props))
        plan.problems += locate_problems(found, target, FLAGS, MEMBER_KEYS)
        if found:
            continue
        if "ComputeTypeName" in props:
            plan.changes.append(PlannedChange(ws, [props], props))
            continue
        steps = rules.plan_volume_steps(ws, props.get("RootVolumeSizeGib"), props.get("UserVolumeSizeGib"))
        if steps is None:
            want = {**current, **props}
            plan.problems.append(
                LocatedProblem(
                    target.sources.get("root_volume_size") or FLAGS["root_volume_size"]
                    if "RootVolumeSizeGib" in props
                    else target.sources.get("user_volume_size") or FLAGS["user_volume_size"],
                    "",
                    f"{target.workspace_id}: root {want.get('RootVolumeSizeGib')} GiB with user "
                    f"{want.get('UserVolumeSizeGib')} GiB is not an allowed combination; allowed root/user GiB: "
                    f"{rules.ALLOWED_PAIRS_TEXT}",
                )
            )
            continue
        plan.changes.append(PlannedChange(ws, steps, {k: v for step in steps for k, v in step.items()}))
    two_step = sum(1 for c in plan.changes if len(c.steps) > 1)
    if two_step:
        verb = "grows" if two_step == 1 else "grow"
        plan.warnings.append(
            f"{count(two_step, 'WorkSpace')} {verb} both volumes: that takes two calls, so wsctl changes one "
            "volume, waits for it to apply, then changes the other"
        )
    return plan


# How a change line names each property ("user volume 50 -> 100 GiB"), in the order shown.
PROPERTY_WORDS = {
    "ComputeTypeName": ("compute", ""),
    "RootVolumeSizeGib": ("root volume", " GiB"),
    "UserVolumeSizeGib": ("user volume", " GiB"),
    "RunningMode": ("running mode", ""),
    "RunningModeAutoStopTimeoutInMinutes": ("auto-stop timeout", " min"),
}


def change_text(before: dict[str, Any], after: dict[str, Any]) -> str:
    """What a change does, property by property: 'user volume 50 -> 100 GiB, running mode AUTO_STOP -> ALWAYS_ON'.

    The wait of a property change shows this instead of the state, which stays AVAILABLE.
    """
    order = [k for k in PROPERTY_WORDS if k in after] + [k for k in after if k not in PROPERTY_WORDS]
    parts = []
    for key in order:
        old, new = before.get(key), after[key]
        if old == new:
            continue
        name, unit = PROPERTY_WORDS.get(key, (key, ""))
        parts.append(f"{name} {'?' if old is None else old} -> {new}{unit}")
    return ", ".join(parts)


class _TickingRecord:
    """The run record, and one tick of the progress display per answered call."""

    def __init__(self, record: Any, tick: Any) -> None:
        self.record, self.tick = record, tick

    def write(self, event: str, **data: Any) -> None:
        if self.record is not None:
            self.record.write(event, **data)
        if event == "response":
            self.tick()


def send_modifies(app: Any, calls: list[tuple[str, dict[str, Any]]], outcome: Any, record: Any, *, what: str) -> None:
    """ModifyWorkspaceProperties for each (WorkspaceId, properties), with a progress bar on a terminal.

    One WorkSpace per call at 2 calls/s: 20 WorkSpaces are 10 s, 250 are two minutes; without
    it the screen would look frozen.
    """
    from wsctl.render.live import make_send_progress

    with make_send_progress(app.err, what, len(calls)) as progress:
        app.service.modify_properties(calls, outcome, _TickingRecord(record, progress.tick))
