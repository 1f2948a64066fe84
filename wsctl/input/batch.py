"""Batch input for `wsctl create`: flags, friendly YAML, the AWS form, CSV -> validated requests.

No AWS calls here. Every value remembers where it came from (a flag, `file:line:col`, a
CSV row), so each problem is reported at the place the user can fix it, all at once.

Precedence for each setting: the entry's own value, then command-line flags, then the
file's `defaults:`. Tags merge in the same order (an entry's tag wins over a flag's, which
wins over a default's).
"""

from __future__ import annotations

import difflib
import gc
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TextIO

from wsctl.errors import LocatedProblem
from wsctl.input import numbers, yamlsafe
from wsctl.input.sources import format_of, read_source
from wsctl.spec import model, rules
from wsctl.spec.model import PathT, Problem

# friendly key -> path in the API's WorkspaceRequest
FRIENDLY_PATHS: dict[str, tuple[str, ...]] = {
    "directory_id": ("DirectoryId",),
    "bundle_id": ("BundleId",),
    "user": ("UserName",),
    "workspace_name": ("WorkspaceName",),
    "running_mode": ("WorkspaceProperties", "RunningMode"),
    "auto_stop_timeout": ("WorkspaceProperties", "RunningModeAutoStopTimeoutInMinutes"),
    "root_volume_size": ("WorkspaceProperties", "RootVolumeSizeGib"),
    "user_volume_size": ("WorkspaceProperties", "UserVolumeSizeGib"),
    "compute_type": ("WorkspaceProperties", "ComputeTypeName"),
    "volume_encryption_key": ("VolumeEncryptionKey",),
    "encrypt_root": ("RootVolumeEncryptionEnabled",),
    "encrypt_user": ("UserVolumeEncryptionEnabled",),
    "tags": ("Tags",),
}
FLAG_FOR: dict[str, str] = {key: "--" + key.replace("_", "-") for key in FRIENDLY_PATHS}
FLAG_FOR.update({"encrypt_root": "--encrypt-root", "encrypt_user": "--encrypt-user", "tags": "--tag"})
FRIENDLY_FOR_PATH = {path: key for key, path in FRIENDLY_PATHS.items()}
INT_KEYS = {"auto_stop_timeout", "root_volume_size", "user_volume_size"}
BOOL_KEYS = {"encrypt_root", "encrypt_user"}
ENTRY_KEYS = set(FRIENDLY_PATHS) | {"users"}
TOP_KEYS = {"defaults", "workspaces"}
_TRUE = {"true", "yes", "y", "1", "on"}
_FALSE = {"false", "no", "n", "0", "off"}


@dataclass(frozen=True, slots=True)
class Source:
    where: str  # "fleet.yaml:14:5", "users.csv row 7", "--running-mode"
    label: str  # "running_mode", "Workspaces[3].BundleId", "" for flags


@dataclass
class PlannedRequest:
    """One WorkSpace to create, in the API's WorkspaceRequest shape, with value origins."""

    request: dict[str, Any]
    origin: Source  # the entry (or flag) this request came from
    sources: dict[tuple[str, ...], Source] = field(default_factory=dict)
    friendly: bool = True  # labels use friendly keys (else API paths)

    @property
    def directory_id(self) -> str:
        return str(self.request.get("DirectoryId", ""))

    @property
    def user_name(self) -> str:
        return str(self.request.get("UserName", ""))

    def locate(self, path: PathT) -> Source:
        parts = tuple(p for p in path if isinstance(p, str))
        for end in range(len(parts), 0, -1):
            found = self.sources.get(parts[:end])
            if found is not None:
                return found
        label = FRIENDLY_FOR_PATH.get(parts, ".".join(parts)) if self.friendly else ".".join(parts)
        return Source(self.origin.where, label)


