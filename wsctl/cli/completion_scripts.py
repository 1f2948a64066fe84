"""Write the shell-completion scripts in `completions/` from the CLI itself.

    python -m wsctl.completion_scripts           # (re)write completions/wsctl.bash, _wsctl, wsctl.fish
    python -m wsctl.completion_scripts --check   # exit 1 and name each script that is out of date

Each script is exactly what `wsctl --show-completion SHELL` prints, the one
`wsctl --install-completion` installs: Typer's own script, which calls `wsctl` back with
`_WSCTL_COMPLETE=complete_SHELL` on every TAB. wsctl answers those calls from its own
options and the service model, with no network call.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

# shell -> file name, as each shell looks for it (zsh autoloads `_wsctl` from $fpath).
SCRIPTS = {"bash": "wsctl.bash", "zsh": "_wsctl", "fish": "wsctl.fish"}
DEFAULT_DIR = Path(__file__).resolve().parents[2] / "completions"


def generate(shell: str) -> str:
    """The script `wsctl --show-completion SHELL` prints."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("_WSCTL_COMPLETE", "_TYPER_COMPLETE", "TYPER_"))}
    # Without it, --show-completion takes no argument: Typer detects the shell from the parent process.
    env["_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION"] = "1"
    proc = subprocess.run(
        [sys.executable, "-m", "wsctl", "--show-completion", shell],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    if proc.returncode != 0 or not proc.stdout.strip():
        raise RuntimeError(f"wsctl --show-completion {shell} failed ({proc.returncode}): {proc.stderr.strip()}")
    return proc.stdout


def stale(directory: Path = DEFAULT_DIR) -> list[Path]:
    """The shipped scripts that differ from what the current CLI generates (or are missing)."""
    out = []
    for shell, name in SCRIPTS.items():
        path = directory / name
        if not path.is_file() or path.read_text(encoding="utf-8") != generate(shell):
            out.append(path)
    return out


def write_all(directory: Path = DEFAULT_DIR) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for shell, name in SCRIPTS.items():
        path = directory / name
        path.write_text(generate(shell), encoding="utf-8")
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m wsctl.completion_scripts", description="Write the shell-completion scripts from the CLI."
    )
    parser.add_argument("--check", action="store_true", help="only report scripts that are out of date (exit 1)")
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR, help="where the scripts live (default: completions/)")
    args = parser.parse_args(argv)
    if args.check:
        behind = stale(args.dir)
        for path in behind:
            print(f"{path}: out of date; run python -m wsctl.completion_scripts", file=sys.stderr)
        return 1 if behind else 0
    for path in write_all(args.dir):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
