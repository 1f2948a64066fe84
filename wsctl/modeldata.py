"""Enum values from the installed botocore's WorkSpaces model, without importing botocore.

Help texts and shell completion need the enum values (running modes, compute types,
ingestion processes, states), but `--help` and a completion call must stay fast and must
not import botocore. botocore ships the model as a gzipped JSON file inside its package;
we find the package with `importlib.util.find_spec` (which does not import it) and read
the newest API version's file. Validation (`wsctl.model`) loads the same model through
botocore's own loader.
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


def botocore_loader(search_path: str | None = None) -> Any:
    """botocore's data loader, without its scan of every service before each model it loads.

    Before loading a model, botocore's `Loader` lists the directory of every service it ships
    (400+ of them, a few thousand stat calls) to check the name, once per kind of file
    (service, paginators, endpoint rules): 30-40 ms of every wsctl run. This loader checks
    only the one directory it is asked for and reads the same files; a name it cannot find
    goes the usual way (and gets botocore's own error). `search_path` is AWS_DATA_PATH's
    value, as for `botocore.loaders.create_loader`.
    """
    from botocore.loaders import Loader, instance_cache

    class DirectLoader(Loader):
        @instance_cache
        def load_service_model(self, service_name: str, type_name: str, api_version: str | None = None) -> Any:
            present = any(os.path.isdir(os.path.join(path, service_name)) for path in self.search_paths)
            if not present or not hasattr(self, "_extras_processor") or not hasattr(self, "_find_extras"):
                return super().load_service_model(service_name, type_name, api_version)
            if api_version is None:
                api_version = self.determine_latest_version(service_name, type_name)
            model = self.load_data(os.path.join(service_name, api_version, type_name))
            self._extras_processor.process(model, self._find_extras(service_name, type_name, api_version))
            return model

    paths = [os.path.expanduser(os.path.expandvars(p)) for p in (search_path or "").split(os.pathsep) if p]
    return DirectLoader(extra_search_paths=paths)
