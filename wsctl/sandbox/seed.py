"""What a fresh sandbox holds: directories with users, bundles, EC2 images to import.

Everything is derived from the settings (`--seed`, `--users`), so a reset with the same
options gives the same IDs. One custom bundle and one AMI are marked to fail, so the
failure paths of `--wait` can be seen without an AWS account.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from wsctl.sandbox import ids
from wsctl.sandbox.settings import ACCOUNT_ID, Settings

UPDATE_FAILS_USER = "sandbox-update-fails"
REBOOT_FAILS_USER = "sandbox-reboot-fails"
REBUILD_FAILS_USER = "sandbox-rebuild-fails"
RESTORE_FAILS_USER = "sandbox-restore-fails"
# Seeded users whose WorkSpaces make an operation fail, so tests and demos can see each
# failure path: user name -> what it makes happen. Every one is seeded into the first directory.
# A failing migration needs no user: migrating to the custom bundle whose image fails
# (corp-broken-image) terminates the new WorkSpace and keeps the source.
# What each one makes happen, as `sandbox info` shows it (the state it ends in, after which call):
# a property change ends UPDATE_FAILED in ModificationStates; a reboot ends UNHEALTHY (a stop,
# rebuild or restore brings it back); a rebuild ends ERROR, ErrorCode RebuildFailed (a restore
# brings it back); a restore ends ERROR, ErrorCode RestoreFailed (a rebuild brings it back).
FAULT_USERS: dict[str, str] = {
    UPDATE_FAILS_USER: "UPDATE_FAILED",
    REBOOT_FAILS_USER: "REBOOT_UNHEALTHY",
    REBUILD_FAILS_USER: "REBUILD_ERROR",
    RESTORE_FAILS_USER: "RESTORE_ERROR",
}
CATALOGUE_SEED = 0
SECOND_DIRECTORY_USERS = 10

# (label, compute type, root GiB, user GiB, vCPU, memory GiB)
_COMPUTE = {
    "Value": ("VALUE", 80, 10, 1, 2),
    "Standard": ("STANDARD", 80, 50, 2, 4),
    "Performance": ("PERFORMANCE", 80, 100, 2, 8),
    "Power": ("POWER", 175, 100, 4, 16),
    "PowerPro": ("POWERPRO", 175, 100, 8, 32),
    "Graphics": ("GRAPHICS", 100, 100, 8, 15),
    "GraphicsPro": ("GRAPHICSPRO", 100, 100, 16, 122),
    "Graphics.g4dn": ("GRAPHICS_G4DN", 100, 100, 4, 16),
    "GraphicsPro.g4dn": ("GRAPHICSPRO_G4DN", 100, 100, 16, 64),
}
_GENERAL = ("Value", "Standard", "Performance", "Power", "PowerPro")
_AMAZON_BUNDLES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Windows 10 (Server 2022 based)", (*_GENERAL, "Graphics.g4dn", "GraphicsPro.g4dn")),
    ("Windows Server 2022", (*_GENERAL, "Graphics.g4dn", "GraphicsPro.g4dn")),
    ("Windows Server 2019", (*_GENERAL, "Graphics", "GraphicsPro")),
    ("Amazon Linux 2", _GENERAL),
    ("Ubuntu 22.04", _GENERAL),
)

# The seeded directories' names, in the order of their IDs (`seed` and `catalogue` both use it).
DIRECTORY_NAMES = ("corp.example.com", "branch.example.org")

# (name, compute label, description, outcome)
_CUSTOM_BUNDLES = (
    ("corp-standard-win11", "Standard", "Corporate Windows 11 desktop", "AVAILABLE"),
    ("corp-broken-image", "Performance", "Windows 11 image that fails to launch (sandbox)", "ERROR"),
)

# (name, description, outcome)
_AMIS = (
    ("win11-23h2-byol-golden", "Windows 11 23H2 golden image, sysprepped", "AVAILABLE"),
    ("win10-22h2-byol-base", "Windows 10 22H2 base image", "AVAILABLE"),
    ("win11-23h2-byol-office", "Windows 11 23H2 ready for Microsoft Office", "AVAILABLE"),
    ("win11-23h2-domain-joined", "Windows 11 23H2 still joined to a domain (fails ingestion)", "ERROR"),
)


def catalogue() -> dict[str, dict[str, str]]:
    """The seeded directories and bundles, ID -> name, without a database (for shell completion)."""
    s = CATALOGUE_SEED
    directories = {ids.directory_id(s, n): name for n, name in enumerate(DIRECTORY_NAMES)}
    names = [f"{label} with {os_name}" for os_name, labels in _AMAZON_BUNDLES for label in labels]
    names += [name for name, *_ in _CUSTOM_BUNDLES]
    return {"directories": directories, "bundles": {ids.bundle_id(s, n): name for n, name in enumerate(names)}}


def seed(conn: sqlite3.Connection, settings: Settings, now: float) -> None:
    # The catalogue (directories, bundles, AMIs) has the same IDs whatever --seed says, so the
    # examples and the README work after any reset; --seed varies what gets created later
    # (WorkSpace and image IDs) and the fault decisions.
    s = CATALOGUE_SEED
    meta = {"settings": settings.to_json(), "next_id": "0", "request_seq": "0", "seeded_at": repr(now)}
    conn.executemany("INSERT INTO meta (key, value) VALUES (?, ?)", meta.items())
    conn.execute("INSERT INTO bucket (id, tokens, stamp) VALUES (1, ?, ?)", (float(settings.burst), now))

    width = max(4, len(str(settings.users)))
    primary_users = [f"user{i:0{width}d}" for i in range(1, settings.users + 1)] + list(FAULT_USERS)
    second_users = [f"branch{i:02d}" for i in range(1, SECOND_DIRECTORY_USERS + 1)]
    directories = (
        (DIRECTORY_NAMES[0], "corp-example", "SIMPLE_AD", "SLiad", primary_users),
        (DIRECTORY_NAMES[1], "branch-example", "AD_CONNECTOR", "WSpdx", second_users),
    )
    for n, (name, alias, kind, code_prefix, users) in enumerate(directories):
        data = _directory(s, n, name, alias, kind, code_prefix)
        conn.execute(
            "INSERT INTO directories (seq, directory_id, data) VALUES (?, ?, ?)",
            (n, data["DirectoryId"], json.dumps(data)),
        )
        conn.executemany(
            "INSERT INTO users (directory_id, user_name) VALUES (?, ?)", ((data["DirectoryId"], u) for u in users)
        )

    seq = 0
    for os_name, labels in _AMAZON_BUNDLES:
        for label in labels:
            bundle = _bundle(s, seq, f"{label} with {os_name}", label, "AMAZON", _amazon_description(label, os_name))
            bundle["ImageId"] = ids.image_id(s, seq, "wsi-amazon")  # Amazon's image, not the account's
            _insert_bundle(conn, seq, bundle, "AVAILABLE", now)
            seq += 1
    for n, (name, label, description, outcome) in enumerate(_CUSTOM_BUNDLES):
        image = _owned_image(s, n, f"{name}-image", f"Image of bundle {name}", now)
        conn.execute(
            "INSERT INTO images (image_id, name, owned, ready_at, outcome, data) VALUES (?, ?, 1, ?, 'AVAILABLE', ?)",
            (image["ImageId"], image["Name"], now, json.dumps(image)),
        )
        bundle = _bundle(s, seq, name, label, ACCOUNT_ID, description)
        bundle["ImageId"] = image["ImageId"]
        _insert_bundle(conn, seq, bundle, outcome, now)
        seq += 1

    for n, (name, description, outcome) in enumerate(_AMIS):
        ami = {
            "ImageId": ids.ami_id(s, n),
            "Name": name,
            "Description": description,
            "Platform": "Windows",
            "OwnerId": ACCOUNT_ID,
        }
        conn.execute(
            "INSERT INTO amis (seq, image_id, outcome, data) VALUES (?, ?, ?, ?)",
            (n, ami["ImageId"], outcome, json.dumps(ami)),
        )


def _directory(s: int, n: int, name: str, alias: str, kind: str, code_prefix: str) -> dict[str, Any]:
    dc = ",".join(f"DC={part}" for part in name.split("."))
    return {
        "DirectoryId": ids.directory_id(s, n),
        "Alias": alias,
        "DirectoryName": name,
        "RegistrationCode": f"{code_prefix}+{ids.token(s, 'regcode', n, 6)}",
        "SubnetIds": [ids.hex_id("subnet-", s, "subnet", 2 * n), ids.hex_id("subnet-", s, "subnet", 2 * n + 1)],
        "DnsIpAddresses": [f"10.{n}.1.10", f"10.{n}.2.10"],
        "CustomerUserName": "Administrator",
        "IamRoleId": f"arn:aws:iam::{ACCOUNT_ID}:role/workspaces_DefaultRole",
        "DirectoryType": kind,
        "WorkspaceSecurityGroupId": ids.hex_id("sg-", s, "sg", n),
        "State": "REGISTERED",
        "WorkspaceCreationProperties": {
            "EnableInternetAccess": False,
            "DefaultOu": f"OU=WorkSpaces,{dc}",
            "UserEnabledAsLocalAdministrator": True,
            "EnableMaintenanceMode": True,
        },
        "ipGroupIds": [],
        "WorkspaceAccessProperties": {
            "DeviceTypeWindows": "ALLOW",
            "DeviceTypeOsx": "ALLOW",
            "DeviceTypeWeb": "DENY",
            "DeviceTypeIos": "ALLOW",
            "DeviceTypeAndroid": "ALLOW",
            "DeviceTypeChromeOs": "ALLOW",
            "DeviceTypeZeroClient": "ALLOW",
            "DeviceTypeLinux": "ALLOW",
        },
        "Tenancy": "SHARED",
        "SelfservicePermissions": {
            "RestartWorkspace": "ENABLED",
            "IncreaseVolumeSize": "DISABLED",
            "ChangeComputeType": "DISABLED",
            "SwitchRunningMode": "DISABLED",
            "RebuildWorkspace": "DISABLED",
        },
    }


def _amazon_description(label: str, os_name: str) -> str:
    _, root, user, cpus, memory = _COMPUTE[label]
    return f"{label} with {os_name} ({cpus} vCPU, {memory} GiB memory, {root} GB root, {user} GB user storage)"


def _bundle(s: int, n: int, name: str, label: str, owner: str, description: str) -> dict[str, Any]:
    compute, root, user, _, _ = _COMPUTE[label]
    return {
        "BundleId": ids.bundle_id(s, n),
        "Name": name,
        "Owner": owner,
        "Description": description,
        "RootStorage": {"Capacity": str(root)},
        "UserStorage": {"Capacity": str(user)},
        "ComputeType": {"Name": compute},
        "State": "AVAILABLE",
        "BundleType": "REGULAR",
    }


def _insert_bundle(conn: sqlite3.Connection, seq: int, bundle: dict[str, Any], outcome: str, now: float) -> None:
    bundle["CreationTime"] = now
    bundle["LastUpdatedTime"] = now
    conn.execute(
        "INSERT INTO bundles (seq, bundle_id, owner, outcome, data) VALUES (?, ?, ?, ?, ?)",
        (seq, bundle["BundleId"], bundle["Owner"], outcome, json.dumps(bundle)),
    )


def _owned_image(s: int, n: int, name: str, description: str, now: float) -> dict[str, Any]:
    return {
        "ImageId": ids.image_id(s, n, "wsi-seeded"),
        "Name": name,
        "Description": description,
        "OperatingSystem": {"Type": "WINDOWS"},
        "RequiredTenancy": "DEFAULT",
        "Created": now,
        "OwnerAccountId": ACCOUNT_ID,
    }
