"""The service layer's DescribeWorkspaces: pagination, ID chunking, errors (botocore Stubber)."""

from __future__ import annotations

import pytest

from tests.stubs import stubbed_service, workspace
from wsctl.cli.report import report_exception
from wsctl.errors import ExitCode, ServiceError


def test_all_pages_are_fetched_and_merged():
    service, stub = stubbed_service()
    stub.add_response(
        "describe_workspaces",
        {"Workspaces": [workspace(i) for i in range(25)], "NextToken": "t1"},
        {"DirectoryId": "d-1234567890", "Limit": 25},
    )
    stub.add_response(
        "describe_workspaces",
        {"Workspaces": [workspace(i) for i in range(25, 30)]},
        {"DirectoryId": "d-1234567890", "Limit": 25, "NextToken": "t1"},
    )
    found = service.describe_workspaces(directory_id="d-1234567890")
    assert [w["WorkspaceId"] for w in found] == [f"ws-{i:09d}" for i in range(30)]
    stub.assert_no_pending_responses()
    assert service.calls.counts["DescribeWorkspaces"] == 2


def test_limit_stops_paging_early():
    service, stub = stubbed_service()
    stub.add_response(
        "describe_workspaces", {"Workspaces": [workspace(i) for i in range(25)], "NextToken": "t1"}, {"Limit": 25}
    )
    found = service.describe_workspaces(limit=10)
    assert len(found) == 10
    stub.assert_no_pending_responses()


def test_more_than_25_ids_are_split_into_calls_and_keep_the_order_asked():
    service, stub = stubbed_service()
    ids = [f"ws-{i:09d}" for i in range(60)]
    asked = list(reversed(ids))
    for chunk in (asked[:25], asked[25:50], asked[50:]):
        stub.add_response(
            "describe_workspaces", {"Workspaces": [workspace(int(i[3:])) for i in chunk]}, {"WorkspaceIds": chunk}
        )
    found = service.describe_workspaces(workspace_ids=asked)
    assert [w["WorkspaceId"] for w in found] == asked
    assert service.calls.counts["DescribeWorkspaces"] == 3


def test_unknown_ids_are_absent_not_an_error():
    service, stub = stubbed_service()
    stub.add_response(
        "describe_workspaces", {"Workspaces": [workspace(1)]}, {"WorkspaceIds": ["ws-000000001", "ws-000000099"]}
    )
    found = service.describe_workspaces_by_id(["ws-000000001", "ws-000000099"])
    assert list(found) == ["ws-000000001"]


def test_unknown_enum_values_from_a_newer_service_pass_through():
    service, stub = stubbed_service()
    stub.add_response("describe_workspaces", {"Workspaces": [workspace(1, state="HIBERNATING")]}, {"Limit": 25})
    assert service.describe_workspaces()[0]["State"] == "HIBERNATING"


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("AccessDeniedException", "Access denied"),
        ("UnrecognizedClientException", "did not recognise the credentials"),
        ("InvalidParameterValuesException", "DescribeWorkspaces failed: InvalidParameterValuesException: boom"),
        ("ResourceUnavailableException", "ResourceUnavailableException"),
    ],
)
def test_service_errors_become_one_sentence_and_exit_1(code, expected, capsys):
    service, stub = stubbed_service()
    stub.add_client_error("describe_workspaces", service_error_code=code, service_message="boom", http_status_code=400)
    with pytest.raises(ServiceError) as caught:
        service.describe_workspaces()
    assert report_exception(caught.value) == ExitCode.ERROR
    err = capsys.readouterr().err
    assert expected in err
    assert "Traceback" not in err


def test_a_name_filter_the_endpoint_ignores_is_applied_here_too():
    service, stub = stubbed_service()
    named, other = workspace(1, WorkspaceName="finance-01"), workspace(2, WorkspaceName="hr-02")
    stub.add_response(
        "describe_workspaces", {"Workspaces": [named, other]}, {"WorkspaceName": "finance-01", "Limit": 25}
    )
    assert service.describe_workspaces(workspace_name="finance-01") == [named]
