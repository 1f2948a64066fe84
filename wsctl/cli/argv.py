"""Global options after the command (`wsctl describe --sandbox`) mean what they mean before it.

The AWS CLI accepts its global options anywhere; Click only before the command. So the
command line is reordered before Click reads it: a global option that stands after the
command, and that the command does not define itself (`sandbox reset --burst` is the
sandbox's own), moves in front of it, with its value. Nothing after `--` moves.
"""

from __future__ import annotations

from typing import Any

_NEVER_MOVED = ("-h", "--help", "--version")


def _options(command: Any) -> dict[str, bool]:
    """Option name -> whether it takes a value, for every option of a Click command."""
    found: dict[str, bool] = {}
    for param in getattr(command, "params", ()):
        if getattr(param, "param_type_name", "") != "option":
            continue
        takes_value = not (getattr(param, "is_flag", False) or getattr(param, "count", False))
        for name in (*param.opts, *getattr(param, "secondary_opts", ())):
            found[name] = takes_value
    return found


def global_options_first(root: Any, args: list[str]) -> list[str]:
    globals_ = _options(root)
    before: list[str] = []
    index = 0
    while index < len(args) and args[index].startswith("-") and args[index] != "--":  # already in front
        name = args[index].split("=", 1)[0]
        before.append(args[index])
        if globals_.get(name) and "=" not in args[index] and index + 1 < len(args):
            before.append(args[index + 1])
            index += 1
        index += 1
    command, path, rest = root, [], args[index:]
    while rest and getattr(command, "commands", None) and rest[0] in command.commands:
        command = command.commands[rest[0]]
        path.append(rest.pop(0))
    if not path:
        return args
    own = _options(command)
    moved: list[str] = []
    kept: list[str] = []
    index = 0
    while index < len(rest):
        token = rest[index]
        if token == "--":
            kept += rest[index:]
            break
        name = token.split("=", 1)[0]
        if name in own:  # the command's own option (and its value) stays where it is
            kept.append(token)
            if own[name] and "=" not in token and index + 1 < len(rest):
                kept.append(rest[index + 1])
                index += 1
        elif (
            name in globals_ and name not in ("-h", "--help", "--version") and not _missing_value(rest, index, globals_)
        ):
            moved.append(token)
            if globals_[name] and "=" not in token and index + 1 < len(rest):
                moved.append(rest[index + 1])
                index += 1
        else:
            kept.append(token)
        index += 1
    return [*before, *moved, *path, *kept]


def _missing_value(tokens: list[str], index: int, options: dict[str, bool]) -> bool:
    """`--region` last on the line: left where it is, for Click to say what is wrong."""
    token = tokens[index]
    return bool(options.get(token, False)) and "=" not in token and index + 1 >= len(tokens)
