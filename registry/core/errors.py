"""The one error shape: a list of user errors, each with a field, a message and a code."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ErrorCode(StrEnum):
    """Machine-readable reasons a write was refused."""

    NOT_FOUND = "NOT_FOUND"
    INVALID = "INVALID"
    WRONG_KIND = "WRONG_KIND"
    CYCLE = "CYCLE"
    CONFLICT = "CONFLICT"
    DUPLICATE = "DUPLICATE"
    FORBIDDEN = "FORBIDDEN"
    STALE = "STALE"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a request, addressed to the field that must change.

    `message` is English, for logs and API users; `reason` (what exactly is wrong, e.g.
    STALE_VERSION) and `params` (the values it names) let a reader's language word it
    instead. A problem with no reason of its own is worded from its `code`."""

    field: str
    message: str
    code: ErrorCode = ErrorCode.INVALID
    reason: str = ""
    params: tuple[tuple[str, str], ...] = ()


class UserErrors(Exception):
    """Raised by services when a write must be refused; nothing has been written."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(f"{p.field}: {p.message}" for p in problems))
        self.problems = problems


def fail(
    field: str,
    message: str,
    code: ErrorCode = ErrorCode.INVALID,
    reason: str = "",
    /,
    **params: object,
) -> UserErrors:
    """Shorthand for a single problem, to be raised; `params` are the values its `reason`
    names (None is shown as empty)."""
    return UserErrors([problem(field, message, code, reason, **params)])


def problem(
    field: str,
    message: str,
    code: ErrorCode = ErrorCode.INVALID,
    reason: str = "",
    /,
    **params: object,
) -> Problem:
    """One problem with its reason and the values that reason names, as text."""
    shown = tuple((name, "" if value is None else str(value)) for name, value in params.items())
    return Problem(field, message, code, reason, shown)
