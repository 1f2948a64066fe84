"""Start-up fixes found by the benchmark keep their promises: same behaviour, less work.

- Option values are coerced without Typer's pydantic adapters (wsctl.cli.typer_internals): the
  values and the messages must be exactly Typer's own, and no command or completion call
  may import pydantic again (that is 0.15-0.3 s a run).
- botocore's data loader without the scan of every service (wsctl.aws.loader.botocore_loader)
  must load exactly what botocore's own loader loads, and fail the same way.
"""

from __future__ import annotations

import enum
import json
import os
import subprocess
import sys
from typing import Any

import pytest
import typer.main
from botocore.exceptions import DataNotFoundError, UnknownServiceError
from botocore.loaders import create_loader
from typer._click.exceptions import BadParameter
from typer._coercion import build_runtime_param, resolve_type_descriptor
from typer.core import _TyperParameter
from typer.models import OptionInfo

from wsctl.aws.loader import botocore_loader
from wsctl.cli import typer_internals as fastparams
from wsctl.cli.app import app
from wsctl.options import OutputFormat


def test_the_typer_we_pin_is_the_one_fastparams_knows():
    # pyproject pins Typer below the next minor release because wsctl.cli.typer_internals uses its
    # internals; if they moved, start-up would silently lose 0.15-0.3 s. Fail loudly instead.
    assert fastparams.AVAILABLE


class Colour(enum.StrEnum):
    red = "red"
    dark_blue = "dark-blue"


INTS = ["5", " 5 ", "-0", "+7", "5.0", "5.000", "1_000", "1__0", "5.", ".5", "5.5", "0x10", "1e3", "", " ", "١٢", "x"]
FLOATS = ["0.5", " 0.5", "1e3", "-1", "2", "inf", "-inf", "nan", "Infinity", "1_0", "0x10", "", "١", ".5", "5."]
BOOLS = ["yes", "Y", "on", "1", "t", "TRUE", " true ", "no", "off", "0", "f", "n", "", "maybe", "2", "yes please"]
TEXT = ["", "plain", " spaced ", "ümlaut", "tab\there", "\x1b[31mred"]
CHOICES = ["red", "RED", "Dark-Blue", "dark_blue", "blue", "", "\x1b[2Jred"]

CASES: list[tuple[Any, OptionInfo, list[Any]]] = [
    (int, OptionInfo(), INTS + [3, 4.0, 4.5, True]),
    (int, OptionInfo(min=0), INTS + ["-1"]),
    (int, OptionInfo(min=1, max=65535), INTS + ["0", "65535", "65536"]),
    (float, OptionInfo(), FLOATS + [1, 2.5, False]),
    (float, OptionInfo(min=0.0, max=1.0), FLOATS),
    (float, OptionInfo(min=0.01), FLOATS + ["0.001", "0.01"]),
    (float, OptionInfo(min=0.001), ["0", "0.0005", "0.001"]),
    (float, OptionInfo(min=0), ["-0.0", "-1e-9"]),
    (bool, OptionInfo(), BOOLS + [True, False, 0, 1]),
    (str, OptionInfo(), TEXT + [5, b"bytes"]),
    (Colour, OptionInfo(case_sensitive=False), CHOICES + [Colour.red]),
    (Colour, OptionInfo(case_sensitive=True), CHOICES),
    (OutputFormat, OptionInfo(case_sensitive=False), ["json", "JSON", "Yaml", "xml", OutputFormat.ids]),
    (list[str], OptionInfo(), [("a", "b"), ["x"], ()]),
    (list[int], OptionInfo(min=1), [("1", "2"), ("0",), ("x",)]),
]


def outcome(runtime: Any, value: Any) -> tuple[str, Any]:
    try:
        return "value", runtime._coerce_value(value, param=None, ctx=None)
    except BadParameter as exc:
        return "error", exc.format_message()


@pytest.mark.parametrize(("annotation", "info", "values"), CASES, ids=lambda x: getattr(x, "__name__", None))
def test_plain_coercion_gives_typers_values_and_messages(annotation, info, values):
    descriptor = resolve_type_descriptor(annotation, info)
    typers = build_runtime_param(descriptor)
    found = fastparams.plain_coercion(annotation, info)
    assert found is not None, f"{annotation} is no longer handled without pydantic"
    convert, is_list = found
    ours = fastparams.PlainRuntimeParam(parameter_info=info, annotation=annotation, convert=convert, is_list=is_list)
    for value in values:
        expected, got = outcome(typers, value), outcome(ours, value)
        if expected[0] == "value" and isinstance(expected[1], float) and expected[1] != expected[1]:
            assert got[0] == "value" and got[1] != got[1], value  # NaN
            continue
        assert got == expected, f"{annotation} {value!r}"
        assert type(got[1]) is type(expected[1]), f"{annotation} {value!r}"


