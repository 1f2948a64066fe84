"""The confirmations wsctl asks before it changes anything (questionary), drawn on stderr.

The interactive create/set-mode/import pickers are in interactive_create.py.

Prompts appear only when a person can answer (stdin and stderr are terminals and
--no-input is not set); otherwise the caller gets a usage error naming the flag to pass.
A confirmation is also asked when stdin is a pipe, on the terminal itself (/dev/tty), as
long as stderr is one. Services never prompt.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
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
    if not app.can_confirm:
        raise UsageError(
            f"{count} items would change and there is no terminal to confirm it"
            + (" (--no-input)" if app.options.no_input else "")
            + "; pass --yes to go ahead, or --dry-run to see the plan"
        )
    _ask_yes_no(app, question)


def _ask_yes_no(app: AppContext, question: str) -> None:
    import questionary

    with _answer_terminal(app) as streams:
        if not _ask(questionary.confirm(question, default=True, **streams)):
            raise Declined("Cancelled; nothing was sent.")


@contextmanager
def _answer_terminal(app: AppContext) -> Iterator[dict[str, Any]]:
    """Where a confirmation is asked: stdin and stderr, or the terminal itself when stdin is a pipe.

    `wsctl describe -o ids | wsctl set-mode - ...` reads its targets from the pipe; the person
    at the terminal still answers, on /dev/tty, as `sudo` and `git` ask for passwords.
    """
    if app.interactive:
        yield {"output": _terminal_output()}
        return
    from prompt_toolkit.input import create_input
    from prompt_toolkit.output import create_output

    from wsctl.context import controlling_terminal

    path = controlling_terminal()
    if path is None:  # gone since can_confirm said yes: nobody can answer
        raise UsageError("there is no terminal to confirm it; pass --yes to go ahead, or --dry-run to see the plan")
    # Two handles: a tty is not seekable, so Python cannot open it for reading and writing in one.
    with open(path, encoding="utf-8") as reader, open(path, "w", encoding="utf-8") as writer:
        yield {"input": create_input(reader), "output": create_output(stdout=writer)}


class _Confirmation:
    """What `confirmer` and `typed_confirmer` return: call it to ask; `asks` says beforehand whether it will."""

    def __init__(self, app: AppContext, *, yes: bool, asked: bool = False, typed: bool = False) -> None:
        self.app, self.yes, self.asked, self.typed = app, yes, asked, typed

    def asks(self, count: int) -> bool:
        if self.yes:
            return False
        if self.asked:
            return True
        return self.app.can_confirm and (self.typed or count > 1)

    def __call__(self, question: str, count: int) -> None:
        if self.typed:
            self._typed(question, count)
        elif self.asked and not self.yes:
            confirm_plan(self.app, question)
        else:
            confirm_changes(self.app, count=count, question=question, yes=self.yes)

    def _typed(self, question: str, count: int) -> None:
        if self.yes:
            return
        app = self.app
        if not app.can_confirm:
            raise UsageError(
                "this cannot be undone and there is no terminal to confirm it"
                + (" (--no-input)" if app.options.no_input else "")
                + "; pass --yes to go ahead, or --dry-run to see what would go"
            )
        import questionary

        with _answer_terminal(app) as streams:
            answer = _ask(questionary.text(f"{question} This cannot be undone. Type {count} to confirm:", **streams))
        if str(answer).strip() != str(count):
            raise Declined("Cancelled; nothing was sent.")


def typed_confirmer(app: AppContext, *, yes: bool) -> _Confirmation:
    """For what cannot be undone: type the number of items to go ahead, even for one (as `gh repo delete`).

    Without a terminal, --yes is required, whatever the count.
    """
    return _Confirmation(app, yes=yes, typed=True)


def confirmer(app: AppContext, *, yes: bool, asked: bool = False) -> _Confirmation:
    """The confirmation a use case calls once it knows what it is about to do.

    After an interactive flow (`asked`), the final question is asked even for one item.
    """
    return _Confirmation(app, yes=yes, asked=asked)


def confirm_plan(app: AppContext, question: str) -> None:
    """The final question of an interactive flow, asked even for a single item (default Yes)."""
    _ask_yes_no(app, question)
