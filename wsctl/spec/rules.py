"""WorkSpaces rules that the service model does not state.

Sources: the WorkSpaces Administration Guide (running mode, modify, BYOL pages) and the
Terraform AWS provider (internal/service/workspaces); a rule found elsewhere names its
source where it is coded, and one with no source says UNVERIFIED. Each function returns
`Problem`s with the same paths as `wsctl.spec.model`, so callers map them to flags and file
locations the same way. Problems marked `warning=True` are shown but do not stop a run.
"""

from __future__ import annotations

import re
from typing import Any, TypeGuard

from wsctl.spec.enums import RUNNING_MODE, enum_values
from wsctl.spec.model import PathT, Problem, preview

AUTO_STOP_STEP_MINUTES = 60
MAX_TAGS = 50
VOLUME_MIN_GIB = 1
VOLUME_MAX_GIB = 2000

CORE_NOTE = "needs an Amazon WorkSpaces Core account that AWS has allow-listed"

# Compute types that may change into each other (AG "Modify a WorkSpace").
GENERAL_FAMILY = frozenset(
    {"VALUE", "STANDARD", "PERFORMANCE", "POWER", "POWERPRO", "GENERALPURPOSE_4XLARGE", "GENERALPURPOSE_8XLARGE"}
)
G4DN_FAMILY = frozenset({"GRAPHICS_G4DN", "GRAPHICSPRO_G4DN"})
# Graphics.g4dn and GraphicsPro.g4dn need both volumes at 100 GiB or more; AWS refuses a create
# with 80/10 for the whole call (hashicorp/terraform-provider-aws issue 39553).
G4DN_MIN_GIB = 100
FIXED_COMPUTE = frozenset({"GRAPHICS", "GRAPHICSPRO"})
GRAPHICS_100_100 = frozenset({"GRAPHICS", "GRAPHICSPRO", "GRAPHICS_G4DN", "GRAPHICSPRO_G4DN"})

RUNNING_MODE_KEY = "RunningMode"
TIMEOUT_KEY = "RunningModeAutoStopTimeoutInMinutes"
ROOT_KEY = "RootVolumeSizeGib"
USER_KEY = "UserVolumeSizeGib"
COMPUTE_KEY = "ComputeTypeName"


def merge(model_problems: list[Problem], rule_problems: list[Problem]) -> list[Problem]:
    """The model's problems and the rules' ones, each place reported once.

    A rule is more precise than the model's 32-bit range (a volume of 99999999999 GiB is
    "outside 1-2000 GiB", not "more than 2147483647"), so it replaces a range problem at the
    same place; elsewhere a place the model already flagged is not flagged again.
    """
    by_rule = {p.path: p for p in rule_problems if not p.warning}
    out = [by_rule.get(p.path, p) if p.kind == "range" else p for p in model_problems]
    flagged = {p.path for p in model_problems}
    return out + [p for p in rule_problems if p.path not in flagged]


def volume_pair_allowed(root: int, user: int, compute: str | None) -> bool:
    """Whether [root, user] GiB is one of the documented combinations."""
    if (root, user) in ((80, 10), (80, 50), (80, 100)):
        return True
    if 175 <= root <= VOLUME_MAX_GIB and 100 <= user <= VOLUME_MAX_GIB:
        return True
    # Unknown compute (taken from the bundle): let the service decide about 100/100.
    return (root, user) == (100, 100) and (compute is None or compute in GRAPHICS_100_100)


ALLOWED_PAIRS_TEXT = "80/10, 80/50, 80/100, 175-2000/100-2000 (and 100/100 for Graphics types)"