@dataclass
class FlagValues:
    """`wsctl create` flags; None means not given."""

    directory_id: str | None = None
    bundle_id: str | None = None
    users: list[str] = field(default_factory=list)
    running_mode: str | None = None
    auto_stop_timeout: int | None = None
    root_volume_size: int | None = None
    user_volume_size: int | None = None
    compute_type: str | None = None
    volume_encryption_key: str | None = None
    encrypt_root: bool | None = None
    encrypt_user: bool | None = None
    tags: list[dict[str, str]] = field(default_factory=list)
    asked: bool = False  # filled in by interactive prompts: confirm even a single WorkSpace

    def settings(self) -> dict[str, Any]:
        """Given flag values by friendly key (users excluded)."""
        out: dict[str, Any] = {}
        for key in FRIENDLY_PATHS:
            if key in ("user", "tags"):
                continue
            value = getattr(self, key, None)
            if value is not None:
                out[key] = value
        return out


@dataclass
class Batch:
    requests: list[PlannedRequest]
    problems: list[LocatedProblem]
    warnings: list[str]


# --- building requests ------------------------------------------------------------------------


def _set_path(target: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    for part in path[:-1]:
        target = target.setdefault(part, {})
    target[path[-1]] = value


@dataclass
class _Layer:
    """Settings from one place (defaults, flags, an entry), with where each came from."""

    values: dict[str, Any]
    sources: dict[str, Source]
    tags: list[dict[str, Any]] = field(default_factory=list)
    tag_sources: list[Source] = field(default_factory=list)


def _friendly_request(layers: Sequence[_Layer], user: Any, user_source: Source, origin: Source) -> PlannedRequest:
    settings: dict[str, tuple[Any, Source, int]] = {}
    for rank, layer in enumerate(layers):  # lowest precedence first; None clears a lower value
        for key, value in layer.values.items():
            settings[key] = (value, layer.sources[key], rank)
    mode, timeout = settings.get("running_mode"), settings.get("auto_stop_timeout")
    if mode and timeout and mode[0] not in (None, "AUTO_STOP") and timeout[2] < mode[2]:
        # A timeout inherited from defaults or flags does not apply to an entry that chose
        # another running mode; one given next to that mode is a mistake we report.
        del settings["auto_stop_timeout"]
    request: dict[str, Any] = {}
    sources: dict[tuple[str, ...], Source] = {}
    for key, (value, source, _) in settings.items():
        if value is None:
            continue
        path = FRIENDLY_PATHS[key]
        _set_path(request, path, value)
        sources[path] = source
    if user is not None:
        request["UserName"] = user
        sources[("UserName",)] = user_source
    merged: dict[Any, tuple[dict[str, Any], Source]] = {}
    for layer in layers:
        for tag, where in zip(layer.tags, layer.tag_sources, strict=True):
            merged[tag.get("Key")] = (tag, where)
    if merged:
        request["Tags"] = [tag for tag, _ in merged.values()]
        sources[("Tags",)] = next(reversed(merged.values()))[1]
    return PlannedRequest(request, origin, sources)


def _flag_layer(flags: FlagValues) -> _Layer:
    values = flags.settings()
    sources = {key: Source(FLAG_FOR[key], "") for key in values}
    tags = list(flags.tags)
    return _Layer(values, sources, tags, [Source("--tag", "")] * len(tags))


# --- reading files ------------------------------------------------------------------------------


def _where(name: str, mark: yamlsafe.Mark | None) -> str:
    return f"{name}:{mark.line}:{mark.col}" if mark else name


def _suggest_key(key: Any, known: Iterable[str]) -> str:
    match = difflib.get_close_matches(str(key), list(known), n=1, cutoff=0.6)
    return f" (did you mean {match[0]}?)" if match else f"; known keys: {', '.join(sorted(known))}"


class _Reader:
    def __init__(self, flags: FlagValues) -> None:
        self.flags = flags
        self.flag_layer = _flag_layer(flags)
        self.problems: list[LocatedProblem] = []
        self.requests: list[PlannedRequest] = []

    def problem(self, where: str, label: str, message: str) -> None:
        self.problems.append(LocatedProblem(where, label, message))

    # YAML / JSON ---------------------------------------------------------------------------

    def read_structured(self, name: str, text: str) -> None:
        try:
            data = yamlsafe.load(text)  # JSON too: the same checks, the same locations
        except yamlsafe.YamlError as exc:
            self.problem(_where(name, exc.mark), "", exc.message)
            return
        if data is None:
            self.problem(name, "", "is empty; expected a `workspaces:` list (see examples/fleet.yaml)")
            return
        if not isinstance(data, dict):
            self.problem(name, "", "expected a mapping with a `workspaces:` list (or the AWS form's `Workspaces:`)")
            return
        if "Workspaces" in data:
            self._aws_form(name, data)
        else:
            self._friendly_form(name, data)

    def _layer_from_mapping(self, name: str, data: dict[Any, Any], label_prefix: str, allowed: set[str]) -> _Layer:
        key_marks = getattr(data, "key_marks", {})
        values: dict[str, Any] = {}
        sources: dict[str, Source] = {}
        layer = _Layer(values, sources)
        for key, value in data.items():
            where = _where(name, key_marks.get(key))
            label = f"{label_prefix}{key}"
            if key not in allowed:
                self.problem(where, str(key), f"unknown key{_suggest_key(key, allowed)}")
                continue
            if key in ("user", "users"):
                continue
            if key == "tags":
                self._tags_into(layer, value, name, where, label)
                continue
            if key in INT_KEYS:
                bad = numbers.retyped_number_problem(yamlsafe.text_of(data, key), value)
                if bad:
                    self.problem(_where(name, getattr(data, "value_marks", {}).get(key)), label, bad)
                    continue
            elif key not in BOOL_KEYS:
                value = yamlsafe.as_written(data, key)  # text fields keep the text: 0123, 1.10, 12:30
            values[key] = value
            sources[key] = Source(where, label)
        return layer

    def _tags_into(self, layer: _Layer, value: Any, name: str, where: str, label: str) -> None:
        if value is None:
            return
        if not isinstance(value, dict):
            self.problem(where, label, "tags must be a mapping of key: value")
            return
        marks = getattr(value, "key_marks", {})
        for key in value:
            tag_where = _where(name, marks.get(key)) if key in marks else where
            if not isinstance(key, str):  # an explicit tag (!!binary, !!int) on a key
                self.problem(tag_where, f"{label}.{key}", "a tag key must be text (quote it)")
                continue
            text = yamlsafe.as_written(value, key)  # 0123, 1.10, 12:30, yes: as written
            if isinstance(text, dict | list) or not isinstance(text, str | None):
                self.problem(tag_where, f"{label}.{key}", "a tag value must be text (quote it)")
                continue
            layer.tags.append({"Key": key, "Value": "" if text is None else text})
            layer.tag_sources.append(Source(tag_where, f"{label}.{key}"))

    def _friendly_form(self, name: str, data: dict[Any, Any]) -> None:
        key_marks = getattr(data, "key_marks", {})
        for key in data:
            if key not in TOP_KEYS:
                self.problem(
                    _where(name, key_marks.get(key)), str(key), f"unknown top-level key{_suggest_key(key, TOP_KEYS)}"
                )
        defaults_data = data.get("defaults")
        defaults = _Layer({}, {})
        if defaults_data is not None:
            if isinstance(defaults_data, dict):
                defaults = self._layer_from_mapping(name, defaults_data, "defaults.", set(FRIENDLY_PATHS) - {"user"})
            else:
                self.problem(_where(name, key_marks.get("defaults")), "defaults", "must be a mapping of settings")
        entries = data.get("workspaces")
        if entries is None:
            self.problem(name, "workspaces", "missing: list the WorkSpaces to create under `workspaces:`")
            return
        if not isinstance(entries, list):
            self.problem(_where(name, key_marks.get("workspaces")), "workspaces", "must be a list of entries")
            return
        marks = getattr(entries, "item_marks", [None] * len(entries))
        for index, (entry, mark) in enumerate(zip(entries, marks, strict=True)):
            self._friendly_entry(name, entry, mark, defaults, yamlsafe.text_of(entries, index))

    def _friendly_entry(
        self, name: str, entry: Any, mark: yamlsafe.Mark | None, defaults: _Layer, text: str | None = None
    ) -> None:
        origin = Source(_where(name, mark), "")
        if not isinstance(entry, dict | list) and entry is not None:  # shorthand: just a user name
            layers = [defaults, self.flag_layer]
            user = text if text is not None else entry
            self.requests.append(_friendly_request(layers, user, Source(origin.where, "user"), origin))
            return
        if not isinstance(entry, dict):
            self.problem(origin.where, "", "an entry must be a mapping (user: ..., bundle_id: ...) or a user name")
            return
        layer = self._layer_from_mapping(name, entry, "", ENTRY_KEYS)
        key_marks = getattr(entry, "key_marks", {})
        has_user, has_users = entry.get("user") is not None, entry.get("users") is not None
        if has_user and has_users:
            self.problem(_where(name, key_marks.get("users")), "users", "give either user or users, not both")
            return
        layers = [defaults, self.flag_layer, layer]
        if has_users:
            users = entry["users"]
            if not isinstance(users, list) or not users:
                self.problem(_where(name, key_marks.get("users")), "users", "must be a non-empty list of user names")
                return
            user_marks = getattr(users, "item_marks", [key_marks.get("users")] * len(users))
            for index, user_mark in enumerate(user_marks):
                where = Source(_where(name, user_mark), "users")
                self.requests.append(_friendly_request(layers, yamlsafe.as_written(users, index), where, where))
            return
        user_source = Source(_where(name, key_marks.get("user")), "user") if has_user else origin
        user = yamlsafe.as_written(entry, "user") if has_user else None
        self.requests.append(_friendly_request(layers, user, user_source, origin))

    def _aws_form(self, name: str, data: dict[Any, Any]) -> None:
        key_marks = getattr(data, "key_marks", {})
        for key in data:
            if key != "Workspaces":
                self.problem(
                    _where(name, key_marks.get(key)),
                    str(key),
                    "unknown top-level key; the AWS form has only Workspaces",
                )
        entries = data["Workspaces"]
        if not isinstance(entries, list):
            self.problem(_where(name, key_marks.get("Workspaces")), "Workspaces", "must be a list of WorkspaceRequest")
            return
        marks = getattr(entries, "item_marks", [None] * len(entries))
        flag_values = self.flags.settings()
        for index, (entry, mark) in enumerate(zip(entries, marks, strict=True)):
            label = f"Workspaces[{index}]"
            origin = Source(_where(name, mark), label)
            if not isinstance(entry, dict):
                self.problem(origin.where, label, "must be a mapping in the WorkspaceRequest shape")
                continue
            request = self._plain(name, entry, "WorkspaceRequest", label)  # plain dicts, text as written
            sources: dict[tuple[str, ...], Source] = {}
            _collect_sources(name, entry, (), label, sources)
            entry_mode = _get_path(request, FRIENDLY_PATHS["running_mode"])
            for key, value in flag_values.items():  # flags fill what the entry leaves out
                path = FRIENDLY_PATHS[key]
                if key == "auto_stop_timeout" and entry_mode not in (None, "AUTO_STOP"):
                    continue  # as in the friendly form: an inherited timeout does not follow another mode
                if _get_path(request, path) is None:
                    _set_path(request, path, value)
                    sources[path] = Source(FLAG_FOR[key], "")
            if self.flags.tags:
                existing = {t.get("Key") for t in request.get("Tags", []) if isinstance(t, dict)}
                extra = [t for t in self.flags.tags if t["Key"] not in existing]
                if extra and isinstance(request.get("Tags", []), list):
                    request["Tags"] = [*request.get("Tags", []), *extra]
            self.requests.append(PlannedRequest(request, origin, sources, friendly=False))

    def _plain(self, name: str, node: Any, shape_name: str | None, label: str) -> Any:
        """A located mapping or list as plain values, guided by the API's shapes.

        A member whose shape is a string takes the text as written (`UserName: 0123` is '0123',
        not 83); a member with no value (`Tags:` and nothing after it) is a problem, not left out.
        Values of the wrong type are kept as they are, for the model check to name.
        """
        shapes = model.validator().shapes
        shape = shapes.get(shape_name or "", {})
        kind = shape.get("type")
        if isinstance(node, dict):
            members = {m: spec["shape"] for m, spec in shape.get("members", {}).items()} if kind == "structure" else {}
            value_shape = shape.get("value", {}).get("shape") if kind == "map" else None
            marks = getattr(node, "value_marks", {})
            out: dict[Any, Any] = {}
            for key, value in node.items():
                child = members.get(key, value_shape)
                if value is None:
                    self.problem(
                        _where(name, marks.get(key)), f"{label}.{key}", "has no value; give one or remove the key"
                    )
                elif child is not None and shapes.get(child, {}).get("type") == "string":
                    out[key] = yamlsafe.as_written(node, key)
                else:
                    out[key] = self._plain(name, value, child, f"{label}.{key}")
            return out
        if isinstance(node, list):
            member = shape.get("member", {}).get("shape") if kind == "list" else None
            text_member = member is not None and shapes.get(member, {}).get("type") == "string"
            item_marks = getattr(node, "item_marks", [])
            items: list[Any] = []
            for index, value in enumerate(node):
                if value is None:
                    where = _where(name, item_marks[index] if index < len(item_marks) else None)
                    self.problem(where, f"{label}[{index}]", "has no value; give one or remove the item")
                elif text_member:
                    items.append(yamlsafe.as_written(node, index))
                else:
                    items.append(self._plain(name, value, member, f"{label}[{index}]"))
            return items
        return node

    # CSV -------------------------------------------------------------------------------------

    def read_csv(self, name: str, text: str) -> None:
        from wsctl.input.csvfile import read_rows

        rows, problems = read_rows(name, text, FRIENDLY_PATHS)
        self.problems += problems
        for where, row in rows:
            self._csv_row(where, row)

    def _csv_row(self, where: str, row: dict[str, str]) -> None:
        layer = _Layer({}, {})
        user: str | None = None
        for key, cell in row.items():
            if cell == "":
                continue
            source = Source(where, key)
            if key == "user":
                user = cell
            elif key == "tags":
                for pair in cell.split(";"):
                    if not pair.strip():
                        continue
                    tag_key, sep, tag_value = pair.partition("=")
                    if not sep:
                        self.problem(where, "tags", f"{pair!r} is not key=value (tags are k=v;k2=v2)")
                        continue
                    layer.tags.append({"Key": tag_key.strip(), "Value": tag_value.strip()})
                    layer.tag_sources.append(source)
            elif key in INT_KEYS:
                number = numbers.whole_number(cell)  # ASCII digits: int() also takes '１２０', '8_0', ' +80'
                if number is None:
                    self.problem(where, key, numbers.not_a_number_message(cell, model.preview(cell)))
                    continue
                layer.values[key] = number
                layer.sources[key] = source
            elif key in BOOL_KEYS:
                if cell.lower() not in _TRUE | _FALSE:
                    self.problem(where, key, f"{model.preview(cell)} is not true or false")
                    continue
                layer.values[key] = cell.lower() in _TRUE
                layer.sources[key] = source
            else:
                layer.values[key] = cell
                layer.sources[key] = source
        origin = Source(where, "")
        self.requests.append(_friendly_request([self.flag_layer, layer], user, Source(where, "user"), origin))


def _get_path(data: Any, path: tuple[str, ...]) -> Any:
    for part in path:
        if not isinstance(data, dict):
            return None
        data = data.get(part)
    return data


def _collect_sources(
    name: str, node: Any, path: tuple[str, ...], label: str, out: dict[tuple[str, ...], Source]
) -> None:
    marks = getattr(node, "key_marks", None)
    if not isinstance(node, dict) or marks is None:
        return
    for key, value in node.items():
        sub = (*path, str(key))
        sub_label = f"{label}.{key}"
        out[sub] = Source(_where(name, marks.get(key)), sub_label)
        _collect_sources(name, value, sub, sub_label, out)


# --- validation -----------------------------------------------------------------------------------


def validate_requests(requests: Sequence[PlannedRequest]) -> tuple[list[LocatedProblem], list[Problem]]:
    """Model + WorkSpaces rules + duplicate users; returns (errors, warnings)."""
    checker = model.validator()
    errors: list[LocatedProblem] = []
    warnings: list[Problem] = []
    seen_errors: set[str] = set()
    first_user: dict[tuple[str, str], Source] = {}
    for planned in requests:
        found = checker.validate_shape("WorkspaceRequest", planned.request)
        found = rules.merge(found, rules.workspace_request_problems(planned.request))
        for p in found:
            if p.warning:
                warnings.append(p)
                continue
            source = planned.locate(p.path)
            message = p.message
            if p.kind == "required":
                key = FRIENDLY_FOR_PATH.get(tuple(x for x in p.path if isinstance(x, str)), "")
                flag = FLAG_FOR.get(key)
                message = "is required" + (
                    f" (give {key} in the entry or in defaults:, or pass {flag})" if planned.friendly and flag else ""
                )
            located = LocatedProblem(source.where, source.label, message)
            text = str(located)
            if text not in seen_errors:  # a bad default would otherwise repeat for every entry
                seen_errors.add(text)
                errors.append(located)
        user, directory = planned.request.get("UserName"), planned.request.get("DirectoryId")
        if isinstance(user, str) and isinstance(directory, str) and user != "[UNDEFINED]":
            key2 = (directory, user.lower())
            where = planned.locate(("UserName",))
            if key2 in first_user:
                errors.append(
                    LocatedProblem(
                        where.where,
                        where.label or "user",
                        f"user {user!r} appears twice for directory {directory} (first at {first_user[key2].where})",
                    )
                )
            else:
                first_user[key2] = where
    return errors, warnings


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Reading a big batch makes millions of small objects and no reference cycles; the cyclic
    collector would walk them all again and again (a third of a 10,000-entry --dry-run).
    Reference counting still frees everything as usual."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def load_batch(files: Sequence[str], flags: FlagValues, stdin: TextIO | None = None) -> Batch:
    """Read every file and the flags into requests, validate them all, and report every problem."""
    with _cyclic_gc_paused():
        return _load_batch(files, flags, stdin)


def _load_batch(files: Sequence[str], flags: FlagValues, stdin: TextIO | None) -> Batch:
    reader = _Reader(flags)
    for path in files:
        name, text, error = read_source(path, stdin)
        if error is not None or text is None:
            reader.problem(name, "", error or "cannot read")
            continue
        if not text.strip():
            reader.problem(name, "", "is empty; expected YAML (workspaces:), the AWS form (Workspaces:) or CSV")
            continue
        if format_of(name, text) == "csv":
            reader.read_csv(name, text)
        else:
            reader.read_structured(name, text)
    for user in flags.users:
        reader.requests.append(_friendly_request([reader.flag_layer], user, Source("--user", ""), Source("--user", "")))
    errors, warnings = validate_requests(reader.requests)
    notes = _warning_lines(warnings)
    order = {name: index for index, name in enumerate(files)}
    problems = sorted(reader.problems + errors, key=lambda p: _reading_order(p.where, order))
    return Batch(reader.requests, problems, notes)


_LINE_COL = re.compile(r"^(?P<file>.*):(?P<line>\d+):(?P<col>\d+)$")
_ROW = re.compile(r"^(?P<file>.*) row (?P<line>\d+)$")


def _reading_order(where: str, files: dict[str, int]) -> tuple[int, int, int]:
    """Problems in the order a person reads the input: flags, then each file top to bottom."""
    for pattern in (_LINE_COL, _ROW):
        match = pattern.match(where)
        if match:
            name = match["file"] if match["file"] != "<stdin>" else "-"
            col = int(match.groupdict().get("col") or 0)
            return files.get(name, len(files)) + 1, int(match["line"]), col
    # Flags first; a problem with a whole file after the lines that explain it (a typo'd key).
    return (0, 0, 0) if where.startswith("--") else (files.get(where, len(files)) + 1, 1 << 30, 0)


def _warning_lines(warnings: Iterable[Problem]) -> list[str]:
    counts: dict[str, int] = {}
    for w in warnings:
        counts[w.message] = counts.get(w.message, 0) + 1
    return [f"{message}" + (f" ({n} WorkSpaces)" if n > 1 else "") for message, n in counts.items()]
