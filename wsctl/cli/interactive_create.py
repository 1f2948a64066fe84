"""The questions of the interactive flows: `create`, and the pickers set-mode and import-image share.

Drawn on stderr (`prompts`); asked only when a person can answer (the caller checks).
Lists can be filtered by typing; text answers are checked as they are typed, against the
same model and rules a batch file is, and the message shows under the question.
"""

from __future__ import annotations

import functools
import os
import shlex
import string
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from wsctl.cli import prompts
from wsctl.cli.prompts import _ask
from wsctl.context import AppContext
from wsctl.errors import UsageError
from wsctl.options import OutputFormat

if TYPE_CHECKING:
    from wsctl.input.batch import FlagValues

LAST_USED = " (last used)"
SHORT_NAME = 16  # longer names are cut in a message


# --- lists -------------------------------------------------------------------------------------


def _select(message: str, choices: list[Any], *, search: bool = False) -> Any:
    return _ask(_select_question(message, choices, search=search))


def _choice(title: str, value: Any) -> Any:
    import questionary

    return questionary.Choice(title=title, value=value)


@functools.cache
def _filtering_control() -> type:
    from questionary.prompts.common import InquirerControl

    class FilteringControl(InquirerControl):
        """questionary's list, except that a filter matching nothing shows no choice and says so.

        (questionary then shows every choice, and Enter takes one the filter left out.)
        """

        @property
        def filtered_choices(self) -> list[Any]:
            if not self.search_filter:
                return list(self.choices)
            typed = str(self.search_filter).lower()
            found = [c for c in self.choices if typed in str(c.title).lower()]
            self.found_in_search = bool(found)
            return found

        def select_next(self) -> None:
            if self.choice_count:
                super().select_next()

        def select_previous(self) -> None:
            if self.choice_count:
                super().select_previous()

        def _get_choice_tokens(self) -> list[tuple[str, str]]:
            if not self.filtered_choices:
                return [("class:search_none", f"  no match for '{self.search_filter}' (Backspace changes the filter)")]
            tokens: list[tuple[str, str]] = super()._get_choice_tokens()  # type: ignore[no-untyped-call]
            return tokens

        def get_search_string_tokens(self) -> list[tuple[str, str]] | None:
            if self.search_filter is None:
                return None
            shown = len(self.filtered_choices)
            return [
                ("", "\n"),
                ("class:question-mark", "/ "),
                ("class:search_success" if shown else "class:search_none", str(self.search_filter)),
                ("class:question-mark", "..."),
                ("class:instruction", f"  ({shown} of {len(self.choices)})"),
            ]

    return FilteringControl


def _select_bindings(control: Any, *, search: bool) -> Any:
    """questionary's select keys; Enter does nothing while the filter matches nothing."""
    from prompt_toolkit.key_binding import KeyBindings
    from prompt_toolkit.keys import Keys

    bindings = KeyBindings()

    @bindings.add(Keys.ControlQ, eager=True)
    @bindings.add(Keys.ControlC, eager=True)
    def interrupt(event: Any) -> None:
        event.app.exit(exception=KeyboardInterrupt, style="class:aborting")

    def down(event: Any) -> None:
        control.select_next()

    def up(event: Any) -> None:
        control.select_previous()

    for key in (Keys.Down, Keys.ControlN):
        bindings.add(key, eager=True)(down)
    for key in (Keys.Up, Keys.ControlP):
        bindings.add(key, eager=True)(up)
    if search:

        def type_filter(event: Any) -> None:
            control.add_search_character(event.key_sequence[0].key)

        for character in string.printable:
            if character.isprintable():
                bindings.add(character, eager=True)(type_filter)
        bindings.add(Keys.Backspace, eager=True)(type_filter)

    @bindings.add(Keys.ControlM, eager=True)
    def accept(event: Any) -> None:
        if not control.filtered_choices:
            return  # nothing to take; the list says there is no match
        control.is_answered = True
        event.app.exit(result=control.get_pointed_at().value)

    @bindings.add(Keys.Any)
    def ignore(event: Any) -> None:
        """Other keys type nothing."""

    return bindings


