"""Whole numbers as people write them: ASCII digits, nothing Python or YAML 1.1 would also take.

Python's int() takes '１２０' (fullwidth), '١٢٠' (Arabic-Indic), '8_0' and ' +80'; YAML 1.1
reads '0123' as octal 83, '0x50' as 80 and '1:20' as 80 (sexagesimal). A value that means
something else to the reader than to wsctl is refused with the form that would be read as written.
"""

from __future__ import annotations

import re
from typing import Any

_DECIMAL = re.compile(r"-?(?:0|[1-9][0-9]*)\Z", re.ASCII)
_LEADING_ZERO = re.compile(r"-?0[0-9]+\Z", re.ASCII)


MAX_DIGITS = 30  # more than any size, timeout or count; int() refuses past 4,300 anyway


def whole_number(text: str) -> int | None:
    """The number a cell holds, if it is written with ASCII digits 0-9 (and maybe a leading '-') only."""
    if len(text) <= MAX_DIGITS + 1 and (_DECIMAL.match(text) or _LEADING_ZERO.match(text)):
        return int(text)
    return None


def not_a_number_message(text: str, preview: str) -> str:
    """'... is not a whole number', and how to write one when the text has digits of some kind."""
    if len(text) > MAX_DIGITS + 1 and _DECIMAL.match(text):
        return f"a number {len(text.lstrip('-')):,} digits long; at most {MAX_DIGITS}"
    tail = " (write it with the digits 0-9 only)" if any(c.isdigit() for c in text) else ""
    return f"{preview} is not a whole number{tail}"


def retyped_number_problem(text: str | None, value: Any) -> str | None:
    """For a YAML whole-number field: a message when YAML read the plain text as a number other than its decimal digits.

    text is the scalar as written when YAML retyped it (None for quoted or explicitly tagged values).
    """
    if text is None or isinstance(value, bool) or not isinstance(value, int):
        return None
    if _DECIMAL.match(text):
        return None
    if _LEADING_ZERO.match(text):
        return (
            f"{text!r} has a leading zero, which YAML reads as the octal number {value}; "
            f"write {int(text)} (or {value} if octal was meant)"
        )
    return f"{text!r} is not written with the digits 0-9 (YAML reads it as {value}); write {value} if that is meant"
