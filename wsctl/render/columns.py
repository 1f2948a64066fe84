"""The names `--columns` takes: the keys `describe -o json` prints, checked before anything is sent.

No Rich here, so the CLI can check `--columns` before a call without paying for tables.
A nested key may be given as its JSON path (WorkspaceProperties.RunningMode) or as its last
part (RunningMode); a column's header (IP, Compute) is accepted too, in any case.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence

# Name -> JSON path in a DescribeWorkspaces Workspace (the order the valid names are listed in).
PATHS = {
    "WorkspaceId": "WorkspaceId",
    "UserName": "UserName",
    "State": "State",
    "RunningMode": "WorkspaceProperties.RunningMode",
    "RunningModeAutoStopTimeoutInMinutes": "WorkspaceProperties.RunningModeAutoStopTimeoutInMinutes",
    "ComputeTypeName": "WorkspaceProperties.ComputeTypeName",
    "RootVolumeSizeGib": "WorkspaceProperties.RootVolumeSizeGib",
    "UserVolumeSizeGib": "WorkspaceProperties.UserVolumeSizeGib",
    "Protocols": "WorkspaceProperties.Protocols",
    "DirectoryId": "DirectoryId",
    "BundleId": "BundleId",
    "IpAddress": "IpAddress",
    "SubnetId": "SubnetId",
    "ComputerName": "ComputerName",
    "WorkspaceName": "WorkspaceName",
    "ModificationStates": "ModificationStates",
    "ErrorCode": "ErrorCode",
    "ErrorMessage": "ErrorMessage",
}
# Short headers of the default table, accepted as names too (what a person sees is what they type).
HEADERS = {"ComputeTypeName": "Compute", "IpAddress": "IP", "ModificationStates": "Modifications"}


def _aliases() -> dict[str, str]:
    found: dict[str, str] = {}
    for name, path in PATHS.items():
        for alias in (name, path, HEADERS.get(name, name)):
            found[alias.lower()] = name
    return found


def resolve(text: str) -> tuple[list[str], list[str]]:
    """(column names, problems) for a comma-separated `--columns` value; duplicates kept once."""
    aliases = _aliases()
    names: list[str] = []
    problems: list[str] = []
    given = [part.strip() for part in text.split(",")]
    if not any(given):
        return [], [f"no column names in {text!r}; valid names: {', '.join(PATHS)}"]
    for part in given:
        if not part:
            continue
        name = aliases.get(part.lower())
        if name is None:
            problems.append(_unknown(part))
        elif name not in names:
            names.append(name)
    return names, problems


def _unknown(part: str) -> str:
    close = difflib.get_close_matches(part.lower(), list(_aliases()), n=1, cutoff=0.6)
    hint = f" (did you mean {_aliases()[close[0]]}?)" if close else ""
    return f"unknown column {part!r}{hint}; valid names: {', '.join(PATHS)}"


def valid_names() -> Sequence[str]:
    return tuple(PATHS)
