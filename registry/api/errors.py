"""User errors in payloads, and the one way mutations run: all of it or nothing."""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from typing import TypeVar

import strawberry
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from registry.access.actor import Actor
from registry.api.context import GInfo
from registry.api.enums import ErrorCodeEnum
from registry.api.inputs import argument_problems
from registry.audit.changelog import Recorder
from registry.core.errors import ErrorCode, Problem, UserErrors

R = TypeVar("R")

log = logging.getLogger(__name__)

# PostgreSQL: deadlock_detected, serialization_failure — the transaction may simply be run again.
RETRYABLE_SQLSTATES = frozenset({"40P01", "40001"})
UNIQUE_VIOLATION = "23505"
CONFLICT_MESSAGE = "someone changed the same things at the same moment; try again"


@strawberry.type
class UserError:
    """Something the caller must fix; nothing was written."""

    field: str
    message: str
    code: ErrorCodeEnum


def user_errors(problems: list[Problem]) -> list[UserError]:
    return [UserError(field=p.field, message=p.message, code=ErrorCode(p.code)) for p in problems]


async def run_write(
    info: GInfo,
    work: Callable[[AsyncSession, Actor, Recorder], Awaitable[R]],
    message: str | None = None,
) -> tuple[R | None, list[UserError]]:
    """Run `work` in one write transaction for the caller.

    Returns (result, []) when it committed, or (None, errors) when it raised
    UserErrors, in which case the transaction was rolled back whole, or when a text of the
    mutation's input holds a character no text may hold (nothing is then begun). A unique
    constraint that trips (two writers creating the same code at once) is a
    DUPLICATE on that field; a deadlock or serialization failure is retried once,
    then reported as a CONFLICT. `work` must therefore be safe to run twice.
    """
    ctx = info.context
    actor = ctx.require_actor()
    for attempt in (1, 2):
        try:
            actor.require_write()
            if problems := argument_problems(info):
                raise UserErrors(problems)
            async with ctx.db.write() as session:
                recorder = Recorder(session, actor.token_id, ctx.request_id, message)
                result = await work(session, actor, recorder)
        except UserErrors as refused:
            return None, user_errors(refused.problems)
        except IntegrityError as error:
            duplicate = duplicate_problem(error)
            if duplicate is None:
                raise
            return None, user_errors([duplicate])
        except DBAPIError as error:
            if sqlstate(error) not in RETRYABLE_SQLSTATES:
                raise
            log.info("write %s: %s on attempt %d", ctx.request_id, sqlstate(error), attempt)
            continue
        return result, []
    return None, user_errors([Problem("input", CONFLICT_MESSAGE, ErrorCode.CONFLICT)])


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
    return Problem(
        field,
        f"another record with the same {what} was saved at the same moment; choose another",
        ErrorCode.DUPLICATE,
    )


def _camel(column: str) -> str:
    head, *rest = column.split("_")
    return head + "".join(part.title() for part in rest)
