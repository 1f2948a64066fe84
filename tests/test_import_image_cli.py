"""`wsctl import-image` on the sandbox: every ingestion process, each rule, each service error, --wait."""

from __future__ import annotations

import pytest

from tests import sandbox_support as sb
from tests.helpers import wsctl
from wsctl.spec import enums as modeldata

FAST = ("--time-scale", "0.02")


def args(
    ami: str, process: str = "BYOL_REGULAR", name: str = "golden-1", description: str = "Golden image"
) -> list[str]:
    return [
        "--sandbox",
        "import-image",
        "--ec2-image-id",
        ami,
        "--ingestion-process",
        process,
        "--name",
        name,
        "--description",
        description,
    ]


@pytest.mark.parametrize("process", modeldata.enum_values(modeldata.INGESTION_PROCESS))
def test_every_ingestion_process_of_the_model_imports(process):
    seed = sb.reset(*FAST)
    run = wsctl(*args(sb.ami_id(seed), process, name=f"img-{process.lower()}"), "-o", "json")
    assert run.exit_code == 0, run.stderr
    assert run.json()["ImageId"].startswith("wsi-")
    assert ("Core" in run.stderr) == process.endswith("_BYOP")  # the BYOP warning, and only for BYOP


def test_help_explains_the_suffixes():
    run = wsctl("import-image", "--help")
    assert run.exit_code == 0
    text = " ".join(run.stdout.split())  # help is wrapped to the terminal's width
    for words in ("PCoIP", "_WSP", "_BYOP", "WorkSpaces Core"):
        assert words in text


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (["--ec2-image-id", "ami-XYZ"], "--ec2-image-id: 'ami-XYZ' does not match"),
        (["--name", "has space"], "--name: 'has space' has ' ' at position 4, which is not allowed"),
        (["--name", "n" * 65], "--name: 'nnnn"),
        (["--description", "bad!"], "--description: 'bad!' has '!' at position 4"),
        (["--description", "d" * 257], "at most 256 allowed"),
        (["--ingestion-process", "BYOL_REGULR"], "did you mean BYOL_REGULAR?"),
        (
            ["--application", "Microsoft_Office_2016", "--application", "Microsoft_Office_2019"],
            "the service accepts only one today",
        ),
        (["--application", "Office"], "--application: 'Office' is not one of"),
        (["--tag", "novalue"], "--tag: 'novalue' is not KEY=VALUE"),
        ([arg for i in range(51) for arg in ("--tag", f"k{i}=v")], "has 51 tags; at most 50 allowed"),
        (["--tag", "k" * 128 + "=v"], "at most 127 allowed"),
        (["--tag", "k=" + "v" * 256], "at most 255 allowed"),
    ],
)
def test_each_rule_is_checked_before_sending(extra, expected):
    seed = sb.reset(*FAST)
    base = args(sb.ami_id(seed))
    for flag in ("--ec2-image-id", "--name", "--description", "--ingestion-process"):
        if flag in extra and flag in base:
            at = base.index(flag)
            del base[at : at + 2]
    run = wsctl(*base, *extra)
    assert run.exit_code == 2, run.stderr
    assert expected in run.stderr
    assert sb.counts().get("ImportWorkspaceImage", 0) == 0


def test_unknown_ami_name_in_use_and_limit_are_one_sentence_and_exit_1():
    sb.reset(*FAST)
    owned = len(wsctl("--sandbox", "describe-images", "-o", "json").json()["Images"])
    seed = sb.reset(*FAST, "--image-limit", str(owned + 1))
    unknown = wsctl(*args("ami-0123456789abcdef9"))
    assert unknown.exit_code == 1
    assert "The EC2 image ami-0123456789abcdef9 was not found" in unknown.stderr
    first = wsctl(*args(sb.ami_id(seed)))
    assert first.exit_code == 0
    again = wsctl(*args(sb.ami_id(seed)))
    assert again.exit_code == 1
    assert "An image named 'golden-1' already exists (wsi-" in again.stderr
    limit = wsctl(*args(sb.ami_id(seed), name="golden-2"))
    assert limit.exit_code == 1
    assert "image quota" in limit.stderr
    for run in (unknown, again, limit):
        assert "Traceback" not in run.stderr and run.stderr.count("error:") == 1


