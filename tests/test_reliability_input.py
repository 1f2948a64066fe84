"""Bad input never reaches the service: a corpus of malformed and hostile batch files, and bad flags for every command.

Each case must exit 2 with a message that names the place (file:line:col, CSV row, the
file, or the flag), print no traceback and no data, leave the sandbox's request counters
where they were (nothing was sent, not even a lookup), and be done within a few seconds.

The batch files are in tests/corpus/, one case a file, named for what they break; the
big ones (a mebibyte tag, 100,000 nested lists...) are generated here instead.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests import sandbox_support as sb
from tests.helpers import wsctl

CORPUS = Path(__file__).parent / "corpus"
HEADER = "defaults:\n  directory_id: d-1234567890\n  bundle_id: wsb-0123abcd9\nworkspaces:\n"
FEW_SECONDS = 10.0  # generous: each case takes well under a second on an idle machine


def _many_users_then(bad: str, count: int) -> bytes:
    return (HEADER + "".join(f"  - user: user{n:05d}\n" for n in range(1, count + 1)) + bad).encode()


GENERATED: dict[str, Callable[[], bytes]] = {
    "oversize-tag-value-one-mebibyte.yaml": lambda: (
        HEADER + "  - user: alice\n    tags:\n      note: " + "x" * 2**20 + "\n"
    ).encode(),
    "deeply-nested-flow-lists.yaml": lambda: ("[" * 100_000 + "]" * 100_000 + "\n").encode(),
    "nul-byte-after-the-first-8-kib.yaml": lambda: _many_users_then("  - user: late\x00nul\n", 9000),
    "one-bad-entry-after-5000-good.yaml": lambda: _many_users_then(
        "  - user: user05001\n    running_mode: ALWAYS_ONN\n", 5000
    ),
    "utf16-with-bom.yaml": lambda: (HEADER + "  - user: alice\n").encode("utf-16"),
}

# file -> (the place the first error line names, a phrase of that line)
EXPECTED: dict[str, tuple[str, str]] = {
    # YAML and JSON syntax
    "yaml-unclosed-flow-list.yaml": ("yaml-unclosed-flow-list.yaml:3:1", "did not find expected ',' or ']'"),
    "yaml-tab-indentation.yaml": ("yaml-tab-indentation.yaml:3:1", "a tab character; YAML indentation must use spaces"),
    "two-yaml-documents.yaml": ("two-yaml-documents.yaml:6:1", "but found another document"),
    "json-missing-comma-with-tabs.json": ("json-missing-comma-with-tabs.json:3:34", "JSON syntax error"),
    "deeply-nested-flow-lists.yaml": ("deeply-nested-flow-lists.yaml:1:", "maximum nesting depth"),
    # not text at all
    "empty-file.yaml": ("empty-file.yaml", "is empty"),
    "only-comments.yaml": ("only-comments.yaml", "is empty"),
    "binary-file.yaml": ("binary-file.yaml", "is a binary file"),
    "not-utf8-latin1.yaml": ("not-utf8-latin1.yaml", "is not UTF-8 text (byte 91)"),
    "utf16-with-bom.yaml": ("utf16-with-bom.yaml", "is a binary file"),
    "nul-byte-after-the-first-8-kib.yaml": ("nul-byte-after-the-first-8-kib.yaml:9005:15", "U+0000 is not allowed"),
    # hostile YAML
    "python-object-apply-tag.yaml": ("python-object-apply-tag.yaml:5:5", "unsupported tag"),
    "python-name-tag.yaml": ("python-name-tag.yaml:5:11", "unsupported tag"),
    "custom-local-tag.yaml": ("custom-local-tag.yaml:5:11", "unsupported tag '!shell'"),
    "alias-bomb-billion-laughs.yaml": ("alias-bomb-billion-laughs.yaml:1:", "an alias bomb?"),
    "recursive-alias.yaml": ("recursive-alias.yaml:5:5", "recursive alias"),
    "duplicate-key.yaml": ("duplicate-key.yaml:4:3", "duplicate key 'directory_id' (first at line 2)"),
    "merge-key-not-a-mapping.yaml": ("merge-key-not-a-mapping.yaml:5:9", "merge key (<<) needs a mapping"),
    "mapping-key-is-a-list.yaml": ("mapping-key-is-a-list.yaml:5:7", "a mapping key must be a plain value"),
    "terminal-escape-in-user-name.yaml": ("terminal-escape-in-user-name.yaml:5:5", "control character U+001B"),
    # the wrong shape
    "top-level-list.yaml": ("top-level-list.yaml", "expected a mapping with a `workspaces:` list"),
    "unknown-top-level-key.yaml": ("unknown-top-level-key.yaml:2:1", "did you mean workspaces?"),
    "unknown-entry-key.yaml": ("unknown-entry-key.yaml:6:5", "did you mean running_mode?"),
    "workspaces-not-a-list.yaml": ("workspaces-not-a-list.yaml:2:1", "must be a list of entries"),
    "defaults-not-a-mapping.yaml": ("defaults-not-a-mapping.yaml:1:1", "must be a mapping of settings"),
    "entry-is-a-list.yaml": ("entry-is-a-list.yaml:5:5", "an entry must be a mapping"),
    "user-and-users-together.yaml": ("user-and-users-together.yaml:6:5", "either user or users, not both"),
    "empty-users-list.yaml": ("empty-users-list.yaml:5:5", "must be a non-empty list"),
    "null-in-users-list.yaml": ("null-in-users-list.yaml:5:20", "user: is required"),
    "aws-form-misspelt-member.yaml": ("aws-form-misspelt-member.yaml:2:5", "UserName: is required"),
    "aws-form-workspaces-not-a-list.json": ("aws-form-workspaces-not-a-list.json:1:2", "must be a list"),
    # wrong types
    "wrong-type-volume-size-text.yaml": ("wrong-type-volume-size-text.yaml:6:5", "'eighty' is not a whole number"),
    "wrong-type-encrypt-flag.yaml": ("wrong-type-encrypt-flag.yaml:6:5", "is not a boolean"),
    "wrong-type-user-is-a-list.yaml": ("wrong-type-user-is-a-list.yaml:5:5", "is not text"),
    "explicit-timestamp-tag-as-user-name.yaml": ("explicit-timestamp-tag-as-user-name.yaml:5:5", "is not text"),
    "tag-value-is-a-list.yaml": ("tag-value-is-a-list.yaml:7:7", "a tag value must be text"),
    "float-overflow-volume-size.yaml": ("float-overflow-volume-size.yaml:6:5", "'1e400' is not a whole number"),
    # bad enums and patterns
    "bad-enum-running-mode.yaml": ("bad-enum-running-mode.yaml:6:5", "did you mean ALWAYS_ON?"),
    "bad-enum-compute-type.yaml": ("bad-enum-compute-type.yaml:6:5", "did you mean STANDARD?"),
    "bad-pattern-directory-id.yaml": ("bad-pattern-directory-id.yaml:2:3", "'directory-1' does not match"),
    "bad-pattern-bundle-id.yaml": ("bad-pattern-bundle-id.yaml:6:5", "'wsb-NOT-LOWER' does not match"),
    # sizes and limits
    "empty-user-name.yaml": ("empty-user-name.yaml:5:5", "at least 1 required"),
    "oversize-user-name-64-chars.yaml": ("oversize-user-name-64-chars.yaml:5:5", "at most 63 allowed"),
    "oversize-tag-value-one-mebibyte.yaml": (
        "oversize-tag-value-one-mebibyte.yaml:7:7",
        "is 1048576 characters long; at most 255 allowed",
    ),
    "tag-key-128-chars.yaml": ("tag-key-128-chars.yaml:7:7", "at most 127 allowed"),
    "fifty-one-tags.yaml": ("fifty-one-tags.yaml:57:7", "has 51 tags; at most 50 allowed"),
    "int32-overflow-volume-size.yaml": ("int32-overflow-volume-size.yaml:6:5", "99999999999 GiB is outside 1-2000 GiB"),
    "negative-volume-size.yaml": ("negative-volume-size.yaml:6:5", "-80 GiB is outside 1-2000 GiB"),
    "auto-stop-timeout-not-a-multiple-of-60.yaml": (
        "auto-stop-timeout-not-a-multiple-of-60.yaml:7:5",
        "90 minutes is not a multiple of 60",
    ),
    "duplicate-users-case-insensitive.yaml": (
        "duplicate-users-case-insensitive.yaml:7:5",
        "'ALICE' appears twice for directory d-1234567890 (first at duplicate-users-case-insensitive.yaml:5:5)",
    ),
    "one-bad-entry-after-5000-good.yaml": ("one-bad-entry-after-5000-good.yaml:5006:5", "did you mean ALWAYS_ON?"),
    # CSV
    "csv-row-missing-a-column.csv": ("csv-row-missing-a-column.csv row 3", "has 2 cells; the header has 3"),
    "csv-unknown-column.csv": ("csv-unknown-column.csv row 1", "did you mean user?"),
    "csv-semicolon-separated.csv": ("csv-semicolon-separated.csv row 1", "wsctl reads comma-separated CSV"),
    "csv-bad-integer.csv": ("csv-bad-integer.csv row 2", "'eighty' is not a whole number"),
    "csv-bad-boolean.csv": ("csv-bad-boolean.csv row 2", "'perhaps' is not true or false"),
    "csv-tag-without-equals.csv": ("csv-tag-without-equals.csv row 2", "'team' is not key=value"),
    "csv-header-only.csv": ("nothing to create: no entries in csv-header-only.csv", ""),
    # one parser's safeguards for every format; values never retyped silently
    "json-duplicate-key-hides-a-bad-bundle.json": (
        "json-duplicate-key-hides-a-bad-bundle.json:1:71",
        "duplicate key 'bundle_id' (first at line 1)",
    ),
    "explicit-int-tag-that-does-not-fit.yaml": (
        "explicit-int-tag-that-does-not-fit.yaml:5:11",
        "'abc' is not a valid !!int",
    ),
    "aws-form-empty-tags.yaml": ("aws-form-empty-tags.yaml:5:10", "Workspaces[0].Tags: has no value"),
    "octal-looking-volume-size.yaml": ("octal-looking-volume-size.yaml:6:23", "'0175' has a leading zero"),
    "bidi-override-in-user-name.yaml": ("bidi-override-in-user-name.yaml:5:5", "invisible character U+202E"),
    "csv-fullwidth-digits.csv": (
        "csv-fullwidth-digits.csv row 2",
        "is not a whole number (write it with the digits 0-9",
    ),
    "csv-integer-5000-digits.csv": ("csv-integer-5000-digits.csv row 2", "a number 5,000 digits long; at most 30"),
}


def test_the_corpus_is_complete_and_every_file_is_a_case():
    on_disk = {p.name for p in CORPUS.iterdir()}
    assert on_disk | set(GENERATED) == set(EXPECTED), "a corpus file without a case, or a case without a file"
    assert not on_disk & set(GENERATED)
    assert len(EXPECTED) >= 30


def _write_case(name: str, folder: Path) -> None:
    data = GENERATED[name]() if name in GENERATED else (CORPUS / name).read_bytes()
    (folder / name).write_bytes(data)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_batch_file_exits_2_naming_the_place_and_sends_nothing(name, tmp_path):
    sb.reset()
    before = sb.counts()
    work = tmp_path / "work"
    work.mkdir()
    _write_case(name, work)
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "wsctl", "--sandbox", "create", "-f", name, "--yes"],
        cwd=work,
        capture_output=True,
        timeout=60,
        env=dict(os.environ),
    )
    took = time.monotonic() - started
    stderr = proc.stderr.decode("utf-8", "replace")
    assert proc.returncode == 2, stderr[-2000:]
    where, what = EXPECTED[name]
    first = stderr.splitlines()[0]
    assert first.startswith(f"error: {where}"), first[:300]
    assert what in first, first[:300]
    assert "Traceback" not in stderr
    assert proc.stdout == b""  # no data, no partial plan
    assert b"\x1b" not in proc.stderr  # nothing that drives the terminal, whatever the file holds
    assert max(len(line) for line in stderr.splitlines()) < 1000  # huge values are cut short
    assert sb.counts() == before == {}  # not even the lookup of existing WorkSpaces
    assert not list(work.glob("wsctl-corpus-pwned*"))  # no YAML tag ran anything
    assert took < FEW_SECONDS


# --- flags -------------------------------------------------------------------------------------

WS = "ws-0123abcd9"
DIR, BUNDLE = "d-1234567890", "wsb-0123abcd9"
CREATE = ("create", "--directory-id", DIR, "--bundle-id", BUNDLE, "--user", "alice")
IMPORT = ("import-image", "--ec2-image-id", "ami-0123456789abcdef0", "--ingestion-process", "BYOL_REGULAR")
IMPORT_NAMED = (*IMPORT, "--name", "golden", "--description", "d")

# (arguments, the flag or place the message names, a phrase of it)
FLAG_CASES: list[tuple[tuple[str, ...], str, str]] = [
    # create
    ((*CREATE, "--tag", "novalue"), "--tag", "is not KEY=VALUE"),
    ((*CREATE, "--running-mode", "ALWAYS-ON"), "--running-mode", "did you mean ALWAYS_ON?"),
    ((*CREATE, "--auto-stop-timeout", "soon"), "--auto-stop-timeout", "valid integer"),
    ((*CREATE, "--running-mode", "AUTO_STOP", "--auto-stop-timeout", "90"), "--auto-stop-timeout", "multiple of 60"),
    ((*CREATE, "--root-volume-size", "-5"), "--root-volume-size", "outside 1-2000 GiB"),
    ((*CREATE, "--user-volume-size", "99999999999"), "--user-volume-size", "outside 1-2000 GiB"),
    ((*CREATE, "--compute-type", "STANDART"), "--compute-type", "did you mean STANDARD?"),
    ((*CREATE, "--user", "ALICE", "--yes"), "--user", "'ALICE' appears twice"),
    (("create", "--directory-id", "directory", "--bundle-id", BUNDLE, "--user", "a"), "--directory-id", "at least 10"),
    (("create", "--directory-id", DIR, "--user", "alice"), "--bundle-id", "missing --bundle-id"),
    (("create", "--no-input"), "--directory-id", "missing --directory-id, --bundle-id, --user"),
    (("create", "-f", "missing.yaml", "--yes"), "missing.yaml", "cannot read: No such file"),
    (("create", "-f", ".", "--yes"), ".", "cannot read: Is a directory"),
    ((*CREATE, "--timeout", "-1", "--wait"), "--timeout", "greater than or equal to 0"),
    ((*CREATE, "--poll-interval", "0", "--wait"), "--poll-interval", "greater than or equal to 0.01"),
    ((*CREATE, "-o", "xml"), "--output", "'xml' is not one of"),
    ((*CREATE, "--bogus"), "--bogus", "No such option"),
    # describe
    (("describe", "--id", "nope"), "--id", "'nope' does not match"),
    (("describe", "--directory-id", DIR, "--bundle-id", BUNDLE), "--directory-id --bundle-id", "one filter at a time"),
    (("describe", "--id", WS, "--name", "x"), "--id --name", "one filter at a time"),
    (("describe", "--user", "bob"), "--user", "needs --directory-id"),
    (("describe", "--limit", "0"), "--limit", "greater than or equal to 1"),
    (("describe", "--state", "AVAILBLE"), "--state", "did you mean AVAILABLE?"),
    (("describe", "--ids-from", "missing.txt"), "--ids-from missing.txt", "cannot read"),
    (("describe", "--wait", "--timeout", "-1"), "--timeout", "greater than or equal to 0"),
    # plan and apply
    (("plan", "-f", "missing.yaml"), "missing.yaml", "cannot read: No such file"),
    (("plan", "--no-input"), "-f FILE", "missing the fleet"),
    (("apply", *CREATE[1:], "--running-mode", "ALWAYS-ON"), "--running-mode", "did you mean ALWAYS_ON?"),
    # usage
    (("usage", "--threshold", "FOO=10"), "--threshold", "'FOO' is not a compute type"),
    (("usage", "--days", "0"), "--days", "out of range"),
    (("usage", "--recommendation", "maybe"), "--recommendation", "'maybe' is not one of"),
    # set-mode
    (("set-mode", "--no-input"), "--running-mode", "missing targets"),
    (("set-mode", WS, "--no-input"), "--running-mode", "missing --running-mode"),
    (("set-mode", WS, "--running-mode", "FAST"), "--running-mode", "'FAST' is not one of"),
    (("set-mode", WS, "--running-mode", "AUTO_STOP", "--auto-stop-timeout", "90"), "--auto-stop-timeout", "of 60"),
    (("set-mode", WS, "--running-mode", "ALWAYS_ON", "--auto-stop-timeout", "60"), "--auto-stop-timeout", "only to"),
    (("set-mode", "--directory-id", DIR, "--bundle-id", BUNDLE, "--running-mode", "MANUAL"), "--bundle-id", "both"),
    (("set-mode", "nope", "--running-mode", "ALWAYS_ON"), "argument", "'nope' does not match"),
    (("set-mode", WS, WS, "--running-mode", "ALWAYS_ON"), "argument", "is also at argument"),
    (("set-mode", "-f", "missing.csv", "--running-mode", "ALWAYS_ON"), "missing.csv", "cannot read"),
    # modify
    (("modify",), "--directory-id", "missing targets"),
    (("modify", WS), "--compute-type", "missing --compute-type, --root-volume-size or --user-volume-size"),
    (("modify", WS, "--compute-type", "POWER", "--root-volume-size", "175"), "--compute-type", "same call"),
    (("modify", WS, "--compute-type", "STANDART"), "--compute-type", "did you mean STANDARD?"),
    (("modify", WS, "--root-volume-size", "3000"), "--root-volume-size", "outside 1-2000 GiB"),
    (("modify", WS, "--user-volume-size", "zero"), "--user-volume-size", "valid integer"),
    (("modify", "nope", "--compute-type", "POWER"), "argument", "'nope' does not match"),
    (("modify", "--directory-id", "d-12", "--compute-type", "POWER"), "--directory-id", "at least 10"),
    # import-image
    (("import-image", "--no-input"), "--ec2-image-id", "missing --ec2-image-id, --ingestion-process"),
    ((*IMPORT, "--name", "golden"), "--description", "missing --description"),
    (("import-image", "--ec2-image-id", "ami-XYZ", *IMPORT_NAMED[3:]), "--ec2-image-id", "does not match"),
    ((*IMPORT[:3], "--ingestion-process", "BYOL_REGULR", *IMPORT_NAMED[5:]), "--ingestion-process", "did you mean"),
    ((*IMPORT, "--name", "has space", "--description", "d"), "--name", "is not allowed"),
    ((*IMPORT, "--name", "n" * 65, "--description", "d"), "--name", "at most 64 allowed"),
    ((*IMPORT, "--name", "golden", "--description", "bad!"), "--description", "is not allowed"),
    ((*IMPORT_NAMED, "--tag", "x"), "--tag", "is not KEY=VALUE"),
    ((*IMPORT_NAMED, "--application", "Office"), "--application", "is not one of"),
    (
        (*IMPORT_NAMED, "--application", "Microsoft_Office_2016", "--application", "Microsoft_Office_2019"),
        "--application",
        "accepts only one",
    ),
    # describe-images
    (("describe-images", "--id", "wsi-BAD"), "--id", "does not match"),
    (("describe-images", "--wait", "--timeout", "-5"), "--timeout", "greater than or equal to 0"),
    # start, stop, reboot, rebuild, restore, migrate, maintenance, terminate
    (("start", "--no-input"), "--directory-id", "missing targets"),
    (("start", WS, "--force"), "--force", "No such option"),
    (("stop", "nope"), "argument", "'nope' does not match"),
    (("stop", WS, "--timeout", "-1", "--wait"), "--timeout", "greater than or equal to 0"),
    (("reboot", WS, WS), "argument", "is also at argument"),
    (("rebuild", "--directory-id", DIR, "--bundle-id", BUNDLE), "--bundle-id", "both"),
    (("restore", "-f", "missing.csv"), "missing.csv", "cannot read"),
    (("migrate", WS), "--bundle-id", "needs --bundle-id"),
    (("migrate", WS, "--bundle-id", "wsb-X"), "--bundle-id", "does not match"),
    (("maintenance", "on", "--no-input"), "--directory-id", "missing targets"),
    (("maintenance", "off", "-o", "xml", WS), "--output", "'xml' is not one of"),
    (("terminate", "--directory-id", "d-12"), "--directory-id", "at least 10"),
    # sandbox
    (("sandbox", "reset", "--burst", "3"), "--burst", "only with --rate-limit"),
    (("sandbox", "reset", "--throttle-rate", "1.5"), "--throttle-rate", "less than or equal to 1"),
    (("sandbox", "reset", "--lost-response-rate", "-0.1"), "--lost-response-rate", "greater than or equal to 0"),
    (("sandbox", "reset", "--users", "-1"), "--users", "greater than or equal to 0"),
    (("sandbox", "reset", "--time-scale", "abc"), "--time-scale", "valid number"),
    (("sandbox", "reset", "--rate-limit", "0", "--burst", "5"), "--rate-limit", "greater than or equal to 0.001"),
    (("sandbox", "reset", "--seed", "x"), "--seed", "valid integer"),
    (("sandbox", "serve", "--host", "0.0.0.0"), "--host 0.0.0.0", "--allow-remote"),
    (("sandbox", "serve", "--host", "::"), "--host ::", "not a loopback address"),
    (("sandbox", "serve", "--host", "10.1.2.3", "--port", "0"), "--host 10.1.2.3", "not a loopback address"),
    (("sandbox", "serve", "--port", "70000"), "--port", "less than or equal to 65535"),
    (("sandbox", "serve", "--port", "-1"), "--port", "greater than or equal to 0"),
    (("sandbox", "info", "-o", "ids"), "-o", "no IDs-only output"),
]


def _case_id(case: tuple[tuple[str, ...], str, str]) -> str:
    args = " ".join(case[0])
    return args if len(args) < 70 else args[:67] + "..."


@pytest.mark.parametrize(("args", "place", "phrase"), FLAG_CASES, ids=[_case_id(c) for c in FLAG_CASES])
def test_bad_flags_exit_2_naming_the_flag_and_send_nothing(args, place, phrase, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    sb.reset()
    sb.client().describe_workspace_directories()  # a counter that a reset would clear
    before = sb.counts()
    started = time.monotonic()
    run = wsctl("--sandbox", *args)
    took = time.monotonic() - started
    assert run.exit_code == 2, run.stderr
    assert place in run.stderr and phrase in run.stderr, run.stderr
    assert "Traceback" not in run.stderr
    assert run.stdout == ""
    assert sb.counts() == before == {"DescribeWorkspaceDirectories": 1}
    assert took < FEW_SECONDS


def test_every_command_has_bad_flag_cases():
    import typer.main

    from wsctl.cli.app import app

    root = typer.main.get_command(app)
    commands = {name for name in root.commands if name != "sandbox"}  # type: ignore[attr-defined]
    commands |= {f"sandbox {name}" for name in root.commands["sandbox"].commands}  # type: ignore[attr-defined]
    covered = {" ".join(args[:2]) if args[0] == "sandbox" else args[0] for args, _, _ in FLAG_CASES}
    assert commands <= covered, f"no bad-flag case for {sorted(commands - covered)}"


@pytest.mark.parametrize(
    ("args", "stdin", "place", "phrase"),
    [
        (("create", "-f", "-", "--yes"), "\x00\x01binary", "<stdin>", "is a binary file"),
        (("create", "-f", "-", "--yes"), "", "<stdin>", "is empty"),
        (("set-mode", "-", "--running-mode", "ALWAYS_ON", "--yes"), f"{WS}\nws-NOPE\n", "<stdin> line 2", "match"),
    ],
)
def test_bad_input_on_stdin_exits_2_naming_stdin(args, stdin, place, phrase):
    sb.reset()
    run = wsctl("--sandbox", *args, input=stdin)
    assert run.exit_code == 2, run.stderr
    assert place in run.stderr and phrase in run.stderr, run.stderr
    assert "Traceback" not in run.stderr
    assert sb.counts() == {}


def test_a_control_character_in_a_tag_from_a_flag_is_refused_too():
    sb.reset()
    run = wsctl("--sandbox", *CREATE, "--tag", "team=a\x1b]0;pwned\x07")
    assert run.exit_code == 2
    assert "--tag: 'a\\x1b]0;pwned\\x07' contains the control character U+001B" in run.stderr
    assert "\x1b" not in run.stderr
    assert sb.counts() == {}


def test_a_dry_run_of_a_hostile_file_prints_nothing_raw_either(tmp_path):
    # The plan table is drawn only for valid input; the error path is the one that prints.
    path = tmp_path / "escape.yaml"
    path.write_text(HEADER + '  - user: alice\n    tags: {note: "\\e[2J"}\n')
    sb.reset()
    run = wsctl("--sandbox", "create", "-f", str(path), "--dry-run")
    assert run.exit_code == 2
    assert "control character U+001B" in run.stderr
    assert "\x1b" not in run.stdout + run.stderr
    assert re.search(r"escape\.yaml:\d+:\d+: tags\.note", run.stderr)


def test_a_timeout_beyond_32_bits_names_the_api_limit():
    sb.reset()
    run = wsctl(
        "--sandbox",
        "create",
        "--directory-id",
        "d-1234567890",
        "--bundle-id",
        "wsb-0123abcd9",
        "--user",
        "u",
        "--auto-stop-timeout",
        "99999999960",
    )
    assert run.exit_code == 2
    assert "--auto-stop-timeout: 99999999960 is more than the maximum 2147483647" in run.stderr
