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


def _zsh_escape(text: str) -> str:
    # Typer's own escaping for the _arguments spec its zsh script evaluates.
    return text.replace('"', '""').replace("'", "''").replace("$", "\\$").replace("`", "\\`").replace(":", r"\\:")


def use_plain_help_formats() -> None:
    """Print zsh, fish and PowerShell completions with one-line plain help, without Rich.

    Typer renders each completion's help through Rich: that imports Rich on every TAB, eats
    `[...]` as markup, and wraps help longer than 80 columns onto a new line, which zsh and
    fish then read as more candidates. These classes print the same protocol, help kept on
    one line. Typer registers its own classes while it builds the CLI, so this runs after.
    """
    try:
        from typer._click.shell_completion import CompletionItem, add_completion_class
        from typer._completion_classes import FishComplete, PowerShellComplete, ZshComplete
    except ImportError:  # pragma: no cover - another Typer: keep its own formats
        return

    class PlainZshComplete(ZshComplete):
        def format_completion(self, item: CompletionItem) -> str:
            value = _zsh_escape(item.value)
            return f'"{value}":"{_zsh_escape(plain_help(item.help))}"' if item.help else f'"{value}"'

    class PlainFishComplete(FishComplete):
        def format_completion(self, item: CompletionItem) -> str:
            return f"{item.value}\t{plain_help(item.help)}" if item.help else f"{item.value}"

    class PlainPowerShellComplete(PowerShellComplete):
        def format_completion(self, item: CompletionItem) -> str:
            return f"{item.value}:::{plain_help(item.help) if item.help else ' '}"

    add_completion_class(PlainZshComplete, "zsh")
    add_completion_class(PlainFishComplete, "fish")
    add_completion_class(PlainPowerShellComplete, "powershell")
    add_completion_class(PlainPowerShellComplete, "pwsh")
