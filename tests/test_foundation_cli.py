"""Global options, exit codes and start-up cost of the real `wsctl` command."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.helpers import wsctl
from wsctl import __version__


def run_wsctl(
    *args: str, env_extra: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    import os

    env = dict(os.environ)
    env.update(env_extra or {})
    return subprocess.run(
        [sys.executable, "-m", "wsctl", *args], capture_output=True, text=True, env=env, timeout=timeout
    )


def imported_modules(*args: str, env_extra: dict[str, str] | None = None) -> set[str]:
    code = (
        "import sys, runpy\n"
        f"sys.argv = ['wsctl', *{list(args)!r}]\n"
        "try:\n"
        "    runpy.run_module('wsctl', run_name='__main__')\n"
        "except SystemExit:\n"
        "    pass\n"
        "import json\n"
        "sys.stderr.write('MODULES=' + json.dumps(sorted(sys.modules)) + '\\n')\n"
    )
    import os

    env = dict(os.environ)
    env.update(env_extra or {})
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    line = next(x for x in proc.stderr.splitlines() if x.startswith("MODULES="))
    return set(json.loads(line[len("MODULES=") :]))


def test_version_flag_prints_the_version():
    proc = run_wsctl("--version")
    assert proc.returncode == 0
    assert proc.stdout.strip() == f"wsctl {__version__}"


@pytest.mark.parametrize("args", [("--version",), ("--help",), ("describe", "--help")])
def test_help_and_version_import_no_boto(args):
    modules = imported_modules(*args)
    assert not {m for m in modules if m.split(".")[0] in ("boto3", "botocore")}


def test_version_imports_not_even_typer():
    assert "typer" not in imported_modules("--version")


def test_output_option_works_before_and_after_the_subcommand():
    # A filter error is found before any client exists, so this needs no backend.
    for args in (["-o", "json", "describe", "--user", "bob"], ["describe", "--user", "bob", "-o", "json"]):
        run = wsctl(*args)
        assert run.exit_code == 2
        assert "--user: needs --directory-id" in run.stderr
        assert run.stdout == ""


def test_bad_output_format_is_a_usage_error():
    run = wsctl("-o", "xml", "describe")
    assert run.exit_code == 2


def test_output_format_from_the_environment_is_checked():
    run = wsctl("describe", env={"WSCTL_OUTPUT": "xml"})
    assert run.exit_code == 2


def test_describe_takes_one_filter_at_a_time():
    run = wsctl("describe", "--directory-id", "d-1234567890", "--bundle-id", "wsb-0123abcd9")
    assert run.exit_code == 2
    assert "one filter at a time" in run.stderr


def test_describe_reports_every_bad_value_with_its_flag():
    run = wsctl("describe", "--id", "ws-0123abcd9", "--id", "nope", "--state", "AVAILBLE")
    assert run.exit_code == 2
    assert "--id: 'nope' does not match" in run.stderr
    assert "--state: 'AVAILBLE' is not one of" in run.stderr
    assert "did you mean AVAILABLE?" in run.stderr
    assert "2 problems found; nothing was sent." in run.stderr


def test_no_credentials_is_one_sentence_and_exit_1(monkeypatch):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name)
    run = wsctl("describe")
    assert run.exit_code == 1
    assert "No AWS credentials were found: pass --profile, set AWS credentials" in run.stderr
    assert "Traceback" not in run.stderr


def test_unknown_profile_is_one_sentence():
    run = wsctl("--profile", "nope", "describe")
    assert run.exit_code == 1
    assert "The AWS profile 'nope' does not exist" in run.stderr


def test_no_region_is_one_sentence(monkeypatch):
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    run = wsctl("describe")
    assert run.exit_code == 1
    assert "No AWS Region is set: pass --region" in run.stderr
    assert "--sandbox" in run.stderr


def test_unreachable_endpoint_fails_fast_with_one_sentence():
    proc = run_wsctl("--endpoint-url", "http://127.0.0.1:9", "describe", timeout=30)
    assert proc.returncode == 1
    assert "Could not reach http://127.0.0.1:9" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_debug_shows_a_traceback_for_unexpected_errors():
    proc = run_wsctl("--debug", "--endpoint-url", "http://127.0.0.1:9", "describe", timeout=30)
    assert proc.returncode == 1
    assert "Traceback" in proc.stderr
    assert "debug: DescribeWorkspaces" in proc.stderr


def test_a_malformed_endpoint_url_is_a_usage_error():
    run = wsctl("--endpoint-url", "notaurl", "describe")
    assert run.exit_code == 2
    assert "--endpoint-url: 'notaurl' is not an http(s) URL" in run.stderr


def test_a_reader_that_stops_early_is_not_an_error(tmp_path):
    from tests import sandbox_support as sb

    seed = sb.reset("--users", "1500")
    made = wsctl(
        *sb.create_args(seed, *[f"user{i:04d}" for i in range(1, 1501)]),
        "--yes",
        "-o",
        "ids",
    )
    assert made.exit_code == 0, made.stderr
    # About 700 KiB of JSON into a pipe whose reader is already gone: the write must fail (EPIPE).
    import os

    read_end, write_end = os.pipe()
    os.close(read_end)
    proc = subprocess.run(
        [sys.executable, "-m", "wsctl", "--sandbox", "describe", "-o", "json"],
        stdout=write_end,
        stderr=subprocess.PIPE,
        text=True,
        timeout=60,
    )
    os.close(write_end)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
