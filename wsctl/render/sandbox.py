"""Rich tables for `wsctl sandbox info`, each with the sandbox banner."""

from __future__ import annotations

from typing import Any

from rich.table import Table
from rich.text import Text

from wsctl.render.tables import SANDBOX_BANNER, id_column
from wsctl.render.tables import new_table as _new_table

_SETTING_LABELS = (
    ("TimeScale", "time scale (--time-scale)"),
    ("RateLimit", "rate limit, requests/s (--rate-limit)"),
    ("Burst", "burst (--burst)"),
    ("ThrottleRate", "throttle rate (--throttle-rate)"),
    ("ServerErrorRate", "server error rate (--server-error-rate)"),
    ("LostResponseRate", "lost response rate (--lost-response-rate)"),
    ("Seed", "seed (--seed)"),
    ("Core", "WorkSpaces Core allow-listed (--core/--no-core)"),
    ("ImageLimit", "owned image limit (--image-limit)"),
    ("Users", "users in the first directory (--users)"),
    ("UsageDays", "days of usage history (--usage-days)"),
    ("AccountId", "account ID"),
    ("Database", "database (WSCTL_SANDBOX_DB)"),
)
_USERS_SHOWN = 4


def new_table(title: str) -> Table:
    table = _new_table(title, sandbox=True)
    table.min_width = len(SANDBOX_BANNER) + len(title) + 6  # never wrap the banner of a narrow table
    return table


def _outcome(value: str) -> Text:
    return Text(value, style="bold red" if value == "ERROR" else "green")


def info_tables(info: dict[str, Any]) -> list[Table]:
    directories = new_table("Directories")
    id_column(directories, "DirectoryId", (d["DirectoryId"] for d in info["Directories"]))
    directories.add_column("DirectoryName", no_wrap=True)
    directories.add_column("Type", no_wrap=True)
    directories.add_column("Users", justify="right")
    directories.add_column("UserNames", overflow="fold")
    # Users whose WorkSpaces make an operation fail, apart from the ordinary ones (not in Users).
    directories.add_column("FaultUsers", overflow="fold")
    for d in info["Directories"]:
        names = d["UserNames"]
        shown = ", ".join(names[:_USERS_SHOWN]) + (
            f", ... ({len(names) - _USERS_SHOWN} more)" if len(names) > _USERS_SHOWN else ""
        )
        faults = Text(
            ", ".join(f"{name}: {effect}" for name, effect in d.get("FaultUsers", {}).items()), style="yellow"
        )
        directories.add_row(d["DirectoryId"], d["DirectoryName"], d["DirectoryType"], str(len(names)), shown, faults)

    bundles = new_table("Bundles")
    id_column(bundles, "BundleId", (b["BundleId"] for b in info["Bundles"]))
    bundles.add_column("Name", overflow="fold")
    bundles.add_column("Owner", no_wrap=True)
    bundles.add_column("Compute", no_wrap=True)
    bundles.add_column("Root/User GiB", justify="right", no_wrap=True)
    bundles.add_column("Outcome", no_wrap=True)
    for b in info["Bundles"]:
        bundles.add_row(
            b["BundleId"],
            b["Name"],
            b["Owner"],
            b["ComputeType"],
            f"{b['RootVolumeSizeGib']}/{b['UserVolumeSizeGib']}",
            _outcome(b["SandboxOutcome"]),
        )

    amis = new_table("EC2 images to import")
    id_column(amis, "ImageId", (a["ImageId"] for a in info["Ec2Images"]))
    amis.add_column("Name", no_wrap=True)
    amis.add_column("Description", overflow="fold")
    amis.add_column("Outcome", no_wrap=True)
    for a in info["Ec2Images"]:
        amis.add_row(a["ImageId"], a["Name"], a["Description"], _outcome(a["SandboxOutcome"]))

    requests = new_table("Requests received")
    requests.add_column("Operation", no_wrap=True)
    requests.add_column("Requests", justify="right")
    for operation, count in info["Requests"].items():
        requests.add_row(operation, str(count))
    if not info["Requests"]:
        requests.add_row("(none since the last reset)", "0")

    usage = new_table("Usage profiles (dealt by user number: user0001 gets the first)")
    usage.add_column("Profile", no_wrap=True)
    usage.add_column("Connected", overflow="fold")
    usage.add_column("Hours / 30 days", justify="right")
    usage.add_column("Sessions / 30 days", justify="right")
    for p in info.get("UsageProfileCycle", []):
        usage.add_row(p["Profile"], p["Description"], f"{p['ConnectedHoursPerMonth']:g}", str(p["SessionsPerMonth"]))

    settings = new_table("Settings")
    settings.add_column("Setting", no_wrap=True)
    settings.add_column("Value", overflow="fold")
    for key, label in _SETTING_LABELS:
        value = info["Settings"].get(key)
        settings.add_row(label, "off" if value is None else str(value))
    return [directories, bundles, amis, usage, requests, settings]
