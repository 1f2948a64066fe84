"""The sandbox's DescribeTags, CreateTags and DeleteTags, through a real botocore client (and the AWS CLI)."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests import sandbox_support as sb


def test_tags_of_a_workspace_are_read_added_changed_and_removed_one_resource_a_call():
    seed, (workspace_id,) = sb.make_fleet(1)
    c = sb.client()
    assert c.describe_tags(ResourceId=workspace_id)["TagList"] == []
    c.create_tags(ResourceId=workspace_id, Tags=[{"Key": "team", "Value": "red"}, {"Key": "cc", "Value": "1"}])
    c.create_tags(ResourceId=workspace_id, Tags=[{"Key": "team", "Value": "blue"}])
    c.delete_tags(ResourceId=workspace_id, TagKeys=["cc", "not-there"])
    assert c.describe_tags(ResourceId=workspace_id)["TagList"] == [{"Key": "team", "Value": "blue"}]
    # As AWS: DescribeWorkspaces does not return tags (the model's Workspace shape has none).
    assert "Tags" not in c.describe_workspaces(WorkspaceIds=[workspace_id])["Workspaces"][0]


def test_tags_given_at_create_are_what_describe_tags_returns():
    seed = sb.reset(*sb.FAST)
    c = sb.client()
    pending = c.create_workspaces(Workspaces=[sb.request(seed, "user0001", Tags=[{"Key": "a", "Value": "b"}])])
    workspace_id = pending["PendingRequests"][0]["WorkspaceId"]
    assert c.describe_tags(ResourceId=workspace_id)["TagList"] == [{"Key": "a", "Value": "b"}]


def test_refusals_unknown_resource_reserved_prefix_and_the_50_tag_limit():
    _, (workspace_id,) = sb.make_fleet(1)
    c = sb.client()
    with pytest.raises(ClientError) as unknown:
        c.describe_tags(ResourceId="ws-doesnotexist0")
    assert sb.error_of(unknown)[0] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as reserved:
        c.create_tags(ResourceId=workspace_id, Tags=[{"Key": "aws:owner", "Value": "x"}])
    assert sb.error_of(reserved)[0] == "InvalidParameterValuesException"
    c.create_tags(ResourceId=workspace_id, Tags=[{"Key": f"k{i}", "Value": ""} for i in range(50)])
    with pytest.raises(ClientError) as limit:
        c.create_tags(ResourceId=workspace_id, Tags=[{"Key": "one-more", "Value": ""}])
    assert sb.error_of(limit)[0] == "ResourceLimitExceededException"
    assert len(c.describe_tags(ResourceId=workspace_id)["TagList"]) == 50


@pytest.mark.crosscheck
def test_the_aws_cli_reads_and_writes_tags_on_a_served_sandbox():
    _, (workspace_id,) = sb.make_fleet(1)
    with sb.served() as (url, _):
        sb.aws_ok(sb.aws_cli(url, "create-tags", "--resource-id", workspace_id, "--tags", "Key=team,Value=ops"))
        listed = sb.aws_ok(sb.aws_cli(url, "describe-tags", "--resource-id", workspace_id))
    assert listed["TagList"] == [{"Key": "team", "Value": "ops"}]
