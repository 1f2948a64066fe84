"""Rich tables for `wsctl sandbox info`, each with the sandbox banner."""

from __future__ import annotations

from typing import Any

from rich.table import Table
from rich.text import Text

from wsctl.render.tables import SANDBOX_BANNER, Column, fit_table
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


def _fitted(title: str, columns: tuple[Column, ...], rows: list[tuple[Any, ...]]) -> Table:
    table = fit_table(title, columns, rows, sandbox=True)
    table.min_width = len(SANDBOX_BANNER) + len(title) + 6  # never wrap the banner of a narrow table
    return table


def _outcome(value: str) -> Text:
    return Text(value, style="bold red" if value == "ERROR" else "green")


def info_tables(info: dict[str, Any]) -> list[Table]:
    rows: list[tuple[Any, ...]] = []
    for d in info["Directories"]:
        names = d["UserNames"]
        shown = ", ".join(names[:_USERS_SHOWN]) + (
            f", ... ({len(names) - _USERS_SHOWN} more)" if len(names) > _USERS_SHOWN else ""
        )
        faults = Text(
            ", ".join(f"{name}: {effect}" for name, effect in d.get("FaultUsers", {}).items()), style="yellow"
        )
        rows.append((d["DirectoryId"], d["DirectoryName"], d["DirectoryType"], str(len(names)), shown, faults))
    # FaultUsers: users whose WorkSpaces make an operation fail, apart from the ordinary ones (not in Users).
    directories = _fitted(
        "Directories",
        (
            Column("DirectoryId", whole=True),
            Column("DirectoryName", wrap=True, drop=3),
            Column("Type", whole=True, drop=2),
            Column("Users", justify="right", drop=1),
            Column("UserNames", wrap=True),
            Column("FaultUsers", wrap=True),
        ),
        rows,
    )

    rows = [
        (
            b["BundleId"],
            b["Name"],
            b["Owner"],
            b["ComputeType"],
            f"{b['RootVolumeSizeGib']}/{b['UserVolumeSizeGib']}",
            _outcome(b["SandboxOutcome"]),
        )
        for b in info["Bundles"]
    ]
    bundles = _fitted(
        "Bundles",
        (
            Column("BundleId", whole=True),
            Column("Name", wrap=True),
            Column("Owner", drop=1),
            Column("Compute", whole=True),
            Column("Root/User GiB", justify="right", drop=2),
            Column("Outcome", whole=True),
        ),
        rows,
    )

    rows = [(a["ImageId"], a["Name"], a["Description"], _outcome(a["SandboxOutcome"])) for a in info["Ec2Images"]]
    amis = _fitted(
        "EC2 images to import",
        (
            Column("ImageId", whole=True),
            Column("Name", wrap=True),
            Column("Description", wrap=True, drop=1),
            Column("Outcome", whole=True),
        ),
        rows,
    )

    requests = new_table("Requests received")
    requests.add_column("Operation", no_wrap=True)
    requests.add_column("Requests", justify="right")
    for operation, count in info["Requests"].items():
        requests.add_row(operation, str(count))
    if not info["Requests"]:
        requests.add_row("(none since the last reset)", "0")

    usage = _fitted(
        "Usage profiles (dealt by user number)",
        (
            Column("Profile", whole=True),
            Column("Connected", wrap=True),
            Column("h/30 d", justify="right"),
            Column("Sessions/30 d", justify="right"),
        ),
        [
            (p["Profile"], p["Description"], f"{p['ConnectedHoursPerMonth']:g}", str(p["SessionsPerMonth"]))
            for p in info.get("UsageProfileCycle", [])
        ],
    )
    rows = []
    for key, label in _SETTING_LABELS:
        value = info["Settings"].get(key)
        rows.append((label, "off" if value is None else str(value)))
    settings = _fitted("Settings", (Column("Setting", wrap=True), Column("Value", wrap=True)), rows)
    return [directories, bundles, amis, usage, requests, settings]
