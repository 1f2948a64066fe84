"""Shell-completion callbacks: enum values from the service model, no network, no botocore.

Command modules import this module for the callbacks; the model is read (wsctl.spec.enums)
only when a callback runs, so `--help` does not pay for it.
"""

from __future__ import annotations

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
