"""Shell-completion callbacks: enum values from the service model, no network, no botocore.

Command modules import this module for the callbacks; the model is read (wsctl.spec.enums)
only when a callback runs, so `--help` does not pay for it.
"""

from __future__ import annotations

from typing import Any

INGESTION_HELP = {
    "": "PCoIP",
    "_WSP": "WorkSpaces Streaming Protocol (DCV)",
    "_BYOP": "bring your own protocol (WorkSpaces Core allow-listed accounts only)",
}


def ingestion_process_help(value: str) -> str:
    """Explain a process name by its suffix and the bundles it suits."""
    suffix = next((s for s in ("_WSP", "_BYOP") if value.endswith(s)), "")
    protocol = INGESTION_HELP[suffix]
    gpu = "GPU bundles (Graphics" if "GRAPHICS" in value else "non-GPU bundles"
    if "G4DN" in value:
        gpu += " g4dn)"
    elif "GRAPHICSPRO" in value:
        gpu += "Pro)"
    elif "GRAPHICS" in value:
        gpu += ")"
    return f"{protocol}; for {gpu}"


RUNNING_MODE_NOTES = {
    "AUTO_STOP": "stops after the user disconnects; billed by the hour",
    "ALWAYS_ON": "always running; billed monthly",
    "MANUAL": "WorkSpaces Core only: needs an allow-listed account",
}


def _matching(shape: str, incomplete: str) -> list[str]:
    from wsctl.spec import enums as modeldata

    prefix = incomplete.upper()
    return [v for v in modeldata.enum_values(shape) if v.upper().startswith(prefix)]


# Shape names in the WorkSpaces model (as in wsctl.spec.enums, which is not imported up front).
_RUNNING_MODE = "RunningMode"
_COMPUTE = "Compute"
_WORKSPACE_STATE = "WorkspaceState"
_INGESTION_PROCESS = "WorkspaceImageIngestionProcess"
_APPLICATION = "Application"


def complete_running_modes(incomplete: str) -> list[tuple[str, str]]:
    return [(v, RUNNING_MODE_NOTES.get(v, "")) for v in _matching(_RUNNING_MODE, incomplete)]


def complete_compute_types(incomplete: str) -> list[str]:
    return _matching(_COMPUTE, incomplete)


def complete_states(incomplete: str) -> list[str]:
    return _matching(_WORKSPACE_STATE, incomplete)


def complete_ingestion_processes(incomplete: str) -> list[tuple[str, str]]:
    return [(v, ingestion_process_help(v)) for v in _matching(_INGESTION_PROCESS, incomplete)]


def complete_applications(incomplete: str) -> list[str]:
    return _matching(_APPLICATION, incomplete)


# --- how completions are printed ------------------------------------------------------------


def plain_help(text: str, limit: int = 120) -> str:
    """Help for a completion menu: one line of plain text, at most `limit` characters."""
    line = " ".join(text.split())
    if len(line) > limit:
        line = line[: limit - 3].rstrip(" ,;:.") + "..."
    return line


# --- directory and bundle IDs ---------------------------------------------------------------
# On the sandbox the IDs are the seed's catalogue (the same whatever --seed says). Against AWS
# they come from a small cache that the commands listing directories, bundles or WorkSpaces
# write under $XDG_STATE_HOME/wsctl/completion/, one file per profile, Region and endpoint:
# a TAB press never calls AWS, and never offers file names for an ID.

CACHE_LIMIT = 500  # IDs kept per kind, the most recently seen first
_TRUE_WORDS = frozenset({"1", "on", "t", "true", "y", "yes"})
KINDS = {"directories": "d-", "bundles": "wsb-"}


def cache_scope(*, sandbox: bool, profile: str | None, region: str | None, endpoint_url: str | None) -> str:
    """The cache file's name for where the IDs live: the sandbox, or a profile, Region and endpoint."""
    if sandbox:
        return "sandbox"
    import hashlib

    where = f"{profile or 'default'}\n{region or ''}\n{endpoint_url or ''}"
    label = "".join(c if c.isalnum() or c in "-_." else "_" for c in f"{profile or 'default'}-{region or 'any'}")
    return f"{label}-{hashlib.sha256(where.encode()).hexdigest()[:8]}"


def _cache_file(scope: str) -> Any:
    from wsctl.paths import state_dir

    return state_dir() / "completion" / f"{scope}.json"


