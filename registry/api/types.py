"""The registry's nodes: places, organisations, members and offices.

Types are built from rows up front; nested objects come through the scoped loaders.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

import strawberry
from strawberry import relay

from registry.api.context import GInfo
from registry.api.enums import (
    GENDER,
    MEMBER_STATUS,
    OFFICE_ROLE,
    ORG_KIND,
    ORG_STATUS,
    PLACE_KIND,
    GenderEnum,
    MemberStatusEnum,
    OfficeRoleEnum,
    OrgKindEnum,
    OrgStatusEnum,
    PlaceKindEnum,
)
from registry.api.execution import prefetched
from registry.core import models
from registry.core.config import RuleThresholds


def _ids(node_ids: Iterable[str]) -> list[int]:
    return [int(i) if str(i).isdigit() else -1 for i in node_ids]


def mask_phone(phone: str) -> str:
    """Keep the first three and last four digits, as Chinese services usually show them."""
    return phone[:3] + "*" * max(len(phone) - 7, 0) + phone[-4:] if len(phone) > 7 else "****"


@strawberry.type
class Place(relay.Node):
    """A node of the territory: subdistrict, community, grid, estate, building, unit, household."""

    id: relay.NodeID[int]
    code: str
    kind: PlaceKindEnum
    name: str
    depth: int
    version: int
    parent_key: strawberry.Private[int | None]
    ready: strawberry.Private[dict[str, Any] | None] = None
    """Nested objects fetched up front by a list query (`registry.api.prefetch`)."""

    @classmethod
    def from_row(cls, row: models.Place) -> Place:
        return cls(
            id=row.id,
            code=row.code,
            kind=PLACE_KIND(row.kind),
            name=row.name,
            depth=row.depth,
            version=row.version,
            parent_key=row.parent_id,
        )

    @strawberry.field
    @prefetched
    def parent(self, info: GInfo) -> Place | None:
        return self._parent(info)  # type: ignore[return-value]

    async def _parent(self, info: GInfo) -> Place | None:
        if self.parent_key is None:
            return None
        row = await info.context.loaders.place.load(self.parent_key)
        return Place.from_row(row) if row else None

    @strawberry.field(description="Active organisations covering this place.")
    async def covered_by(self, info: GInfo) -> list[Organisation]:
        rows = await info.context.loaders.covered_by.load(self.id)
        return [Organisation.from_row(row) for row in rows]

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: GInfo, node_ids: Iterable[str], required: bool = False
    ) -> list[Place | None]:
        rows = await info.context.loaders.place.load_many(_ids(node_ids))
        return [cls.from_row(row) if row else None for row in rows]


@strawberry.type
class Organisation(relay.Node):
    """A Party organisation. Merged or dissolved ones stay readable, closed."""

    id: relay.NodeID[int]
    code: str
    kind: OrgKindEnum
    name: str
    depth: int
    status: OrgStatusEnum
    established: date | None
    closed_on: date | None
    approved_on: date | None
    version: int
    parent_key: strawberry.Private[int | None]
    merged_into_key: strawberry.Private[int | None]
    approved_by_key: strawberry.Private[int | None]
    ready: strawberry.Private[dict[str, Any] | None] = None
    """Nested objects fetched up front by a list query (`registry.api.prefetch`)."""

    @classmethod
    def from_row(cls, row: models.Organisation) -> Organisation:
        return cls(
            id=row.id,
            code=row.code,
            kind=ORG_KIND(row.kind),
            name=row.name,
            depth=row.depth,
            status=ORG_STATUS(row.status),
            established=row.established,
            closed_on=row.closed_on,
            approved_on=row.approved_on,
            version=row.version,
            parent_key=row.parent_id,
            merged_into_key=row.merged_into_id,
            approved_by_key=row.approved_by_id,
        )

    async def _org(self, info: GInfo, key: int | None) -> Organisation | None:
        if key is None:
            return None
        row = await info.context.loaders.organisation.load(key)
        return Organisation.from_row(row) if row else None

    @strawberry.field
    async def parent(self, info: GInfo) -> Organisation | None:
        return await self._org(info, self.parent_key)

    @strawberry.field(description="The organisation this one was merged into, if merged.")
    async def merged_into(self, info: GInfo) -> Organisation | None:
        return await self._org(info, self.merged_into_key)

    @strawberry.field(description="The higher organisation that approved its last change.")
    async def approved_by(self, info: GInfo) -> Organisation | None:
        return await self._org(info, self.approved_by_key)

    @strawberry.field(description="Places this organisation covers now.")
    async def covers(self, info: GInfo) -> list[Place]:
        rows = await info.context.loaders.covers.load(self.id)
        return [Place.from_row(row) for row in rows]

    @strawberry.field(description="The current secretary, if any.")
    @prefetched
    def secretary(self, info: GInfo) -> Member | None:
        return self._secretary(info)  # type: ignore[return-value]

    async def _secretary(self, info: GInfo) -> Member | None:
        row = await info.context.loaders.secretary.load(self.id)
        return Member.from_row(row) if row else None

    @strawberry.field(description="Offices held in this organisation, current and past.")
    async def offices(self, info: GInfo, current: bool = True) -> list[Office]:
        rows = await info.context.loaders.offices_of_org.load(self.id)
        return [Office.from_row(row) for row in rows if not current or row.end is None]

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: GInfo, node_ids: Iterable[str], required: bool = False
    ) -> list[Organisation | None]:
        rows = await info.context.loaders.organisation.load_many(_ids(node_ids))
        return [cls.from_row(row) if row else None for row in rows]


@strawberry.type
class Member(relay.Node):
    """A Party member. Phones are masked for viewers."""

    id: relay.NodeID[int]
    code: str
    name: str
    gender: GenderEnum | None
    status: MemberStatusEnum
    joined: date | None
    full_on: date | None
    workplace: str | None
    in_service: bool = strawberry.field(
        description="In service: formal tie at a workplace, reporting where they live."
    )
    version: int
    organisation_key: strawberry.Private[int | None]
    household_key: strawberry.Private[int | None]
    reports_to_key: strawberry.Private[int | None]
    phone_raw: strawberry.Private[str | None]
    task_capacity: int = strawberry.field(
        description="How many tasks the member may hold at once when mobilised: their own "
        "capacity, or the deployment default when they have none (the effective value)."
    )
    ready: strawberry.Private[dict[str, Any] | None] = None
    """Nested objects fetched up front by a list query (`registry.api.prefetch`)."""

    @classmethod
    def from_row(cls, row: models.Member) -> Member:
        return cls(
            id=row.id,
            code=row.code,
            name=row.name,
            gender=GENDER(row.gender) if row.gender else None,
            status=MEMBER_STATUS(row.status),
            joined=row.joined,
            full_on=row.full_on,
            workplace=row.workplace,
            in_service=row.workplace is not None,
            version=row.version,
            organisation_key=row.organisation_id,
            household_key=row.household_id,
            reports_to_key=row.reports_to_id,
            phone_raw=row.phone,
            task_capacity=row.task_capacity or RuleThresholds.default_task_capacity,
        )

    @strawberry.field
    @prefetched
    def phone(self, info: GInfo) -> str | None:
        return self.phone_for(info.context.require_actor().masks_phones)

    def phone_for(self, masked: bool) -> str | None:
        """The phone number as a caller sees it: masked for viewers."""
        if self.phone_raw is None:
            return None
        return mask_phone(self.phone_raw) if masked else self.phone_raw

    async def _org(self, info: GInfo, key: int | None) -> Organisation | None:
        if key is None:
            return None
        row = await info.context.loaders.organisation.load(key)
        return Organisation.from_row(row) if row else None

    # The nested fields below are sync and `prefetched`: an answer fetched up front (`ready`)
    # is read like a plain field; without one they hand graphql-core the loader's awaitable.

    @strawberry.field(description="The one formal organisation (none for in-service members).")
    @prefetched
    def organisation(self, info: GInfo) -> Organisation | None:
        return self._org(info, self.organisation_key)  # type: ignore[return-value]

    @strawberry.field(description="Where an in-service member reports (双报到).")
    @prefetched
    def reports_to(self, info: GInfo) -> Organisation | None:
        return self._org(info, self.reports_to_key)  # type: ignore[return-value]

    @strawberry.field
    @prefetched
    def household(self, info: GInfo) -> Place | None:
        return self._household(info)  # type: ignore[return-value]

    async def _household(self, info: GInfo) -> Place | None:
        if self.household_key is None:
            return None
        row = await info.context.loaders.place.load(self.household_key)
        return Place.from_row(row) if row else None

    @strawberry.field
    @prefetched
    def skills(self, info: GInfo) -> list[str]:
        return info.context.loaders.skills.load(self.id)  # type: ignore[return-value]

    @strawberry.field
    async def offices(self, info: GInfo, current: bool = True) -> list[Office]:
        rows = await info.context.loaders.offices_of_member.load(self.id)
        return [Office.from_row(row) for row in rows if not current or row.end is None]

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: GInfo, node_ids: Iterable[str], required: bool = False
    ) -> list[Member | None]:
        rows = await info.context.loaders.member.load_many(_ids(node_ids))
        return [cls.from_row(row) if row else None for row in rows]


@strawberry.type
class Office(relay.Node):
    """A dated term in an office."""

    id: relay.NodeID[int]
    role: OfficeRoleEnum
    start: date | None
    end: date | None
    member_key: strawberry.Private[int]
    organisation_key: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: models.Office) -> Office:
        return cls(
            id=row.id,
            role=OFFICE_ROLE(row.role),
            start=row.start,
            end=row.end,
            member_key=row.member_id,
            organisation_key=row.organisation_id,
        )

    @strawberry.field
    async def member(self, info: GInfo) -> Member | None:
        row = await info.context.loaders.member.load(self.member_key)
        return Member.from_row(row) if row else None

    @strawberry.field
    async def organisation(self, info: GInfo) -> Organisation | None:
        row = await info.context.loaders.organisation.load(self.organisation_key)
        return Organisation.from_row(row) if row else None

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: GInfo, node_ids: Iterable[str], required: bool = False
    ) -> list[Office | None]:
        from sqlalchemy import select

        from registry.core.models import Office as OfficeRow
        from registry.core.models import Organisation as OrgRow

        actor = info.context.require_actor()
        keys = _ids(node_ids)
        async with info.context.db.read() as session:
            rows = await session.scalars(
                select(OfficeRow)
                .join(OrgRow, OrgRow.id == OfficeRow.organisation_id)
                .where(OfficeRow.id.in_(keys), actor.org_clause())
            )
            found: dict[int, Any] = {row.id: row for row in rows}
        return [cls.from_row(found[k]) if k in found else None for k in keys]
