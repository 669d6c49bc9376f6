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
from registry.core.models import Member, MemberSkill, Organisation, Place
from registry.reads import loading

Filters = tuple[tuple[str, Any], ...]
Page = tuple[int, str | int | None]
Found = tuple[list[Any], int, bool]


class Loaders:
    """Per-request loaders; every one applies the caller's scope."""

    def __init__(self, db: Database, actor: Actor) -> None:
        self.db = db
        self.actor = actor
        self.place: DataLoader[int, Place | None] = DataLoader(self._places)
        self.organisation: DataLoader[int, Organisation | None] = DataLoader(self._organisations)
        self.member: DataLoader[int, Member | None] = DataLoader(self._members)
        self.skills: DataLoader[int, list[str]] = DataLoader(self._skills)
        self._nodes: dict[str, DataLoader[int, Any | None]] = {}
        self._ones: dict[tuple[str, str], DataLoader[int, Any | None]] = {}
        self._manys: dict[tuple[str, str, Filters, Page], DataLoader[int, Found]] = {}

    def node(self, entity: str) -> DataLoader[int, Any | None]:
        """Loads, by id, the visible row of an entity of the read model."""
        if entity not in self._nodes:

            async def load(ids: list[int]) -> list[Any | None]:
                async with self.db.read() as session:
                    return await loading.by_ids(session, self.actor, entity, ids)

            self._nodes[entity] = DataLoader(load)
        return self._nodes[entity]

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
        self, entity: str, relation: str, filters: Filters, page: Page
    ) -> DataLoader[int, Found]:
        """Loads, by owner id, one page of the visible rows of a to-many relation of the read
        model meeting `filters`, with their count and whether more follow."""
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

    async def _skills(self, keys: list[int]) -> list[list[str]]:
        rows = await self._rows(
            select(MemberSkill.member_id, MemberSkill.skill)
            .where(MemberSkill.member_id.in_(keys))
            .order_by(MemberSkill.skill)
        )
        return _grouped(rows, keys)


def _grouped(rows: Sequence[Any], keys: list[int]) -> list[list[Any]]:
    groups: dict[int, list[Any]] = defaultdict(list)
    for key, value in rows:
        groups[key].append(value)
    return [groups.get(key, []) for key in keys]
