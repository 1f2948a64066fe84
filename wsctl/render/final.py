"""Where a wait left each item: the final-state table, and the failures grouped into a few lines."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from wsctl.spec.waits import Item, Status, WaitResult

# A group of one keeps its item's ID; more become "N x CODE (bundle ...): sample message".
_SAMPLE_IDS = 3


def final_table(
    result: WaitResult, *, title: str, sandbox: bool, id_header: str = "WorkspaceId", label_header: str = "UserName"
) -> Any:
    """Every item's state; above 20 items, only those that did not succeed and a line counting the rest."""
    from rich.text import Text

    from wsctl.render.tables import STATUS_STYLE, Column, collapse, counted_line, fit_table, state_text

    items, line = collapse(result.items, lambda i: (i.state or "done") if i.status is Status.SUCCEEDED else None)
    if line and not items:
        return counted_line(title, line)
    columns = (
        Column(id_header, whole=True),
        Column(label_header, whole=True),
        Column("State", whole=True),
        Column("Result", whole=True),
        # Also on stderr, grouped (failure_lines): the first to go on a narrow terminal.
        Column("Detail", wrap=True, drop=1),
    )
    rows = [
        (
            item.id,
            item.label,
            state_text(item.state),
            Text(
                item.status.value if item.status is not Status.PENDING else "still pending",
                style=STATUS_STYLE[item.status],
            ),
            item.reason,
        )
        for item in items
    ]
    return fit_table(title, columns, rows, sandbox=sandbox, caption=line)


def _key(item: Item) -> tuple[str, str]:
    description: dict[str, Any] = dict(item.description or {})
    code = str(description.get("ErrorCode") or item.state or "FAILED")
    return code, str(description.get("BundleId") or "")


def failure_lines(items: Sequence[Item]) -> list[str]:
    """One line per kind of failure: error code and bundle, how many, one sample message."""
    groups: dict[tuple[str, str], list[Item]] = {}
    for item in items:
        groups.setdefault(_key(item), []).append(item)
    lines = []
    for (code, bundle), members in sorted(groups.items(), key=lambda kv: -len(kv[1])):
        first = members[0]
        if len(members) == 1:
            lines.append(f"{first.id} {first.label}: {first.reason or first.state}".strip())
            continue
        message = str(dict(first.description or {}).get("ErrorMessage") or first.reason or first.state)
        where = f" (bundle {bundle})" if bundle else ""
        ids = ", ".join(i.id for i in members[:_SAMPLE_IDS]) + (", ..." if len(members) > _SAMPLE_IDS else "")
        lines.append(f"{len(members):,} x {code}{where}: {message} [{ids}]")
    return lines
