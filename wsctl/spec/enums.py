"""Enum values from the installed botocore's WorkSpaces model, without importing botocore.

Help texts and shell completion need the enum values (running modes, compute types,
ingestion processes, states), but `--help` and a completion call must stay fast and must
not import botocore. botocore ships the model as a gzipped JSON file inside its package;
we find the package with `importlib.util.find_spec` (which does not import it) and read
the newest API version's file. Validation (`wsctl.spec.model`) compiles the same
file, so what AWS allows is read without botocore's client machinery.
"""

from __future__ import annotations

import functools
import gzip
import importlib.util
import json
import os
from typing import Any

SERVICE = "workspaces"


@functools.cache
def raw_service_model() -> dict[str, Any]:
    spec = importlib.util.find_spec("botocore")
    if spec is None or not spec.submodule_search_locations:
        return {"shapes": {}}
    base = os.path.join(next(iter(spec.submodule_search_locations)), "data", SERVICE)
    try:
        version = max(os.listdir(base))
    except OSError:
        return {"shapes": {}}
    folder = os.path.join(base, version)
    path = os.path.join(folder, "service-2.json.gz")
    if os.path.exists(path):
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            data: dict[str, Any] = json.load(handle)
            return data
    path = os.path.join(folder, "service-2.json")
    if os.path.exists(path):
        with open(path, encoding="utf-8") as plain:
            data = json.load(plain)
            return data
    return {"shapes": {}}


def enum_values(shape_name: str) -> tuple[str, ...]:
    shape = raw_service_model().get("shapes", {}).get(shape_name, {})
    return tuple(shape.get("enum", ()))


# Shape names in the WorkSpaces model, so callers say what they mean.
RUNNING_MODE = "RunningMode"
COMPUTE = "Compute"
INGESTION_PROCESS = "WorkspaceImageIngestionProcess"
WORKSPACE_STATE = "WorkspaceState"
APPLICATION = "Application"
