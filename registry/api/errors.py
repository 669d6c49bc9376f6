"""User errors in payloads, and the one way mutations run: all of it or nothing."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from registry.api.context import GInfo
from registry.api.enums import ErrorCodeEnum
from registry.auth import Actor
from registry.changelog import Recorder
from registry.errors import ErrorCode, Problem, UserErrors

R = TypeVar("R")


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
    UserErrors, in which case the transaction was rolled back whole.
    """
    ctx = info.context
    actor = ctx.require_actor()
    try:
        actor.require_write()
        async with ctx.db.write() as session:
            recorder = Recorder(session, actor.token_id, ctx.request_id, message)
            result = await work(session, actor, recorder)
    except UserErrors as refused:
        return None, user_errors(refused.problems)
    return result, []
