"""Request validation driven by the installed botocore's WorkSpaces service model.

botocore checks only required members, types and minimums on the client; the model also
states maximums, patterns, enums and list sizes, and the service rejects requests that
break them. We check all of it before sending, so a bad batch fails in a second with
every problem listed instead of after half of it was created.

The same checks serve the CLI (messages for people, with "did you mean") and the sandbox
(AWS-style `ValidationException` texts). Validators are compiled once per shape, so a
10,000-entry batch validates in a fraction of a second.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

INT32_MIN = -(2**31)
INT32_MAX = 2**31 - 1
_VALUE_PREVIEW = 60

PathT = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class Problem:
    path: PathT  # ("Workspaces", 3, "WorkspaceProperties", "RunningMode")
    kind: str  # required|unknown|type|enum|pattern|length|range|items|rule
    message: str  # for people: what is wrong and what would be right
    constraint: str = ""  # AWS wording, for the sandbox: "Member must satisfy enum value set: [...]"
    value: Any = None
    warning: bool = False

    @property
    def path_str(self) -> str:
        return format_path(self.path)

    @property
    def member(self) -> str:
        for part in reversed(self.path):
            if isinstance(part, str):
                return part
        return ""


def format_path(path: PathT) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def preview(value: Any) -> str:
    """repr() of a value, cut short when huge, so one bad cell cannot flood the terminal."""
    text = repr(value)
    if len(text) > _VALUE_PREVIEW:
        text = text[: _VALUE_PREVIEW - 5] + "...'" if isinstance(value, str) else text[:_VALUE_PREVIEW] + "..."
    return text


# Product names people type for what the WorkSpaces model names otherwise (Amazon DCV is the
# WorkSpaces Streaming Protocol, `_WSP` in ingestion processes).
_PRODUCT_NAMES = (("DCV", "WSP"),)


def suggest(value: str, choices: tuple[str, ...] | list[str]) -> str | None:
    """The nearest valid choice for a mistyped enum value, if any is close."""
    if not choices:
        return None
    normalized = re.sub(r"[\s\-]+", "_", value.strip()).upper()
    by_upper = {c.upper(): c for c in choices}
    if normalized in by_upper:
        return by_upper[normalized]
    for alias, name in _PRODUCT_NAMES:
        # What people call a protocol is not what the model calls it: DCV is the _WSP family.
        renamed = re.sub(rf"(^|_){alias}($|_)", rf"\g<1>{name}\g<2>", normalized)
        if renamed != normalized and renamed in by_upper:
            return by_upper[renamed]
    match = difflib.get_close_matches(normalized, list(by_upper), n=1, cutoff=0.6)
    return by_upper[match[0]] if match else None


def _enum_message(value: Any, choices: tuple[str, ...]) -> str:
    if isinstance(value, str) and len(value) <= 256:
        return _text_enum_message(value, choices)
    text = f"{preview(value)} is not one of {', '.join(choices)}"
    hint = suggest(value, choices) if isinstance(value, str) else None
    return f"{text} (did you mean {hint}?)" if hint else text


@functools.lru_cache(maxsize=4096)
def _text_enum_message(value: str, choices: tuple[str, ...]) -> str:
    # A batch repeats its mistakes (100,000 entries with the same typo): suggest once per value.
    text = f"{preview(value)} is not one of {', '.join(choices)}"
    hint = suggest(value, choices)
    return f"{text} (did you mean {hint}?)" if hint else text


_EXAMPLES = {
    "DirectoryId": "d-1234567890",
    "BundleId": "wsb-0123abcd9",
    "WorkspaceId": "ws-0123abcd9",
    "Ec2ImageId": "ami-0123456789abcdef0",
    "WorkspaceImageId": "wsi-0123abcd9",
}


def _to_python_regex(pattern: str) -> re.Pattern[str]:
    # Model patterns follow ECMA-262, where `$` matches only at the very end; in Python it
    # also matches before a final newline, so "ws-abc\n" would pass. Use \Z outside classes.
    out: list[str] = []
    in_class = escaped = False
    for ch in pattern:
        if escaped:
            out.append(ch)
            escaped = False
        elif ch == "\\":
            out.append(ch)
            escaped = True
        elif ch == "[" and not in_class:
            in_class = True
            out.append(ch)
        elif ch == "]" and in_class:
            in_class = False
            out.append(ch)
        elif ch == "$" and not in_class:
            out.append(r"\Z")
        else:
            out.append(ch)
    return re.compile("".join(out))


_CLASS_ONLY = re.compile(r"^\^\[([^\]]+)\][+*]\$$")


def _single_class(pattern: str) -> re.Pattern[str] | None:
    """For patterns like ^[a-zA-Z0-9_.-]+$, the character class, to name the character that breaks it."""
    match = _CLASS_ONLY.match(pattern)
    return re.compile(f"[{match.group(1)}]") if match else None


def _pattern_message(value: str, pattern: str, allowed: re.Pattern[str] | None) -> str:
    if allowed is not None:
        for position, char in enumerate(value, start=1):
            if not allowed.fullmatch(char):
                return (
                    f"{preview(value)} has {char!r} at position {position}, which is not allowed (allowed: {pattern})"
                )
    return f"{preview(value)} does not match {pattern}"


Validator = Callable[[Any, PathT, list[Problem]], None]


class ModelValidator:
    """Validators compiled from the raw service model (botocore's JSON)."""

    def __init__(self, raw_model: dict[str, Any]) -> None:
        self.shapes: dict[str, dict[str, Any]] = raw_model["shapes"]
        self.operations: dict[str, dict[str, Any]] = raw_model["operations"]
        self._compiled: dict[str, Validator] = {}

    def enum(self, shape_name: str) -> tuple[str, ...]:
        return tuple(self.shapes[shape_name].get("enum", ()))

    def input_shape(self, operation: str) -> str | None:
        spec = self.operations[operation].get("input")
        return spec["shape"] if spec else None

    def validate(self, operation: str, params: dict[str, Any]) -> list[Problem]:
        shape = self.input_shape(operation)
        problems: list[Problem] = []
        if shape is not None:
            self.validator(shape)(params, (), problems)
        return problems

    def validate_shape(self, shape_name: str, value: Any, path: PathT = ()) -> list[Problem]:
        problems: list[Problem] = []
        self.validator(shape_name)(value, path, problems)
        return problems

    def validator(self, shape_name: str) -> Validator:
        found = self._compiled.get(shape_name)
        if found is None:
            # Placeholder first: recursive shapes refer back to themselves.
            self._compiled[shape_name] = lambda v, p, out: self._compiled[shape_name](v, p, out)
            found = self._compile(shape_name)
            self._compiled[shape_name] = found
        return found

    def _compile(self, name: str) -> Validator:
        shape = self.shapes[name]
        kind = shape["type"]
        if kind == "structure":
            return self._compile_structure(name, shape)
        if kind == "list":
            return self._compile_list(shape)
        if kind == "map":
            return self._compile_map(shape)
        if kind == "string":
            return self._compile_string(name, shape)
        if kind in ("integer", "long"):
            return self._compile_integer(shape, kind)
        if kind == "boolean":
            return _type_check(bool, "a boolean (true or false)")
        if kind in ("double", "float"):
            return _number_check()
        return lambda value, path, out: None  # timestamps, blobs: not in any request we send

    def _compile_structure(self, name: str, shape: dict[str, Any]) -> Validator:
        members = {m: spec["shape"] for m, spec in shape.get("members", {}).items()}
        required = tuple(shape.get("required", ()))
        children = {m: self.validator(s) for m, s in members.items()}
        known = ", ".join(members)

        def check(value: Any, path: PathT, out: list[Problem]) -> None:
            if not isinstance(value, dict):
                out.append(Problem(path, "type", f"{preview(value)} is not a mapping of {known}", value=value))
                return
            for member in required:
                if value.get(member) is None:
                    out.append(Problem((*path, member), "required", "is required", "Member must not be null"))
            for member, item in value.items():
                child = children.get(member)
                if child is None:
                    hint = difflib.get_close_matches(str(member), list(members), n=1)
                    tail = f" (did you mean {hint[0]}?)" if hint else f"; known members: {known}"
                    out.append(Problem((*path, member), "unknown", f"unknown member {member!r}{tail}"))
                elif item is not None:
                    child(item, (*path, member), out)

        return check

    def _compile_list(self, shape: dict[str, Any]) -> Validator:
        lo, hi = shape.get("min"), shape.get("max")
        member = self.validator(shape["member"]["shape"])

        def check(value: Any, path: PathT, out: list[Problem]) -> None:
            if not isinstance(value, list | tuple):
                out.append(Problem(path, "type", f"{preview(value)} is not a list", value=value))
                return
            n = len(value)
            size = _size_problem(path, "items", f"has {n} items", n, lo, hi, n)
            if size is not None:
                out.append(size)
            for index, item in enumerate(value):
                member(item, (*path, index), out)

        return check

    def _compile_map(self, shape: dict[str, Any]) -> Validator:
        key = self.validator(shape["key"]["shape"])
        val = self.validator(shape["value"]["shape"])

        def check(value: Any, path: PathT, out: list[Problem]) -> None:
            if not isinstance(value, dict):
                out.append(Problem(path, "type", f"{preview(value)} is not a mapping", value=value))
                return
            for k, v in value.items():
                key(k, (*path, str(k)), out)
                val(v, (*path, str(k)), out)

        return check

    def _compile_string(self, name: str, shape: dict[str, Any]) -> Validator:
        lo, hi = shape.get("min"), shape.get("max")
        choices = tuple(shape.get("enum", ()))
        raw_pattern = shape.get("pattern")
        pattern = _to_python_regex(raw_pattern) if raw_pattern else None
        allowed = _single_class(raw_pattern) if raw_pattern else None
        example = _EXAMPLES.get(name)

        def check(value: Any, path: PathT, out: list[Problem]) -> None:
            if not isinstance(value, str):
                if isinstance(value, int | float) and not isinstance(value, bool):
                    text = f"{value} is a number, not text (in YAML, quote it: '{value}')"
                else:
                    text = f"{preview(value)} is not text"
                out.append(Problem(path, "type", text, value=value))
                return
            if choices and value not in choices:
                out.append(
                    Problem(
                        path,
                        "enum",
                        _enum_message(value, choices),
                        f"Member must satisfy enum value set: [{', '.join(choices)}]",
                        value,
                    )
                )
                return
            n = len(value)
            size = _size_problem(path, "length", f"{preview(value)} is {n} characters long", n, lo, hi, value)
            if size is not None:
                out.append(size)
            elif pattern is not None and not pattern.search(value):
                like = f" (for example {example})" if example else ""
                out.append(
                    Problem(
                        path,
                        "pattern",
                        _pattern_message(value, str(raw_pattern), allowed) + like,
                        f"Member must satisfy regular expression pattern: {raw_pattern}",
                        value,
                    )
                )

        return check

    def _compile_integer(self, shape: dict[str, Any], kind: str) -> Validator:
        lo = shape.get("min", INT32_MIN if kind == "integer" else None)
        hi = shape.get("max", INT32_MAX if kind == "integer" else None)

        def check(value: Any, path: PathT, out: list[Problem]) -> None:
            if isinstance(value, bool) or not isinstance(value, int):
                out.append(Problem(path, "type", f"{preview(value)} is not a whole number", value=value))
                return
            if lo is not None and value < lo:
                out.append(
                    Problem(
                        path,
                        "range",
                        f"{value} is less than the minimum {lo}",
                        f"Member must have value greater than or equal to {lo}",
                        value,
                    )
                )
            elif hi is not None and value > hi:
                out.append(
                    Problem(
                        path,
                        "range",
                        f"{value} is more than the maximum {hi}",
                        f"Member must have value less than or equal to {hi}",
                        value,
                    )
                )

        return check


def _size_problem(
    path: PathT, kind: str, what: str, n: int, lo: int | None, hi: int | None, value: Any
) -> Problem | None:
    """A list's item count or a string's length against the model's min and max."""
    if lo is not None and n < lo:
        return Problem(
            path,
            kind,
            f"{what}; at least {lo} required",
            f"Member must have length greater than or equal to {lo}",
            value,
        )
    if hi is not None and n > hi:
        return Problem(
            path, kind, f"{what}; at most {hi} allowed", f"Member must have length less than or equal to {hi}", value
        )
    return None


def _type_check(kind: type, words: str) -> Validator:
    def check(value: Any, path: PathT, out: list[Problem]) -> None:
        if not isinstance(value, kind):
            out.append(Problem(path, "type", f"{preview(value)} is not {words}", value=value))

    return check


def _number_check() -> Validator:
    def check(value: Any, path: PathT, out: list[Problem]) -> None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            out.append(Problem(path, "type", f"{preview(value)} is not a number", value=value))

    return check


@functools.cache
def validator() -> ModelValidator:
    """The validator for the installed botocore's WorkSpaces model (loaded once)."""
    from wsctl.spec.enums import raw_service_model

    return ModelValidator(raw_service_model())


def validate(operation: str, params: dict[str, Any]) -> list[Problem]:
    return validator().validate(operation, params)


def aws_validation_message(problems: list[Problem]) -> str:
    """The wording AWS's front end uses for constraint failures (for the sandbox)."""
    parts = []
    for p in problems:
        where = ".".join(_aws_path_parts(p.path))
        constraint = p.constraint or p.message
        parts.append(f"Value {_aws_value(p.value)} at '{where}' failed to satisfy constraint: {constraint}")
    n = len(parts)
    return f"{n} validation error{'s' if n != 1 else ''} detected: " + "; ".join(parts)


def _aws_path_parts(path: PathT) -> Iterator[str]:
    for part in path:
        if isinstance(part, int):
            yield f"{part + 1}.member"
        else:
            yield part[:1].lower() + part[1:]


def _aws_value(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, str):
        return f"'{value[:256]}'"
    return str(value)
