"""Who is asking: a role and, unless unscoped, an organisation subtree and its territory.
Every read and write is cut to the actor's scope through the SQL conditions here."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Select, true
from sqlalchemy.sql.expression import SQLColumnExpression

from registry.access.visibility import (
    visible_member,
    visible_orgs,
    visible_places,
)
from registry.core.errors import ErrorCode, fail
from registry.core.models import Member, Organisation, Place
from registry.core.paths import subtree_end


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
        self, path_column: SQLColumnExpression[str] = Organisation.path
    ) -> ColumnElement[bool]:
        """SQL condition: the organisation lies in the actor's subtree."""
        found = visible_orgs(path_column, not self.unscoped, self.org_path)
        return true() if found is None else found

    def place_clause(
        self, path_column: SQLColumnExpression[str] = Place.path
    ) -> ColumnElement[bool]:
        """SQL condition: the place lies in the actor's territory."""
        found = visible_places(path_column, not self.unscoped, self.place_paths or ())
        return true() if found is None else found

    def narrow(self, query: Select[Any], clause: ColumnElement[bool]) -> Select[Any]:
        """`query` cut to this actor's scope by one of the clauses above. An unscoped actor's
        clauses are all true and are left out, not written as WHERE true: with any WHERE,
        SQLite counts a whole table row by row instead of from an index."""
        return query if self.unscoped else query.where(clause)

    def member_clause(self) -> ColumnElement[bool]:
        """SQL condition: the member belongs, reports to, or lives within the actor's scope."""
        found = visible_member(
            Member.org_path, Member.reports_path, Member.home_path,
            not self.unscoped, self.org_path, self.place_paths or (),
        )  # fmt: skip
        return true() if found is None else found

    def sees_org(self, path: str) -> bool:
        return self.org_path is None or (self.org_path <= path < subtree_end(self.org_path))

    def sees_place(self, path: str) -> bool:
        if self.place_paths is None:
            return True
        return any(p <= path < subtree_end(p) for p in self.place_paths)

    def require_write(self) -> None:
        """Refuse writes from viewers."""
        if not self.can_write:
            raise fail("token", "this token may only read", ErrorCode.FORBIDDEN, "READ_ONLY_TOKEN")


SYSTEM = Actor(token_id=None, role=Role.ADMIN)