def test_byop_without_a_core_account_says_so_in_plain_words():
    seed = sb.reset(*FAST, "--no-core")
    run = wsctl(*args(sb.ami_id(seed), "BYOL_GRAPHICS_G4DN_BYOP"))
    assert run.exit_code == 1
    assert "needs an Amazon WorkSpaces Core account that AWS has allow-listed" in run.stderr
    assert "Ask your AWS account team" in run.stderr
    plain = wsctl(*args(sb.ami_id(seed), "BYOL_GRAPHICS_G4DN"))
    assert plain.exit_code == 0  # only BYOP needs Core


def test_wait_to_available_prints_the_image():
    seed = sb.reset(*FAST)
    run = wsctl(*args(sb.ami_id(seed)), "--wait", "--poll-interval", "0.1", "-o", "json")
    assert run.exit_code == 0, run.stderr
    data = run.json()
    assert data["Image"]["ImageId"] == data["ImageId"] and data["Image"]["State"] == "AVAILABLE"


def test_wait_to_error_shows_every_error_detail_and_exits_3():
    seed = sb.reset(*FAST)
    run = wsctl(*args(sb.ami_id(seed, failing=True)), "--wait", "--poll-interval", "0.1")
    assert run.exit_code == 3, run.stderr
    images = wsctl("--sandbox", "describe-images", "-o", "json").json()["Images"]
    image = next(i for i in images if i["Name"] == "golden-1")
    assert image["State"] == "ERROR" and image["ErrorDetails"]
    for detail in image["ErrorDetails"]:
        assert detail["ErrorCode"] in run.stdout
    assert "ErrorDetails" in run.stdout and image["ErrorCode"] in run.stdout


def test_an_interrupted_wait_can_be_picked_up_with_describe_images():
    seed = sb.reset("--time-scale", "100")
    run = wsctl(*args(sb.ami_id(seed)), "--wait", "--timeout", "0.3", "--poll-interval", "0.1", "-o", "json")
    assert run.exit_code == 4
    image_id = run.json()["ImageId"]
    assert f"wsctl --sandbox describe-images --id {image_id} --wait" in run.stderr


def test_every_problem_at_once_and_before_any_question():
    sb.reset(*FAST)
    run = wsctl(
        "--sandbox",
        "import-image",
        "--ec2-image-id",
        "ami-XYZ",
        "--name",
        "bad name",
        "--tag",
        "k",
        "--application",
        "Microsoft_Office_2016",
        "--application",
        "Microsoft_Office_2019",
    )
    assert run.exit_code == 2
    for expected in (
        "--ec2-image-id: 'ami-XYZ'",
        "--name: 'bad name'",
        "--tag: 'k' is not KEY=VALUE",
        "accepts only one today",
    ):
        assert expected in run.stderr
    assert "missing" not in run.stderr  # typed values are fixed first; the missing ones are asked or named after


def test_waiting_on_an_existing_image_starts_from_its_state_not_from_not_visible():
    seed = sb.reset(*FAST)
    started = wsctl(*args(sb.ami_id(seed, failing=True)), "-o", "json")
    assert started.exit_code == 0, started.stderr
    image_id = started.json()["ImageId"]
    run = wsctl("--sandbox", "describe-images", "--id", image_id, "--wait", "--poll-interval", "0.05")
    assert run.exit_code == 3
    # PENDING -> ERROR, or ERROR at once on a slow machine: either way from the state described.
    assert f"{image_id} golden-1" in run.stderr and "ERROR" in run.stderr
    assert "not visible yet" not in run.stderr
