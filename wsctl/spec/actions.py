"""The rest of a WorkSpace's life: what each lifecycle command may act on, and where it ends.

The allowed states come from each operation's documentation in the installed botocore
model (the API reference states them in the same words); where the reference states none,
the rule is marked UNVERIFIED and was chosen with the reason given. How many WorkSpaces
go in one call, and under which member, is read from the model too (`batch_member`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

# StartWorkspaces / StopWorkspaces: "You cannot start [stop] a WorkSpace unless it has a running
# mode of AutoStop or Manual" (model documentation).
STOPPABLE_MODES = frozenset({"AUTO_STOP", "MANUAL"})


@dataclass(frozen=True)
class Action:
    command: str  # the wsctl command: "stop", "maintenance on"
    operation: str  # the API operation: "StopWorkspaces"
    allowed: frozenset[str]  # states the WorkSpace may be in (empty: any state but `refused`)
    settles_at: frozenset[str]  # states that mean done (empty for terminate: gone is done)
    doing: str  # the state while it happens ("STOPPING"): a WorkSpace in it is already on its way
    verb: str  # "stop"; "put in admin maintenance"
    done: str  # "stopped"
    source: str  # where `allowed` comes from
    running_modes: frozenset[str] | None = None  # None: any running mode
    destroys: str = ""  # said in the confirmation of a destructive action
    typed_confirmation: bool = False  # the count must be typed, even for one WorkSpace
    forced_state: str = ""  # allowed only with --force (reboot of one stuck in REBOOTING)
    extra: dict[str, str] = field(default_factory=dict)  # fixed request members
    refused: frozenset[str] = frozenset()
    wording: str = ""  # how to say it with a count, where "{verb} {n}" reads badly: "put {n} in admin maintenance"
    # Done in its settle state after a grace even if no poll saw it leave its first state: a reboot can be
    # over in seconds, and in a large batch the calls sent first may be done before the first poll.
    may_finish_unseen: bool = False

    def phrase(self, n: str, *, start: bool = True) -> str:
        """'Stop 3 WorkSpaces', 'put 3 WorkSpaces in admin maintenance'."""
        text = self.wording.format(n=n) if self.wording else f"{self.verb} {n}"
        return text[0].upper() + text[1:] if start else text

    @property
    def gone_is_done(self) -> bool:
        return not self.settles_at

    def skip_reason(self, state: str | None, mode: str | None, *, force: bool = False) -> str | None:
        """Why a WorkSpace in `state` (and running `mode`) is not sent, or None to send it."""
        if state in self.refused:
            return f"{state}: {self.command} is refused in {state} ({self.source})"
        if self.gone_is_done and state == "TERMINATED":
            return "already TERMINATED"
        if state in self.settles_at and state not in self.allowed:
            return f"already {state}"
        if self.forced_state and state == self.forced_state:
            return None if force else f"already {state} (pass --force if it has been stuck there for over 20 minutes)"
        if self.doing and state == self.doing:
            return f"already {state}"
        if self.allowed and state not in self.allowed:
            return f"{state}: {self.command} needs {' or '.join(sorted(self.allowed))} ({self.source})"
        if self.running_modes is not None and mode not in self.running_modes:
            modes = " or ".join(sorted(self.running_modes))
            return f"running mode {mode}: {self.command} needs {modes} ({self.source})"
        return None


ACTIONS: dict[str, Action] = {
    a.command: a
    for a in (
        Action(
            "start",
            "StartWorkspaces",
            frozenset({"STOPPED"}),
            frozenset({"AVAILABLE"}),
            "STARTING",
            "start",
            "started",
            "AWS: StartWorkspaces",
            running_modes=STOPPABLE_MODES,
        ),
        Action(
            "stop",
            "StopWorkspaces",
            frozenset({"AVAILABLE", "IMPAIRED", "UNHEALTHY", "ERROR"}),
            frozenset({"STOPPED"}),
            "STOPPING",
            "stop",
            "stopped",
            "AWS: StopWorkspaces",
            running_modes=STOPPABLE_MODES,
        ),
        Action(
            "reboot",
            "RebootWorkspaces",
            frozenset({"AVAILABLE", "UNHEALTHY"}),
            frozenset({"AVAILABLE"}),
            "REBOOTING",
            "reboot",
            "rebooted",
            "AWS: RebootWorkspaces",
            forced_state="REBOOTING",
            may_finish_unseen=True,  # a reboot can be over before any poll sees REBOOTING
        ),
        Action(
            "rebuild",
            "RebuildWorkspaces",
            frozenset({"AVAILABLE", "ERROR", "UNHEALTHY", "STOPPED", "REBOOTING"}),
            frozenset({"AVAILABLE"}),
            "REBUILDING",
            "rebuild",
            "rebuilt",
            "AWS: RebuildWorkspaces",
            may_finish_unseen=True,  # calls sent early may be over before the first poll of a large batch
            destroys="recreates the root volume from the bundle's image and the user volume from its latest "
            "snapshot: what changed since that snapshot is lost",
        ),
        Action(
            "restore",
            "RestoreWorkspace",
            frozenset({"AVAILABLE", "ERROR", "UNHEALTHY", "STOPPED"}),
            frozenset({"AVAILABLE"}),
            "RESTORING",
            "restore",
            "restored",
            "AWS: RestoreWorkspace",
            may_finish_unseen=True,
            destroys="restores the root and user volumes to their last known healthy snapshots: what changed "
            "since then is lost",
        ),
        # UNVERIFIED: the API reference states no allowed states for MigrateWorkspace; the
        # admin guide's migrate page was not found in any stored source. AVAILABLE and STOPPED
        # are the states in which every other volume-recreating action is allowed.
        Action(
            "migrate",
            "MigrateWorkspace",
            frozenset({"AVAILABLE", "STOPPED"}),
            frozenset({"AVAILABLE"}),
            "",
            "migrate",
            "migrated",
            "UNVERIFIED: the API reference states none",
            destroys="replaces each WorkSpace with a new one: a new root volume from the target bundle, the user "
            "volume from its latest snapshot; the old WorkSpace is terminated",
        ),
        # UNVERIFIED: ModifyWorkspaceState states no allowed states; admin maintenance is
        # entered from AVAILABLE, the state a WorkSpace answers requests in.
        Action(
            "maintenance on",
            "ModifyWorkspaceState",
            frozenset({"AVAILABLE"}),
            frozenset({"ADMIN_MAINTENANCE"}),
            "ADMIN_MAINTENANCE",
            "put in admin maintenance",
            "in admin maintenance",
            "UNVERIFIED: the API reference states none",
            extra={"WorkspaceState": "ADMIN_MAINTENANCE"},
            wording="put {n} in admin maintenance",
        ),
        Action(
            "maintenance off",
            "ModifyWorkspaceState",
            frozenset({"ADMIN_MAINTENANCE"}),
            frozenset({"AVAILABLE"}),
            "",
            "take out of admin maintenance",
            "out of admin maintenance",
            "AWS: ModifyWorkspaceState",
            extra={"WorkspaceState": "AVAILABLE"},
            wording="take {n} out of admin maintenance",
        ),
        Action(
            "terminate",
            "TerminateWorkspaces",
            frozenset(),  # any state ...
            frozenset(),
            "TERMINATING",
            "terminate",
            "terminated",
            "AWS: TerminateWorkspaces",
            destroys="destroys each WorkSpace and its user's data for good",
            typed_confirmation=True,
            # "You can terminate a WorkSpace that is in any state except SUSPENDED."
            refused=frozenset({"SUSPENDED"}),
        ),
    )
}


def batch_member(operation: str) -> tuple[str, int] | None:
    """(list member, items a call) of a batch operation, from the model; None for one-WorkSpace calls."""
    from wsctl.spec.enums import raw_service_model

    model = raw_service_model()
    shapes = model.get("shapes", {})
    request = shapes.get(model.get("operations", {}).get(operation, {}).get("input", {}).get("shape", ""), {})
    for name, member in request.get("members", {}).items():
        shape = shapes.get(member.get("shape", ""), {})
        if shape.get("type") == "list":
            return name, int(shape.get("max", 1))
    return None