def _is_int(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def running_mode_problems(props: dict[str, Any], path: PathT, *, current_mode: str | None = None) -> list[Problem]:
    """Auto-stop timeout only with AUTO_STOP and in 60-minute steps; MANUAL is Core only."""
    out: list[Problem] = []
    mode = props.get(RUNNING_MODE_KEY)
    timeout = props.get(TIMEOUT_KEY)
    effective_mode = mode if mode is not None else current_mode
    if effective_mode is not None and effective_mode not in enum_values(RUNNING_MODE):
        effective_mode = None  # a mistyped mode is reported by the model check; do not pile on
    if timeout is not None and _is_int(timeout):
        if effective_mode is not None and effective_mode != "AUTO_STOP":
            out.append(
                Problem(
                    (*path, TIMEOUT_KEY),
                    "rule",
                    f"an auto-stop timeout applies only to running mode AUTO_STOP, not {effective_mode}"
                    " (drop the timeout, or use AUTO_STOP)",
                    value=timeout,
                )
            )
        elif timeout <= 0 or timeout % AUTO_STOP_STEP_MINUTES:
            lower = max(AUTO_STOP_STEP_MINUTES, timeout // AUTO_STOP_STEP_MINUTES * AUTO_STOP_STEP_MINUTES)
            out.append(
                Problem(
                    (*path, TIMEOUT_KEY),
                    "rule",
                    f"{timeout} minutes is not a multiple of 60 (try {lower} or {lower + 60})",
                    value=timeout,
                )
            )
    if mode == "MANUAL":
        out.append(
            Problem((*path, RUNNING_MODE_KEY), "core", f"running mode MANUAL {CORE_NOTE}", value=mode, warning=True)
        )
    return out


def volume_problems(props: dict[str, Any], path: PathT) -> list[Problem]:
    """Sizes 1-2000 GiB and, when both are given, one of the documented pairs."""
    out: list[Problem] = []
    root, user = props.get(ROOT_KEY), props.get(USER_KEY)
    for key, value in ((ROOT_KEY, root), (USER_KEY, user)):
        if _is_int(value) and not VOLUME_MIN_GIB <= value <= VOLUME_MAX_GIB:
            out.append(
                Problem(
                    (*path, key), "rule", f"{value} GiB is outside {VOLUME_MIN_GIB}-{VOLUME_MAX_GIB} GiB", value=value
                )
            )
    if out:
        return out
    compute = props.get(COMPUTE_KEY)
    if compute in G4DN_FAMILY:
        small = [(k, v) for k, v in ((ROOT_KEY, root), (USER_KEY, user)) if _is_int(v) and v < G4DN_MIN_GIB]
        if small:
            key, value = small[0]
            return [
                Problem(
                    (*path, key),
                    "rule",
                    f"{compute} needs root and user volumes of at least {G4DN_MIN_GIB} GiB ({value} GiB given); "
                    "AWS refuses such a request",
                    value=value,
                )
            ]
    if _is_int(root) and _is_int(user):
        if not volume_pair_allowed(root, user, compute):
            out.append(
                Problem(
                    (*path, ROOT_KEY),
                    "rule",
                    f"root {root} GiB with user {user} GiB is not an allowed combination; "
                    f"allowed root/user GiB: {ALLOWED_PAIRS_TEXT}",
                    value=root,
                )
            )
    elif _is_int(root) and not (root == 80 or root >= 175 or (root == 100 and compute in (None, *GRAPHICS_100_100))):
        out.append(
            Problem(
                (*path, ROOT_KEY),
                "rule",
                f"root volume {root} GiB fits no allowed combination; use 80 or 175-2000 (100 for Graphics types)",
                value=root,
            )
        )
    elif _is_int(user) and not (user in (10, 50) or user >= 100):
        out.append(
            Problem(
                (*path, USER_KEY),
                "rule",
                f"user volume {user} GiB fits no allowed combination; use 10, 50 or 100-2000",
                value=user,
            )
        )
    return out


def tag_problems(tags: Any, path: PathT) -> list[Problem]:
    out: list[Problem] = []
    if not isinstance(tags, list):
        return out
    if len(tags) > MAX_TAGS:
        out.append(Problem(path, "rule", f"has {len(tags)} tags; at most {MAX_TAGS} allowed", value=len(tags)))
    seen: set[str] = set()
    for index, tag in enumerate(tags):
        key = tag.get("Key") if isinstance(tag, dict) else None
        if not isinstance(key, str):
            continue
        if key.lower().startswith("aws:"):
            out.append(
                Problem(
                    (*path, index, "Key"), "rule", f"tag key {key!r}: the aws: prefix is reserved by AWS", value=key
                )
            )
        if key in seen:
            out.append(Problem((*path, index, "Key"), "rule", f"tag key {key!r} is given twice", value=key))
        seen.add(key)
    return out


_CONTROL_CHARACTER = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# Characters that make a name print as another: bidirectional controls (U+202E turns
# "alice\u202eexe.txt" around) and zero-width ones (U+200B makes "alice" and "al\u200bice" two users).
_INVISIBLE_CHARACTER = re.compile("[\u061c\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _character_problem(value: str) -> str | None:
    found = _CONTROL_CHARACTER.search(value)
    if found:
        return f"{preview(value)} contains the control character U+{ord(found.group()):04X}; remove it"
    found = _INVISIBLE_CHARACTER.search(value)
    if found:
        return (
            f"{preview(value)} contains the invisible character U+{ord(found.group()):04X}, "
            "which makes it print as other text; remove it"
        )
    found = _SURROGATE.search(value)
    if found:
        return (
            f"{preview(value)} contains U+{ord(found.group()):04X}, half of a character "
            "(the text was not valid UTF-8); retype it"
        )
    return None


def control_character_problems(request: dict[str, Any], path: PathT = ()) -> list[Problem]:
    """No control, bidirectional, zero-width or half characters in user names, tags or the key name.

    Directory account names and AWS tags never contain them; in a batch file they are a
    paste accident or hostile: a table that printed them back would hand the terminal an
    escape sequence (ESC [2J clears the screen), and a bidirectional or zero-width character
    makes a name print as another one.
    """
    fields: list[tuple[PathT, Any]] = [
        ((*path, "UserName"), request.get("UserName")),
        ((*path, "VolumeEncryptionKey"), request.get("VolumeEncryptionKey")),
    ]
    tags = request.get("Tags")
    if isinstance(tags, list):
        for index, tag in enumerate(tags):
            if isinstance(tag, dict):
                fields += [((*path, "Tags", index, part), tag.get(part)) for part in ("Key", "Value")]
    out = []
    for where, value in fields:
        message = _character_problem(value) if isinstance(value, str) else None
        if message:
            out.append(Problem(where, "rule", message, value=value))
    return out


def workspace_request_problems(request: dict[str, Any], path: PathT = ()) -> list[Problem]:
    """Rules for one CreateWorkspaces entry (a WorkspaceRequest)."""
    out: list[Problem] = control_character_problems(request, path)
    props = request.get("WorkspaceProperties")
    if isinstance(props, dict):
        out += running_mode_problems(props, (*path, "WorkspaceProperties"))
        out += volume_problems(props, (*path, "WorkspaceProperties"))
    out += tag_problems(request.get("Tags"), (*path, "Tags"))
    if request.get("UserName") == "[UNDEFINED]" and not request.get("WorkspaceName"):
        out.append(
            Problem((*path, "WorkspaceName"), "rule", "a WorkSpace without a user ([UNDEFINED]) needs a WorkspaceName")
        )
    if request.get("VolumeEncryptionKey") and not (
        request.get("RootVolumeEncryptionEnabled") or request.get("UserVolumeEncryptionEnabled")
    ):
        out.append(
            Problem(
                (*path, "VolumeEncryptionKey"),
                "rule",
                "a volume encryption key is used only with encrypted volumes (add encrypt_root and/or encrypt_user)",
                warning=True,
            )
        )
    if (request.get("RootVolumeEncryptionEnabled") or request.get("UserVolumeEncryptionEnabled")) and not request.get(
        "VolumeEncryptionKey"
    ):
        out.append(
            Problem(
                (*path, "VolumeEncryptionKey"),
                "rule",
                "encrypted volumes without volume_encryption_key use the account's default aws/workspaces KMS key",
                warning=True,
            )
        )
    return out


# --- ModifyWorkspaceProperties ----------------------------------------------------------------


def compute_change_problem(current: str | None, target: str, path: PathT) -> Problem | None:
    if not current or current == target:
        return None
    if current in FIXED_COMPUTE:
        return Problem(path, "rule", f"compute type {current} cannot be changed", value=target)
    if current in G4DN_FAMILY:
        if target not in G4DN_FAMILY:
            return Problem(
                path,
                "rule",
                f"{current} can change only to {' or '.join(sorted(G4DN_FAMILY - {current}))}",
                value=target,
            )
        return None
    if current in GENERAL_FAMILY and target not in GENERAL_FAMILY:
        choices = ", ".join(sorted(GENERAL_FAMILY - {current}))
        return Problem(path, "rule", f"{current} can change only to one of {choices}", value=target)
    return None


def modify_problems(current: dict[str, Any], props: dict[str, Any], path: PathT = ()) -> list[Problem]:
    """Rules for one ModifyWorkspaceProperties call, given the WorkSpace's description."""
    out: list[Problem] = []
    cur = current.get("WorkspaceProperties", {}) or {}
    out += running_mode_problems(props, path, current_mode=cur.get(RUNNING_MODE_KEY))
    out += [
        p
        for p in volume_problems({k: props[k] for k in (ROOT_KEY, USER_KEY) if k in props}, path)
        if p.kind != "rule" or "outside" in p.message
    ]
    changes_volume = ROOT_KEY in props or USER_KEY in props
    if COMPUTE_KEY in props and changes_volume:
        out.append(
            Problem(
                (*path, COMPUTE_KEY),
                "rule",
                "compute type and volume size cannot change in the same call (run two commands)",
            )
        )
    if COMPUTE_KEY in props:
        problem = compute_change_problem(cur.get(COMPUTE_KEY), props[COMPUTE_KEY], (*path, COMPUTE_KEY))
        if problem:
            out.append(problem)
    for key, label in ((ROOT_KEY, "root"), (USER_KEY, "user")):
        new, old = props.get(key), cur.get(key)
        if _is_int(new) and _is_int(old) and new < old:
            out.append(Problem((*path, key), "rule", f"{label} volume cannot shrink ({old} -> {new} GiB)", value=new))
    return out


def plan_volume_steps(current: dict[str, Any], root: int | None, user: int | None) -> list[dict[str, int]] | None:
    """The ModifyWorkspaceProperties calls that take the volumes to [root, user].

    Root and user volume cannot grow in the same call, and every intermediate pair must
    be allowed; growing root from 80 needs user at 100 first. Returns None when no order
    works.
    """
    cur = current.get("WorkspaceProperties", {}) or {}
    compute = cur.get(COMPUTE_KEY)
    cur_root, cur_user = cur.get(ROOT_KEY), cur.get(USER_KEY)
    if not (_is_int(cur_root) and _is_int(cur_user)):
        # Sizes unknown (an endpoint that does not report them, as moto): AWS refuses both volumes
        # in one call, so one volume a call, user first, the order the admin guide gives for
        # growing root from 80 (the service checks each pair).
        return [{key: value} for key, value in ((USER_KEY, user), (ROOT_KEY, root)) if value is not None]
    want_root = cur_root if root is None else root
    want_user = cur_user if user is None else user
    if not volume_pair_allowed(want_root, want_user, compute):
        return None
    if want_root != cur_root and want_user != cur_user:
        if volume_pair_allowed(cur_root, want_user, compute):
            return [{USER_KEY: want_user}, {ROOT_KEY: want_root}]
        if volume_pair_allowed(want_root, cur_user, compute):
            return [{ROOT_KEY: want_root}, {USER_KEY: want_user}]
        return None
    if want_root != cur_root:
        return [{ROOT_KEY: want_root}]
    if want_user != cur_user:
        return [{USER_KEY: want_user}]
    return []


def import_image_problems(params: dict[str, Any]) -> list[Problem]:
    out: list[Problem] = []
    apps = params.get("Applications")
    if isinstance(apps, list) and len(apps) > 1:
        out.append(
            Problem(
                ("Applications",),
                "rule",
                f"{len(apps)} applications given; the service accepts only one today",
                value=len(apps),
            )
        )
    out += tag_problems(params.get("Tags"), ("Tags",))
    process = params.get("IngestionProcess")
    if isinstance(process, str) and process.endswith("_BYOP"):
        out.append(
            Problem(
                ("IngestionProcess",), "core", f"ingestion process {process} {CORE_NOTE}", value=process, warning=True
            )
        )
    return out
