"""Every use of Typer's private modules, behind one version check (`KNOWN`).

With another Typer than the one these were written against, each piece steps aside and
Typer does the work itself: slower, never wrong. pyproject.toml pins the range; a test
fails when the pinned Typer no longer has these internals.

Command-line values coerced without pydantic, for the plain types wsctl's options use:

Typer (0.27 and newer) turns every parameter's value into its Python type through a
pydantic TypeAdapter, built the first time the parameter is processed. Importing pydantic
and building those adapters costs 0.15-0.3 s on every command and every shell-completion
call (Click processes all of a command's parameters, defaults included), which is more
than the rest of a `wsctl describe`. wsctl's options are only str, bool, int and float
(with Typer's min/max), case-insensitive StrEnums and lists of str, so before Click parses
we give each such parameter a coercion with Typer's own rules and messages (tests compare
the two over a corpus of values). Anything else, and a Typer without these internals, is
left to Typer.
"""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from typing import Any, get_args, get_origin

import typer

from wsctl.cli.completion import plain_help

_INT_TEXT = re.compile(r"[+-]?\d+(?:_\d+)*(?:\.0+)?")
_TRUE = frozenset({"1", "on", "t", "true", "y", "yes"})
_FALSE = frozenset({"0", "off", "f", "false", "n", "no"})

# The Typer releases whose internals are used here (pyproject.toml pins the same range).
KNOWN_RANGE = ((0, 27), (0, 30))
_VERSION = tuple(int(part) for part in re.findall(r"\d+", typer.__version__)[:2])
KNOWN = KNOWN_RANGE[0] <= _VERSION < KNOWN_RANGE[1]

try:  # absent or different in other versions: then Typer does it all itself
    if not KNOWN:
        raise ImportError(f"Typer {typer.__version__} is outside {KNOWN_RANGE}")
    from typer._coercion import RuntimeParam as _RuntimeParam
    from typer._display import _escape_control_characters as _escape  # type: ignore[attr-defined]
    from typer._param_types import coerce_cli_choice as _coerce_cli_choice
    from typer.core import _TyperParameter

    AVAILABLE = True
except ImportError:  # pragma: no cover - another Typer
    AVAILABLE = False


class CoercionError(ValueError):
    """A value that does not fit; the message is Typer's (pydantic's) wording."""


def _number_text(limit: float) -> str:
    if isinstance(limit, int) or float(limit).is_integer():
        return str(int(limit))
    return format(Decimal(repr(float(limit))), "f")


def _check_range(value: float, low: float | None, high: float | None) -> None:
    # pydantic checks the maximum first (so NaN, which fails both, reports the maximum).
    if high is not None and not value <= high:
        raise CoercionError(f"Input should be less than or equal to {_number_text(high)}")
    if low is not None and not value >= low:
        raise CoercionError(f"Input should be greater than or equal to {_number_text(low)}")


def to_int(value: Any) -> int:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not value.is_integer():
            raise CoercionError("Input should be a valid integer, got a number with a fractional part")
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        if text.isascii() and _INT_TEXT.fullmatch(text):
            return int(text.split(".", 1)[0])
        raise CoercionError("Input should be a valid integer, unable to parse string as an integer")
    raise CoercionError("Input should be a valid integer")


def to_float(value: Any) -> float:
    if isinstance(value, bool | int | float):
        return float(value)
    if isinstance(value, str):
        text = value.strip()
        try:
            if not text.isascii():
                raise ValueError(text)
            return float(text)
        except ValueError:
            raise CoercionError("Input should be a valid number, unable to parse string as a number") from None
    raise CoercionError("Input should be a valid number")


def to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        text = value.strip()  # Typer strips first; an empty value is False
        if text == "":
            return False
        if text.lower() in _TRUE:
            return True
        if text.lower() in _FALSE:
            return False
        raise CoercionError("Input should be a valid boolean, unable to interpret input")
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    raise CoercionError("Input should be a valid boolean")


