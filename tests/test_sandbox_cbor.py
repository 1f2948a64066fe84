"""Smithy RPC v2 CBOR, the protocol the WorkSpaces model lists first: the codec, and botocore's CBOR client."""

from __future__ import annotations

import datetime as dt
import http.client
from urllib.parse import urlsplit

import pytest
from botocore.exceptions import ClientError

from tests import sandbox_support as sb
from wsctl.sandbox import cbor


@pytest.mark.parametrize(
    ("value", "hex_text"),
    [  # RFC 8949, Appendix A
        (0, "00"),
        (23, "17"),
        (24, "1818"),
        (100, "1864"),
        (1000, "1903e8"),
        (1000000000000, "1b000000e8d4a51000"),
        (-1, "20"),
        (-1000, "3903e7"),
        (False, "f4"),
        (True, "f5"),
        (None, "f6"),
        ("", "60"),
        ("IETF", "6449455446"),
        ("\u00fc", "62c3bc"),
        (b"\x01\x02\x03\x04", "4401020304"),
        ([1, [2, 3], [4, 5]], "8301820203820405"),
        ({"a": 1, "b": [2, 3]}, "a26161016162820203"),
        (1.1, "fb3ff199999999999a"),
    ],
)
def test_codec_matches_the_rfc_examples(value, hex_text):
    assert cbor.encode(value).hex() == hex_text
    assert cbor.decode(bytes.fromhex(hex_text)) == value


@pytest.mark.parametrize(
    ("hex_text", "value"),
    [
        ("f93e00", 1.5),  # half precision
        ("fa47c35000", 100000.0),  # single precision
        ("c11a514b67b0", 1363896240),  # tag 1: epoch seconds
        ("c1fb41d452d9ec200000", 1363896240.5),
        ("9f018202039f0405ffff", [1, [2, 3], [4, 5]]),  # indefinite lengths
        ("bf61610161629f0203ffff", {"a": 1, "b": [2, 3]}),
        ("7f657374726561646d696e67ff", "streaming"),
        ("5f42010243030405ff", b"\x01\x02\x03\x04\x05"),
    ],
)
def test_decoder_reads_what_other_encoders_write(hex_text, value):
    assert cbor.decode(bytes.fromhex(hex_text)) == value


def test_timestamps_are_tagged():
    assert cbor.encode(cbor.Timestamp(1363896240)).hex() == "c11a514b67b0"
    assert cbor.encode(cbor.Timestamp(1363896240.5)).hex() == "c1fb41d452d9ec200000"


@pytest.mark.parametrize(
    "hex_text", ["", "18", "62c3", "8301", "a161", "ff", "0000", "9f01", "5f6161ff", "c16161", "1c"]
)
def test_malformed_cbor_is_an_error(hex_text):
    with pytest.raises(cbor.CBORError):
        cbor.decode(bytes.fromhex(hex_text))


def test_a_cbor_client_drives_the_sandbox(monkeypatch):
    clock = sb.fake_clock(monkeypatch)
    seed = sb.reset()
    c = sb.cbor_client()
    c.meta.events.register_first("before-send.workspaces", _assert_cbor)
    answer = c.create_workspaces(Workspaces=[sb.request(seed, "user0001"), sb.request(seed, "nobody")])
    assert [f["ErrorCode"] for f in answer["FailedRequests"]] == ["ResourceNotFound.User"]
    wid = answer["PendingRequests"][0]["WorkspaceId"]
    clock.advance(0.5)
    page = c.describe_workspaces(Limit=1)
    assert [w["WorkspaceId"] for w in page["Workspaces"]] == [wid] and "NextToken" not in page
    clock.advance(5)
    c.modify_workspace_properties(WorkspaceId=wid, WorkspaceProperties={"RunningMode": "ALWAYS_ON"})
    with pytest.raises(ClientError) as caught:
        c.modify_workspace_properties(WorkspaceId="ws-000000000", WorkspaceProperties={"RunningMode": "ALWAYS_ON"})
    assert sb.error_of(caught)[::2] == ("ResourceNotFoundException", 400)
    with pytest.raises(ClientError) as caught:
        c.describe_workspaces(Limit=26)
    assert sb.error_of(caught)[0] == "ValidationException"
    image_id = c.import_workspace_image(
        Ec2ImageId=sb.ami_id(seed), IngestionProcess="BYOL_REGULAR", ImageName="n", ImageDescription="d"
    )["ImageId"]
    [image] = c.describe_workspace_images(ImageIds=[image_id])["Images"]
    assert isinstance(image["Created"], dt.datetime)
    assert abs(image["Created"].timestamp() - clock.now) < 0.01
    bundles = [b for p in c.get_paginator("describe_workspace_bundles").paginate(Owner="AMAZON") for b in p["Bundles"]]
    assert len(bundles) == len([b for b in seed["Bundles"] if b["Owner"] == "AMAZON"])
    assert isinstance(bundles[0]["CreationTime"], dt.datetime)
    assert len(c.describe_workspace_directories()["Directories"]) == 2
    assert sb.counts() == {
        "CreateWorkspaces": 1,
        "DescribeWorkspaceBundles": 2,
        "DescribeWorkspaceDirectories": 1,
        "DescribeWorkspaceImages": 1,
        "DescribeWorkspaces": 2,
        "ImportWorkspaceImage": 1,
        "ModifyWorkspaceProperties": 2,
    }


def _assert_cbor(request, **_):
    assert "/service/WorkspacesService/operation/" in request.url
    assert "X-Amz-Target" not in request.headers


def test_cbor_over_http():
    seed = sb.reset("--time-scale", "0")
    with sb.served("--quiet") as (url, _):
        c = sb.cbor_client(url)
        answer = c.create_workspaces(Workspaces=[sb.request(seed, "user0001")])
        [ws] = c.describe_workspaces(WorkspaceIds=[answer["PendingRequests"][0]["WorkspaceId"]])["Workspaces"]
        assert ws["State"] == "AVAILABLE"
        parts = urlsplit(url)
        for path, body, code in (
            ("/service/WorkspacesService/operation/DescribeWorkspaces", b"\x83\x01", "SerializationException"),
            ("/service/WorkspacesService/operation/LaunchRockets", b"\xa0", "UnknownOperationException"),
            ("/service/SomethingElse/operation/DescribeWorkspaces", b"\xa0", "UnknownOperationException"),
        ):
            conn = http.client.HTTPConnection(str(parts.hostname), parts.port, timeout=10)
            conn.request("POST", path, body=body, headers={"smithy-protocol": "rpc-v2-cbor"})
            response = conn.getresponse()
            data = response.read()
            conn.close()
            assert response.status == 400
            assert response.getheader("smithy-protocol") == "rpc-v2-cbor"
            assert response.getheader("Content-Type") == "application/cbor"
            assert cbor.decode(data)["__type"] == code
