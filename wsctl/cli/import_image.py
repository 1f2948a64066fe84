"""`wsctl import-image`: ImportWorkspaceImage, including the WorkSpaces Core BYOP processes."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from wsctl.cli.completion import complete_applications, complete_ingestion_processes
from wsctl.cli.options import (
    DebugOpt,
    NoInputOpt,
    OutputOpt,
    PollIntervalOpt,
    app_context,
    timeout_option,
    wait_option,
)
from wsctl.context import AppContext

PROCESS_HELP = (
    "How to ingest the image. No suffix = PCoIP, _WSP = WorkSpaces Streaming Protocol (DCV), _BYOP = bring your own "
    "protocol (WorkSpaces Core, allow-listed accounts only). BYOL_REGULAR* suit non-GPU bundles; BYOL_GRAPHICS* the "
    "Graphics bundles (G4DN = Graphics.g4dn/GraphicsPro.g4dn). Tab-completion lists every value the installed "
    "botocore knows."
)


def import_image(
    ctx: typer.Context,
    ec2_image_id: Annotated[
        str | None, typer.Option("--ec2-image-id", metavar="AMI", help="The EC2 image (ami-...) your account owns.")
    ] = None,
    ingestion_process: Annotated[
        str | None,
        typer.Option(
            "--ingestion-process", metavar="PROCESS", help=PROCESS_HELP, autocompletion=complete_ingestion_processes
        ),
    ] = None,
    name: Annotated[
        str | None, typer.Option("--name", metavar="NAME", help="Image name (1-64: letters, digits, _./()-).")
    ] = None,
    description: Annotated[
        str | None,
        typer.Option("--description", metavar="TEXT", help="Image description (1-256: letters, digits, _./() -)."),
    ] = None,
    tags: Annotated[
        list[str] | None, typer.Option("--tag", metavar="KEY=VALUE", help="A tag (repeatable, 50 at most).")
    ] = None,
    applications: Annotated[
        list[str] | None,
        typer.Option(
            "--application",
            metavar="APP",
            help="Microsoft Office to subscribe to (one at most today).",
            autocompletion=complete_applications,
        ),
    ] = None,
    wait: Annotated[bool, wait_option("Follow the import until AVAILABLE or ERROR.")] = False,
    timeout: Annotated[
        float | None, timeout_option(("import-image", ""), ("import-image-office", "with Office"))
    ] = None,
    poll_interval: PollIntervalOpt = None,
    output: OutputOpt = None,
    no_input: NoInputOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Import a Windows BYOL image from an EC2 AMI.

    The call is ImportWorkspaceImage. Ingestion takes 90 minutes or more (3 hours or more
    with Office); --wait follows it to AVAILABLE, or to ERROR with every ErrorDetails entry,
    each naming what to fix in the image.

    Example:

        \b
        wsctl --sandbox import-image --ec2-image-id ami-c9d0e0052cef85c13 --ingestion-process BYOL_REGULAR_WSP \\
            --name win11-golden --description "Windows 11 golden image" --wait
    """
    from wsctl.input.flags import parse_tags, raise_if_problems
    from wsctl.ops.images import import_problems, run_import

    app = app_context(ctx, output, no_input, debug)
    values = {
        "ec2_image_id": ec2_image_id,
        "ingestion_process": ingestion_process,
        "name": name,
        "description": description,
    }
    tag_list, tag_problems = parse_tags(tags)
    extra: dict[str, Any] = {}
    if tag_list:
        extra["Tags"] = tag_list
    if applications:
        extra["Applications"] = list(applications)
    # What was typed is checked before anything is asked, and everything is reported at once.
    given = {**_params(values), **extra}
    problems = [p for p in import_problems(given) if "is required" not in p.message]
    raise_if_problems([*tag_problems, *problems])
    values = _ask_or_refuse(app, values)
    params = {**_params(values), **extra}
    raise typer.Exit(run_import(app, params, wait=wait, timeout=timeout, poll_interval=poll_interval))


def _params(values: dict[str, Any]) -> dict[str, Any]:
    keys = {
        "ec2_image_id": "Ec2ImageId",
        "ingestion_process": "IngestionProcess",
        "name": "ImageName",
        "description": "ImageDescription",
    }
    return {keys[k]: v for k, v in values.items() if v is not None}


def _ask_or_refuse(app: AppContext, values: dict[str, Any]) -> dict[str, Any]:
    missing = [k for k, v in values.items() if v is None]
    if not missing:
        return values
    flags = {
        "ec2_image_id": "--ec2-image-id",
        "ingestion_process": "--ingestion-process",
        "name": "--name",
        "description": "--description",
    }
    if not app.interactive:
        from wsctl.errors import UsageError

        raise UsageError(
            f"missing {', '.join(flags[k] for k in missing)}", hint="pass them, or run on a terminal to be asked"
        )
    from wsctl.cli.interactive_create import ask_import_values

    return ask_import_values(values)
