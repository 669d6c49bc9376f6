"""Coverage and the rules report of a scope (a place or an organisation), over GraphQL."""

from __future__ import annotations

import asyncio
from datetime import date

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from graphql import GraphQLObjectType, get_named_type
from registry.access.scope import Scope, ScopeKind, resolve_scope
from registry.api.context import GInfo
from registry.api.lookahead import Lookahead
from registry.api.refs import find_scope
from registry.api.suggestions import SuggestionFigures
from registry.api.types import Member, Organisation, Place
from registry.core.errors import UserErrors
from registry.reports import coverage as service
from registry.reports import rules as rules_service

# The domain's own enums under their GraphQL names (see registry.api.enums).
RuleEnum = rules_service.Rule
SeverityEnum = rules_service.Severity
GapKindEnum = service.GapKind
ScopeKindEnum = ScopeKind
for _enum, _name in (
    (RuleEnum, "Rule"),
    (SeverityEnum, "RuleSeverity"),
    (GapKindEnum, "GapKind"),
    (ScopeKindEnum, "ScopeKind"),
):
    strawberry.enum(_enum, name=_name)


@strawberry.type(description="`covered` of `total`; `ratio` is null when `total` is 0.")
class CoverageTally:
    total: int
    covered: int
    ratio: float | None

    @classmethod
    def of(cls, tally: service.Tally) -> CoverageTally:
        return cls(total=tally.total, covered=tally.covered, ratio=tally.ratio)


@strawberry.type
class MemberCounts:
    total: int
    full: int
    probationary: int
    in_service: int


@strawberry.type(description="A place left uncovered, and why.")
class Gap:
    kind: GapKindEnum = strawberry.field(description="Why the place is a gap: the code the "
                                         "console and workbooks word it from.")  # fmt: skip
    place: Place


@strawberry.type(description="The first gaps in tree order, and how many there are in all.")
class GapList:
    total_count: int
    items: list[Gap]


@strawberry.type(description="A figure a violation rests on, e.g. fullMembers = 2.")
class RuleFigure:
    name: str
    value: int


@strawberry.type(description="A rule of DESIGN section 2 broken by an organisation or member.")
class Violation:
    rule: RuleEnum
    severity: SeverityEnum
    message: str
    organisation: Organisation | None
    member: Member | None
    since: date | None = strawberry.field(
        description="The day the rule counts from: a secretary's term start, a joining date."
    )
    details: list[RuleFigure]

    @classmethod
    def of(cls, found: rules_service.Violation) -> Violation:
        return cls(
            rule=found.rule,
            severity=found.severity,
            message=found.message,
            organisation=Organisation.from_row(found.organisation) if found.organisation else None,
            member=Member.from_row(found.member) if found.member else None,
            since=found.since,
            details=[RuleFigure(name=k, value=v) for k, v in found.details.items()],
        )


@strawberry.type(
    description=(
        "Coverage of a scope. Place scope: that place's subtree. Organisation scope: its "
        "subtree and its territory (places covered by it or any organisation under it). "
        "Estates count as covered by an active branch or general branch covering the estate; "
        "buildings by an active group covering the building; households by an active "
        "household-contact pairing."
    )
)
class CoverageReport:
    kind: ScopeKindEnum
    place: Place | None
    organisation: Organisation | None
    estates: CoverageTally
    buildings: CoverageTally
    buildings_with_members: CoverageTally = strawberry.field(
        description="Buildings where at least one member (of any kind) lives."
    )
    households: CoverageTally
    members_living: int = strawberry.field(description="Members living in the territory.")
    members_per_100_households: float | None = strawberry.field(
        name="membersPer100Households",
        description="Members living in the territory per 100 of its households.",
    )
    members: MemberCounts = strawberry.field(
        description=(
            "Place scope: members living there. Organisation scope: members whose formal "
            "organisation is in the subtree or who report into it."
        )
    )
    scope: strawberry.Private[Scope]
    summary: strawberry.Private[service.CoverageSummary]
    as_of: date | None = strawberry.field(
        default=None, description="The day these figures are of; null for now."
    )
    # The rules report, begun beside the figures when the request selects it, or when a
    # field first asks for it; read by both fields that give it.
    begun: strawberry.Private[asyncio.Future[list[rules_service.Violation]] | None] = None

    @strawberry.field(description="Uncovered estates and buildings, each with its kind of gap.")
    async def gaps(self, info: GInfo, first: int = 50) -> GapList:
        size = min(max(first, 0), info.context.settings.page_size_max * 10)
        async with info.context.db.read() as session:
            found = await service.gaps(session, self.scope, self.summary, size, self.as_of)
        return GapList(
            total_count=found.total,
            items=[
                Gap(kind=gap.kind, place=Place.from_row(gap.place))
                for gap in found.items
            ],
        )

    @strawberry.field(
        description="Suggestions (民意) raised at places in the territory: raised, resolved, "
        "ratio, median days to resolve."
    )
    async def suggestions(self, info: GInfo) -> SuggestionFigures:
        async with info.context.db.read() as session:
            found = await service.suggestion_figures(session, self.scope)
        return SuggestionFigures.of(found)

    @strawberry.field(
        description=(
            "The rules report of this scope (see `rulesReport`); with `first`, its first "
            "`first` violations (a city has tens of thousands: `violationCount` says how many)."
        )
    )
    async def violations(self, info: GInfo, first: int | None = None) -> list[Violation]:
        found = await self._found(info)
        shown = found if first is None else found[: max(first, 0)]
        return [Violation.of(item) for item in shown]

    @strawberry.field(description="How many violations the rules report of this scope holds.")
    async def violation_count(self, info: GInfo) -> int:
        return len(await self._found(info))

    async def _found(self, info: GInfo) -> list[rules_service.Violation]:
        """The scope's rules report, read once for every field that gives it."""
        if self.begun is None:
            self.begun = asyncio.ensure_future(_violations(info, self.scope))
        return await self.begun


