"""Bearer tokens and the scope they grant: every read and write is cut to the token's subtree."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, bindparam, func, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from registry.db import column_rows
from registry.errors import ErrorCode, fail
from registry.models import ApiToken, Coverage, Member, Organisation, Place
from registry.paths import (
    bound_subtree,
    in_subtree_of,
    reduce_to_tops,
    subtree_end,
    within,
    within_any,
    within_bound,
)
from registry.validation import character_problem

TOKEN_PREFIX = "grt_"


class Role(StrEnum):
    ADMIN = "admin"
    ORGANISER = "organiser"
    VIEWER = "viewer"


@dataclass(frozen=True)
class Actor:
    """Who is asking: a role and, unless unscoped, an organisation subtree and its territory."""

    token_id: int | None
    role: Role
    org_path: str | None = None
    place_paths: tuple[str, ...] | None = None

    @property
    def can_write(self) -> bool:
        return self.role in (Role.ADMIN, Role.ORGANISER)

    @property
    def masks_phones(self) -> bool:
        return self.role == Role.VIEWER

    @property
    def unscoped(self) -> bool:
        return self.org_path is None

    def org_clause(
        self, path_column: ColumnElement[str] = Organisation.path
    ) -> ColumnElement[bool]:
        """SQL condition: the organisation lies in the actor's subtree."""
        if self.org_path is None:
            return true()
        return within(path_column, self.org_path)

    def place_clause(self, path_column: ColumnElement[str] = Place.path) -> ColumnElement[bool]:
        """SQL condition: the place lies in the actor's territory."""
        if self.place_paths is None:
            return true()
        return within_any(path_column, self.place_paths)

    def narrow(self, query: Select[Any], clause: ColumnElement[bool]) -> Select[Any]:
        """`query` cut to this actor's scope by one of the clauses above. An unscoped actor's
        clauses are all true and are left out, not written as WHERE true: with any WHERE,
        SQLite counts a whole table row by row instead of from an index."""
        return query if self.unscoped else query.where(clause)

    def member_clause(self) -> ColumnElement[bool]:
        """SQL condition: the member belongs, reports to, or lives within the actor's scope."""
        if self.org_path is None:
            return true()
        orgs = select(Organisation.id).where(self.org_clause())
        homes = select(Place.id).where(self.place_clause())
        return or_(
            Member.organisation_id.in_(orgs),
            Member.reports_to_id.in_(orgs),
            Member.household_id.in_(homes),
        )

    def sees_org(self, path: str) -> bool:
        return self.org_path is None or (self.org_path <= path < subtree_end(self.org_path))

    def sees_place(self, path: str) -> bool:
        if self.place_paths is None:
            return True
        return any(p <= path < subtree_end(p) for p in self.place_paths)

    def require_write(self) -> None:
        """Refuse writes from viewers."""
        if not self.can_write:
            raise fail("token", "this token may only read", ErrorCode.FORBIDDEN)


SYSTEM = Actor(token_id=None, role=Role.ADMIN)


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
            raise fail(field, f"{field} {problem}")
    if label is not None and len(label) > label_max:
        raise fail("label", f"label is longer than {label_max} characters")
    scope_id = None
    if scope_code is None:
        if role != Role.ADMIN:
            raise fail("scope", "only admin tokens may be unscoped; pass --scope ORGCODE")
    else:
        scope_id = await session.scalar(
            select(Organisation.id).where(Organisation.code == scope_code)
        )
        if scope_id is None:
            raise fail("scope", f"no organisation with code {scope_code!r}", ErrorCode.NOT_FOUND)
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
_TOKEN = (
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
    .outerjoin(Organisation, Organisation.id == ApiToken.scope_organisation_id)
    .where(ApiToken.token_hash == bindparam("token_hash"))
)
_TERRITORY = _covered_paths(Organisation, within_bound(Organisation.path, "org")).distinct()


async def authenticate(session: AsyncSession, raw: str | None) -> Actor | None:
    """The actor for a raw bearer token, or None if it is unknown, revoked or expired."""
    if not raw:
        return None
    # Read on every request, never cached: a revoked token is refused by the very next request,
    # whichever worker serves it.
    rows = await column_rows(session, _TOKEN, {"token_hash": hash_token(raw)})
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
