"""User errors in payloads, and how database refusals (a unique key, a deadlock) become them."""

from __future__ import annotations

import logging
import re
from typing import TypeVar

import strawberry
from sqlalchemy.exc import DBAPIError, IntegrityError

from registry.api.enums import ErrorCodeEnum
from registry.core.errors import ErrorCode, Problem, problem

R = TypeVar("R")

log = logging.getLogger(__name__)

# PostgreSQL: deadlock_detected, serialization_failure — the transaction may simply be run again.
RETRYABLE_SQLSTATES = frozenset({"40P01", "40001"})
UNIQUE_VIOLATION = "23505"
CONFLICT_MESSAGE = "someone changed the same things at the same moment; try again"


@strawberry.type(description="A value a message names, by name, as text.")
class MessageParam:
    name: str
    value: str


@strawberry.type
class UserError:
    """Something the caller must fix; nothing was written."""

    field: str
    message: str = strawberry.field(description="In English; word it from `reason` and `params`.")
    code: ErrorCodeEnum
    reason: str = strawberry.field(
        description="What exactly is wrong (STALE_VERSION, NOT_IN_SCOPE, CODE_TAKEN, ...): the "
        "key a reader's language words the message by; the code when there is no finer one."
    )
    params: list[MessageParam] = strawberry.field(description="The values `reason` names.")


def user_errors(problems: list[Problem]) -> list[UserError]:
    return [
        UserError(
            field=p.field,
            message=p.message,
            code=ErrorCode(p.code),
            reason=p.reason or p.code,
            params=[MessageParam(name=name, value=value) for name, value in p.params],
        )
        for p in problems
    ]


def sqlstate(error: DBAPIError) -> str | None:
    """The SQLSTATE of a driver error (PostgreSQL), or None."""
    return getattr(error.orig, "sqlstate", None) or getattr(error.orig, "pgcode", None)


# "Key (code)=(X) already exists." (PostgreSQL) / "UNIQUE constraint failed: place.code" (SQLite)
_PG_KEY = re.compile(r"Key \(([^)]*)\)=")
_SQLITE_UNIQUE = re.compile(r"UNIQUE constraint failed: ([\w., ]+)")


def duplicate_problem(error: IntegrityError) -> Problem | None:
    """A DUPLICATE problem naming the field, if `error` is a unique-constraint violation."""
    text = str(error.orig)
    columns: list[str] = []
    if found := _SQLITE_UNIQUE.search(text):
        columns = [part.strip().split(".")[-1] for part in found.group(1).split(",")]
    elif sqlstate(error) == UNIQUE_VIOLATION or "duplicate key" in text:
        detail = getattr(error.orig, "detail", None) or text
        found = _PG_KEY.search(detail)
        columns = [part.strip().strip('"') for part in found.group(1).split(",")] if found else []
    else:
        return None
    field = _camel(columns[-1]) if columns else "input"
    what = ", ".join(columns) or "value"
    return problem(
        field,
        f"another record with the same {what} was saved at the same moment; choose another",
        ErrorCode.DUPLICATE,
        "SAVED_AT_ONCE",
        columns=what,
    )


def _camel(column: str) -> str:
    head, *rest = column.split("_")
    return head + "".join(part.title() for part in rest)
