"""Global options after the command mean what they mean before it, as in the AWS CLI."""

from __future__ import annotations

import typer.main

from tests import sandbox_support as sb
from tests.helpers import wsctl
from wsctl.cli.app import app
from wsctl.cli.argv import global_options_first

ROOT = typer.main.get_command(app)


def test_global_options_move_in_front_of_the_command_with_their_values():
    assert global_options_first(ROOT, ["describe", "--sandbox", "-o", "ids"]) == ["--sandbox", "describe", "-o", "ids"]
    assert global_options_first(ROOT, ["create", "-f", "x.yaml", "--region", "eu-west-1", "--yes"]) == [
        "--region",
        "eu-west-1",
        "create",
        "-f",
        "x.yaml",
        "--yes",
    ]
    assert global_options_first(ROOT, ["--debug", "maintenance", "on", "--profile=ops", "ws-1"]) == [
        "--debug",
        "--profile=ops",
        "maintenance",
        "on",
        "ws-1",
    ]


def test_what_the_command_defines_itself_and_what_follows_double_dash_stay():
    # `sandbox reset --burst` is the sandbox's own server-side burst, not the client's --burst.
    assert global_options_first(ROOT, ["sandbox", "reset", "--burst", "3"]) == ["sandbox", "reset", "--burst", "3"]
    assert global_options_first(ROOT, ["describe", "-o", "json"]) == ["describe", "-o", "json"]
    assert global_options_first(ROOT, ["stop", "--", "--sandbox"]) == ["stop", "--", "--sandbox"]
    assert global_options_first(ROOT, ["describe", "--region"]) == ["describe", "--region"]


def test_describe_with_sandbox_after_the_command_reads_the_sandbox():
    seed, ids = sb.make_fleet(1)
    run = wsctl("describe", "--sandbox", "-o", "ids")
    assert run.exit_code == 0, run.stderr
    assert run.stdout.split() == ids


def test_help_shows_no_python_types_for_the_id_arguments():
    for command in ("set-mode", "modify", "stop", "terminate"):
        run = wsctl(command, "--help")
        assert run.exit_code == 0
        assert "<list[str]>" not in run.stdout and "[[ID]...]" not in run.stdout, command
        assert f"Usage: wsctl {command} [OPTIONS] [ID]..." in run.stdout


class _Terminal:
    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> None:
        self.text += text

    def isatty(self) -> bool:
        return True


def test_error_is_red_on_a_terminal_unless_no_color(monkeypatch):
    from wsctl.cli.report import report_exception
    from wsctl.errors import UsageError

    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    shown = _Terminal()
    report_exception(UsageError("bad flag"), stream=shown)
    assert shown.text == "\x1b[31merror:\x1b[0m bad flag\n"
    monkeypatch.setenv("NO_COLOR", "1")
    plain = _Terminal()
    report_exception(UsageError("bad flag"), stream=plain)
    assert plain.text == "error: bad flag\n"


def test_saying_no_is_not_an_error_line():
    from wsctl.cli.prompts import Declined

    assert Declined("Cancelled; nothing was sent.").lines() == ["Cancelled; nothing was sent."]
