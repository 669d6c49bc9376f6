"""The registry's nodes: places, organisations, members and offices.

Types are built from rows up front; nested objects come through the scoped loaders. Every
relation a client walks (an organisation's children, groups and members, a place's children,
residents and contact, a member's households) is a connection or object of the read model
(`registry.reads.model`): the same scope rule and order whether a list query compiles it into
its statement or these resolvers load it in batches.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import Annotated, Any, TypeVar

import strawberry
from strawberry import relay

from registry.api.context import GInfo
from registry.api.enums import (
    ELECTION_KIND,
    GENDER,
    LEAVING_WAY,
    MEMBER_STATUS,
    OFFICE_ROLE,
    ORG_KIND,
    ORG_STATUS,
    PLACE_KIND,
    STANDING_KIND,
    ElectionKindEnum,
    GenderEnum,
    LeavingWayEnum,
    MemberStatusEnum,
    OfficeRoleEnum,
    OrgKindEnum,
    OrgStatusEnum,
    PlaceKindEnum,
    StandingKindEnum,
)
from registry.api.limits import filter_text
from registry.api.paging import Connection, cursor_key, page_of
from registry.core import models
from registry.core.config import RuleThresholds
from registry.core.db import AnyRow
from registry.core.kinds import TERM_KINDS
from registry.core.models import SKILL_MAX
from registry.core.records import MemberRecord, OrgRecord
from registry.core.terms import current_term
from registry.reads.member_records import placements_of, standings_of
from registry.reads.model import ENTITIES
from registry.reads.transfers import TransferSide, transfers_of

T = TypeVar("T")
# Reports that name the nodes back are declared lazily, by module path: this module imports
# neither (no import circle); strawberry resolves the names when it builds the schema.
CoverageOf = Annotated["CoverageReport", strawberry.lazy("registry.api.coverage")]  # type: ignore[name-defined]  # noqa: F821 - resolved by strawberry.lazy
AssignmentOf = Annotated["Assignment", strawberry.lazy("registry.api.tasks")]  # type: ignore[name-defined]  # noqa: F821 - resolved by strawberry.lazy


def _ids(node_ids: Iterable[str]) -> list[int]:
    return [int(i) if str(i).isdigit() else -1 for i in node_ids]


@strawberry.input(description="Which members of a roster to list (all of them when empty).")
class RosterFilter:
    status: MemberStatusEnum | None = None
    in_service: bool | None = None
    skill: str | None = None
    include_departed: bool = strawberry.field(
        default=False,
        description="List those who left the Party or died too (history); live members only "
        "unless true.",
    )

    def pairs(self) -> tuple[tuple[str, Any], ...]:
        """The read model's filters (`registry.reads.model.MEMBER_FILTERS`) this one sets."""
        skill = None if self.skill is None else filter_text(self.skill, "filter.skill", SKILL_MAX)
        given = (
            ("includeDeparted", self.include_departed),
            ("inService", self.in_service),
            ("skill", skill),
            ("status", None if self.status is None else self.status.value),
        )
        return tuple((name, value) for name, value in given if value is not None)


async def related_page(
    info: GInfo,
    owner: tuple[str, int],
    relation: str,
    filters: tuple[tuple[str, Any], ...],
    first: int | None,
    after: str | None,
    to_node: Callable[[Any], T],
) -> Connection[T]:
    """One page of a to-many relation of the read model, owned by (entity, id)."""
    entity, key = owner
    size = info.context.page_size(first)
    target = ENTITIES[ENTITIES[entity].to_many[relation].target]
    after_key = None if after is None else cursor_key(target, after)
    loader = info.context.loaders.many(entity, relation, filters, (size, after_key))
    rows, total, more = await loader.load(key)
    keys = [getattr(row, target.key) for row in rows]
    return page_of([to_node(row) for row in rows], keys, more, after, total)