def _select_question(message: str, choices: list[Any], *, search: bool) -> Any:
    """A questionary select whose filter (typed text, shown under the list) can match nothing."""
    try:
        from prompt_toolkit.application import Application
        from prompt_toolkit.filters import Always
        from questionary.prompts import common
        from questionary.question import Question
        from questionary.styles import merge_styles_default
    except ImportError:  # pragma: no cover - another questionary: its own select
        import questionary

        kwargs: dict[str, Any] = {"output": prompts._terminal_output()}
        if search:
            kwargs.update(use_search_filter=True, use_jk_keys=False)
        return questionary.select(message, choices=choices, **kwargs)
    control = _filtering_control()(choices, use_indicator=False)
    output = prompts._terminal_output()
    hint = "(Use arrow keys, type to filter)" if search else "(Use arrow keys)"

    def prompt_tokens() -> list[tuple[str, str]]:
        tokens = [("class:qmark", "?"), ("class:question", f" {message} ")]
        if control.is_answered:
            tokens.append(("class:answer", str(control.get_pointed_at().title)))
        else:
            tokens.append(("class:instruction", hint))
        return tokens

    bindings = _select_bindings(control, search=search)
    layout = common.create_inquirer_layout(control, prompt_tokens, output=output)
    # The list takes only its own rows, so that the filter line stays right under it when a
    # filter shortens a list that filled the screen (the drawn area never shrinks).
    for window in layout.find_all_windows():
        if window.content is control:
            window.dont_extend_height = Always()
    style = merge_styles_default([None])
    return Question(Application(layout=layout, key_bindings=bindings, style=style, output=output))


def _last_first(titled: list[tuple[str, str]], last: str | None) -> list[Any]:
    """Choices from (title, value) pairs; the last one used first, marked right after its ID.

    (Not at the end, which a narrow terminal cuts off.)
    """
    ordered = sorted(titled, key=lambda pair: pair[1] != last) if last else titled
    return [
        _choice(title.replace("  ", LAST_USED + "  ", 1) if value == last else title, value) for title, value in ordered
    ]


def pick_directory(app: AppContext, last: str | None = None) -> str:
    directories = app.service.describe_directories()
    from wsctl.cli.completion import remember_ids, scope_of

    remember_ids(
        scope_of(app.options), "directories", {d["DirectoryId"]: d.get("DirectoryName", "") for d in directories}
    )
    if not directories:
        raise UsageError("no WorkSpaces directory is registered in this account and Region; register one first")
    # Registered directories first: they are the ones WorkSpaces can be created in.
    directories.sort(key=lambda d: (d.get("State") != "REGISTERED", d.get("DirectoryName", "")))
    titled = [
        (
            f"{d['DirectoryId']}  {d.get('DirectoryName', '')}  ({d.get('DirectoryType', '?')}, {d.get('State', '?')})",
            str(d["DirectoryId"]),
        )
        for d in directories
    ]
    return str(_select("Directory:", _last_first(titled, last), search=True))


def bundle_title(bundle: dict[str, Any]) -> str:
    """The ID first, so that it shows on a narrow terminal, where the end of a long line is cut."""
    compute = (bundle.get("ComputeType") or {}).get("Name", "?")
    root = (bundle.get("RootStorage") or {}).get("Capacity", "?")
    user = (bundle.get("UserStorage") or {}).get("Capacity", "?")
    owner = "own" if bundle.get("Owner") not in ("AMAZON", "Amazon") else "Amazon"
    return f"{bundle['BundleId']}  {bundle.get('Name', '')}  [{compute}, {root}/{user} GiB, {owner}]"


def pick_bundle(app: AppContext, last: str | None = None) -> str:
    bundles = app.service.describe_bundles() + app.service.describe_bundles(owner="AMAZON")
    from wsctl.cli.completion import remember_ids, scope_of

    remember_ids(scope_of(app.options), "bundles", {b["BundleId"]: b.get("Name", "") for b in bundles})
    if not bundles:
        raise UsageError("no bundles found; pass --bundle-id")
    titled = [(bundle_title(b), str(b["BundleId"])) for b in bundles]
    return str(_select("Bundle:", _last_first(titled, last), search=True))


