"""Batch loaders for nested fields, each batch one scoped SQL statement in its own session.

The relations of the read model (`registry.reads.model`) load through `one` and `many`, which
follow the same links, scope rules, filters and order as the compiled reads."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from strawberry.dataloader import DataLoader

from registry.access.actor import Actor
from registry.core.db import Database
from registry.core.kinds import OfficeRole
from registry.core.models import Coverage, Member, MemberSkill, Office, Organisation, Place
from registry.core.terms import CURRENT_LAST
from registry.reads import loading

Filters = tuple[tuple[str, Any], ...]
Page = tuple[int, str | None]
Found = tuple[list[Any], int, bool]


class Loaders:
    """Per-request loaders; every one applies the caller's scope."""

    def __init__(self, db: Database, actor: Actor) -> None:
        self.db = db
        self.actor = actor
        self.place: DataLoader[int, Place | None] = DataLoader(self._places)
        self.organisation: DataLoader[int, Organisation | None] = DataLoader(self._organisations)
        self.member: DataLoader[int, Member | None] = DataLoader(self._members)
        self.secretary: DataLoader[int, Member | None] = DataLoader(self._secretaries)
        self.covers: DataLoader[int, list[Place]] = DataLoader(self._covers)
        self.covered_by: DataLoader[int, list[Organisation]] = DataLoader(self._covered_by)
        self.skills: DataLoader[int, list[str]] = DataLoader(self._skills)
        self.offices_of_member: DataLoader[int, list[Office]] = DataLoader(self._member_offices)
        self.offices_of_org: DataLoader[int, list[Office]] = DataLoader(self._org_offices)
        self._ones: dict[tuple[str, str], DataLoader[int, Any | None]] = {}
        self._manys: dict[tuple[str, str, Filters, Page | None], DataLoader[int, Found]] = {}

    def one(self, entity: str, relation: str) -> DataLoader[int, Any | None]:
        """Loads, by owner id, the visible row a to-one relation of the read model names."""
        key = (entity, relation)
        if key not in self._ones:

            async def load(owners: list[int]) -> list[Any | None]:
                async with self.db.read() as session:
                    return await loading.to_one(session, self.actor, entity, relation, owners)

            self._ones[key] = DataLoader(load)
        return self._ones[key]

    def many(
        self, entity: str, relation: str, filters: Filters, page: Page | None
    ) -> DataLoader[int, Found]:
        """Loads, by owner id, the visible rows of a to-many relation of the read model meeting
        `filters` (one page of them with `page`), with their count and whether more follow."""
        key = (entity, relation, filters, page)
        if key not in self._manys:

            async def load(owners: list[int]) -> list[Found]:
                async with self.db.read() as session:
                    return await loading.to_many(
                        session, self.actor, entity, relation, filters, owners, page
                    )

            self._manys[key] = DataLoader(load)
        return self._manys[key]

    async def _rows(self, query: Any) -> Sequence[Any]:
        async with self.db.read() as session:
            return (await session.execute(query)).all()

    async def _by_id(self, model: Any, scope: Any, keys: list[int]) -> list[Any]:
        rows = await self._rows(select(model).where(model.id.in_(keys), scope))
        found = {row[0].id: row[0] for row in rows}
        return [found.get(key) for key in keys]

    async def _places(self, keys: list[int]) -> list[Place | None]:
        return await self._by_id(Place, self.actor.place_clause(), keys)

    async def _organisations(self, keys: list[int]) -> list[Organisation | None]:
        return await self._by_id(Organisation, self.actor.org_clause(), keys)

    async def _members(self, keys: list[int]) -> list[Member | None]:
        return await self._by_id(Member, self.actor.member_clause(), keys)

    async def _secretaries(self, keys: list[int]) -> list[Member | None]:
        rows = await self._rows(
            select(Office.organisation_id, Member)
            .join(Member, Member.id == Office.member_id)
            .where(Office.organisation_id.in_(keys), Office.end.is_(None))
            .where(Office.role == OfficeRole.SECRETARY.value)
            .order_by(*CURRENT_LAST)
        )
        found = {org_id: member for org_id, member in rows}
        return [found.get(key) for key in keys]

    async def _covers(self, keys: list[int]) -> list[list[Place]]:
        rows = await self._rows(
            select(Coverage.organisation_id, Place)
            .join(Place, Place.id == Coverage.place_id)
            .where(Coverage.organisation_id.in_(keys), Coverage.end.is_(None))
            .where(self.actor.place_clause())
            .order_by(Place.path)
        )
        return _grouped(rows, keys)

    async def _covered_by(self, keys: list[int]) -> list[list[Organisation]]:
        rows = await self._rows(
            select(Coverage.place_id, Organisation)
            .join(Organisation, Organisation.id == Coverage.organisation_id)
            .where(Coverage.place_id.in_(keys), Coverage.end.is_(None))
            .where(self.actor.org_clause())
            .order_by(Organisation.path)
        )
        return _grouped(rows, keys)

    async def _skills(self, keys: list[int]) -> list[list[str]]:
        rows = await self._rows(
            select(MemberSkill.member_id, MemberSkill.skill)
            .where(MemberSkill.member_id.in_(keys))
            .order_by(MemberSkill.skill)
        )
        return _grouped(rows, keys)

    async def _member_offices(self, keys: list[int]) -> list[list[Office]]:
        rows = await self._rows(
            select(Office.member_id, Office)
            .join(Organisation, Organisation.id == Office.organisation_id)
            .where(Office.member_id.in_(keys), self.actor.org_clause())
            .order_by(Office.start)
        )
        return _grouped(rows, keys)

    async def _org_offices(self, keys: list[int]) -> list[list[Office]]:
        rows = await self._rows(
            select(Office.organisation_id, Office)
            .where(Office.organisation_id.in_(keys))
            .order_by(Office.start)
        )
        return _grouped(rows, keys)


def _grouped(rows: Sequence[Any], keys: list[int]) -> list[list[Any]]:
    groups: dict[int, list[Any]] = defaultdict(list)
    for key, value in rows:
        groups[key].append(value)
    return [groups.get(key, []) for key in keys]
