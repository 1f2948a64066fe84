"""Every question wsctl asks a person lives here (questionary), drawn on stderr.

Prompts appear only when a person can answer (stdin and stderr are terminals and
--no-input is not set); otherwise the caller gets a usage error naming the flag to pass.
Services never prompt.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from wsctl.context import AppContext
from wsctl.errors import ExitCode, UsageError, WsctlError


class Declined(WsctlError):
    """The person said no: exit 1, said plainly (it is an answer, not an error)."""

    exit_code = ExitCode.ERROR

    def lines(self) -> list[str]:
        return [self.message]


def _terminal_output() -> Any:
    # Questions are drawn on stderr so that a piped stdout only ever holds data.
    from prompt_toolkit.output import create_output

    return create_output(stdout=sys.stderr)


def _ask(question: Any) -> Any:
    """The answer, or KeyboardInterrupt (exit 130, nothing sent) on Ctrl-C or Ctrl-D.

    `unsafe_ask`, because questionary's `ask` prints its interrupt message to stdout, which
    may be a pipe that should hold only data.
    """
    try:
        answer = question.unsafe_ask()
    except EOFError:
        raise KeyboardInterrupt from None
    if answer is None:
        raise KeyboardInterrupt
    return answer


def confirm_changes(app: AppContext, *, count: int, question: str, yes: bool) -> None:
    """The one confirmation rule for every command that changes something.

    One item goes ahead; more than one asks on a terminal (default Yes); --yes skips the
    question; without a terminal, or with --no-input, more than one item needs --yes.
    """
    if yes or count <= 1:
        return
    if not app.interactive:
        raise UsageError(
            f"{count} items would change and there is no terminal to confirm it"
            + (" (--no-input)" if app.options.no_input else "")
            + "; pass --yes to go ahead, or --dry-run to see the plan"
        )
    import questionary

    if not _ask(questionary.confirm(question, default=True, output=_terminal_output())):
        raise Declined("Cancelled; nothing was sent.")


def typed_confirmer(app: AppContext, *, yes: bool) -> Callable[[str, int], None]:
    """For what cannot be undone: type the number of items to go ahead, even for one (as `gh repo delete`).

    Without a terminal, --yes is required, whatever the count.
    """

    def confirm(question: str, count: int) -> None:
        if yes:
            return
        if not app.interactive:
            raise UsageError(
                "this cannot be undone and there is no terminal to confirm it"
                + (" (--no-input)" if app.options.no_input else "")
                + "; pass --yes to go ahead, or --dry-run to see what would go"
            )
        import questionary

        answer = _ask(
            questionary.text(f"{question} This cannot be undone. Type {count} to confirm:", output=_terminal_output())
        )
        if str(answer).strip() != str(count):
            raise Declined("Cancelled; nothing was sent.")

    return confirm


# --- pickers -----------------------------------------------------------------------------------


def confirmer(app: AppContext, *, yes: bool, asked: bool = False) -> Callable[[str, int], None]:
    """The confirmation a use case calls once it knows what it is about to do.

    After an interactive flow (`asked`), the final question is asked even for one item.
    """

    def confirm(question: str, count: int) -> None:
        if asked and not yes:
            confirm_plan(app, question)
        else:
            confirm_changes(app, count=count, question=question, yes=yes)

    return confirm


def _select(message: str, choices: list[Any], *, search: bool = False) -> Any:
    import questionary

    kwargs: dict[str, Any] = {"output": _terminal_output()}
    if search:
        kwargs.update(use_search_filter=True, use_jk_keys=False)
    return _ask(questionary.select(message, choices=choices, **kwargs))


def _choice(title: str, value: Any) -> Any:
    import questionary

    return questionary.Choice(title=title, value=value)


def pick_directory(app: AppContext) -> str:
    directories = app.service.describe_directories()
    from wsctl.cli.completion import remember_ids, scope_of

    remember_ids(
        scope_of(app.options), "directories", {d["DirectoryId"]: d.get("DirectoryName", "") for d in directories}
    )
    if not directories:
        raise UsageError("no WorkSpaces directory is registered in this account and Region; register one first")
    # Registered directories first: they are the ones WorkSpaces can be created in.
    directories.sort(key=lambda d: (d.get("State") != "REGISTERED", d.get("DirectoryName", "")))
    choices = [
        _choice(
            f"{d['DirectoryId']}  {d.get('DirectoryName', '')}  ({d.get('DirectoryType', '?')}, {d.get('State', '?')})",
            d["DirectoryId"],
        )
        for d in directories
    ]
    return str(_select("Directory:", choices))


def bundle_title(bundle: dict[str, Any]) -> str:
    compute = (bundle.get("ComputeType") or {}).get("Name", "?")
    root = (bundle.get("RootStorage") or {}).get("Capacity", "?")
    user = (bundle.get("UserStorage") or {}).get("Capacity", "?")
    owner = "own" if bundle.get("Owner") not in ("AMAZON", "Amazon") else "Amazon"
    return f"{bundle.get('Name', '')}  [{compute}, {root}/{user} GiB, {owner}]  {bundle['BundleId']}"


def pick_bundle(app: AppContext) -> str:
    bundles = app.service.describe_bundles() + app.service.describe_bundles(owner="AMAZON")
    from wsctl.cli.completion import remember_ids, scope_of

    remember_ids(scope_of(app.options), "bundles", {b["BundleId"]: b.get("Name", "") for b in bundles})
    if not bundles:
        raise UsageError("no bundles found; pass --bundle-id")
    choices = [_choice(bundle_title(b), b["BundleId"]) for b in bundles]
    return str(_select("Bundle (type to filter):", choices, search=True))


def ask_user_names() -> list[str]:
    import questionary

    def valid(text: str) -> bool | str:
        return bool(text.replace(",", " ").split()) or "enter at least one user name"

    text = _ask(
        questionary.text("User names (separated by spaces or commas):", validate=valid, output=_terminal_output())
    )
    return list(dict.fromkeys(text.replace(",", " ").split()))


def pick_running_mode(current: str | None = None) -> str:
    from wsctl.cli.completion import RUNNING_MODE_NOTES
    from wsctl.spec import enums as modeldata

    modes = list(modeldata.enum_values(modeldata.RUNNING_MODE))
    if current in modes:  # the current mode is rarely the wanted one: offer the others first
        modes.remove(current)
        modes.append(current)
    choices = [_choice(f"{m}  ({RUNNING_MODE_NOTES.get(m, '')})", m) for m in modes]
    return str(_select("Running mode:", choices))


def ask_auto_stop_timeout() -> int:
    import questionary

    def valid(text: str) -> bool | str:
        return (text.isdigit() and int(text) > 0 and int(text) % 60 == 0) or "a positive multiple of 60 minutes"

    return int(
        _ask(questionary.text("Auto-stop timeout (minutes):", default="60", validate=valid, output=_terminal_output()))
    )


def ask_create_flags(app: AppContext, flags: Any) -> Any:
    """Fill what `create` lacks by asking; returns the completed FlagValues."""
    if not flags.directory_id:
        flags.directory_id = pick_directory(app)
    if not flags.bundle_id:
        flags.bundle_id = pick_bundle(app)
    if not flags.users:
        flags.users = ask_user_names()
    if not flags.running_mode:
        flags.running_mode = pick_running_mode()
    if flags.running_mode == "AUTO_STOP" and flags.auto_stop_timeout is None:
        flags.auto_stop_timeout = ask_auto_stop_timeout()
    flags.asked = True
    return flags


def confirm_plan(app: AppContext, question: str) -> None:
    """The final question of an interactive flow, asked even for a single item (default Yes)."""
    import questionary

    if not _ask(questionary.confirm(question, default=True, output=_terminal_output())):
        raise Declined("Cancelled; nothing was sent.")


def pick_workspaces(app: AppContext) -> list[str]:
    """Pick a directory, then any of its WorkSpaces (space to mark, Enter to accept)."""
    import questionary

    directory_id = pick_directory(app)
    workspaces = app.service.describe_workspaces(directory_id=directory_id)
    if not workspaces:
        raise UsageError(f"no WorkSpaces in {directory_id}")
    from wsctl.render.tables import running_mode_text

    choices = [
        questionary.Choice(
            title=f"{w['WorkspaceId']}  {w.get('UserName', '')}  {w.get('State', '')}  "
            f"{running_mode_text(w.get('WorkspaceProperties') or {})}",
            value=w["WorkspaceId"],
        )
        for w in workspaces
    ]

    def valid(picked: list[str]) -> bool | str:
        return bool(picked) or "pick at least one WorkSpace (space marks it)"

    question = questionary.checkbox("WorkSpaces:", choices=choices, validate=valid, output=_terminal_output())
    picked: list[str] = _ask(_enter_takes_highlighted(question))
    return picked


def _enter_takes_highlighted(question: Any) -> Any:
    """In a checkbox, Enter with nothing marked takes the highlighted entry, as in every other picker.

    questionary has no option for it: this adds an Enter binding to the question (the last
    binding for a key wins). With another questionary, Enter keeps asking for a mark.
    """
    try:
        from prompt_toolkit.keys import Keys
        from questionary.prompts.common import InquirerControl
    except ImportError:  # pragma: no cover - another questionary
        return question
    application = question.application
    windows = application.layout.find_all_windows()
    control = next((w.content for w in windows if isinstance(w.content, InquirerControl)), None)
    if control is None or application.key_bindings is None:  # pragma: no cover - another questionary
        return question

    def accept(event: Any) -> None:
        if not control.selected_options:
            control.selected_options.append(control.get_pointed_at().value)
        control.is_answered = True
        event.app.exit(result=[choice.value for choice in control.get_selected_values()])

    application.key_bindings.add(Keys.ControlM, eager=True)(accept)
    return question


def ask_import_values(values: dict[str, Any]) -> dict[str, Any]:
    """import-image: the AMI, the ingestion process (each explained), name and description."""
    import questionary

    from wsctl.cli.completion import ingestion_process_help
    from wsctl.spec import enums as modeldata
    from wsctl.spec import model

    def check(shape: str) -> Any:
        def valid(text: str) -> bool | str:
            problems = model.validator().validate_shape(shape, text)
            return True if not problems else problems[0].message

        return valid

    if values.get("ec2_image_id") is None:
        values["ec2_image_id"] = _ask(
            questionary.text("EC2 image (ami-...):", validate=check("Ec2ImageId"), output=_terminal_output())
        )
    if values.get("ingestion_process") is None:
        processes = modeldata.enum_values(modeldata.INGESTION_PROCESS)
        choices = [_choice(f"{p}  ({ingestion_process_help(p)})", p) for p in processes]
        values["ingestion_process"] = _select("Ingestion process:", choices)
    if values.get("name") is None:
        values["name"] = _ask(
            questionary.text("Image name:", validate=check("WorkspaceImageName"), output=_terminal_output())
        )
    if values.get("description") is None:
        values["description"] = _ask(
            questionary.text("Description:", validate=check("WorkspaceImageDescription"), output=_terminal_output())
        )
    return values
