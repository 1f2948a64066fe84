"""The README's console blocks, made by running the real `wsctl` on a sandbox of their own (cogapp).

`cog -r README.md` (from the repository root) rewrites every block between `[[[cog` and
`[[[end]]]`; `cog --check README.md` fails when one is out of date, and tests/test_readme.py
runs that check. cog puts the README's folder on sys.path, so `import tests.readme_cog` works
from the repository root in any shell where wsctl is installed, with no PYTHONPATH.

Each README starts one tour (`start()`): a new temporary directory holding the sandbox
database, the state directory (`XDG_STATE_HOME`) and a working folder (`examples/` linked
in), fake AWS credentials, no colour, 100 columns, `TERM=xterm-256color` and a sandbox reset
at a fixed seed with `--time-scale 0.05`, so the blocks run in seconds and every WorkSpace,
directory, bundle and image ID is the same on every run. The commands of a README run in
order, each seeing what the earlier ones did.

What cannot be made the same from run to run is substituted, and only that (`normalise`):

- timestamps (`2026-12-02T00:04:43Z`, `20261202T000443Z`, `2026-12-02 00:04`) become
  2026-12-01T12:00:00Z (or the same in the format printed);
- durations (`0.3 s`, `Waited 2 s`) become 0.4 s, or 2 s when wsctl printed whole seconds;
- the temporary state folder is shown as the XDG default of a user called `you`,
  `/home/you/.local/state` (so a run record is `/home/you/.local/state/wsctl/runs/...`), and
  the run record's process ID as 4242;
- the sandbox database is shown at its default place, `/home/you/.local/state/wsctl/sandbox.sqlite3`,
  and the working folder as `.`;
- the free port `wsctl sandbox serve --port 0` picked becomes 39379;
- trailing spaces are dropped (Rich pads a table's title to the table's width).
"""

from __future__ import annotations

import atexit
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TIME_SCALE = "0.05"
COLUMNS = "100"
TIMESTAMP = "2026-12-01T12:00:00Z"
TIMESTAMP_COMPACT = "20261201T120000Z"
SHOWN_PID = "4242"
SHOWN_PORT = "39379"
STATE_SHOWN = "/home/you/.local/state"  # wsctl prints the absolute path


@dataclass
class Tour:
    """One README's sandbox: a temporary folder, the environment the commands run in."""

    base: Path
    env: dict[str, str] = field(default_factory=dict)
    servers: list[subprocess.Popen[str]] = field(default_factory=list)

    @property
    def work(self) -> Path:
        return self.base / "work"

    @property
    def state(self) -> Path:
        return self.base / "state"


_tour: Tour | None = None


def _environment(base: Path) -> dict[str, str]:
    # Nothing of the reader's shell that changes what wsctl (or Rich) prints: accounts, state, colours, sizes.
    dropped = ("AWS_", "WSCTL_", "XDG_", "_WSCTL", "_TYPER", "FORCE_COLOR", "CLICOLOR", "TTY_", "COLORTERM", "JUPYTER")
    keep = {k: v for k, v in os.environ.items() if not k.startswith(dropped)}
    home = base / "home"
    (home / ".aws").mkdir(parents=True, exist_ok=True)
    bin_dir = str(Path(sys.executable).parent)  # the wsctl installed with this Python, first
    return {
        **keep,
        "PATH": os.pathsep.join([bin_dir, keep.get("PATH", "")]),
        "HOME": str(home),
        "XDG_STATE_HOME": str(base / "state"),
        "XDG_CACHE_HOME": str(base / "cache"),
        "XDG_CONFIG_HOME": str(base / "config"),
        "WSCTL_SANDBOX_DB": str(base / "sandbox.sqlite3"),
        "AWS_CONFIG_FILE": str(home / ".aws" / "config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(home / ".aws" / "credentials"),
        "AWS_ACCESS_KEY_ID": "AKIAEXAMPLEEXAMPLE00",
        "AWS_SECRET_ACCESS_KEY": "example-secret-not-a-real-one",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_EC2_METADATA_DISABLED": "true",
        "NO_COLOR": "1",
        "COLUMNS": COLUMNS,
        "LINES": "40",
        "TERM": "xterm-256color",
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "PYTHONIOENCODING": "utf-8",
        "TZ": "UTC",
    }


def start() -> Tour:
    """A new sandbox for this README (the first block calls it): reset, deterministic, fast."""
    global _tour
    stop()
    base = Path(tempfile.mkdtemp(prefix="wsctl-readme-"))
    tour = Tour(base)
    tour.work.mkdir()
    (tour.work / "examples").symlink_to(ROOT / "examples")
    tour.env = _environment(base)
    _tour = tour
    setup(f"wsctl sandbox reset --time-scale {TIME_SCALE}")
    return tour


def stop() -> None:
    global _tour
    if _tour is None:
        return
    for server in _tour.servers:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=10)
    shutil.rmtree(_tour.base, ignore_errors=True)
    _tour = None


