"""The difference between a fleet file and the fleet AWS reports: pure, no calls, no output.

`diff_fleet` takes the validated requests of a batch file (as `create` reads it), the
WorkSpaces of every directory the file names and the tags of the WorkSpaces whose entries
manage tags, and says for each entry what `apply` would do: create, change (properties and
tags, with the ModifyWorkspaceProperties calls in order), migrate, nothing that can be done
in place (cannot converge, with the reason and what would do it), or nothing at all. The
WorkSpaces of those directories whose users the file does not name are extra.

A user is matched to a WorkSpace by directory and user name (case-insensitive, as AWS
compares them), never by WorkSpace ID: a migrated WorkSpace has a new ID and is still the
user's WorkSpace, and no state file is needed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from wsctl.spec import rules
from wsctl.spec.states import LEAVING

Props = dict[str, Any]
TagList = list[dict[str, str]]

RUNNING_MODE, TIMEOUT = rules.RUNNING_MODE_KEY, rules.TIMEOUT_KEY
ROOT, USER, COMPUTE = rules.ROOT_KEY, rules.USER_KEY, rules.COMPUTE_KEY
# ModificationStates resources and the property each one changes.
RESOURCE_PROPERTY = {"COMPUTE_TYPE": COMPUTE, "ROOT_VOLUME": ROOT, "USER_VOLUME": USER}
RUNNING_MODIFICATION = frozenset({"UPDATE_INITIATED", "UPDATE_IN_PROGRESS"})
ENCRYPTION_KEYS = ("RootVolumeEncryptionEnabled", "UserVolumeEncryptionEnabled")
REBUILD_ADVICE = (
    "it is chosen when a WorkSpace is created; to change it, terminate this WorkSpace (its user's data is "
    "lost) and apply again, which creates it as the file says"
)


@dataclass(frozen=True)
class PropertyChange:
    property: str  # the API's name: RunningMode, RootVolumeSizeGib, Tags.team
    before: Any
    after: Any


@dataclass
class Change:
    """One WorkSpace whose properties or tags change in place."""

    workspace: dict[str, Any]
    changes: list[PropertyChange] = field(default_factory=list)
    steps: list[Props] = field(default_factory=list)  # ModifyWorkspaceProperties calls, in order
    target: Props = field(default_factory=dict)  # the properties wanted once every step applied
    tags_set: TagList = field(default_factory=list)  # CreateTags: added or changed
    tags_removed: list[str] = field(default_factory=list)  # DeleteTags

    @property
    def workspace_id(self) -> str:
        return str(self.workspace["WorkspaceId"])

    @property
    def user_name(self) -> str:
        return str(self.workspace.get("UserName", ""))


@dataclass(frozen=True)
class Blocked:
    """A difference no call can remove in place."""

    workspace: dict[str, Any]
    change: PropertyChange
    reason: str


@dataclass(frozen=True)
class Migration:
    workspace: dict[str, Any]
    bundle_id: str  # the destination
    # What else the entry asks for that differs now (running mode, timeout, tags): shown with the
    # migration, sent by the apply after it, against the new WorkSpace.
    after: list[PropertyChange] = field(default_factory=list)


@dataclass
class FleetPlan:
    requests: list[dict[str, Any]] = field(default_factory=list)  # the file's entries, as planned
    create: list[dict[str, Any]] = field(default_factory=list)  # WorkspaceRequests
    change: list[Change] = field(default_factory=list)
    migrate: list[Migration] = field(default_factory=list)
    cannot: list[Blocked] = field(default_factory=list)
    extra: list[dict[str, Any]] = field(default_factory=list)
    unchanged: list[dict[str, Any]] = field(default_factory=list)
    in_progress: list[tuple[dict[str, Any], PropertyChange]] = field(default_factory=list)
    allow_migrate: bool = False
    prune: bool = False

    def calls(self) -> dict[str, int]:
        """The calls `apply` would make that change something, by operation (none left out)."""
        out = {
            "CreateWorkspaces": -(-len(self.create) // 25),
            "ModifyWorkspaceProperties": sum(len(c.steps) for c in self.change),
            "CreateTags": sum(1 for c in self.change if c.tags_set),
            "DeleteTags": sum(1 for c in self.change if c.tags_removed),
            "MigrateWorkspace": len(self.migrate) if self.allow_migrate else 0,
            "TerminateWorkspaces": -(-len(self.extra) // 25) if self.prune else 0,
        }
        return {op: n for op, n in out.items() if n}

    @property
    def differs(self) -> bool:
        """Whether the fleet is not as the file says (what only in-progress changes still do aside)."""
        return bool(self.create or self.change or self.migrate or self.cannot or self.extra)


def user_key(directory_id: str, request_or_ws: Mapping[str, Any]) -> tuple[str, str]:
    """Who a WorkSpace belongs to; one without a user ([UNDEFINED]) is known by its WorkspaceName."""
    user = str(request_or_ws.get("UserName", ""))
    if user == "[UNDEFINED]":
        return directory_id, "name:" + str(request_or_ws.get("WorkspaceName", ""))
    return directory_id, user.lower()


def match_workspaces(
    workspaces: Iterable[dict[str, Any]],
) -> tuple[dict[tuple[str, str], dict[str, Any]], list[dict[str, Any]]]:
    """(the user's WorkSpace by user_key, WorkSpaces on their way out)."""
    live: dict[tuple[str, str], dict[str, Any]] = {}
    duplicates: list[dict[str, Any]] = []
    for ws in workspaces:
        if ws.get("State") in LEAVING:  # no longer the user's WorkSpace
            continue
        key = user_key(str(ws.get("DirectoryId", "")), ws)
        if key in live:
            duplicates.append(ws)
        else:
            live[key] = ws
    return live, duplicates


def manages_tags(request: Mapping[str, Any]) -> bool:
    """An entry manages its WorkSpace's tags when it, its defaults or the flags give any."""
    return "Tags" in request


def diff_fleet(
    requests: Sequence[dict[str, Any]],
    workspaces: Iterable[dict[str, Any]],
    tags: Mapping[str, TagList],
    *,
    allow_migrate: bool = False,
    prune: bool = False,
) -> FleetPlan:
    plan = FleetPlan(list(requests), allow_migrate=allow_migrate, prune=prune)
    live, duplicates = match_workspaces(workspaces)
    wanted: set[tuple[str, str]] = set()
    for request in requests:
        key = user_key(str(request["DirectoryId"]), request)
        wanted.add(key)
        ws = live.get(key)
        if ws is None:
            plan.create.append(request)
            continue
        _diff_one(plan, request, ws, tags.get(str(ws["WorkspaceId"])))
    plan.extra = [ws for key, ws in live.items() if key not in wanted] + duplicates
    return plan


def _diff_one(plan: FleetPlan, request: dict[str, Any], ws: dict[str, Any], current_tags: TagList | None) -> None:
    blocked = _encryption(request, ws)
    if request.get("BundleId") and request["BundleId"] != ws.get("BundleId"):
        # The migration brings the destination bundle's compute type and volumes; the other
        # properties are compared by the next plan, against the new WorkSpace. What differs now
        # is shown with the migration, so that nothing the file asks for is hidden.
        plan.cannot += blocked
        scratch, later = FleetPlan([]), Change(ws)
        _properties(request, ws, later, set(), scratch)
        if manages_tags(request):
            _tags(request.get("Tags") or [], current_tags or [], later)
        after = [c for c in later.changes if c.property not in BROUGHT_BY_THE_BUNDLE]
        plan.migrate.append(Migration(ws, str(request["BundleId"]), after))
        return
    change = Change(ws)
    in_progress = _in_progress(ws)
    blocked += _properties(request, ws, change, in_progress, plan)
    if manages_tags(request):
        _tags(request.get("Tags") or [], current_tags or [], change)
    plan.cannot += blocked
    if change.changes:
        plan.change.append(change)
    elif not blocked and not any(item[0] is ws for item in plan.in_progress):
        plan.unchanged.append(ws)


BROUGHT_BY_THE_BUNDLE = (COMPUTE, ROOT, USER)


def _encryption(request: dict[str, Any], ws: dict[str, Any]) -> list[Blocked]:
    out = []
    for key in ENCRYPTION_KEYS:
        if key in request and bool(request[key]) != bool(ws.get(key)):
            out.append(
                Blocked(ws, PropertyChange(key, bool(ws.get(key)), bool(request[key])), f"encryption: {REBUILD_ADVICE}")
            )
    key_wanted = request.get("VolumeEncryptionKey")
    if key_wanted and ws.get("VolumeEncryptionKey") and key_wanted != ws.get("VolumeEncryptionKey"):
        out.append(
            Blocked(
                ws,
                PropertyChange("VolumeEncryptionKey", ws.get("VolumeEncryptionKey"), key_wanted),
                f"the volume encryption key: {REBUILD_ADVICE}",
            )
        )
    return out


def _in_progress(ws: dict[str, Any]) -> set[str]:
    """Properties whose change the service is still applying."""
    return {
        RESOURCE_PROPERTY[m["Resource"]]
        for m in ws.get("ModificationStates") or []
        if m.get("State") in RUNNING_MODIFICATION and m.get("Resource") in RESOURCE_PROPERTY
    }


def _properties(
    request: dict[str, Any], ws: dict[str, Any], change: Change, in_progress: set[str], plan: FleetPlan
) -> list[Blocked]:
    wanted: Props = dict(request.get("WorkspaceProperties") or {})
    current: Props = dict(ws.get("WorkspaceProperties") or {})
    blocked: list[Blocked] = []
    # A change the service is still applying is taken as done (it was sent for this value, by
    # an earlier apply); what follows it is planned from there, and nothing is sent for it.
    effective = dict(current)
    for key in sorted(in_progress):
        if key in wanted and wanted[key] != current.get(key):
            plan.in_progress.append((ws, PropertyChange(key, current.get(key), wanted[key])))
            effective[key] = wanted[key]
    first: Props = {}
    first_changes: list[PropertyChange] = []

    def differs(key: str) -> bool:
        # A property the endpoint does not report (moto leaves out volume sizes) cannot be
        # compared: wsctl does not send a change it could never see applied.
        return key in wanted and key in effective and wanted[key] != effective[key]

    mode = wanted.get(RUNNING_MODE, effective.get(RUNNING_MODE))
    if differs(RUNNING_MODE):
        first[RUNNING_MODE] = wanted[RUNNING_MODE]
        first_changes.append(PropertyChange(RUNNING_MODE, current.get(RUNNING_MODE), wanted[RUNNING_MODE]))
    switching_to_auto_stop = RUNNING_MODE in first and mode == "AUTO_STOP"
    if mode == "AUTO_STOP" and (differs(TIMEOUT) or (switching_to_auto_stop and TIMEOUT in wanted)):
        problem = rules.running_mode_problems({TIMEOUT: wanted[TIMEOUT]}, (), current_mode=mode)
        item = PropertyChange(TIMEOUT, current.get(TIMEOUT), wanted[TIMEOUT])
        if problem and not problem[0].warning:
            blocked.append(Blocked(ws, item, problem[0].message))
        else:
            first[TIMEOUT] = wanted[TIMEOUT]
            first_changes.append(item)
    elif mode is not None and mode != "AUTO_STOP" and TIMEOUT in wanted:
        item = PropertyChange(TIMEOUT, current.get(TIMEOUT), wanted[TIMEOUT])
        blocked.append(Blocked(ws, item, f"an auto-stop timeout applies only to AUTO_STOP, not {mode}; drop it"))
    if differs(COMPUTE):
        item = PropertyChange(COMPUTE, current.get(COMPUTE), wanted[COMPUTE])
        problem_c = rules.compute_change_problem(effective.get(COMPUTE), wanted[COMPUTE], (COMPUTE,))
        if problem_c is not None:
            blocked.append(
                Blocked(
                    ws,
                    item,
                    f"{problem_c.message}; to get {wanted[COMPUTE]}, give the entry a bundle of that compute type "
                    "and apply with --allow-migrate (or terminate and create it again)",
                )
            )
        else:
            first[COMPUTE] = wanted[COMPUTE]
            first_changes.append(item)
    volume_steps, volume_changes, volume_blocked = _volumes(wanted, current, effective, ws)
    blocked += volume_blocked
    if "Protocols" in wanted and "Protocols" in current and wanted["Protocols"] != current["Protocols"]:
        # ModifyWorkspaceProperties takes Protocols, but which switches AWS allows (per bundle,
        # operating system and compute type) is in neither the model nor the rules wsctl has
        # sources for (UNVERIFIED): wsctl does not try it and says what does it for certain.
        blocked.append(
            Blocked(
                ws,
                PropertyChange("Protocols", current.get("Protocols"), wanted["Protocols"]),
                "wsctl does not switch the protocol in place (which switches AWS allows is not documented in the "
                "model); give the entry a bundle with that protocol and apply with --allow-migrate",
            )
        )
    change.steps = ([first] if first else []) + volume_steps
    change.changes = first_changes + volume_changes
    change.target = {k: v for step in change.steps for k, v in step.items()}
    return blocked


def _volumes(
    wanted: Props, current: Props, effective: Props, ws: dict[str, Any]
) -> tuple[list[Props], list[PropertyChange], list[Blocked]]:
    grow: dict[str, int] = {}
    blocked: list[Blocked] = []
    changes: list[PropertyChange] = []
    for key, label in ((ROOT, "root"), (USER, "user")):
        if key not in wanted or key not in effective or wanted[key] == effective[key]:
            continue
        item = PropertyChange(key, current.get(key), wanted[key])
        old = effective.get(key)
        if isinstance(old, int) and wanted[key] < old:
            blocked.append(
                Blocked(
                    ws,
                    item,
                    f"the {label} volume cannot shrink; a smaller one takes a new WorkSpace: terminate this one "
                    "(its user's data is lost) and apply again, or give the entry a bundle of that size with "
                    "--allow-migrate",
                )
            )
            continue
        grow[key] = wanted[key]
        changes.append(item)
    if not grow:
        return [], [], blocked
    steps = rules.plan_volume_steps({"WorkspaceProperties": effective}, grow.get(ROOT), grow.get(USER))
    if steps is None:
        root = grow.get(ROOT, effective.get(ROOT))
        user = grow.get(USER, effective.get(USER))
        for item in changes:
            blocked.append(
                Blocked(
                    ws,
                    item,
                    f"root {root} GiB with user {user} GiB is not an allowed combination (allowed root/user GiB: "
                    f"{rules.ALLOWED_PAIRS_TEXT}); change the sizes in the file",
                )
            )
        return [], [], blocked
    return steps, changes, blocked


def _tags(wanted: TagList, current: TagList, change: Change) -> None:
    """The entry's tags are the WorkSpace's whole set: add, change, remove (never aws: keys, AWS's own)."""
    have = {t["Key"]: t.get("Value", "") for t in current}
    want = {t["Key"]: t.get("Value", "") for t in wanted}
    for key, value in want.items():
        if have.get(key) != value:
            change.tags_set.append({"Key": key, "Value": value})
            change.changes.append(PropertyChange(f"Tags.{key}", have.get(key), value))
    for key, value in have.items():
        if key not in want and not key.lower().startswith("aws:"):
            change.tags_removed.append(key)
            change.changes.append(PropertyChange(f"Tags.{key}", value, None))
