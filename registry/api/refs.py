"""References in the API: a global ID (`node.id`) or the user's own code, interchangeably."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import lru_cache
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.relay import GlobalID

from registry.access.actor import Actor
from registry.access.lookup import Key
from registry.access.scope import Scope, ScopeKind, ScopeRef, scope_named
from registry.api.context import GInfo
from registry.core.errors import UserErrors

R = TypeVar("R")

# Row ids are Integer columns (32-bit on PostgreSQL): a larger number names no row, and asking
# the database for it would overflow its parameter.
ID_MAX = 2**31 - 1


def node_key(node_id: str) -> int | None:
    """The row id the node part of a global ID names, or None when it names none: anything
    but plain ASCII digits (str.isdigit accepts "²") or a number out of the ids' range."""
    if not (node_id.isascii() and node_id.isdigit()):
        return None
    key = int(node_id)
    return key if 0 < key <= ID_MAX else None


@lru_cache(maxsize=4096)
def parse_ref(ref: str, type_name: str) -> Key:
    """An integer id if `ref` is a global ID of `type_name`, else `ref` taken as a code.

    A global ID of another type, or naming no possible row, is taken as a code too, and so
    will not be found. Kept for the refs asked most: telling a code from a global ID takes
    an exception, ~4 % of a lookup by code.
    """
    try:
        gid = GlobalID.from_id(ref)
    except Exception:  # noqa: BLE001 - anything that is not a global ID is a code
        return ref
    key = node_key(gid.node_id) if gid.type_name == type_name else None
    return ref if key is None else key


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


async def scope_by_ref(
    session: AsyncSession, actor: Actor, ref: str, field: str = "scope"
) -> Scope:
    """The scope a reference names (a Place or Organisation global ID, else a place code, else
    an organisation code); a NOT_FOUND user error when nothing in the caller's scope matches."""
    return await scope_named(session, actor, scope_ref(ref), field)


def scope_ref(ref: str) -> ScopeRef:
    """The scope a reference names, unresolved: a Place or Organisation global ID, else a
    code (tried as a place code, then as an organisation code)."""
    ref = ref.strip()
    kind = {"Place": ScopeKind.PLACE, "Organisation": ScopeKind.ORGANISATION}.get(
        ref_kind(ref) or ""
    )
    return ScopeRef(parse_ref(ref, "Place" if kind is ScopeKind.PLACE else "Organisation"), kind)


async def find_scope(
    info: GInfo, actor: Actor, ref: str, session: AsyncSession | None = None
) -> Scope | None:
    """`scope_by_ref` for queries: None, not an error, when nothing in the caller's scope
    matches. Read in `session` when given (saving a connection round), else in one of its own."""
    if session is None:
        async with info.context.db.read() as own:
            return await find_scope(info, actor, ref, own)
    try:
        return await scope_by_ref(session, actor, ref)
    except UserErrors:
        return None