def _read_cache(scope: str) -> dict[str, dict[str, str]]:
    import json

    try:
        data = json.loads(_cache_file(scope).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {k: {str(i): str(n) for i, n in v.items()} for k, v in data.items() if k in KINDS and isinstance(v, dict)}


def remember_ids(scope: str, kind: str, found: dict[str, str]) -> None:
    """Add `found` (ID -> a label, possibly empty) to the cache of `kind`; never fails the command."""
    if not found:
        return
    import json
    import os

    from wsctl.paths import make_private_dirs

    cache = _read_cache(scope)
    known = cache.get(kind, {})
    merged = {i: (label or known.get(i, "")) for i, label in found.items()}
    merged.update({i: n for i, n in known.items() if i not in merged})
    cache[kind] = dict(list(merged.items())[:CACHE_LIMIT])
    path = _cache_file(scope)
    try:
        make_private_dirs(path.parent)
        partial = path.with_name(f".{path.name}.{os.getpid()}")
        partial.write_text(json.dumps(cache, indent=1), encoding="utf-8")
        os.replace(partial, path)  # another wsctl reading it sees the old file or the new one
    except OSError:
        pass  # completion is a convenience: a read-only state directory must not fail a describe


def remember_workspaces(scope: str, workspaces: Any) -> None:
    """The directory and bundle IDs of described WorkSpaces."""
    directories: dict[str, str] = {}
    bundles: dict[str, str] = {}
    for ws in workspaces:
        if isinstance(ws, dict):
            if ws.get("DirectoryId"):
                directories[str(ws["DirectoryId"])] = ""
            if ws.get("BundleId"):
                bundles[str(ws["BundleId"])] = ""
    remember_ids(scope, "directories", directories)
    remember_ids(scope, "bundles", bundles)


def _option_value(args: list[str], name: str) -> str | None:
    for n, word in enumerate(args):
        if word == name and n + 1 < len(args):
            return args[n + 1]
        if word.startswith(name + "="):
            return word.split("=", 1)[1]
    return None


def scope_of_words(args: list[str]) -> str:
    """The cache scope the command line being completed works in (flags first, then environment)."""
    import os

    sandbox = "--sandbox" in args or os.environ.get("WSCTL_SANDBOX", "").strip().lower() in _TRUE_WORDS
    region = _option_value(args, "--region") or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    return cache_scope(
        sandbox=sandbox,
        profile=_option_value(args, "--profile") or os.environ.get("AWS_PROFILE"),
        region=region,
        endpoint_url=_option_value(args, "--endpoint-url") or os.environ.get("AWS_ENDPOINT_URL_WORKSPACES"),
    )


def completing_words(ctx: Any) -> list[str]:
    """The words of the command line being completed, as the shell sent them.

    Typer hands a completion callback no arguments, and a global option after the command
    (`wsctl stop --sandbox --bundle-id <TAB>`) is not parsed while completing, so read the
    words from the completion protocol's environment, and the options parsed so far.
    """
    import os
    import shlex

    line = os.environ.get("_TYPER_COMPLETE_ARGS") or os.environ.get("COMP_WORDS") or ""
    try:
        words = shlex.split(line)
    except ValueError:  # an unclosed quote while typing
        words = line.split()
    while ctx is not None:
        params = getattr(ctx, "params", None) or {}
        for name in ("profile", "region", "endpoint_url"):
            if params.get(name):
                words += [f"--{name.replace('_', '-')}", str(params[name])]
        if params.get("sandbox") is True:
            words.append("--sandbox")
        ctx = getattr(ctx, "parent", None)
    return words


def _known_ids(kind: str, words: list[str]) -> dict[str, str]:
    scope = scope_of_words(words)
    known: dict[str, str] = {}
    if scope == "sandbox":
        from wsctl.sandbox.seed import catalogue

        known.update(catalogue()[kind])
    for i, label in _read_cache(scope).get(kind, {}).items():
        known[i] = known.get(i) or label
    return known


def _complete_ids(kind: str, ctx: Any, incomplete: str) -> list[tuple[str, str]]:
    known = _known_ids(kind, completing_words(ctx))
    found = [(i, label) for i, label in known.items() if i.startswith(incomplete)]
    if found:
        return found
    # Nothing known: one candidate that explains, so the shell does not fall back to file names.
    hint = "none known yet: run wsctl describe (or add --sandbox)" if not known else f"no known ID starts {incomplete}"
    return [(incomplete or KINDS[kind], hint)]


def complete_directory_ids(ctx: Any, incomplete: str) -> list[tuple[str, str]]:
    """Directory IDs: the sandbox's catalogue, or those earlier commands saw (never file names)."""
    return _complete_ids("directories", ctx, incomplete)


def complete_bundle_ids(ctx: Any, incomplete: str) -> list[tuple[str, str]]:
    """Bundle IDs: the sandbox's catalogue, or those earlier commands saw (never file names)."""
    return _complete_ids("bundles", ctx, incomplete)


def scope_of(options: Any) -> str:
    """The cache scope of a run's GlobalOptions (the flags and environment it was given)."""
    return cache_scope(
        sandbox=bool(options.sandbox),
        profile=options.profile,
        region=options.region,
        endpoint_url=options.endpoint_url,
    )
