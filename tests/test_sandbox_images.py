"""The sandbox's image import and the supporting reads: images, directories, bundles."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests import sandbox_support as sb
from wsctl.sandbox.seed import FAULT_USERS
from wsctl.spec import enums


def _import(c, seed, name="golden", **extra):
    params = {
        "Ec2ImageId": sb.ami_id(seed),
        "IngestionProcess": "BYOL_REGULAR_WSP",
        "ImageName": name,
        "ImageDescription": "Golden image",
        **extra,
    }
    return c.import_workspace_image(**params)["ImageId"]


def _image(c, image_id):
    [image] = c.describe_workspace_images(ImageIds=[image_id])["Images"]
    return image


def _refused(call):
    with pytest.raises(ClientError) as caught:
        call()
    return sb.error_of(caught)


def test_imported_image_is_pending_then_available(monkeypatch):
    clock = sb.fake_clock(monkeypatch)
    seed = sb.reset()
    c = sb.client()
    image_id = _import(c, seed, Tags=[{"Key": "os", "Value": "win11"}])
    assert re.match(r"\Awsi-[0-9a-z]{9}\Z", image_id)
    image = _image(c, image_id)
    assert image["State"] == "PENDING"
    assert image["Name"] == "golden" and image["Description"] == "Golden image"
    assert image["OperatingSystem"] == {"Type": "WINDOWS"}
    assert image["RequiredTenancy"] == "DEFAULT"
    assert image["OwnerAccountId"] == seed["Settings"]["AccountId"]
    assert isinstance(image["Created"], dt.datetime)
    assert "ErrorCode" not in image
    clock.advance(7.9)
    assert _image(c, image_id)["State"] == "PENDING"
    clock.advance(0.1)
    assert _image(c, image_id)["State"] == "AVAILABLE"


def test_image_with_an_application_takes_twice_as_long(monkeypatch):
    clock = sb.fake_clock(monkeypatch)
    seed = sb.reset()
    c = sb.client()
    image_id = _import(c, seed, Applications=["Microsoft_Office_2019"])
    clock.advance(15.9)
    assert _image(c, image_id)["State"] == "PENDING"
    clock.advance(0.1)
    assert _image(c, image_id)["State"] == "AVAILABLE"


def test_failing_ami_ends_in_error_with_details_from_the_model(monkeypatch):
    clock = sb.fake_clock(monkeypatch)
    seed = sb.reset()
    c = sb.client()
    image_id = _import(c, seed, Ec2ImageId=sb.ami_id(seed, failing=True))
    assert "ErrorDetails" not in _image(c, image_id)
    clock.advance(8)
    image = _image(c, image_id)
    assert image["State"] == "ERROR"
    assert image["ErrorCode"] and image["ErrorMessage"]
    codes = [d["ErrorCode"] for d in image["ErrorDetails"]]
    assert {"OutdatedPowershellVersion", "DomainJoined"} <= set(codes)
    assert set(codes) <= set(enums.enum_values("WorkspaceImageErrorDetailCode"))
    assert all(d["ErrorMessage"] for d in image["ErrorDetails"])


def test_import_errors(monkeypatch):
    sb.fake_clock(monkeypatch)
    seed = sb.reset()
    c = sb.client()
    _import(c, seed, name="taken")
    cases: list[tuple[dict[str, Any], str, str]] = [
        ({"Ec2ImageId": "ami-0123456789abcdef0"}, "ResourceNotFoundException", "ami-0123456789abcdef0"),
        ({"ImageName": "taken"}, "ResourceAlreadyExistsException", "taken"),
        (
            {"Applications": ["Microsoft_Office_2016", "Microsoft_Office_2019"]},
            "InvalidParameterValuesException",
            "only one",
        ),
        ({"Ec2ImageId": "ami-123"}, "ValidationException", "failed to satisfy constraint"),
    ]
    for change, code, text in cases:
        params = {
            "Ec2ImageId": sb.ami_id(seed),
            "IngestionProcess": "BYOL_REGULAR",
            "ImageName": "fresh",
            "ImageDescription": "d",
            **change,
        }
        got, message, status = _refused(lambda params=params: c.import_workspace_image(**params))
        assert (got, status) == (code, 400), change
        assert text in message
    owned = c.describe_workspace_images(ImageType="OWNED")["Images"]
    assert [i["Name"] for i in owned if i["Name"] in ("taken", "fresh")] == ["taken"]


def test_byop_needs_a_core_account(monkeypatch):
    sb.fake_clock(monkeypatch)
    seed = sb.reset()
    assert _import(sb.client(), seed, IngestionProcess="BYOL_REGULAR_BYOP").startswith("wsi-")
    seed = sb.reset("--no-core")
    code, message, _ = _refused(lambda: _import(sb.client(), seed, IngestionProcess="BYOL_GRAPHICS_G4DN_BYOP"))
    assert code == "OperationNotSupportedException"
    assert "BYOL_GRAPHICS_G4DN_BYOP" in message and "WorkSpaces Core" in message and "allow-listed" in message
    assert _import(sb.client(), seed, IngestionProcess="BYOL_REGULAR").startswith("wsi-")


def test_owned_image_limit(monkeypatch):
    sb.fake_clock(monkeypatch)
    seed = sb.reset("--image-limit", "4")
    c = sb.client()
    already = len(c.describe_workspace_images()["Images"])  # the custom bundles' images
    for n in range(4 - already):
        _import(c, seed, name=f"img-{n}")
    code, message, _ = _refused(lambda: _import(c, seed, name="one-too-many"))
    assert code == "ResourceLimitExceededException"
    assert "4" in message


def test_describe_images_pages_and_filters(monkeypatch):
    sb.fake_clock(monkeypatch)
    seed = sb.reset()
    c = sb.client()
    seeded = [i["ImageId"] for i in c.describe_workspace_images()["Images"]]
    imported = [_import(c, seed, name=f"img-{n}") for n in range(5)]
    first = c.describe_workspace_images(MaxResults=3)
    assert len(first["Images"]) == 3 and first["NextToken"]
    rest = c.describe_workspace_images(MaxResults=25, NextToken=first["NextToken"])
    assert "NextToken" not in rest
    assert [i["ImageId"] for i in first["Images"] + rest["Images"]] == seeded + imported
    pages = list(c.get_paginator("describe_workspace_images").paginate(PaginationConfig={"PageSize": 2}))
    assert [len(p["Images"]) for p in pages] == [2, 2, 2, 1]
    assert [i["ImageId"] for i in _many(c, [imported[3], "wsi-000000000", imported[1]])] == [
        imported[1],
        imported[3],
    ]
    assert c.describe_workspace_images(ImageType="SHARED")["Images"] == []
    got, _, _ = _refused(lambda: c.describe_workspace_images(MaxResults=26))
    assert got == "ValidationException"


def _many(c, image_ids):
    return c.describe_workspace_images(ImageIds=image_ids)["Images"]


def test_directories(monkeypatch):
    sb.fake_clock(monkeypatch)
    seed = sb.reset("--users", "3")
    c = sb.client()
    directories = c.describe_workspace_directories()["Directories"]
    assert [d["DirectoryId"] for d in directories] == [d["DirectoryId"] for d in seed["Directories"]]
    primary = directories[0]
    assert re.match(r"\Ad-[0-9a-f]{10}\Z", primary["DirectoryId"])
    assert primary["DirectoryType"] == "SIMPLE_AD" and directories[1]["DirectoryType"] == "AD_CONNECTOR"
    assert primary["State"] == "REGISTERED"
    assert primary["DirectoryName"] == "corp.example.com"
    assert primary["RegistrationCode"] and primary["Alias"] and primary["CustomerUserName"]
    assert all(s.startswith("subnet-") for s in primary["SubnetIds"]) and len(primary["SubnetIds"]) == 2
    assert primary["DnsIpAddresses"] and primary["WorkspaceSecurityGroupId"].startswith("sg-")
    assert "EnableInternetAccess" in primary["WorkspaceCreationProperties"]
    first = c.describe_workspace_directories(Limit=1)
    assert len(first["Directories"]) == 1 and first["NextToken"]
    second = c.describe_workspace_directories(Limit=1, NextToken=first["NextToken"])
    assert second["Directories"] == directories[1:] and "NextToken" not in second
    only = c.describe_workspace_directories(DirectoryIds=[directories[1]["DirectoryId"], "d-0000000000"])
    assert only["Directories"] == directories[1:]
    assert seed["Directories"][0]["UserNames"] == ["user0001", "user0002", "user0003"]
    assert seed["Directories"][0]["FaultUsers"] == FAULT_USERS
    assert len(seed["Directories"][1]["UserNames"]) == 10


def test_bundles(monkeypatch):
    sb.fake_clock(monkeypatch)
    seed = sb.reset()
    c = sb.client()
    own = c.describe_workspace_bundles()
    assert "NextToken" not in own
    assert {b["Owner"] for b in own["Bundles"]} == {seed["Settings"]["AccountId"]}
    assert len(own["Bundles"]) == 2
    assert sb.failing_bundle_id(seed) in [b["BundleId"] for b in own["Bundles"]]
    first = c.describe_workspace_bundles(Owner="AMAZON")
    assert len(first["Bundles"]) == 25 and first["NextToken"]
    rest = c.describe_workspace_bundles(Owner="AMAZON", NextToken=first["NextToken"])
    assert "NextToken" not in rest
    amazon = first["Bundles"] + rest["Bundles"]
    assert {b["Owner"] for b in amazon} == {"AMAZON"}
    assert len({b["BundleId"] for b in amazon}) == len(amazon) > 25
    paged = [b for p in c.get_paginator("describe_workspace_bundles").paginate(Owner="AMAZON") for b in p["Bundles"]]
    assert paged == amazon
    sizes = {b["Name"].split(" with ")[0]: (b["RootStorage"]["Capacity"], b["UserStorage"]["Capacity"]) for b in amazon}
    assert sizes["Value"] == ("80", "10") and sizes["Standard"] == ("80", "50")
    assert sizes["Performance"] == ("80", "100") and sizes["Power"] == ("175", "100")
    assert sizes["PowerPro"] == ("175", "100") and sizes["Graphics.g4dn"] == ("100", "100")
    assert sizes["GraphicsPro.g4dn"] == ("100", "100")
    standard = next(b for b in amazon if b["Name"].startswith("Standard with"))
    assert standard["ComputeType"] == {"Name": "STANDARD"}
    assert standard["State"] == "AVAILABLE" and standard["BundleType"] == "REGULAR"
    assert standard["ImageId"].startswith("wsi-")
    assert isinstance(standard["CreationTime"], dt.datetime) and isinstance(standard["LastUpdatedTime"], dt.datetime)
    assert set(enums.enum_values("Compute")) >= {b["ComputeType"]["Name"] for b in amazon}
    picked = c.describe_workspace_bundles(BundleIds=[standard["BundleId"], sb.failing_bundle_id(seed)])["Bundles"]
    assert {b["BundleId"] for b in picked} == {standard["BundleId"], sb.failing_bundle_id(seed)}
    got, message, _ = _refused(lambda: c.describe_workspace_bundles(BundleIds=[standard["BundleId"]], Owner="AMAZON"))
    assert got == "InvalidParameterValuesException" and "Owner" in message
    # info's view of the bundles matches the service's.
    info_by_id = {b["BundleId"]: b for b in seed["Bundles"]}
    assert info_by_id[standard["BundleId"]]["ComputeType"] == "STANDARD"
    assert info_by_id[standard["BundleId"]]["Name"] == standard["Name"]
