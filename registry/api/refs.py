"""References in the API: a global ID (`node.id`) or the user's own code, interchangeably."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.relay import GlobalID

from registry.api.context import GInfo
from registry.auth import Actor
from registry.errors import UserErrors
from registry.lookup import Key

R = TypeVar("R")


def parse_ref(ref: str, type_name: str) -> Key:
    """An integer id if `ref` is a global ID of `type_name`, else `ref` taken as a code.

    A global ID of another type is taken as a code too, and so will not be found.
    """
    try:
        gid = GlobalID.from_id(ref)
    except Exception:  # noqa: BLE001 - anything that is not a global ID is a code
        return ref
    if gid.type_name == type_name and gid.node_id.isdigit():
        return int(gid.node_id)
    return ref


def ref_kind(ref: str) -> str | None:
    """The type name a global ID names, or None for a code."""
    try:
        return GlobalID.from_id(ref).type_name
    except Exception:  # noqa: BLE001
        return None


async def find_by_ref(
    info: GInfo,
    lookup: Callable[[AsyncSession, Actor, Key], Awaitable[R]],
    type_name: str,
    id: str | None,
    code: str | None,
) -> R | None:
    """The row a query field names by global ID or code, or None when there is none in scope."""
    actor = info.context.require_actor()
    ref = id or code
    if ref is None:
        return None
    async with info.context.db.read() as session:
        try:
            return await lookup(session, actor, parse_ref(ref, type_name))
        except UserErrors:
            return None
