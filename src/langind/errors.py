"""The one exception type users see.

Every check at the edge of the toolkit (a file that is missing, a vocab that does not match a
checkpoint, a malformed dictionary line) raises :class:`LangindError` with a message that says what
is wrong and what to do. The CLI turns it into a single line on stderr and a non-zero exit code;
library callers can catch it like any other exception.
"""

from __future__ import annotations


class LangindError(Exception):
    """A user-facing error: the message is one line and says what to do about it."""

    exit_code = 2


def check_choice(what: str, value, choices) -> None:
    """The one "choose one of" check: raise a :class:`LangindError` naming the valid choices."""
    if value not in choices:
        raise LangindError(f"unknown {what} {value!r}; choose one of {tuple(choices)}")
