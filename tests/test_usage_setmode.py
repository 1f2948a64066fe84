"""`set-mode --by-usage` on stubbed clients, the CloudWatch client's set-up, and --help staying light."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from typing import Any

import pytest
from botocore.stub import ANY

from tests.helpers import wsctl
from tests.test_usage_service import Stubs, _days_of, _fleet_answers, _mode, stubs  # noqa: F401 - fixture
from wsctl.aws.ratelimit import TokenBucket
from wsctl.context import AppContext
from wsctl.options import GlobalOptions
from wsctl.spec import usage as u


def _fleet(stubs: Stubs) -> None:  # noqa: F811
    # 1: heavy AUTO_STOP -> ALWAYS_ON; 2: light ALWAYS_ON -> AUTO_STOP; 3: never connects -> unused (not applied)
    fleet = [_mode(1, "AUTO_STOP"), _mode(2, "ALWAYS_ON"), _mode(3, "ALWAYS_ON")]
    _fleet_answers(stubs, fleet, {"ws-000000001": _days_of(4), "ws-000000002": _days_of(1)}, {})
    for _ in range(3):
        stubs.ws.add_response("describe_tags", {"TagList": []}, {"ResourceId": ANY})


def test_dry_run_plans_exactly_the_switches_with_their_reasons(stubs: Stubs):  # noqa: F811
    _fleet(stubs)
    run = wsctl("set-mode", "--by-usage", "--dry-run", "-o", "json")
    assert run.exit_code == 0, run.stderr
    plan = run.json()
    assert plan["Requests"] == [
        {"WorkspaceId": "ws-000000001", "WorkspaceProperties": {"RunningMode": "ALWAYS_ON"}},
        {"WorkspaceId": "ws-000000002", "WorkspaceProperties": {"RunningMode": "AUTO_STOP"}},
    ]
    assert sorted(plan["Unchanged"]) == ["ws-000000003"]
    assert "ws-000000001 (user0001): AUTO_STOP (60m) -> ALWAYS_ON: 140 billable h in 30 d" in run.stderr
    assert "ws-000000002 (user0002): ALWAYS_ON -> AUTO_STOP: 56 billable h in 30 d" in run.stderr


def test_yes_sends_the_switches(stubs: Stubs):  # noqa: F811
    _fleet(stubs)
    for _ in range(2):
        stubs.ws.add_response("modify_workspace_properties", {}, {"WorkspaceId": ANY, "WorkspaceProperties": ANY})
    run = wsctl("set-mode", "--by-usage", "--yes", "-o", "json")
    assert run.exit_code == 0, run.stderr
    assert sorted(run.json()["Modified"]) == ["ws-000000001", "ws-000000002"]


def test_mid_month_switch_to_auto_stop_warns(stubs: Stubs, monkeypatch: pytest.MonkeyPatch):  # noqa: F811
    monkeypatch.setattr(u, "is_month_end", lambda now: False)
    _fleet(stubs)
    run = wsctl("set-mode", "--by-usage", "--dry-run")
    assert "ALWAYS_ON -> AUTO_STOP switch mid-month" in run.stderr
    assert "--month-end-only" in run.stderr


def test_month_end_only_holds_the_auto_stop_switch(stubs: Stubs, monkeypatch: pytest.MonkeyPatch):  # noqa: F811
    monkeypatch.setattr(u, "is_month_end", lambda now: False)
    fleet = [_mode(1, "AUTO_STOP"), _mode(2, "ALWAYS_ON")]
    _fleet_answers(stubs, fleet, {"ws-000000001": _days_of(4), "ws-000000002": _days_of(1)}, {})
    stubs.ws.add_response("describe_tags", {"TagList": []}, {"ResourceId": "ws-000000001"})
    run = wsctl("set-mode", "--by-usage", "--month-end-only", "--dry-run", "-o", "json")
    assert run.exit_code == 0, run.stderr
    assert [r["WorkspaceId"] for r in run.json()["Requests"]] == ["ws-000000001"]
    assert "mid-month" not in run.stderr


def test_min_saving_applies_to_set_mode_too(stubs: Stubs):  # noqa: F811
    # 140 billable: saving 55 < 60 -> keep; 56 billable ALWAYS_ON: saving 29 < 60 -> keep
    fleet = [_mode(1, "AUTO_STOP"), _mode(2, "ALWAYS_ON")]
    _fleet_answers(stubs, fleet, {"ws-000000001": _days_of(4), "ws-000000002": _days_of(1)}, {})
    run = wsctl("set-mode", "--by-usage", "--min-saving", "60", "--dry-run", "-o", "json")
    assert run.exit_code == 0, run.stderr
    assert run.json()["Requests"] == []


# --- the CloudWatch client -----------------------------------------------------------------------


def _cloudwatch(options: GlobalOptions) -> Any:
    from wsctl.aws.cloudwatch import build_cloudwatch_client

    return build_cloudwatch_client(options, TokenBucket(1000, 1000))


def test_endpoint_url_applies_to_cloudwatch_too():
    client = _cloudwatch(GlobalOptions(endpoint_url="http://127.0.0.1:4599", region="eu-west-2"))
    assert client.meta.endpoint_url == "http://127.0.0.1:4599"
    assert client.meta.region_name == "eu-west-2"
    assert client.meta.service_model.service_name == "cloudwatch"


def test_the_per_service_variable_wins_for_cloudwatch(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL_CLOUDWATCH", "http://127.0.0.1:4600")
    client = _cloudwatch(GlobalOptions(endpoint_url="http://127.0.0.1:4599"))
    assert client.meta.endpoint_url == "http://127.0.0.1:4600"


def test_the_workspaces_endpoint_variable_is_the_workspaces_endpoint_only():
    # AWS_ENDPOINT_URL_WORKSPACES (wsctl reads it as --endpoint-url) is not CloudWatch's endpoint, as in botocore.
    options = GlobalOptions(endpoint_url="http://127.0.0.1:4599", endpoint_url_from_env=True, region="eu-west-2")
    assert _cloudwatch(options).meta.endpoint_url == "https://monitoring.eu-west-2.amazonaws.com"


def test_the_endpoint_flag_and_the_variable_are_told_apart(monkeypatch: pytest.MonkeyPatch):
    from wsctl.cli import app as cli_app

    seen: list[GlobalOptions] = []

    class Recording(AppContext):
        def __init__(self, options: GlobalOptions, **kw: Any) -> None:
            seen.append(options)
            super().__init__(options, **kw)

    monkeypatch.setattr(cli_app, "AppContext", Recording)
    monkeypatch.setenv("AWS_ENDPOINT_URL_WORKSPACES", "http://127.0.0.1:4599")
    for flags in ((), ("--endpoint-url", "http://127.0.0.1:4599")):
        run = wsctl(*flags, "--region", "eu-west-2", "describe", "--user", "bob")  # exits 2 before any call
        assert run.exit_code == 2 and "needs --directory-id" in run.stderr, run.stderr
    assert [(o.endpoint_url, o.endpoint_url_from_env) for o in seen] == [
        ("http://127.0.0.1:4599", True),
        ("http://127.0.0.1:4599", False),
    ]


def test_profile_region_applies_to_cloudwatch(tmp_path: Any, monkeypatch: pytest.MonkeyPatch):
    config = tmp_path / "config"
    config.write_text("[profile other]\nregion = ap-south-1\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    assert _cloudwatch(GlobalOptions(profile="other")).meta.region_name == "ap-south-1"


def test_cloudwatch_shares_the_runs_session_and_keeps_its_timestamp_parser_to_itself():
    from wsctl.aws.clients import aws_session, build_client
    from wsctl.aws.cloudwatch import build_cloudwatch_client, raw_timestamps

    options = GlobalOptions(region="eu-west-2")
    session = aws_session(options)
    cloudwatch = build_cloudwatch_client(options, TokenBucket(1000, 1000), session)
    workspaces = build_client(options, TokenBucket(1000, 1000), session=session)
    # One session: the credentials (an MFA prompt, an assumed role) come from one place.
    assert cloudwatch._request_signer._credentials is workspaces._request_signer._credentials
    # CloudWatch's raw timestamps stay CloudWatch's: the WorkSpaces client still parses datetimes.
    assert cloudwatch._endpoint._response_parser_factory._defaults["timestamp_parser"] is raw_timestamps
    assert "timestamp_parser" not in workspaces._endpoint._response_parser_factory._defaults


def test_debug_logs_cloudwatch_calls(stubs: Stubs, monkeypatch: pytest.MonkeyPatch):  # noqa: F811
    from wsctl.aws.debuglog import CallLogger

    lines: list[str] = []
    monkeypatch.setattr(CallLogger, "_write", lambda self, text: lines.append(text))
    logger = CallLogger()
    logger.register(stubs.cloudwatch.meta.events, "cloudwatch")
    stubs.cw.add_response("get_metric_data", {"MetricDataResults": []})
    end = dt.datetime.now(dt.UTC)
    stubs.cloudwatch.get_metric_data(MetricDataQueries=[], StartTime=end - dt.timedelta(hours=1), EndTime=end)
    assert any(line.startswith("GetMetricData {") for line in lines)


def test_usage_help_does_not_import_botocore():
    code = "import sys; from wsctl.cli.app import run; sys.argv = ['wsctl', 'usage', '--help']\n"
    code += "try:\n    run()\nexcept SystemExit:\n    pass\nprint('botocore' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "False"


def test_completion_of_thresholds_and_recommendations():
    from wsctl.cli.usage import _complete_recommendations, _complete_thresholds

    assert "STANDARD=" in _complete_thresholds("STA")
    assert _complete_recommendations("u") == ["unused"]
