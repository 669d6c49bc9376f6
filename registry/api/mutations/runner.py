"""The one way a mutation runs: input → command → service → payload, all of it or nothing.

An input converts itself into a command (`command(ctx)`: references parsed, dates read,
settings the command needs taken from the deployment); the runner checks the caller may write,
opens one write transaction with its change log, has `registry.writes.commands.execute` carry
the command out, and asks the payload type to present the result (`of`) inside the same
transaction. A refusal anywhere (UserErrors, a unique key two writers took at once, a
deadlock twice) becomes the payload's userErrors with nothing written."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any, Protocol, TypeVar

from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.types.base import StrawberryList

from registry.access.actor import Actor
from registry.api.context import Context, GInfo
from registry.api.errors import (
    CONFLICT_MESSAGE,
    RETRYABLE_SQLSTATES,
    UserError,
    duplicate_problem,
    sqlstate,
    user_errors,
)
from registry.api.inputs import argument_problems
from registry.audit.changelog import Recorder
from registry.core.errors import ErrorCode, Problem, UserErrors
from registry.writes.commands import execute

log = logging.getLogger(__name__)


class WriteInput(Protocol):
    """A mutation's input: it knows the command it asks for."""

    def command(self, ctx: Context) -> object: ...


class Payload(Protocol):
    """A mutation's payload: it presents a service's result, or is built from refusals."""

    user_errors: list[UserError]

    @classmethod
    async def of(cls, session: AsyncSession, result: Any) -> Any: ...


P = TypeVar("P", bound=Payload)


async def run(info: GInfo, input: WriteInput, payload: type[P]) -> P:
    """Run the command `input` asks for in one write transaction and present its result as
    `payload`; or return `payload` with the userErrors that refused it, nothing written.
    A deadlock or serialization failure is retried once, so services must be safe to run
    twice."""
    ctx = info.context
    actor = ctx.require_actor()
    for attempt in (1, 2):
        try:
            actor.require_write()
            if problems := argument_problems(info):
                raise UserErrors(problems)
            command = input.command(ctx)
            async with ctx.db.write() as session:
                Recorder(session, actor.token_id, ctx.request_id)
                result = await execute(session, actor, command)
                return await payload.of(session, result)
        except UserErrors as refused:
            return refusal(payload, user_errors(refused.problems))
        except IntegrityError as error:
            duplicate = duplicate_problem(error)
            if duplicate is None:
                raise
            return refusal(payload, user_errors([duplicate]))
        except DBAPIError as error:
            if sqlstate(error) not in RETRYABLE_SQLSTATES:
                raise
            log.info("write %s: %s on attempt %d", ctx.request_id, sqlstate(error), attempt)
    conflict = Problem("input", CONFLICT_MESSAGE, ErrorCode.CONFLICT, "CHANGED_AT_ONCE")
    return refusal(payload, user_errors([conflict]))


def refusal(payload: type[P], errors: list[UserError]) -> P:
    """The payload of a refused write: its errors, every list empty, everything else null."""
    values: dict[str, Any] = {}
    for field in payload.__strawberry_definition__.fields:  # type: ignore[attr-defined]  # set by @strawberry.type
        if field.python_name == "user_errors":
            values[field.python_name] = errors
        else:
            values[field.python_name] = [] if isinstance(field.type, StrawberryList) else None
    return payload(**values)


async def ask(
    info: GInfo, question: Callable[[AsyncSession, Actor], Awaitable[Any]], payload: type[P]
) -> P:
    """A planner's proposal: `question` runs in a read session with the caller's scope (any
    token that sees the scope may ask; nothing is written), and `payload` presents its answer,
    or carries the userErrors that refused it."""
    actor = info.context.require_actor()
    try:
        async with info.context.db.read() as session:
            return await payload.of(session, await question(session, actor))
    except UserErrors as refused:
        return refusal(payload, user_errors(refused.problems))
