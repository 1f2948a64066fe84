"""`wsctl describe-images`: DescribeWorkspaceImages, and a place to pick up an import's --wait."""

from __future__ import annotations

from typing import Annotated

import typer

from wsctl.cli.options import (
    DebugOpt,
    NoInputOpt,
    OutputOpt,
    PollIntervalOpt,
    app_context,
    timeout_option,
    wait_option,
)


def describe_images(
    ctx: typer.Context,
    ids: Annotated[
        list[str] | None, typer.Option("--id", metavar="ID", help="An image ID (wsi-...), repeatable.")
    ] = None,
    wait: Annotated[bool, wait_option("Wait until each image is AVAILABLE or ERROR.")] = False,
    timeout: Annotated[float | None, timeout_option(("import-image", ""))] = None,
    poll_interval: PollIntervalOpt = None,
    output: OutputOpt = None,
    no_input: NoInputOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Show WorkSpaces images (your own, or those --id names).

    Example:

        \b
        wsctl --sandbox describe-images -o json
    """
    from wsctl.input.flags import flag_problems, raise_if_problems

    app = app_context(ctx, output, no_input, debug)
    from wsctl.spec import model

    image_ids = list(dict.fromkeys(ids or []))
    problems = [p for i in image_ids for p in model.validator().validate_shape("WorkspaceImageId", i, ("ImageId",))]
    raise_if_problems(flag_problems(problems, {"ImageId": "--id"}))
    from wsctl.render.images import images_outcome
    from wsctl.render.outcome import show

    if image_ids:
        found = app.service.describe_images(image_ids)
        images = [found[i] for i in image_ids if i in found]
    else:
        images = app.service.owned_images()
    if not wait:
        show(app, images_outcome(images, sandbox=app.sandbox))
        return
    from wsctl.ops.images import wait_for_images

    raise typer.Exit(wait_for_images(app, images, timeout=timeout, poll_interval=poll_interval))