async def roster(
    info: GInfo,
    owner: tuple[str, int],
    relation: str,
    filter: RosterFilter | None,
    first: int | None,
    after: str | None,
) -> Connection[Member]:
    """One page of the members a relation of `owner` lists (residents, members), filtered."""
    filters = filter.pairs() if filter else ()
    return await related_page(info, owner, relation, filters, first, after, Member.from_row)


async def offices_of(
    info: GInfo, owner: tuple[str, int], current: bool, first: int | None, after: str | None
) -> Connection[Office]:
    """One page of the offices held in an organisation or by a member: the current ones, or
    all of them."""
    return await related_page(
        info, owner, "offices", (("current", current),), first, after, Office.from_row
    )


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

    @classmethod
    def from_row(cls, row: models.Place | AnyRow) -> Place:
        """From a stored place, or a row with its columns."""
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
    async def parent(self, info: GInfo) -> Place | None:
        if self.parent_key is None:
            return None
        row = await info.context.loaders.place.load(self.parent_key)
        return Place.from_row(row) if row else None

    @strawberry.field(description="Organisations covering this place now, by code path.")
    async def covered_by(
        self, info: GInfo, first: int | None = None, after: str | None = None
    ) -> Connection[Organisation]:
        return await related_page(
            info, ("Place", self.id), "coveredBy", (), first, after, Organisation.from_row
        )

    @strawberry.field(description="The places directly under this one, by code path.")
    async def children(
        self, info: GInfo, first: int | None = None, after: str | None = None
    ) -> Connection[Place]:
        return await related_page(
            info, ("Place", self.id), "children", (), first, after, Place.from_row
        )

    @strawberry.field(description="Members living in this place or anywhere under it, by code.")
    async def residents(
        self,
        info: GInfo,
        filter: RosterFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Member]:
        return await roster(info, ("Place", self.id), "residents", filter, first, after)

    @strawberry.field(description="A household's contact member (联系党员), if it has one.")
    async def contact(self, info: GInfo) -> Member | None:
        row = await info.context.loaders.one("Place", "contact").load(self.id)
        return Member.from_row(row) if row else None

    @strawberry.field(description="Coverage of this place's territory, as `coverage` answers it.")
    async def coverage(self, info: GInfo) -> CoverageOf | None:
        return await info.context.nested.coverage(info, place=self.id, organisation=None)

    @classmethod
    async def resolve_nodes(  # type: ignore[override]  # relay.Node types it loosely per overload
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

    @classmethod
    def from_row(cls, row: models.Organisation | OrgRecord) -> Organisation:
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

    @strawberry.field(description="Places this organisation covers now, by code path.")
    async def covers(
        self, info: GInfo, first: int | None = None, after: str | None = None
    ) -> Connection[Place]:
        return await related_page(
            info, ("Organisation", self.id), "covers", (), first, after, Place.from_row
        )

    @strawberry.field(description="The current secretary (书记), if any; a group has none.")
    async def secretary(self, info: GInfo) -> Member | None:
        row = await info.context.loaders.one("Organisation", "secretary").load(self.id)
        return Member.from_row(row) if row else None

    @strawberry.field(description="A Party group's current leader (组长), if any.")
    async def leader(self, info: GInfo) -> Member | None:
        row = await info.context.loaders.one("Organisation", "leader").load(self.id)
        return Member.from_row(row) if row else None

    @strawberry.field(description="Offices held in this organisation: the current ones, or "
                      "with `current: false` past ones too; in the order they were "
                      "recorded.")  # fmt: skip
    async def offices(
        self, info: GInfo, current: bool = True, first: int | None = None, after: str | None = None
    ) -> Connection[Office]:
        return await offices_of(info, ("Organisation", self.id), current, first, after)

    @strawberry.field(description="The organisations directly under this one, by code path.")
    async def children(
        self,
        info: GInfo,
        include_closed: bool = False,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Organisation]:
        return await self._under(info, "children", include_closed, first, after)

    @strawberry.field(description="Its Party groups (党小组), by code path.")
    async def groups(
        self,
        info: GInfo,
        include_closed: bool = False,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Organisation]:
        return await self._under(info, "groups", include_closed, first, after)

    async def _under(
        self, info: GInfo, relation: str, include_closed: bool, first: int | None,
        after: str | None,
    ) -> Connection[Organisation]:
        filters = (("includeClosed", include_closed),)
        return await related_page(
            info, ("Organisation", self.id), relation, filters, first, after,
            Organisation.from_row,
        )  # fmt: skip

    @strawberry.field(description="Members whose formal organisation this is, or, of a Party "
                      "group (党小组), the members placed in it; by code.")  # fmt: skip
    async def members(
        self,
        info: GInfo,
        filter: RosterFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Member]:
        return await roster(info, ("Organisation", self.id), "members", filter, first, after)

    @strawberry.field(description="Coverage of what this organisation covers, as `coverage` "
                      "answers it.")  # fmt: skip
    async def coverage(self, info: GInfo) -> CoverageOf | None:
        return await info.context.nested.coverage(info, place=None, organisation=self.id)

    @strawberry.field(description="Transfers of members' ties (组织关系) to this organisation: "
                      "pending ones unless `pendingOnly` is false; oldest first.")  # fmt: skip
    async def transfers_in(self, info: GInfo, pending_only: bool = True) -> list[Transfer]:
        return await Transfer.of_organisation(info, "to", self.id, pending_only)

    @strawberry.field(description="Transfers of its members' ties (组织关系) elsewhere: pending "
                      "ones unless `pendingOnly` is false; oldest first.")  # fmt: skip
    async def transfers_out(self, info: GInfo, pending_only: bool = True) -> list[Transfer]:
        return await Transfer.of_organisation(info, "from", self.id, pending_only)

    @strawberry.field(description="Its elections, by-elections and approved postponements, "
                      "in the order they were recorded.")  # fmt: skip
    async def elections(
        self, info: GInfo, first: int | None = None, after: str | None = None
    ) -> Connection[Election]:
        return await related_page(
            info, ("Organisation", self.id), "elections", (), first, after, Election.from_row
        )

    @strawberry.field(description="The current term of an elected organisation: when it began, "
                      "how long it lasts and when the next election (换届) is due; null for "
                      "one not elected or with nothing to date it from.")  # fmt: skip
    async def term(self, info: GInfo) -> Term | None:
        row = await info.context.loaders.organisation.load(self.id)
        if row is None or self.kind not in TERM_KINDS:
            return None
        async with info.context.db.read() as session:
            found = await current_term(session, row, info.context.settings.rules)
        return None if found is None else Term.of(found)

    @classmethod
    async def resolve_nodes(  # type: ignore[override]  # relay.Node types it loosely per overload
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
    probation_extended_on: date | None = strawberry.field(
        description="When the branch decided to extend the probation (延长预备期), if it did."
    )
    probation_extended_months: int | None = strawberry.field(
        description="By how many months (6–12): the probation ends that much after its year."
    )
    workplace: str | None
    in_service: bool = strawberry.field(
        description="In service (在职党员): formal tie at a workplace, reporting (报到) where "
        "they live; a recorded status."
    )
    reported_on: date | None = strawberry.field(
        description="The day an in-service member reported (报到) to the community where they "
        "live; null when not known."
    )
    away_since: date | None = strawberry.field(
        description="Away from home (外出, 流动党员) since this day; null at home."
    )
    away_place: str | None = strawberry.field(description="Where a member away from home is.")
    away_attends: str | None = strawberry.field(
        description="The organisation they take part in there, named in words."
    )
    away_attends_key: strawberry.Private[int | None]
    departed_on: date | None = strawberry.field(
        description="The day they left the Party or died (`standing`): from then on they are "
        "counted nowhere live, and their record is history."
    )
    version: int
    organisation_key: strawberry.Private[int | None]
    household_key: strawberry.Private[int | None]
    reports_to_key: strawberry.Private[int | None]
    group_key: strawberry.Private[int | None]
    phone_raw: strawberry.Private[str | None]
    task_capacity: int = strawberry.field(
        description="How many tasks the member may hold at once when mobilised: their own "
        "capacity, or the deployment default when they have none (the effective value)."
    )

    @classmethod
    def from_row(cls, row: models.Member | MemberRecord) -> Member:
        return cls(
            id=row.id,
            code=row.code,
            name=row.name,
            gender=GENDER(row.gender) if row.gender else None,
            status=MEMBER_STATUS(row.status),
            joined=row.joined,
            full_on=row.full_on,
            probation_extended_on=row.probation_extended_on,
            probation_extended_months=row.probation_extended_months,
            workplace=row.workplace,
            in_service=bool(row.in_service),
            reported_on=row.reported_on,
            away_since=row.away_since,
            away_place=row.away_place,
            away_attends=row.away_attends,
            away_attends_key=row.away_attends_id,
            departed_on=row.departed_on,
            version=row.version,
            organisation_key=row.organisation_id,
            household_key=row.household_id,
            reports_to_key=row.reports_to_id,
            group_key=row.group_id,
            phone_raw=row.phone,
            task_capacity=row.task_capacity or RuleThresholds.default_task_capacity,
        )

    @strawberry.field
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

    @strawberry.field(description="The one formal organisation (none for in-service members).")
    async def organisation(self, info: GInfo) -> Organisation | None:
        return await self._org(info, self.organisation_key)

    @strawberry.field(description="The Party group (党小组) of their own branch they belong "
                      "to (党章 第八条), if placed in one.")  # fmt: skip
    async def group(self, info: GInfo) -> Organisation | None:
        return await self._org(info, self.group_key)

    @strawberry.field(description="The organisation of the registry a member away from home "
                      "takes part in there, if in your scope.")  # fmt: skip
    async def away_attends_organisation(self, info: GInfo) -> Organisation | None:
        return await self._org(info, self.away_attends_key)

    @strawberry.field(description="Where an in-service member reports (双报到).")
    async def reports_to(self, info: GInfo) -> Organisation | None:
        return await self._org(info, self.reports_to_key)

    @strawberry.field
    async def household(self, info: GInfo) -> Place | None:
        if self.household_key is None:
            return None
        row = await info.context.loaders.place.load(self.household_key)
        return Place.from_row(row) if row else None

    @strawberry.field
    async def skills(self, info: GInfo) -> list[str]:
        return await info.context.loaders.skills.load(self.id)

    @strawberry.field(description="Offices this member holds: the current ones, or with "
                      "`current: false` past ones too; in the order they were "
                      "recorded.")  # fmt: skip
    async def offices(
        self, info: GInfo, current: bool = True, first: int | None = None, after: str | None = None
    ) -> Connection[Office]:
        return await offices_of(info, ("Member", self.id), current, first, after)

    @strawberry.field(description="The member's standing now: lost contact (失去联系), a "
                      "suspended membership (停止党籍), left the Party (出党) or died; null in "
                      "good standing.")  # fmt: skip
    async def standing(self, info: GInfo) -> Standing | None:
        found = await Standing.of_member(info, self.id, current=True)
        return found[0] if found else None

    @strawberry.field(description="Every standing recorded for the member, oldest first, "
                      "restored ones included.")  # fmt: skip
    async def standings(self, info: GInfo) -> list[Standing]:
        return await Standing.of_member(info, self.id, current=False)

    @strawberry.field(description="The Party groups (党小组) the member has been placed in, "
                      "oldest first, the current one last with no end.")  # fmt: skip
    async def group_history(self, info: GInfo) -> list[Placement]:
        async with info.context.db.read() as session:
            rows = await placements_of(session, self.id)
        return [Placement(start=r.start, end=r.end, group_key=r.group_id) for r in rows]

    @strawberry.field(description="Households this member is the contact member of, by code path.")
    async def contact_for(
        self, info: GInfo, first: int | None = None, after: str | None = None
    ) -> Connection[Place]:
        return await related_page(
            info, ("Member", self.id), "contactFor", (), first, after, Place.from_row
        )

    @strawberry.field(description="Tasks this member is mobilised for, on tasks you may see: "
                      "each as their assignment, with its task, status and role; in the order "
                      "they were proposed.")  # fmt: skip
    async def tasks(
        self, info: GInfo, first: int | None = None, after: str | None = None
    ) -> Connection[AssignmentOf]:
        return await info.context.nested.tasks(info, self.id, first, after)

    @classmethod
    async def resolve_nodes(  # type: ignore[override]  # relay.Node types it loosely per overload
        cls, *, info: GInfo, node_ids: Iterable[str], required: bool = False
    ) -> list[Member | None]:
        rows = await info.context.loaders.member.load_many(_ids(node_ids))
        return [cls.from_row(row) if row else None for row in rows]


@strawberry.type(description="A member's tie (组织关系) transferred out by one organisation and "
                 "received by another; pending until received. Both sides see it, and the "
                 "member's name and code, whoever's scope the member is in.")  # fmt: skip
class Transfer:
    id: strawberry.ID = strawberry.field(description="The transfer's number, to receive it.")
    member_code: str
    member_name: str
    out_on: date
    received_on: date | None
    cancelled_on: date | None = strawberry.field(
        description="When either side cancelled it, before it was received."
    )
    pending: bool
    member_key: strawberry.Private[int]
    from_key: strawberry.Private[int]
    to_key: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: models.Transfer, member: models.Member) -> Transfer:
        return cls(
            id=strawberry.ID(str(row.id)),
            member_code=member.code,
            member_name=member.name,
            out_on=row.out_on,
            received_on=row.received_on,
            cancelled_on=row.cancelled_on,
            pending=row.received_on is None and row.cancelled_on is None,
            member_key=row.member_id,
            from_key=row.from_id,
            to_key=row.to_id,
        )

    @staticmethod
    async def of_organisation(
        info: GInfo, side: TransferSide, organisation_id: int, pending_only: bool
    ) -> list[Transfer]:
        """The transfers whose `side` (from or to) is the organisation, oldest first."""
        async with info.context.db.read() as session:
            rows = await transfers_of(session, side, organisation_id, pending_only)
        return [Transfer.from_row(row, member) for row, member in rows]

    @strawberry.field(description="The member, if in your scope.")
    async def member(self, info: GInfo) -> Member | None:
        row = await info.context.loaders.member.load(self.member_key)
        return Member.from_row(row) if row else None

    @strawberry.field(name="from", description="The organisation it was transferred out of.")
    async def from_(self, info: GInfo) -> Organisation | None:
        row = await info.context.loaders.organisation.load(self.from_key)
        return Organisation.from_row(row) if row else None

    @strawberry.field(description="The organisation receiving it.")
    async def to(self, info: GInfo) -> Organisation | None:
        row = await info.context.loaders.organisation.load(self.to_key)
        return Organisation.from_row(row) if row else None


@strawberry.type(description="A member's placement in a Party group (党小组), dated; `start` "
                 "is null for a placement older than the history.")  # fmt: skip
class Placement:
    start: date | None
    end: date | None
    group_key: strawberry.Private[int]

    @strawberry.field(description="The group, if in your scope.")
    async def group(self, info: GInfo) -> Organisation | None:
        row = await info.context.loaders.organisation.load(self.group_key)
        return Organisation.from_row(row) if row else None


@strawberry.type(description="A dated standing of a member (党员教育管理工作条例 第二十四条; 党章 "
                 "第九条): lost contact or a suspended membership from `on` until restored "
                 "(`restoredOn`), or leaving the Party or death on `on`.")  # fmt: skip
class Standing:
    kind: StandingKindEnum
    way: LeavingWayEnum | None = strawberry.field(
        description="How they left the Party: 退党, 除名 or 开除党籍."
    )
    on: date
    restored_on: date | None = strawberry.field(
        description="When contact was restored (恢复联系) or the membership restored (恢复党籍)."
    )
    note: str | None
    decided_by_key: strawberry.Private[int | None]

    @classmethod
    def from_row(cls, row: models.MemberStanding) -> Standing:
        return cls(
            kind=STANDING_KIND(row.kind),
            way=LEAVING_WAY(row.way) if row.way else None,
            on=row.start,
            restored_on=row.end,
            note=row.note,
            decided_by_key=row.decided_by_id,
        )

    @staticmethod
    async def of_member(info: GInfo, member_id: int, current: bool) -> list[Standing]:
        """The member's standings, oldest first; with `current`, the open one only. The member
        was read in the caller's scope already: their standings go with them."""
        async with info.context.db.read() as session:
            rows = await standings_of(session, member_id, current)
        return [Standing.from_row(row) for row in rows]

    @strawberry.field(description="The organisation that decided it, if in your scope.")
    async def decided_by(self, info: GInfo) -> Organisation | None:
        if self.decided_by_key is None:
            return None
        row = await info.context.loaders.organisation.load(self.decided_by_key)
        return Organisation.from_row(row) if row else None


@strawberry.type(description="An organisation's current term (《关于党的基层组织任期的意见》).")
class Term:
    began: date = strawberry.field(description="Its last election, or, none recorded, the "
                                   "earliest start in its current committee.")  # fmt: skip
    elected: bool = strawberry.field(description="Whether `began` is a recorded election.")
    years: int = strawberry.field(description="Years of a term for this unit.")
    postponed_months: int = strawberry.field(description="Approved postponement.")
    due: date = strawberry.field(description="When the next election (换届) is due.")

    @classmethod
    def of(cls, term: Any) -> Term:
        return cls(began=term.began, elected=term.elected, years=term.years,
                   postponed_months=term.postponed, due=term.due)  # fmt: skip


@strawberry.type(description="A dated event of an organisation's term (选举工作条例 第三条): an "
                 "election begins a term, a by-election fills a vacancy within it, an approved "
                 "postponement extends it by `months`.")  # fmt: skip
class Election:
    kind: ElectionKindEnum
    held_on: date = strawberry.field(description="The day it was held, or the postponement "
                                     "approved.")  # fmt: skip
    months: int | None
    organisation_key: strawberry.Private[int]
    approved_by_key: strawberry.Private[int | None]

    @classmethod
    def from_row(cls, row: models.Election) -> Election:
        return cls(
            kind=ELECTION_KIND(row.kind),
            held_on=row.held_on,
            months=row.months,
            organisation_key=row.organisation_id,
            approved_by_key=row.approved_by_id,
        )

    @strawberry.field
    async def organisation(self, info: GInfo) -> Organisation | None:
        row = await info.context.loaders.organisation.load(self.organisation_key)
        return Organisation.from_row(row) if row else None

    @strawberry.field(description="The higher organisation that approved an early election or "
                      "a postponement.")  # fmt: skip
    async def approved_by(self, info: GInfo) -> Organisation | None:
        if self.approved_by_key is None:
            return None
        row = await info.context.loaders.organisation.load(self.approved_by_key)
        return Organisation.from_row(row) if row else None


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
    async def resolve_nodes(  # type: ignore[override]  # relay.Node types it loosely per overload
        cls, *, info: GInfo, node_ids: Iterable[str], required: bool = False
    ) -> list[Office | None]:
        rows = await info.context.loaders.node("Office").load_many(_ids(node_ids))
        return [cls.from_row(row) if row else None for row in rows]
