"""Confirmations say where and what: the target (SANDBOX, endpoint, or profile, Region and account), users, billing.

The account comes from one STS GetCallerIdentity call (botocore Stubber here), made only
when a question is shown and kept for the run.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from botocore.stub import Stubber

from tests import sandbox_support as sb
from tests.helpers import wsctl
from wsctl.cli import prompts
from wsctl.context import AppContext
from wsctl.options import GlobalOptions

ACCOUNT = "123456789012"
IDENTITY = {"UserId": "AIDAEXAMPLEEXAMPLE00", "Account": ACCOUNT, "Arn": f"arn:aws:iam::{ACCOUNT}:user/admin"}


def aws_app(monkeypatch: pytest.MonkeyPatch, answer: Callable[[Stubber], None] | None = None, **options: Any) -> Any:
    """An AppContext on AWS (not the sandbox) whose STS clients are stubbed; returns (app, stubs made)."""
    app = AppContext(GlobalOptions(**options), stdin=io.StringIO(), stdout=io.StringIO(), stderr=io.StringIO())
    session = app.session
    real = session.create_client
    stubs: list[Stubber] = []

    def create_client(service: str, *args: Any, **kwargs: Any) -> Any:
        client = real(service, *args, **kwargs)
        if service == "sts":
            stub = Stubber(client)
            (answer or (lambda s: s.add_response("get_caller_identity", IDENTITY, {})))(stub)
            stub.activate()
            stubs.append(stub)
        return client

    monkeypatch.setattr(session, "create_client", create_client)
    return app, stubs


def no_account_lookup(monkeypatch: pytest.MonkeyPatch) -> None:
    from wsctl.aws import identity

    def fail(*_: Any) -> None:
        raise AssertionError("STS GetCallerIdentity was called")

    monkeypatch.setattr(identity, "caller_account", fail)


# --- where: one STS call a run, only when asked for -----------------------------------------------


def test_the_account_is_looked_up_once_for_two_confirmations(monkeypatch):
    app, stubs = aws_app(monkeypatch, region="eu-west-1")
    first = app.where(account=True)
    second = app.where(account=True)
    assert first == second
    assert first.long == f"in Region eu-west-1, account {ACCOUNT} (credentials from the environment)"
    assert first.short == f"in account {ACCOUNT} (eu-west-1)"
    assert len(stubs) == 1
    stubs[0].assert_no_pending_responses()


def test_a_profile_is_named_with_its_region_and_account(monkeypatch, isolated_env):
    home = isolated_env / "home"
    (home / ".aws" / "credentials").write_text(
        "[prod]\naws_access_key_id = AKIAPRODFAKEFAKEFAKE\naws_secret_access_key = prod-fake\n"
    )
    (home / ".aws" / "config").write_text("[profile prod]\nregion = eu-central-1\n")
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    app, stubs = aws_app(monkeypatch, profile="prod")
    assert app.where(account=True).long == f"in profile prod, Region eu-central-1, account {ACCOUNT}"
    assert len(stubs) == 1


def test_without_a_question_there_is_no_lookup(monkeypatch):
    app, stubs = aws_app(monkeypatch, region="eu-west-1")
    where = app.where()
    assert where.long == "in Region eu-west-1 (credentials from the environment)"
    assert where.short == "in Region eu-west-1"
    assert stubs == []


def test_a_failed_lookup_says_account_unknown_and_goes_on(monkeypatch):
    def denied(stub: Stubber) -> None:
        stub.add_client_error("get_caller_identity", "AccessDenied", "not allowed", 403)

    app, stubs = aws_app(monkeypatch, denied, region="eu-west-1")
    assert app.where(account=True).long == "in Region eu-west-1, account unknown (credentials from the environment)"
    assert app.where(account=True).short == "in Region eu-west-1"
    assert len(stubs) == 1  # a failure is kept too: not asked again


def test_the_sandbox_and_an_endpoint_are_named_without_a_lookup(monkeypatch, isolated_env):
    no_account_lookup(monkeypatch)
    sandbox = AppContext(GlobalOptions(sandbox=True))
    assert sandbox.where(account=True).long == f"in the SANDBOX ({isolated_env / 'sandbox.sqlite3'})"
    assert sandbox.where(account=True).short == "in the SANDBOX"
    assert "session" not in vars(sandbox)
    endpoint = AppContext(GlobalOptions(endpoint_url="http://127.0.0.1:4599", region="us-west-2"))
    assert endpoint.where(account=True).long == "at endpoint http://127.0.0.1:4599 (Region us-west-2)"
    assert endpoint.where(account=True).short == "at http://127.0.0.1:4599"


# --- when a question is shown --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "yes", "count", "terminal", "asks"),
    [
        ("plain", False, 2, True, True),
        ("plain", False, 1, True, False),  # one item goes ahead
        ("plain", True, 2, True, False),
        ("plain", False, 2, False, False),  # refused instead: nobody to ask
        ("typed", False, 1, True, True),
        ("typed", True, 1, True, False),
        ("typed", False, 1, False, False),
        ("after picking", False, 1, True, True),
        ("after picking", True, 1, True, False),
    ],
)
def test_asks_tells_beforehand_whether_a_question_is_shown(monkeypatch, kind, yes, count, terminal, asks):
    monkeypatch.setattr(AppContext, "can_confirm", property(lambda self: terminal))
    app = AppContext(GlobalOptions(sandbox=True))
    if kind == "typed":
        confirm = prompts.typed_confirmer(app, yes=yes)
    else:
        confirm = prompts.confirmer(app, yes=yes, asked=kind == "after picking")
    assert confirm.asks(count) is asks


def stop_against_aws(monkeypatch: pytest.MonkeyPatch, *, yes: bool) -> tuple[Any, list[Stubber], list[str]]:
    """`stop` of two WorkSpaces through the use case, as against AWS (the sandbox behind the client)."""
    from wsctl.ops.lifecycle import Request, run_action
    from wsctl.spec.actions import ACTIONS

    _, ids = sb.make_fleet(2)
    app, stubs = aws_app(monkeypatch)
    vars(app)["client"] = sb.client()  # the calls go to the sandbox; `where` still sees AWS
    asked: list[str] = []
    monkeypatch.setattr(AppContext, "can_confirm", property(lambda self: True))
    monkeypatch.setattr(prompts, "_ask_yes_no", lambda _app, question: asked.append(question))
    code = run_action(
        app,
        Request(ACTIONS["stop"], ids),
        confirm=prompts.confirmer(app, yes=yes),
        dry_run=False,
        wait=False,
        timeout=None,
        poll_interval=None,
    )
    assert code == 0
    return app, stubs, asked


def test_a_confirmation_against_aws_names_the_account(monkeypatch):
    app, stubs, asked = stop_against_aws(monkeypatch, yes=False)
    assert asked == [f"Stop 2 WorkSpaces in account {ACCOUNT} (us-east-1)?"]
    about = app.stderr.getvalue()
    assert (
        f"About to stop 2 WorkSpaces in Region us-east-1, account {ACCOUNT} (credentials from the environment) "
        "for user0001, user0002; 0 skipped." in about
    )
    assert len(stubs) == 1


def test_with_yes_there_is_no_question_and_no_lookup(monkeypatch):
    app, stubs, asked = stop_against_aws(monkeypatch, yes=True)
    assert asked == []
    assert stubs == []
    assert "About to stop 2 WorkSpaces in Region us-east-1 (credentials from the environment) for " in (
        app.stderr.getvalue()
    )


# --- what the lines say, on the sandbox ----------------------------------------------------------


def test_set_mode_names_the_sandbox_the_users_and_the_billing_change(monkeypatch, isolated_env):
    no_account_lookup(monkeypatch)
    _, ids = sb.make_fleet(5)
    run = wsctl("--sandbox", "set-mode", *ids, "--running-mode", "ALWAYS_ON", "--yes", "-o", "ids")
    assert run.exit_code == 0, run.stderr
    db = isolated_env / "sandbox.sqlite3"
    assert (
        f"About to change 5 WorkSpaces (5x AUTO_STOP (60m) -> ALWAYS_ON) in the SANDBOX ({db}) "
        "for user0001, user0002, user0003 and 2 more; 0 unchanged.\n"
        "This switches 5 WorkSpaces from AUTO_STOP (billed by the hour) to ALWAYS_ON (billed monthly).\n"
    ) in run.stderr


def test_modify_names_the_sandbox_and_the_users(monkeypatch, isolated_env):
    no_account_lookup(monkeypatch)
    _, ids = sb.make_fleet(2)
    run = wsctl("--sandbox", "modify", *ids, "--compute-type", "PERFORMANCE", "--yes")
    assert run.exit_code == 0, run.stderr
    assert f"in the SANDBOX ({isolated_env / 'sandbox.sqlite3'}) for user0001, user0002; 0 unchanged." in run.stderr
    assert "About to change 2 WorkSpaces (2x " in run.stderr
    assert "switches" not in run.stderr  # the running mode stays: no billing change to tell


def test_a_timeout_change_is_no_billing_change(monkeypatch):
    no_account_lookup(monkeypatch)
    _, ids = sb.make_fleet(2)
    run = wsctl("--sandbox", "set-mode", *ids, "--auto-stop-timeout", "120", "--yes")
    assert run.exit_code == 0, run.stderr
    assert "About to change 2 WorkSpaces" in run.stderr and "for user0001, user0002;" in run.stderr
    assert "switches" not in run.stderr


def test_dry_run_is_no_confirmation(monkeypatch):
    no_account_lookup(monkeypatch)
    _, ids = sb.make_fleet(2)
    run = wsctl("--sandbox", "set-mode", *ids, "--running-mode", "ALWAYS_ON", "--dry-run")
    assert run.exit_code == 0, run.stderr
    assert "About to" not in run.stderr


def test_lifecycle_lines_name_the_target_and_what_is_lost(monkeypatch, isolated_env):
    no_account_lookup(monkeypatch)
    _, ids = sb.make_fleet(4)
    db = isolated_env / "sandbox.sqlite3"
    stop = wsctl("--sandbox", "stop", *ids, "--yes")
    assert stop.exit_code == 0, stop.stderr
    assert (
        f"About to stop 4 WorkSpaces in the SANDBOX ({db}) for user0001, user0002, user0003 and 1 more; 0 skipped."
        in stop.stderr
    )
    gone = wsctl("--sandbox", "terminate", ids[0], "--yes")
    assert gone.exit_code == 0, gone.stderr
    assert (
        f"About to terminate 1 WorkSpace in the SANDBOX ({db}) for user0001; 0 skipped. "
        "This destroys each WorkSpace and its user's data for good." in gone.stderr
    )


def test_migrate_names_the_destination_and_maintenance_reads_as_words(monkeypatch, isolated_env):
    no_account_lookup(monkeypatch)
    seed, ids = sb.make_fleet(2)
    db = isolated_env / "sandbox.sqlite3"
    target = sb.bundle_id(seed, "PERFORMANCE")
    moved = wsctl("--sandbox", "migrate", ids[0], "--bundle-id", target, "--yes")
    assert moved.exit_code == 0, moved.stderr
    assert f"About to migrate 1 WorkSpace to {target} in the SANDBOX ({db}) for user0001; 0 skipped. This replaces" in (
        moved.stderr
    )
    held = wsctl("--sandbox", "maintenance", "on", ids[1], "--yes")
    assert held.exit_code == 0, held.stderr
    assert "About to put 1 WorkSpace in admin maintenance in the SANDBOX (" in held.stderr


def test_create_names_the_target_the_users_and_the_billing(monkeypatch, isolated_env):
    no_account_lookup(monkeypatch)
    seed = sb.reset()
    users = ["user0001", "user0002", "user0003", "user0004", "user0005"]
    run = wsctl(*sb.create_args(seed, *users), "--running-mode", "ALWAYS_ON", "--yes")
    assert run.exit_code == 0, run.stderr
    directory = sb.primary_directory(seed)["DirectoryId"]
    assert (
        f"About to create 5 WorkSpaces in {directory} from {sb.bundle_id(seed)}, running mode ALWAYS_ON "
        f"(billed monthly), in the SANDBOX ({isolated_env / 'sandbox.sqlite3'}) "
        "for user0001, user0002, user0003 and 2 more; 0 already exist and will not be sent."
    ) in run.stderr


def test_an_endpoint_is_named_and_never_looked_up(monkeypatch):
    no_account_lookup(monkeypatch)
    _, ids = sb.make_fleet(2)
    with sb.served("--quiet") as (url, _):
        run = wsctl("--endpoint-url", url, "set-mode", *ids, "--running-mode", "ALWAYS_ON", "--yes")
        refused = wsctl("--endpoint-url", url, "reboot", *ids)  # no terminal: refused, nothing looked up
    assert run.exit_code == 0, run.stderr
    assert "in Region us-east-1" not in run.stderr
    assert f"at endpoint {url} (Region us-east-1) for user0001, user0002;" in run.stderr
    assert refused.exit_code == 2 and "pass --yes" in refused.stderr
