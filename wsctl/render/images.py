"""Output of `wsctl import-image` and `wsctl describe-images`."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import Any

from rich.text import Text

from wsctl.render.outcome import Outcome
from wsctl.render.tables import Column, fit_table

IMAGE_STATE_STYLE = {"AVAILABLE": "green", "ERROR": "bold red", "PENDING": "yellow"}


def images_table(images: Sequence[dict[str, Any]], *, sandbox: bool, title: str = "Images") -> Any:
    columns = (
        Column("ImageId", whole=True),
        Column("Name", whole=True),
        Column("State", whole=True),
        Column("Created", drop=2),
        # ErrorDetails follows in a table of its own; Error goes after Created on a narrow terminal.
        Column("Error", wrap=True, drop=1),
    )
    rows = []
    for image in images:
        state = str(image.get("State", "-"))
        error = ": ".join(str(x) for x in (image.get("ErrorCode"), image.get("ErrorMessage")) if x)
        created: Any = image.get("Created")
        rows.append(
            (
                str(image.get("ImageId", "")),
                str(image.get("Name", "")),
                Text(state, IMAGE_STATE_STYLE.get(state, "yellow")),
                created.strftime("%Y-%m-%d %H:%M") if hasattr(created, "strftime") else str(created or "-"),
                error,
            )
        )
    return fit_table(title, columns, rows, sandbox=sandbox)


def error_details_table(image: dict[str, Any], *, sandbox: bool) -> Any:
    columns = (Column("ErrorCode", whole=True, style="red"), Column("ErrorMessage", wrap=True))
    rows = [(str(d.get("ErrorCode", "")), str(d.get("ErrorMessage", ""))) for d in image.get("ErrorDetails") or []]
    return fit_table("ErrorDetails: what to fix in the image", columns, rows, sandbox=sandbox)


def image_result_outcome(
    image_id: str, params: dict[str, Any], image: dict[str, Any] | None, *, sandbox: bool
) -> Outcome:
    data: dict[str, Any] = {"ImageId": image_id}
    if image is not None:
        data["Image"] = image
    shown = image or {"ImageId": image_id, "Name": params.get("ImageName"), "State": "PENDING"}
    tables = [lambda: images_table([shown], sandbox=sandbox, title="Imported image")]
    if image and image.get("ErrorDetails"):
        tables.append(lambda: error_details_table(image, sandbox=sandbox))
    return Outcome(data=data, ids=[image_id], tables=tables)


def images_outcome(images: Sequence[dict[str, Any]], *, sandbox: bool) -> Outcome:
    tables = [lambda: images_table(images, sandbox=sandbox)] if images else []
    for image in images:
        if image.get("ErrorDetails"):
            tables.append(partial(error_details_table, image, sandbox=sandbox))
    return Outcome(
        data={"Images": list(images)}, ids=[i["ImageId"] for i in images], tables=tables, empty_note="No images match."
    )
