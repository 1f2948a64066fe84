"""`import-image`: start an ImportWorkspaceImage (BYOL, and BYOP for WorkSpaces Core) and follow it."""

from __future__ import annotations

import sys
from typing import Any

from wsctl.context import AppContext
from wsctl.errors import LocatedProblem
from wsctl.input.flags import flag_problems, raise_if_problems, warning_lines

FLAGS = {
    "Ec2ImageId": "--ec2-image-id",
    "IngestionProcess": "--ingestion-process",
    "ImageName": "--name",
    "ImageDescription": "--description",
    "Tags": "--tag",
    "Applications": "--application",
}


def import_problems(params: dict[str, Any]) -> list[LocatedProblem]:
    """Model and rule problems of an ImportWorkspaceImage request, named by flag (warnings excluded)."""
    from wsctl.spec import model, rules

    found = rules.merge(model.validate("ImportWorkspaceImage", params), rules.import_image_problems(params))
    return flag_problems([p for p in found if not p.warning], FLAGS)


def run_import(
    app: AppContext, params: dict[str, Any], *, wait: bool, timeout: float | None, poll_interval: float | None
) -> int:
    from wsctl.spec import rules

    raise_if_problems(import_problems(params))
    for line in warning_lines([p for p in rules.import_image_problems(params) if p.warning], FLAGS):
        app.warn(line)

    from wsctl.ops.runrecord import RunRecord
    from wsctl.render.images import image_result_outcome
    from wsctl.render.outcome import show

    record = RunRecord("import-image", sys.argv[1:])
    record.write("send", Request=params)
    try:
        image_id = app.service.import_image(params)
    except BaseException as exc:
        record.close(error=f"{type(exc).__name__}: {exc}")
        raise
    record.close(ImageId=image_id)
    app.note(f"Import started: {image_id} (run record: {record.path})")
    if not wait:
        show(app, image_result_outcome(image_id, params, None, sandbox=app.sandbox))
        return 0
    from wsctl.ops.waiting import finish, follow
    from wsctl.spec.durations import timeout_for
    from wsctl.spec.waits import ImageSpec, Item

    result = follow(
        app,
        [Item(image_id, str(params["ImageName"]), "PENDING")],  # what an import starts as
        app.service.describe_images,
        ImageSpec(),
        noun="image import",
        timeout=timeout_for("import-image-office" if params.get("Applications") else "import-image", timeout),
        poll_interval=poll_interval,
    )
    image = result.items[0].description
    show(app, image_result_outcome(image_id, params, image, sandbox=app.sandbox))
    return finish(app, result, noun="image", resumable=False) if not result.pending else _pending(app, result, image_id)


def _pending(app: AppContext, result: Any, image_id: str) -> int:
    from wsctl.ops.waiting import finish

    resume = f"{app.command_prefix()} describe-images --id {image_id} --wait"
    return finish(app, result, noun="image", resumable=False, resume=resume)


def wait_for_images(
    app: AppContext, images: list[dict[str, Any]], *, timeout: float | None, poll_interval: float | None
) -> int:
    """`describe-images --wait`: until each image is AVAILABLE or ERROR; prints the final descriptions."""
    from wsctl.ops.waiting import finish, follow
    from wsctl.render.images import images_outcome
    from wsctl.render.outcome import show
    from wsctl.spec.durations import timeout_for
    from wsctl.spec.waits import ImageSpec, Item

    # They exist: they start from the state just described, not from "not visible yet".
    items = [Item(i["ImageId"], str(i.get("Name", "")), i.get("State"), seen=True) for i in images]
    result = follow(
        app,
        items,
        app.service.describe_images,
        ImageSpec(),
        noun="image",
        timeout=timeout_for("import-image", timeout),
        poll_interval=poll_interval,
        seed={i["ImageId"]: i for i in images},
    )
    show(app, images_outcome([i.description for i in result.items if i.description], sandbox=app.sandbox))
    return finish(app, result, noun="image", resumable=False)
