"""Bearer tokens: issued once (stored as digests), checked on every request into an actor."""

from __future__ import annotations

import hashlib
import math
import secrets
import time
import weakref
from collections.abc import Awaitable, Callable, Sequence
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
    null,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlalchemy.sql.expression import SQLColumnExpression

from registry.access.actor import Actor, Role
from registry.access.changes import changes_of
from registry.core.config import MAX_TOKEN_DAYS
from registry.core.db import Database, column_rows
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
    label_max = ApiToken.label.type.length
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
# statement per check: the token, its scope's path, and that scope's territory (the paths of
# the places covered by an organisation in the scope, joined by commas, which paths never hold;
# NULL for none). The territory is a correlated aggregate: both planners seek it from the path.
# The last column is until when a console session lasts (NULL for a bearer token).
_BELOW = aliased(Organisation)


def _token_statement(
    joined: Any, until: SQLColumnExpression[Any], *conditions: ColumnElement[bool]
) -> Select[Any]:
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
            until,
        )
        .select_from(joined)
        .outerjoin(Organisation, Organisation.id == ApiToken.scope_organisation_id)
        .where(*conditions)
    )


_TOKEN = _token_statement(
    ApiToken,
    null().cast(DateTime(timezone=True)),
    ApiToken.token_hash == bindparam("token_hash"),
)
# The same for the token a console session was opened with, while the session lasts.
_SESSION_TOKEN = _token_statement(
    join(ConsoleSession, ApiToken, ApiToken.id == ConsoleSession.token_id),
    ConsoleSession.expires_at,
    ConsoleSession.session_hash == bindparam("session_hash"),
    ConsoleSession.expires_at > bindparam("now", type_=DateTime(timezone=True)),
)
_TERRITORY = _covered_paths(Organisation, within_bound(Organisation.path, "org")).distinct()

# A cache holds at most this many actors; when full it starts again (tokens in use at once
# are few, so only someone trying tokens by the thousand would fill it).
_MOST_KEPT = 10_000


class ActorCache:
    """A process's actors of the tokens and console sessions it has checked, by digest, each
    with the moment it stops holding (the token's or session's end). Kept only while the
    process hears of every change to what tokens grant (`registry.access.changes`): a change
    this process commits empties the cache before its next request (`keep_actors`), one made
    elsewhere as soon as the process hears of it (on SQLite before its next request, on
    PostgreSQL when the notification arrives, milliseconds after the commit)."""

    def __init__(self, database_url: str) -> None:
        self.kept: dict[str, tuple[Actor, float]] = {}
        # Bumped by every change: a check that read the database before a change must not
        # keep what it read after it.
        self.generation = 0
        self.changes = changes_of(database_url, self.forget)

    def forget(self) -> None:
        """Drop everything kept (something changed)."""
        self.generation += 1
        self.kept = {}

    def kept_now(self, key: str) -> Actor | None:
        """The actor kept for digest `key`, when the process knows it still holds without
        waiting for anything (None: only `actor` can tell)."""
        if not self.changes.heard_now():
            return None
        found = self.kept.get(key)
        if found is None:
            return None
        kept, until = found
        if time.time() < until:
            return kept
        del self.kept[key]  # over: the database says what it has become
        return None

    async def actor(self, key: str, read: Callable[[], Awaitable[Sequence[Any]]]) -> Actor | None:
        """The actor for digest `key`: kept, or from the rows `read` gives (and then kept)."""
        kept = self.kept_now(key)
        if kept is not None:
            return kept
        heard = self.changes.heard_now()
        if heard is None:
            heard = await self.changes.heard()
        if not heard:
            return _actor(await read())[0]
        generation = self.generation
        actor, until = _actor(await read())
        if actor is not None and generation == self.generation:
            if len(self.kept) >= _MOST_KEPT:
                self.kept = {}
            self.kept[key] = (actor, until)
        return actor


# Each database's cache, by the database object's id: a WeakKeyDictionary makes a weak
# reference on every lookup, and a token is looked up on every request. The entry goes when its
# database does (`weakref.finalize`), so an id is never looked up for another database.
_caches: dict[int, ActorCache] = {}


def keep_actors(db: Database) -> None:
    """Let `authenticate` keep the actors of the tokens it checks on `db` for this process (a
    server's; see `ActorCache`). Without it every check reads the database."""
    if id(db) not in _caches:
        cache = _caches[id(db)] = ActorCache(db.url)
        weakref.finalize(db, _caches.pop, id(db), None)
        # This process's own writes (a sign-out, a scope narrowed) count for its very next
        # request; other processes hear of them by notification.
        db.after_commit.append(cache.forget)


async def stop_keeping_actors(db: Database) -> None:
    """Close what `keep_actors` opened (the listening connection)."""
    cache = _caches.pop(id(db), None)
    if cache is not None:
        db.after_commit.remove(cache.forget)
        await cache.changes.close()


def kept_actor(db: Database, raw: str) -> Actor | None:
    """The actor for a raw bearer token when this process has it kept and knows it still
    holds (None: ask `authenticate`). Answered without a coroutine: it is asked on every
    request, and the coroutines around `authenticate` cost `{ __typename }` 4 % of its
    instructions."""
    cache = _caches.get(id(db))
    return None if cache is None else cache.kept_now("t" + hash_token(raw))


async def authenticate(db: Database, raw: str | None) -> Actor | None:
    """The actor for a raw bearer token, or None if it is unknown, revoked or expired."""
    if not raw:
        return None
    digest = hash_token(raw)

    async def read() -> Sequence[Any]:
        async with db.read() as session:
            return await column_rows(session, _TOKEN, {"token_hash": digest})

    cache = _caches.get(id(db))
    return await (cache.actor("t" + digest, read) if cache else _read_actor(read))


async def authenticate_session(db: Database, raw: str | None) -> Actor | None:
    """The actor of a console session id, or None if the session is unknown or over, or its
    token is revoked or expired."""
    if not raw:
        return None
    digest = hash_token(raw)

    async def read() -> Sequence[Any]:
        async with db.read() as session:
            params = {"session_hash": digest, "now": datetime.now(UTC)}
            return await column_rows(session, _SESSION_TOKEN, params)

    cache = _caches.get(id(db))
    return await (cache.actor("s" + digest, read) if cache else _read_actor(read))


async def _read_actor(read: Callable[[], Awaitable[Sequence[Any]]]) -> Actor | None:
    return _actor(await read())[0]


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


def _actor(rows: Sequence[Any]) -> tuple[Actor | None, float]:
    """The actor of a token statement's rows (None: unknown, revoked or over), and until when
    it holds (a POSIX time; infinity for a token that never ends)."""
    if not rows:
        return None, 0.0
    token_id, role, scope_id, revoked_at, expires_at, org_path, places, session_until = rows[0]
    if revoked_at is not None:
        return None, 0.0
    ends = [_aware(moment).timestamp() for moment in (expires_at, session_until) if moment]
    until = min(ends, default=math.inf)
    if until <= time.time():
        return None, 0.0
    if scope_id is None:
        return Actor(token_id=token_id, role=Role(role)), until
    assert org_path is not None
    actor = Actor(
        token_id=token_id,
        role=Role(role),
        org_path=org_path,
        place_paths=reduce_to_tops(places.split(",") if places else ()),
    )
    return actor, until


async def territory(session: AsyncSession, org_path: str) -> tuple[str, ...]:
    """The place subtrees covered by an organisation subtree, reduced to their tops."""
    rows = await session.scalars(_TERRITORY, bound_subtree("org", org_path))
    return reduce_to_tops(rows)


def _aware(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; they were stored in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