# --- text answers, checked as they are typed -----------------------------------------------------


def split_user_names(text: str) -> list[str]:
    """Names separated by spaces or commas; a repeat (WorkSpaces ignores case) is dropped."""
    names: dict[str, str] = {}
    for name in text.replace(",", " ").split():
        names.setdefault(name.lower(), name)
    return list(names.values())


def user_name_problem(name: str) -> str | None:
    """What is wrong with `name` as a WorkSpace's user name (the model's UserName and the rules), or None."""
    from wsctl.spec import model, rules

    if name == "[UNDEFINED]":
        return "[UNDEFINED] (a WorkSpace without a user) needs a workspace_name: create it from a file (-f)"
    problems = model.validator().validate_shape("UserName", name) + rules.control_character_problems({"UserName": name})
    if not problems:
        return None
    # The message shows on one line under the question, which already shows the name: cut it short.
    message, shown = problems[0].message, model.preview(name)
    if len(name) > SHORT_NAME and message.startswith(shown):
        message = repr(name[: SHORT_NAME - 4] + "...") + message[len(shown) :]
    return f"user name {message}"


def user_names_problem(text: str) -> str | None:
    names = split_user_names(text)
    if not names:
        return "enter at least one user name"
    return next((problem for problem in map(user_name_problem, names) if problem), None)


def ask_user_names() -> list[str]:
    import questionary

    def valid(text: str) -> bool | str:
        return user_names_problem(text) or True

    text = _ask(
        questionary.text(
            "User names (separated by spaces or commas):", validate=valid, output=prompts._terminal_output()
        )
    )
    return split_user_names(str(text))


def auto_stop_timeout_problem(text: str) -> str | None:
    """What is wrong with `text` as an AUTO_STOP timeout (the rules a batch file is checked against), or None."""
    from wsctl.spec import rules

    text = text.strip()
    if not (text.isascii() and text.isdigit()):
        shown = f"{text!r} is not" if text else "enter"
        return f"{shown} a number of minutes: a multiple of 60 (60, 120, ...)"
    props = {rules.RUNNING_MODE_KEY: "AUTO_STOP", rules.TIMEOUT_KEY: int(text)}
    problems = [p for p in rules.running_mode_problems(props, ()) if not p.warning]
    return problems[0].message if problems else None


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
        return auto_stop_timeout_problem(text) or True

    answer = _ask(
        questionary.text(
            "Auto-stop timeout (minutes):", default="60", validate=valid, output=prompts._terminal_output()
        )
    )
    return int(str(answer).strip())


def ask_wait(count: int) -> bool:
    import questionary

    question = "Wait until it is AVAILABLE?" if count == 1 else "Wait until they are AVAILABLE?"
    return bool(_ask(questionary.confirm(question, default=True, output=prompts._terminal_output())))


# --- the whole interactive create --------------------------------------------------------------


@dataclass
class CreateAnswers:
    flags: FlagValues
    wait: bool
    existing: list[dict[str, Any]] = field(default_factory=list)  # users who already have a WorkSpace

    @property
    def nothing_to_create(self) -> bool:
        return len(self.existing) >= len(self.flags.users)


def choice_scope(app: AppContext) -> str:
    """The account the remembered choices belong to: a directory of one is no use in another."""
    if app.sandbox:
        return "sandbox"
    options = app.options
    profile = options.profile or os.environ.get("AWS_PROFILE") or "default"
    region = options.region or getattr(getattr(app.client, "meta", None), "region_name", None) or ""
    return f"profile={profile} region={region} endpoint={options.endpoint_url or ''}"


def _remember(app: AppContext, scope: str, choices: dict[str, str]) -> None:
    from wsctl.input import remembered

    try:
        remembered.remember(scope, choices)
    except OSError as exc:  # a convenience only: say so and go on
        app.warn(f"could not remember the choices in {remembered.choices_path()}: {exc.strerror or exc}")


