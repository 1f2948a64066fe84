"""Smithy RPC v2 CBOR, the protocol the WorkSpaces model lists first: the codec, and botocore's CBOR client."""

from __future__ import annotations

import datetime as dt
import http.client
import time
from urllib.parse import urlsplit

import pytest
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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


# --- malformed CBOR: always a CBORError, and a 400 SerializationException from the backend, never a 500 ---------

# Initial bytes that open containers, declare lengths, break or are reserved, to steer the fuzzer into nesting.
_INTERESTING = [
    bytes([b])
    for b in (0x18, 0x19, 0x1A, 0x1B, 0x1C, 0x1F, 0x3F, 0x40, 0x5B, 0x5F, 0x60, 0x7B, 0x7F, 0x80, 0x81, 0x9B, 0x9F)
    + (0xA0, 0xA1, 0xBB, 0xBF, 0xC1, 0xC2, 0xD8, 0xF8, 0xF9, 0xFA, 0xFB, 0xFC, 0xFF)
] + [b"\xff" * 8, b"\x00" * 8]
_TOKENS = st.lists(st.one_of(st.sampled_from(_INTERESTING), st.binary(max_size=4)), max_size=40).map(b"".join)
_FUZZ = settings(
    max_examples=400,
    deadline=None,
    database=None,  # no .hypothesis/ directory in the work tree
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@_FUZZ
@given(st.one_of(st.binary(max_size=64), _TOKENS))
def test_decode_raises_only_cbor_errors(data):
    try:
        cbor.decode(data)
    except cbor.CBORError:
        pass


_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**64), max_value=2**64 - 1)
    | st.floats(allow_nan=False)
    | st.text(max_size=10)
    | st.binary(max_size=10),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=20,
)


@_FUZZ
@given(_VALUES, st.data())
def test_any_cut_or_flipped_encoding_raises_only_cbor_errors(value, data):
    encoded = cbor.encode(value)
    assert cbor.decode(encoded) == value
    cut = data.draw(st.integers(min_value=0, max_value=max(0, len(encoded) - 1)))
    with pytest.raises(cbor.CBORError):
        cbor.decode(encoded[:cut])
    position = data.draw(st.integers(min_value=0, max_value=len(encoded) - 1))
    flipped = bytearray(encoded)
    flipped[position] ^= data.draw(st.integers(min_value=1, max_value=255))
    try:
        cbor.decode(bytes(flipped))
    except cbor.CBORError:
        pass


MALFORMED = [
    pytest.param("a18000", id="array-as-map-key"),
    pytest.param("a1a000", id="map-as-map-key"),
    pytest.param("bf8001ff", id="array-as-key-in-indefinite-map"),
    pytest.param("5f5f4101ffff", id="indefinite-chunk-in-indefinite-bytes"),
    pytest.param("7f7f6161ffff", id="indefinite-chunk-in-indefinite-text"),
    pytest.param("5f6161ff", id="text-chunk-in-bytes"),
    pytest.param("3f", id="indefinite-negative-integer"),
    pytest.param("df00", id="indefinite-tag"),
    pytest.param("fc", id="reserved-simple-28"),
    pytest.param("fe", id="reserved-simple-30"),
    pytest.param("f800", id="two-byte-simple-below-32"),
    pytest.param("9bffffffffffffffff00", id="array-of-2**64-items"),
    pytest.param("bbffffffffffffffff0000", id="map-of-2**64-entries"),
    pytest.param("5bffffffffffffffff", id="bytes-of-2**64"),
    pytest.param("7bffffffffffffffff", id="text-of-2**64"),
    pytest.param("9a0100000000", id="array-of-2**32-items-no-data"),
    pytest.param("81" * 5000 + "00", id="nested-5000-deep"),
    pytest.param("9f" * 5000, id="indefinite-nested-5000-deep"),
    pytest.param("c1" * 5000 + "00", id="tags-5000-deep"),
    pytest.param("a1616180", id="array-where-a-map-value-is-fine-but-not-a-map"),
]


@pytest.mark.parametrize("hex_text", MALFORMED)
def test_more_malformed_cbor_is_an_error(hex_text):
    data = bytes.fromhex(hex_text)
    if hex_text == "a1616180":  # well-formed: {"a": []}
        assert cbor.decode(data) == {"a": []}
        return
    with pytest.raises(cbor.CBORError):
        cbor.decode(data)


def test_a_huge_declared_length_fails_at_once():
    started = time.monotonic()
    with pytest.raises(cbor.CBORError):
        cbor.decode(b"\x9b" + b"\x7f" * 8 + b"\x00" * 100_000)
    assert time.monotonic() - started < 0.5


BAD_REQUESTS = [
    *(p.values[0] for p in MALFORMED if p.values[0] != "a1616180"),
    "a1016161",  # a map key that is not text: Smithy RPC v2 CBOR keys are text strings
    "a1416161",  # a byte-string key
    "83010203",  # an array, not a map
    "18",  # truncated
    "a2",  # a map cut short
    "c16161",  # tag 1 (a timestamp) holding text
]


@pytest.mark.parametrize("hex_text", BAD_REQUESTS)
def test_malformed_cbor_requests_are_400_serialization_exception(hex_text):
    from wsctl.sandbox.backend import Backend

    status, headers, body = Backend().handle_cbor("DescribeWorkspaces", bytes.fromhex(hex_text))
    assert status == 400, cbor.decode(body)
    assert cbor.decode(body)["__type"] == "SerializationException"
    assert headers["x-amzn-ErrorType"] == "SerializationException"


@_FUZZ
@given(st.one_of(st.binary(max_size=48), _TOKENS))
def test_any_request_body_is_answered_never_with_a_500(data):
    from wsctl.sandbox.backend import Backend

    status, _, body = Backend().handle_cbor("DescribeWorkspaces", data)
    assert status in (200, 400), cbor.decode(body)


_MEMBERS = st.sampled_from(
    ["Limit", "NextToken", "WorkspaceIds", "DirectoryId", "UserName", "BundleId", "Workspaces", "WorkspaceId"]
    + ["WorkspaceProperties", "RunningMode", "Tags", "ImageIds", "Owner", "Ec2ImageId", "ImageName", ""]
)


@_FUZZ
@given(
    st.sampled_from(["DescribeWorkspaces", "CreateWorkspaces", "ModifyWorkspaceProperties", "DescribeWorkspaceImages"]),
    st.dictionaries(_MEMBERS, _VALUES, max_size=4),
)
def test_well_formed_cbor_of_the_wrong_shapes_is_answered_never_with_a_500(operation, params):
    from wsctl.sandbox.backend import Backend

    status, _, body = Backend().handle_cbor(operation, cbor.encode(params))
    assert status in (200, 400), cbor.decode(body)