def _selects(info: GInfo, *fields: str) -> bool:
    """Whether the request selects one of `fields` of the object this root field answers
    (aliases, fragments, @skip and @include as graphql-core resolves them)."""
    ahead = Lookahead(info)
    owner = get_named_type(ahead.raw.return_type)
    assert isinstance(owner, GraphQLObjectType)
    grouped = ahead.grouped(owner, ahead.root_details())
    return any(group[0].node.name.value in fields for group in grouped.values())


async def _violations(info: GInfo, scope: Scope) -> list[rules_service.Violation]:
    async with info.context.db.read_pair() as (session, other):
        return await rules_service.rules_report(
            session, scope, info.context.settings.rules, other=other
        )


async def _report(session: AsyncSession, found: Scope, as_of: date | None) -> CoverageReport:
    summary = await service.coverage_summary(session, found, as_of)
    return CoverageReport(
        kind=found.kind,
        place=Place.from_row(found.place) if found.place else None,
        organisation=Organisation.from_row(found.organisation) if found.organisation else None,
        estates=CoverageTally.of(summary.estates),
        buildings=CoverageTally.of(summary.buildings),
        buildings_with_members=CoverageTally.of(summary.buildings_with_members),
        households=CoverageTally.of(summary.households),
        members_living=summary.members_living,
        members_per_100_households=summary.members_per_100_households,
        members=MemberCounts(**vars(summary.members)),
        scope=found,
        summary=summary,
        as_of=as_of,
    )


async def coverage_report(
    info: GInfo, *, place: int | None, organisation: int | None
) -> CoverageReport | None:
    """Today's coverage of a place or an organisation the caller sees, by id (for the
    `coverage` fields of Place and Organisation); None when it is out of the caller's scope."""
    actor = info.context.require_actor()
    kind = ScopeKind.PLACE if place is not None else ScopeKind.ORGANISATION
    key = place if place is not None else organisation
    assert key is not None
    async with info.context.db.read() as session:
        try:
            found = await resolve_scope(session, actor, key, kind)
        except UserErrors:
            return None
        return await _report(session, found, None)


@strawberry.type
class CoverageQuery:
    @strawberry.field(
        description=(
            "Coverage of a place or organisation (global ID or code; a code is tried as a "
            "place code first). Null when nothing in your scope matches. With `asOf`, the "
            "figures and gaps as they stood that day, from dated coverage, pairings, "
            "affiliations and organisations' founding and closing dates (the place tree, the "
            "scope's territory and homes are today's)."
        )
    )
    async def coverage(
        self, info: GInfo, scope: str, as_of: date | None = None
    ) -> CoverageReport | None:
        actor = info.context.require_actor()
        async with info.context.db.read() as session:
            found = await find_scope(info, actor, scope, session)
            if found is None:
                return None
            # The rules report reads on connections of its own: begun now, the database
            # answers it beside the figures instead of after them.
            begun = (
                asyncio.ensure_future(_violations(info, found))
                if _selects(info, "violations", "violationCount")
                else None
            )
            try:
                report = await _report(session, found, as_of)
            except BaseException:
                if begun is not None:
                    begun.cancel()
                    await asyncio.gather(begun, return_exceptions=True)
                raise
            report.begun = begun
            return report

    @strawberry.field(
        description=(
            "Every rule of DESIGN section 2 broken in a scope (organisations in tree order, then "
            "members), thresholds from the deployment's configuration. Null when nothing in "
            "your scope matches."
        )
    )
    async def rules_report(self, info: GInfo, scope: str) -> list[Violation] | None:
        actor = info.context.require_actor()
        found = await find_scope(info, actor, scope)
        if found is None:
            return None
        return [Violation.of(item) for item in await _violations(info, found)]
