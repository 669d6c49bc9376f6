"""Bearer tokens: issued once (stored as digests), checked on every request into an actor."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    DateTime,
    Select,
    and_,
    bindparam,
    delete,
    func,
    join,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from registry.access.actor import Actor, Role
from registry.core.config import MAX_TOKEN_DAYS
from registry.core.db import column_rows
from registry.core.errors import ErrorCode, fail
from registry.core.models import ApiToken, ConsoleSession, Coverage, Organisation, Place
from registry.core.paths import (
    bound_subtree,
    in_subtree_of,
    reduce_to_tops,
    within_bound,
)
from registry.core.validation import character_problem

TOKEN_PREFIX = "grt_"
LONGEST = timedelta(days=MAX_TOKEN_DAYS)


def hash_token(raw: str) -> str:
    """Tokens are stored as SHA-256 digests; the raw value is shown once, at creation."""
    return hashlib.sha256(raw.encode()).hexdigest()


async def create_token(
    session: AsyncSession,
    role: Role,
    scope_code: str | None = None,
    label: str | None = None,
    expires_at: datetime | None = None,
) -> str:
    """Create a token and return its raw value. Unscoped tokens are for admins only."""
    # Typed on a command line, and listed one token a line: text like any other.
    label_max = ApiToken.__table__.c.label.type.length
    for field, value in (("scope", scope_code), ("label", label)):
        if value is not None and (problem := character_problem(value, multiline=False)):
            raise fail(
                field,
                f"{field} {problem}",
                ErrorCode.INVALID,
                "TEXT_CHARACTERS",
            )
    if label is not None and len(label) > label_max:
        raise fail(
            "label",
            f"label is longer than {label_max} characters",
            ErrorCode.INVALID,
            "TEXT_TOO_LONG",
            max=label_max,
        )
    if expires_at is not None and expires_at > datetime.now(UTC) + LONGEST:
        raise fail(
            "days",
            f"a token lasts at most {MAX_TOKEN_DAYS} days",
            ErrorCode.INVALID,
            "TOKEN_DAYS",
            maximum=MAX_TOKEN_DAYS,
        )
    scope_id = None
    if scope_code is None:
        if role != Role.ADMIN:
            raise fail(
                "scope",
                "only admin tokens may be unscoped; pass --scope ORGCODE",
                ErrorCode.INVALID,
                "UNSCOPED_NEEDS_ADMIN",
            )
    else:
        scope_id = await session.scalar(
            select(Organisation.id).where(Organisation.code == scope_code)
        )
        if scope_id is None:
            raise fail(
                "scope",
                f"no organisation with code {scope_code!r}",
                ErrorCode.NOT_FOUND,
                "NOT_IN_SCOPE",
                noun="organisation",
                ref=scope_code,
            )
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(
        ApiToken(
            token_hash=hash_token(raw),
            role=role.value,
            scope_organisation_id=scope_id,
            label=label,
            expires_at=expires_at,
        )
    )
    await session.flush()
    return raw


def _covered_paths(org: Any, in_scope: ColumnElement[bool]) -> Select[Any]:
    """The paths of the places covered (today) by the organisations `org` meeting `in_scope`:
    a territory before `reduce_to_tops`."""
    return (
        select(Place.path)
        .select_from(org)
        .join(Coverage, and_(Coverage.organisation_id == org.id, Coverage.end.is_(None)))
        .join(Place, Place.id == Coverage.place_id)
        .where(in_scope)
    )


# Built once: composing a statement costs more than running it on every request. One
# statement per request: the token, its scope's path, and that scope's territory (the paths of
# the places covered by an organisation in the scope, joined by commas, which paths never hold;
# NULL for none). The territory is a correlated aggregate: both planners seek it from the path.
_BELOW = aliased(Organisation)


def _token_statement(joined: Any, *conditions: ColumnElement[bool]) -> Select[Any]:
    return (
        select(
            ApiToken.id,
            ApiToken.role,
            ApiToken.scope_organisation_id,
            ApiToken.revoked_at,
            ApiToken.expires_at,
            Organisation.path,
            _covered_paths(_BELOW, in_subtree_of(_BELOW.path, Organisation.path))
            .with_only_columns(func.aggregate_strings(Place.path, ","))
            .scalar_subquery(),
        )
        .select_from(joined)
        .outerjoin(Organisation, Organisation.id == ApiToken.scope_organisation_id)
        .where(*conditions)
    )


_TOKEN = _token_statement(ApiToken, ApiToken.token_hash == bindparam("token_hash"))
# The same for the token a console session was opened with, while the session lasts.
_SESSION_TOKEN = _token_statement(
    join(ConsoleSession, ApiToken, ApiToken.id == ConsoleSession.token_id),
    ConsoleSession.session_hash == bindparam("session_hash"),
    ConsoleSession.expires_at > bindparam("now", type_=DateTime(timezone=True)),
)
_TERRITORY = _covered_paths(Organisation, within_bound(Organisation.path, "org")).distinct()


async def authenticate(session: AsyncSession, raw: str | None) -> Actor | None:
    """The actor for a raw bearer token, or None if it is unknown, revoked or expired."""
    if not raw:
        return None
    # Read on every request, never cached: a revoked token is refused by the very next request,
    # whichever worker serves it.
    return _actor(await column_rows(session, _TOKEN, {"token_hash": hash_token(raw)}))


async def authenticate_session(session: AsyncSession, raw: str | None) -> Actor | None:
    """The actor of a console session id, or None if the session is unknown or over, or its
    token is revoked or expired."""
    if not raw:
        return None
    rows = await column_rows(
        session, _SESSION_TOKEN, {"session_hash": hash_token(raw), "now": datetime.now(UTC)}
    )
    return _actor(rows)


async def open_session(
    session: AsyncSession, actor: Actor, lasting: timedelta, replacing: str | None = None
) -> str:
    """Open a console session for an authenticated actor's token; returns its raw id, which
    only the cookie holds. The session the browser held before (`replacing`) ends, and so do
    all sessions that are over, so the table keeps only live ones."""
    assert actor.token_id is not None
    now = datetime.now(UTC)
    await close_session(session, replacing)
    await session.execute(delete(ConsoleSession).where(ConsoleSession.expires_at <= now))
    raw = secrets.token_urlsafe(32)
    session.add(
        ConsoleSession(
            session_hash=hash_token(raw),
            token_id=actor.token_id,
            expires_at=now + lasting,
        )
    )
    await session.flush()
    return raw


async def close_session(session: AsyncSession, raw: str | None) -> None:
    """Sign out: the session id stops working at once (and the row is gone)."""
    if raw:
        await session.execute(
            delete(ConsoleSession).where(ConsoleSession.session_hash == hash_token(raw))
        )


def _actor(rows: Any) -> Actor | None:
    if not rows:
        return None
    token_id, role, scope_id, revoked_at, expires_at, org_path, places = rows[0]
    if revoked_at is not None:
        return None
    if expires_at is not None and _aware(expires_at) <= datetime.now(UTC):
        return None
    if scope_id is None:
        return Actor(token_id=token_id, role=Role(role))
    assert org_path is not None
    return Actor(
        token_id=token_id,
        role=Role(role),
        org_path=org_path,
        place_paths=reduce_to_tops(places.split(",") if places else ()),
    )


async def territory(session: AsyncSession, org_path: str) -> tuple[str, ...]:
    """The place subtrees covered by an organisation subtree, reduced to their tops."""
    rows = await session.scalars(_TERRITORY, bound_subtree("org", org_path))
    return reduce_to_tops(rows)


def _aware(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; they were stored in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