def test_other_annotations_are_left_to_typer():
    from pathlib import Path

    assert fastparams.plain_coercion(Path, OptionInfo()) is None
    assert fastparams.plain_coercion(int, OptionInfo(clamp=True, min=1)) is None
    assert fastparams.plain_coercion(str, OptionInfo(parser=str.upper)) is None
    assert fastparams.plain_coercion(tuple[int, str], OptionInfo()) is None


def _all_params(command: Any) -> list[Any]:
    out, stack = [], [command]
    while stack:
        current = stack.pop()
        out += [p for p in current.params if isinstance(p, _TyperParameter)]
        stack.extend(getattr(current, "commands", {}).values())
    return out


def test_every_option_of_wsctl_gets_the_plain_coercion():
    command = typer.main.get_command(app)
    params = _all_params(command)
    assert fastparams.install(command) == len(params) > 50
    assert all(p._runtime_param is not None for p in params)
    assert fastparams.install(command) == 0  # once is enough


def _modules_after(args: list[str], extra_env: dict[str, str] | None = None) -> set[str]:
    code = (
        "import sys, json\n"
        f"sys.argv = ['wsctl', *{args!r}]\n"
        "from wsctl.__main__ import main\n"
        "try:\n"
        "    main()\n"
        "except SystemExit:\n"
        "    pass\n"
        "sys.stderr.write('MODULES=' + json.dumps(sorted(sys.modules)) + '\\n')\n"
    )
    env = {**os.environ, **(extra_env or {})}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    line = next(x for x in proc.stderr.splitlines() if x.startswith("MODULES="))
    return set(json.loads(line[len("MODULES=") :]))


@pytest.mark.parametrize(
    ("args", "env"),
    [
        (["--sandbox", "describe", "-o", "json"], {}),
        (["--sandbox", "sandbox", "info", "-o", "json"], {}),
        (
            [],
            {"_WSCTL_COMPLETE": "complete_bash", "COMP_WORDS": "wsctl create --running-mode A", "COMP_CWORD": "3"},
        ),
        (["describe", "--help"], {}),
        (["-o", "xml", "describe"], {}),  # a usage error too
    ],
)
def test_commands_and_completion_never_import_pydantic_or_boto3(args, env):
    modules = _modules_after(args, env)
    assert "wsctl.cli.app" in modules
    assert not {m for m in modules if m.split(".")[0] in ("pydantic", "pydantic_core", "boto3")}


@pytest.mark.parametrize("kind", ["service-2", "paginators-1", "endpoint-rule-set-1"])
def test_direct_loader_loads_what_botocore_loads(kind):
    assert botocore_loader().load_service_model("workspaces", kind) == create_loader().load_service_model(
        "workspaces", kind
    )


def test_direct_loader_fails_as_botocore_does():
    with pytest.raises(UnknownServiceError):
        botocore_loader().load_service_model("no-such-service", "service-2")
    with pytest.raises(DataNotFoundError):  # WorkSpaces has no waiters: botocore's clients expect this
        botocore_loader().load_service_model("workspaces", "waiters-2")
    # Other services still load (credential providers build sts/sso clients on the same session).
    assert botocore_loader().load_service_model("sts", "service-2")["metadata"]["endpointPrefix"] == "sts"


def test_direct_loader_honours_aws_data_path(tmp_path):
    model = create_loader().load_service_model("workspaces", "service-2")
    model["metadata"]["serviceId"] = "WorkSpaces from AWS_DATA_PATH"
    version = model["metadata"]["apiVersion"]
    folder = tmp_path / "workspaces" / version
    folder.mkdir(parents=True)
    (folder / "service-2.json").write_text(json.dumps(model))
    loaded = botocore_loader(str(tmp_path)).load_service_model("workspaces", "service-2")
    assert loaded["metadata"]["serviceId"] == "WorkSpaces from AWS_DATA_PATH"