def to_str(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def _leaf(annotation: Any, info: Any) -> Any:
    """A function value -> coerced value for a leaf annotation, or None to leave it to Typer."""
    if getattr(info, "parser", None) is not None or getattr(info, "clamp", False):
        return None
    low, high = getattr(info, "min", None), getattr(info, "max", None)
    if annotation is str:
        return to_str if low is None and high is None else None
    if annotation is bool:
        return to_bool
    if annotation is int or annotation is float:
        convert = to_int if annotation is int else to_float

        def number(value: Any) -> Any:
            result = convert(value)
            _check_range(result, low, high)
            return result

        return number
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        choices = list(annotation)
        case_sensitive = bool(getattr(info, "case_sensitive", True))

        def choice(value: Any, ctx: Any = None) -> Any:
            try:
                return _coerce_cli_choice(value, choices=choices, case_sensitive=case_sensitive, ctx=ctx)
            except ValueError as exc:
                raise CoercionError(f"Value error, {exc}") from None

        choice.wants_ctx = True  # type: ignore[attr-defined]
        return choice
    return None


def plain_coercion(annotation: Any, info: Any) -> Any:
    """(convert, is_list) for a plain annotation, or None when Typer must handle it."""
    if get_origin(annotation) is list:
        args = get_args(annotation)
        if len(args) != 1 or get_origin(args[0]) is not None:
            return None
        inner = _leaf(args[0], info)
        return None if inner is None else (inner, True)
    if get_origin(annotation) is not None:
        return None
    leaf = _leaf(annotation, info)
    return None if leaf is None else (leaf, False)


if AVAILABLE:

    @dataclass(frozen=True)
    class PlainRuntimeParam(_RuntimeParam):
        """Typer's RuntimeParam contract, without pydantic."""

        convert: Any = None
        is_list: bool = False

        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            from typer._click.exceptions import BadParameter

            def one(item: Any) -> Any:
                if getattr(self.convert, "wants_ctx", False):
                    return self.convert(item, ctx)
                return self.convert(item)

            try:
                if self.is_list:
                    items = value if isinstance(value, list | tuple) else [value]
                    return [one(item) for item in items]
                return one(value)
            except CoercionError as exc:
                raise BadParameter(_escape(str(exc)), ctx=ctx, param=param) from None


def _give(param: Any) -> bool:
    if not isinstance(param, _TyperParameter) or getattr(param, "_runtime_param", "absent") is not None:
        return False
    descriptor = getattr(param, "type_descriptor", None)
    if descriptor is None or getattr(descriptor, "file_annotation", None) is not None:
        return False
    found = plain_coercion(descriptor.annotation, descriptor.parameter_info)
    if found is None:
        return False
    convert, is_list = found
    param._runtime_param = PlainRuntimeParam(
        parameter_info=descriptor.parameter_info,
        annotation=descriptor.annotation,
        convert=convert,
        is_list=is_list,
    )
    return True


def _with_plain_help_option(command: Any) -> None:
    # Click builds each command's --help option on first use, from the context's names.
    original = getattr(command, "get_help_option", None)
    if original is None or getattr(original, "wsctl_plain", False):
        return

    def get_help_option(ctx: Any) -> Any:
        option = original(ctx)
        if option is not None:
            _give(option)
        return option

    get_help_option.wsctl_plain = True  # type: ignore[attr-defined]
    command.get_help_option = get_help_option


def install(command: Any) -> int:
    """Give every plain parameter under `command` (a Click command or group) the coercion above.

    Returns how many parameters got it (0 when this Typer is not the one we know).
    """
    if not AVAILABLE:
        return 0
    done = 0
    stack = [command]
    while stack:
        current = stack.pop()
        done += sum(_give(param) for param in getattr(current, "params", ()))
        _with_plain_help_option(current)
        stack.extend(getattr(current, "commands", {}).values())
    return done


def evaluate_annotations_once(typer_app: Any) -> None:
    """Evaluate each command's annotations once, here, instead of six times in Typer.

    Under `from __future__ import annotations` every annotation is a string, and Typer
    evaluates (and compiles) each one twice per look at a command, three looks per command
    while it builds the CLI: about 40 ms of every `--help` and completion call. Evaluated
    once at import, Typer finds ready objects.
    """
    for info in [typer_app.registered_callback, *typer_app.registered_commands]:
        if info is not None and info.callback is not None:
            info.callback.__annotations__ = inspect.get_annotations(info.callback, eval_str=True)
    for group in typer_app.registered_groups:
        if group.typer_instance is not None:
            evaluate_annotations_once(group.typer_instance)


def _zsh_escape(text: str) -> str:
    # Typer's own escaping for the _arguments spec its zsh script evaluates.
    return text.replace('"', '""').replace("'", "''").replace("$", "\\$").replace("`", "\\`").replace(":", r"\\:")


def use_plain_help_formats() -> None:
    """Print zsh, fish and PowerShell completions with one-line plain help, without Rich.

    Typer renders each completion's help through Rich: that imports Rich on every TAB, eats
    `[...]` as markup, and wraps help longer than 80 columns onto a new line, which zsh and
    fish then read as more candidates. These classes print the same protocol, help kept on
    one line. Typer registers its own classes while it builds the CLI, so this runs after.
    """
    if not KNOWN:  # pragma: no cover - another Typer: keep its own formats
        return
    try:
        from typer._click.shell_completion import CompletionItem, add_completion_class
        from typer._completion_classes import FishComplete, PowerShellComplete, ZshComplete
    except ImportError:  # pragma: no cover - another Typer: keep its own formats
        return

    class PlainZshComplete(ZshComplete):
        def format_completion(self, item: CompletionItem) -> str:
            value = _zsh_escape(item.value)
            return f'"{value}":"{_zsh_escape(plain_help(item.help))}"' if item.help else f'"{value}"'

    class PlainFishComplete(FishComplete):
        def format_completion(self, item: CompletionItem) -> str:
            return f"{item.value}\t{plain_help(item.help)}" if item.help else f"{item.value}"

    class PlainPowerShellComplete(PowerShellComplete):
        def format_completion(self, item: CompletionItem) -> str:
            return f"{item.value}:::{plain_help(item.help) if item.help else ' '}"

    add_completion_class(PlainZshComplete, "zsh")
    add_completion_class(PlainFishComplete, "fish")
    add_completion_class(PlainPowerShellComplete, "powershell")
    add_completion_class(PlainPowerShellComplete, "pwsh")


def hide_argument_types() -> None:
    """`ID  WorkSpace IDs; ...`, not `ID <list[str]>`: Python's type names mean nothing to a reader of --help."""
    if not KNOWN:  # pragma: no cover - another Typer: its own help
        return
    from typer.core import TyperArgument

    TyperArgument.display_type_rich = lambda self, ctx: None  # type: ignore[method-assign]


def whole_summaries() -> None:
    """`wsctl --help` lists each command's whole first sentence, never cut at `any...`.

    Click shortens a command's summary to fit the width left beside the longest name,
    cutting mid-sentence; the summaries are written to fit 80 columns (a test checks), and
    where a terminal is narrower the formatter wraps them instead of cutting them.
    """
    if not KNOWN:  # pragma: no cover - another Typer: its own summaries
        return
    from typer._click.utils import make_default_short_help
    from typer.core import TyperCommand, TyperGroup

    def get_short_help_str(self: Any, limit: int = 45) -> str:
        if self.short_help:
            return str(inspect.cleandoc(self.short_help)).strip()
        return make_default_short_help(self.help or "", max_length=10_000).strip()

    TyperCommand.get_short_help_str = get_short_help_str  # type: ignore[method-assign]
    TyperGroup.get_short_help_str = get_short_help_str  # type: ignore[method-assign]


# Words for an option's value where the declaration gives no metavar, instead of Typer's
# `<int range>`, `<float>`, `<list[str]>`: the Python type means nothing to a reader of --help.
_VALUE_WORDS = {"int": "N", "float": "NUMBER", "str": "TEXT", "bool": "BOOLEAN"}


def plain_option_types() -> None:
    """`--users N`, not `--users <int range>`; a choice keeps its values (`<table|json|...>`)."""
    if not KNOWN:  # pragma: no cover - another Typer: its own help
        return
    from typer.core import TyperOption

    original = TyperOption.display_type_rich
    if getattr(original, "wsctl_plain", False):
        return

    def display_type_rich(self: Any, ctx: Any) -> str | None:
        shown = original(self, ctx)
        if self.metavar is not None or not shown or not shown.startswith("<"):
            return shown
        inner = shown.rstrip(".")[1:-1]
        suffix = shown[len(shown.rstrip(".")) :]
        if inner.startswith("list[") and inner.endswith("]"):
            inner = inner[5:-1]
        if "|" in inner:  # a choice: its values are what the reader needs
            return f"<{inner}>{suffix}"
        word = inner.removesuffix(" range")
        return _VALUE_WORDS.get(word, word.upper()) + suffix

    display_type_rich.wsctl_plain = True  # type: ignore[attr-defined]
    TyperOption.display_type_rich = display_type_rich  # type: ignore[method-assign]
