"""Which WorkSpaces a bulk change applies to, and each one's own values.

Targets come from IDs on the command line, `-` (IDs on stdin, one a line, so
`wsctl describe ... -o ids | wsctl set-mode - ...` works), `--directory-id`/`--bundle-id`
(looked up by the command), or a YAML/CSV file giving each WorkSpace its own values:

    workspaces:                      workspace_id,running_mode,auto_stop_timeout
      - workspace_id: ws-0123abcd9   ws-0123abcd9,AUTO_STOP,120
        running_mode: AUTO_STOP      ws-0123abcd8,ALWAYS_ON,
        auto_stop_timeout: 120

A value in the file wins over the flag; `defaults:` in a YAML file fills what both leave out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TextIO

from wsctl.errors import LocatedProblem
from wsctl.input.numbers import not_a_number_message, whole_number
from wsctl.input.sources import format_of, id_lines, read_source
from wsctl.spec.model import preview


@dataclass
class Target:
    workspace_id: str
    where: str  # "ws-... (argument)", "fleet.yaml:4:5", "modes.csv row 3"
    values: dict[str, Any] = field(default_factory=dict)  # friendly key -> value from the file
    sources: dict[str, str] = field(default_factory=dict)  # friendly key -> where it was given


@dataclass
class TargetFile:
    targets: list[Target]
    problems: list[LocatedProblem]


def ids_from_arguments(args: list[str], stdin: TextIO | None = None) -> tuple[list[Target], list[LocatedProblem]]:
    targets: list[Target] = []
    problems: list[LocatedProblem] = []
    for arg in args:
        if arg != "-":
            targets.append(Target(arg, "argument"))
            continue
        name, text, error = read_source("-", stdin)
        found = id_lines(text or "", name)
        targets += [Target(value, where) for value, where in found]
        if error is not None:
            problems.append(LocatedProblem("-", "", f"stdin {error}"))
        elif not found:  # an empty pipe usually means the command before it found nothing
            problems.append(LocatedProblem("-", "", "stdin held no WorkSpace IDs (one a line); nothing to do"))
    return targets, problems


def read_target_file(path: str, allowed: set[str], int_keys: set[str], stdin: TextIO | None = None) -> TargetFile:
    """Per-WorkSpace values from YAML (`workspaces:` list, optional `defaults:`) or CSV."""
    name, text, error = read_source(path, stdin)
    if error is not None or text is None:
        return TargetFile([], [LocatedProblem(name, "", error or "cannot read")])
    if not text.strip():
        return TargetFile([], [LocatedProblem(name, "", "is empty")])
    if format_of(name, text) == "csv":
        return _read_csv(name, text, allowed, int_keys)
    return _read_yaml(name, text, allowed, int_keys)


def _read_csv(name: str, text: str, allowed: set[str], int_keys: set[str]) -> TargetFile:
    from wsctl.input.csvfile import read_rows

    rows, problems = read_rows(name, text, allowed | {"workspace_id"})
    if rows and "workspace_id" not in rows[0][1]:
        return TargetFile([], [LocatedProblem(f"{name} row 1", "", "needs a workspace_id column")])
    targets: list[Target] = []
    for where, row in rows:
        target = Target(row.pop("workspace_id"), where)
        for key, cell in row.items():
            if cell == "":
                continue
            if key in int_keys:
                number = whole_number(cell)
                if number is None:
                    problems.append(LocatedProblem(where, key, not_a_number_message(cell, preview(cell))))
                    continue
                target.values[key] = number
            else:
                target.values[key] = cell
            target.sources[key] = where
        targets.append(target)
    return TargetFile(targets, problems)


def _read_yaml(name: str, text: str, allowed: set[str], int_keys: set[str]) -> TargetFile:
    from wsctl.input import yamlsafe

    try:
        data = yamlsafe.load(text)
    except yamlsafe.YamlError as exc:
        where = f"{name}:{exc.mark.line}:{exc.mark.col}" if exc.mark else name
        return TargetFile([], [LocatedProblem(where, "", exc.message)])
    if not isinstance(data, dict) or not isinstance(data.get("workspaces"), list):
        return TargetFile([], [LocatedProblem(name, "", "expected a `workspaces:` list of {workspace_id: ..., ...}")])
    problems: list[LocatedProblem] = []
    marks = getattr(data, "key_marks", {})
    for key in data:
        if key not in ("workspaces", "defaults"):
            problems.append(LocatedProblem(_at(name, marks.get(key)), str(key), "unknown top-level key"))
    defaults = Target("", name)
    if isinstance(data.get("defaults"), dict):
        _take_values(name, data["defaults"], allowed, int_keys, defaults, problems)
    targets: list[Target] = []
    entries = data["workspaces"]
    for index, (entry, mark) in enumerate(zip(entries, entries.item_marks, strict=True)):
        where = _at(name, mark)
        if not isinstance(entry, dict | list) and entry is not None:  # just an ID, as written
            workspace_id = yamlsafe.as_written(entries, index)
            if not isinstance(workspace_id, str):
                problems.append(LocatedProblem(where, "", f"{preview(workspace_id)} is not a WorkSpace ID (text)"))
                continue
            targets.append(Target(workspace_id, where, dict(defaults.values), dict(defaults.sources)))
            continue
        if not isinstance(entry, dict) or "workspace_id" not in entry:
            problems.append(LocatedProblem(where, "", "an entry needs workspace_id"))
            continue
        workspace_id = yamlsafe.as_written(entry, "workspace_id")
        if not isinstance(workspace_id, str):
            id_where = _at(name, getattr(entry, "value_marks", {}).get("workspace_id"))
            problems.append(LocatedProblem(id_where, "workspace_id", f"{preview(workspace_id)} is not text"))
            continue
        target = Target(workspace_id, where, dict(defaults.values), dict(defaults.sources))
        _take_values(name, entry, allowed, int_keys, target, problems)
        targets.append(target)
    return TargetFile(targets, problems)


def _take_values(
    name: str, entry: Any, allowed: set[str], int_keys: set[str], target: Target, problems: list[LocatedProblem]
) -> None:
    """A file's values as written: text fields keep their text (`0123`), whole numbers are decimal."""
    from wsctl.input import numbers, yamlsafe

    marks = getattr(entry, "key_marks", {})
    for key, value in entry.items():
        where = _at(name, marks.get(key))
        if key == "workspace_id":
            continue
        if key not in allowed:
            problems.append(LocatedProblem(where, str(key), f"unknown key; known: {', '.join(sorted(allowed))}"))
        elif value is not None:
            if key in int_keys:
                bad = numbers.retyped_number_problem(yamlsafe.text_of(entry, key), value)
                if bad:
                    value_where = _at(name, getattr(entry, "value_marks", {}).get(key))
                    problems.append(LocatedProblem(value_where, str(key), bad))
                    continue
            else:
                value = yamlsafe.as_written(entry, key)
            target.values[key], target.sources[key] = value, where


def _at(name: str, mark: Any) -> str:
    return f"{name}:{mark.line}:{mark.col}" if mark is not None else name
