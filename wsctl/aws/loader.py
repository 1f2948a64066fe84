"""botocore's data loader, made cheaper for a process that uses one service."""

from __future__ import annotations

import os
from typing import Any


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
