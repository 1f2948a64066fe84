"""Which of some users already have a WorkSpace in a directory (asked before anything else is)."""

from __future__ import annotations

from typing import Any

from wsctl.context import AppContext


def existing_workspaces(app: AppContext, directory_id: str, users: list[str]) -> list[dict[str, Any]]:
    """The WorkSpaces these users already have in `directory_id`, in the order the users were given.

    The same lookup `create` makes before it sends anything (user names match without regard
    to case, as in WorkSpaces).
    """
    from wsctl.aws.creates import user_key

    found = app.service.find_existing([(directory_id, user) for user in users])
    return [found[user_key(directory_id, user)] for user in users if user_key(directory_id, user) in found]


def existing_note(existing: list[dict[str, Any]], users: int, directory_id: str) -> list[str]:
    """What to tell at once: each user who already has a WorkSpace, then how many that is."""
    from wsctl.text import count

    if not existing:
        return []
    every = len(existing) >= users
    lines = [
        f"{w.get('UserName', '?')} already has {w.get('WorkspaceId', '?')} ({w.get('State', '?')})"
        + ("" if every else "; skipped")
        for w in existing
    ]
    if every:
        who = "the user already has" if users == 1 else f"all {count(users, 'user')} already have"
        lines.append(f"Nothing to create: {who} a WorkSpace in {directory_id}.")
    else:
        has = "has" if len(existing) == 1 else "have"
        lines.append(
            f"{count(len(existing), 'user')} already {has} a WorkSpace in {directory_id}; "
            f"{count(users - len(existing), 'WorkSpace')} to create."
        )
    return lines