def ask_create_flags(app: AppContext, flags: FlagValues, *, wait: bool = False, dry_run: bool = False) -> CreateAnswers:
    """Fill what `create` lacks by asking.

    The directory and bundle picked are remembered for next time (not in a dry run, which
    leaves nothing behind; its closing line shows the command to run for real). Users who
    already have a WorkSpace there are named right after they are typed; when all have one,
    nothing more is asked.
    """
    from wsctl.input import remembered
    from wsctl.ops.existing import existing_note, existing_workspaces

    scope = choice_scope(app)
    last = remembered.recall(scope)
    picked: dict[str, str] = {}
    if not flags.directory_id:
        flags.directory_id = picked["directory_id"] = pick_directory(app, last.get("directory_id"))
    if not flags.bundle_id:
        flags.bundle_id = picked["bundle_id"] = pick_bundle(app, last.get("bundle_id"))
    if picked and not dry_run:
        _remember(app, scope, {**last, **picked})
    if not flags.users:
        flags.users = ask_user_names()
    flags.asked = True
    existing = existing_workspaces(app, flags.directory_id, flags.users)
    for line in existing_note(existing, len(flags.users), flags.directory_id):
        app.note(line)
    answers = CreateAnswers(flags, wait, existing)
    if answers.nothing_to_create:
        return answers
    if not flags.running_mode:
        flags.running_mode = pick_running_mode()
    if flags.running_mode == "AUTO_STOP" and flags.auto_stop_timeout is None:
        flags.auto_stop_timeout = ask_auto_stop_timeout()
    if not wait and not dry_run:
        answers.wait = ask_wait(len(flags.users) - len(existing))
    return answers


def equivalent_command(
    app: AppContext,
    flags: FlagValues,
    *,
    wait: bool,
    dry_run: bool,
    timeout: float | None = None,
    poll_interval: float | None = None,
) -> str:
    """The `wsctl create` command that does what the answers asked for, shell-quoted, to reuse in a script."""
    from wsctl.input.batch import FLAG_FOR

    args = ["create", "--directory-id", str(flags.directory_id), "--bundle-id", str(flags.bundle_id)]
    for user in flags.users:
        args += ["--user", user]
    for key in (
        "running_mode",
        "auto_stop_timeout",
        "root_volume_size",
        "user_volume_size",
        "compute_type",
        "volume_encryption_key",
    ):
        value = getattr(flags, key)
        if value is not None:
            args += [FLAG_FOR[key], str(value)]
    for key in ("encrypt_root", "encrypt_user"):
        value = getattr(flags, key)
        if value is not None:
            args.append(FLAG_FOR[key] if value else FLAG_FOR[key].replace("--", "--no-", 1))
    for tag in flags.tags:
        args += ["--tag", f"{tag['Key']}={tag['Value']}"]
    if wait:
        args.append("--wait")
    for flag, number in (("--timeout", timeout), ("--poll-interval", poll_interval)):
        if number is not None:
            args += [flag, f"{number:g}"]
    if dry_run:
        args.append("--dry-run")
    if app.output is not OutputFormat.table:
        args += ["-o", app.output.value]
    return f"{app.command_prefix()} {shlex.join(args)}"


# --- set-mode and import-image -----------------------------------------------------------------


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

    question = questionary.checkbox("WorkSpaces:", choices=choices, validate=valid, output=prompts._terminal_output())
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
            questionary.text("EC2 image (ami-...):", validate=check("Ec2ImageId"), output=prompts._terminal_output())
        )
    if values.get("ingestion_process") is None:
        processes = modeldata.enum_values(modeldata.INGESTION_PROCESS)
        choices = [_choice(f"{p}  ({ingestion_process_help(p)})", p) for p in processes]
        values["ingestion_process"] = _select("Ingestion process:", choices)
    if values.get("name") is None:
        values["name"] = _ask(
            questionary.text("Image name:", validate=check("WorkspaceImageName"), output=prompts._terminal_output())
        )
    if values.get("description") is None:
        values["description"] = _ask(
            questionary.text(
                "Description:", validate=check("WorkspaceImageDescription"), output=prompts._terminal_output()
            )
        )
    return values