atexit.register(stop)


def _current() -> Tour:
    return _tour if _tour is not None else start()


def _run(command: str, stdin: str | None = None) -> str:
    tour = _current()
    if command.startswith("aws ") and shutil.which("aws", path=tour.env["PATH"]) is None:  # pragma: no cover
        raise RuntimeError("this README block runs the AWS CLI: pip install -e '.[test]'")
    proc = subprocess.run(
        ["bash", "-o", "pipefail", "-c", command],
        cwd=tour.work,
        env=tour.env,
        input=stdin if stdin is not None else "",
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,  # as a terminal shows both, in the order they were written
        text=True,
        timeout=120,
    )
    return proc.stdout


def setup(command: str) -> None:
    """Run a command the README does not show (its output is dropped)."""
    _run(command)


def write(name: str, text: str) -> None:
    """A file in the working folder, for the commands that follow."""
    (_current().work / name).write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")


def normalise(text: str) -> str:
    """What changes from run to run, replaced as the module's docstring lists."""
    tour = _current()
    text = text.replace(str(tour.state), STATE_SHOWN)
    text = text.replace(str(tour.base / "sandbox.sqlite3"), f"{STATE_SHOWN}/wsctl/sandbox.sqlite3")
    text = text.replace(str(tour.work) + "/", "")
    text = re.sub(r"\b\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z\b", TIMESTAMP, text)
    text = re.sub(r"\b\d{4}-\d\d-\d\d \d\d:\d\d\b", TIMESTAMP[:10] + " " + TIMESTAMP[11:16], text)
    text = re.sub(r"\b\d{8}T\d{6}Z-([a-z][a-z-]*)-\d+\.jsonl\b", rf"{TIMESTAMP_COMPACT}-\1-{SHOWN_PID}.jsonl", text)
    text = re.sub(r"\b\d+\.\d+ s\b", "0.4 s", text)
    text = re.sub(r"\b(Waited|after|in) \d+ s\b", r"\1 2 s", text)
    text = re.sub(r"\b127\.0\.0\.1:\d{4,5}\b", f"127.0.0.1:{SHOWN_PORT}", text)
    return "\n".join(line.rstrip() for line in text.splitlines())


def _elide(lines: list[str], head: int | None, tail: int) -> list[str]:
    if head is None or len(lines) <= head + tail + 1:
        return lines
    return [*lines[:head], "...", *(lines[-tail:] if tail else [])]


def console(
    *commands: str,
    shown: str | None = None,
    stdin: str | None = None,
    head: int | None = None,
    tail: int = 0,
) -> None:
    """A ```console block: each command after `$ `, then what it printed (stdout and stderr).

    `shown` replaces how the (single) command is written in the README, for a long command
    shown on two lines; `head`/`tail` keep that many lines of a long output, with `...` between.
    `wsctl sandbox serve ... &` starts a server that the following commands reach as
    `$SANDBOX_URL`; it stops when the README is done.
    """
    out = ["```console"]
    for command in commands:
        url = _current().env.get("SANDBOX_URL", "")
        written = (shown if shown is not None else command).replace("$SANDBOX_URL", url)
        if command.startswith("wsctl sandbox serve") and command.endswith("&"):
            out.append(f"$ {written}          # prints {normalise(_serve(command))}")
            continue
        out.append(f"$ {normalise(written)}")
        out += _elide(normalise(_run(command, stdin)).splitlines(), head, tail)
    out.append("```")
    _emit("\n".join(out))


def _emit(text: str) -> None:
    # cogapp provides `cog` while it runs a block (a new one for each run, so looked up each time).
    import cog  # type: ignore[import-not-found]

    cog.outl(text)


def _serve(command: str) -> str:
    """Start `wsctl sandbox serve ... &` for the commands after it; the URL it printed first.

    The commands that follow reach it as `$SANDBOX_URL` (shown as the URL itself).
    """
    tour = _current()
    server = subprocess.Popen(
        ["bash", "-c", f"exec {command.removesuffix('&').strip()} --quiet"],
        cwd=tour.work,
        env=tour.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    tour.servers.append(server)
    assert server.stdout is not None
    url = server.stdout.readline().strip()
    tour.env["SANDBOX_URL"] = url
    return url
