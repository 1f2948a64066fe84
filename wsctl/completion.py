"""Shell-completion callbacks: enum values from the service model, no network, no botocore."""

from __future__ import annotations

from wsctl import modeldata

INGESTION_HELP = {
    "": "PCoIP",
    "_WSP": "WorkSpaces Streaming Protocol (DCV)",
    "_BYOP": "bring your own protocol; WorkSpaces Core allow-listed accounts only",
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


def _matching(shape: str, incomplete: str) -> list[str]:
    prefix = incomplete.upper()
    return [v for v in modeldata.enum_values(shape) if v.upper().startswith(prefix)]


def complete_running_modes(incomplete: str) -> list[tuple[str, str]]:
    notes = {
        "MANUAL": "WorkSpaces Core allow-listed accounts only",
        "AUTO_STOP": "stops after the timeout",
        "ALWAYS_ON": "always running, billed monthly",
    }
    return [(v, notes.get(v, "")) for v in _matching(modeldata.RUNNING_MODE, incomplete)]


def complete_compute_types(incomplete: str) -> list[str]:
    return _matching(modeldata.COMPUTE, incomplete)


def complete_states(incomplete: str) -> list[str]:
    return _matching(modeldata.WORKSPACE_STATE, incomplete)


def complete_ingestion_processes(incomplete: str) -> list[tuple[str, str]]:
    return [(v, ingestion_process_help(v)) for v in _matching(modeldata.INGESTION_PROCESS, incomplete)]


def complete_applications(incomplete: str) -> list[str]:
    return _matching(modeldata.APPLICATION, incomplete)
