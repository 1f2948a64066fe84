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


def confirm_plan(app: AppContext, question: str) -> None:
    """The final question of an interactive flow, asked even for a single item (default Yes)."""
    import questionary

    if not _ask(questionary.confirm(question, default=True, output=_terminal_output())):
        raise Declined("Cancelled; nothing was sent.")
