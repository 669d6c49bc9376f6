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
    """One thing wrong with a request, addressed to the field that must change."""

    field: str
    message: str
    code: ErrorCode = ErrorCode.INVALID


class UserErrors(Exception):
    """Raised by services when a write must be refused; nothing has been written."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(f"{p.field}: {p.message}" for p in problems))
        self.problems = problems


def fail(field: str, message: str, code: ErrorCode = ErrorCode.INVALID) -> UserErrors:
    """Shorthand for a single problem, to be raised."""
    return UserErrors([Problem(field, message, code)])
