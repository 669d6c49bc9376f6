"""Organisation writes: create, update (rename, move), dissolve, coverage, merge and split."""

from __future__ import annotations

from typing import Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from registry.api.context import Context, GInfo
from registry.api.enums import OrgKindEnum
from registry.api.errors import UserError
from registry.api.mutations.common import DATE_HELP, on_day, opt_day, opt_ref, ref, refs
from registry.api.mutations.runner import run
from registry.api.types import Organisation
from registry.core.models import Organisation as OrganisationRow
from registry.writes import merging, organisations

APPROVED_BY_HELP = "The higher organisation (global ID or code) that approved this."
APPROVED_ON_HELP = "When it was approved and takes effect, YYYY-MM-DD; today if omitted."
VERSION_HELP = "Refuse (STALE) unless the organisation is still at this version."


@strawberry.input
class CreateOrganisationInput:
    code: str = strawberry.field(description="Your own code for the organisation; unique.")
    kind: OrgKindEnum
    name: str
    parent: str | None = strawberry.field(
        default=None, description="The parent organisation; none only for a root."
    )
    established: str | None = strawberry.field(
        default=None, description=f"{DATE_HELP} Defaults to approvedOn."
    )
    approved_by: str | None = strawberry.field(
        default=None, description=f"{APPROVED_BY_HELP} Defaults to the parent."
    )
    approved_on: str | None = strawberry.field(default=None, description=APPROVED_ON_HELP)
    covers: list[str] = strawberry.field(
        default_factory=list, description="Places (global IDs or codes) it covers from the start."
    )
    members: list[str] = strawberry.field(
        default_factory=list,
        description="A Party group only: members (global IDs or codes) placed in it from the "
        "start; each belongs to the group's branch.",
    )
    leader: str | None = strawberry.field(
        default=None,
        description="A Party group only: the member appointed its group leader (组长) from the "
        "start, placed in it too. The group, its coverage, members and leader are written "
        "together or not at all.",
    )

    def command(self, ctx: Context) -> organisations.CreateOrganisation:
        return organisations.CreateOrganisation(
            code=self.code,
            kind=self.kind,
            name=self.name,
            parent=opt_ref(self.parent, "Organisation"),
            established=opt_day(self.established, "established"),
            approved_by=opt_ref(self.approved_by, "Organisation"),
            approved_on=on_day(self.approved_on, "approvedOn"),
            covers=refs(self.covers, "Place"),
            members=refs(self.members, "Member"),
            leader=opt_ref(self.leader, "Member"),
        )


@strawberry.type
class CreateOrganisationPayload:
    organisation: Organisation | None
    user_errors: list[UserError]

    @classmethod
    async def of(cls, session: AsyncSession, row: Any) -> CreateOrganisationPayload:
        return cls(organisation=Organisation.from_row(row), user_errors=[])


@strawberry.input
class UpdateOrganisationInput:
    organisation: str
    name: str | None = None
    parent: str | None = strawberry.field(
        default=None, description="Move it, with everything under it, under this organisation."
    )
    established: str | None = strawberry.field(default=None, description=DATE_HELP)
    expected_version: int | None = strawberry.field(default=None, description=VERSION_HELP)

    def command(self, ctx: Context) -> organisations.UpdateOrganisation:
        return organisations.UpdateOrganisation(
            organisation=ref(self.organisation, "Organisation"),
            name=self.name,
            parent=opt_ref(self.parent, "Organisation"),
            established=opt_day(self.established, "established"),
            expected_version=self.expected_version,
        )


@strawberry.type
class UpdateOrganisationPayload:
    organisation: Organisation | None
    user_errors: list[UserError]

    @classmethod
    async def of(cls, session: AsyncSession, row: Any) -> UpdateOrganisationPayload:
        return cls(organisation=Organisation.from_row(row), user_errors=[])


@strawberry.input
class DissolveOrganisationInput:
    organisation: str
    approved_by: str = strawberry.field(description=APPROVED_BY_HELP)
    approved_on: str | None = strawberry.field(default=None, description=APPROVED_ON_HELP)
    message: str | None = strawberry.field(default=None, description="Kept in the change log.")
    expected_version: int | None = strawberry.field(default=None, description=VERSION_HELP)

    def command(self, ctx: Context) -> organisations.DissolveOrganisation:
        return organisations.DissolveOrganisation(
            organisation=ref(self.organisation, "Organisation"),
            approved_by=ref(self.approved_by, "Organisation"),
            approved_on=on_day(self.approved_on, "approvedOn"),
            expected_version=self.expected_version,
            message=self.message,
        )


@strawberry.type
class DissolveOrganisationPayload:
    organisation: Organisation | None
    user_errors: list[UserError]

    @classmethod
    async def of(cls, session: AsyncSession, row: Any) -> DissolveOrganisationPayload:
        return cls(organisation=Organisation.from_row(row), user_errors=[])


@strawberry.input
class SetCoverageInput:
    organisation: str
    cover: list[str] = strawberry.field(
        default_factory=list, description="Places to start covering (already covered: no-op)."
    )
    uncover: list[str] = strawberry.field(
        default_factory=list, description="Places to stop covering."
    )
    on: str | None = strawberry.field(default=None, description=f"{DATE_HELP} Today if omitted.")
    expected_version: int | None = strawberry.field(default=None, description=VERSION_HELP)

    def command(self, ctx: Context) -> organisations.SetCoverage:
        return organisations.SetCoverage(
            organisation=ref(self.organisation, "Organisation"),
            cover_places=refs(self.cover, "Place"),
            uncover_places=refs(self.uncover, "Place"),
            on=on_day(self.on, "on"),
            expected_version=self.expected_version,
            joint_branch_max_units=ctx.settings.rules.joint_branch_max_units,
        )


@strawberry.type
class SetCoveragePayload:
    organisation: Organisation | None
    user_errors: list[UserError]

    @classmethod
    async def of(cls, session: AsyncSession, row: Any) -> SetCoveragePayload:
        return cls(organisation=Organisation.from_row(row), user_errors=[])


@strawberry.input
class MergeOrganisationsInput:
    source: str = strawberry.field(description="The branch that closes, merged into `into`.")
    into: str = strawberry.field(description="The surviving branch.")
    approved_by: str = strawberry.field(description=APPROVED_BY_HELP)
    approved_on: str | None = strawberry.field(default=None, description=APPROVED_ON_HELP)
    message: str | None = strawberry.field(default=None, description="Kept in the change log.")
    expected_version: int | None = strawberry.field(
        default=None, description="Refuse (STALE) unless the source is still at this version."
    )
    into_expected_version: int | None = strawberry.field(
        default=None, description="Refuse (STALE) unless the survivor is still at this version."
    )

    def command(self, ctx: Context) -> merging.MergeOrganisations:
        return merging.MergeOrganisations(
            source=ref(self.source, "Organisation"),
            into=ref(self.into, "Organisation"),
            approved_by=ref(self.approved_by, "Organisation"),
            approved_on=on_day(self.approved_on, "approvedOn"),
            expected_version=self.expected_version,
            into_expected_version=self.into_expected_version,
            message=self.message,
        )


@strawberry.type
class MergeOrganisationsPayload:
    merged: Organisation | None = strawberry.field(
        description="The source, now closed with mergedInto, closedOn and approvedBy."
    )
    survivor: Organisation | None
    user_errors: list[UserError]

    @classmethod
    async def of(
        cls, session: AsyncSession, result: tuple[OrganisationRow, OrganisationRow]
    ) -> MergeOrganisationsPayload:
        merged, survivor = result
        return cls(
            merged=Organisation.from_row(merged),
            survivor=Organisation.from_row(survivor),
            user_errors=[],
        )


@strawberry.input
class SplitPartInput:
    code: str
    name: str
    covers: list[str] = strawberry.field(default_factory=list, description="Places to take over.")
    members: list[str] = strawberry.field(
        default_factory=list, description="Members (belonging or reporting) who move."
    )
    groups: list[str] = strawberry.field(
        default_factory=list, description="Organisations under the source that move."
    )


@strawberry.input
class SplitOrganisationInput:
    source: str
    into: list[SplitPartInput] = strawberry.field(
        description="The new organisations, created beside the source (same parent and kind)."
    )
    approved_by: str = strawberry.field(description=APPROVED_BY_HELP)
    approved_on: str | None = strawberry.field(default=None, description=APPROVED_ON_HELP)
    keep_source: bool = strawberry.field(
        default=False,
        description="Keep the source with whatever is not listed; otherwise it closes and "
        "every member and group it holds must be listed.",
    )
    message: str | None = strawberry.field(default=None, description="Kept in the change log.")
    expected_version: int | None = strawberry.field(default=None, description=VERSION_HELP)

    def command(self, ctx: Context) -> merging.SplitOrganisation:
        parts = [
            merging.SplitPart(
                code=part.code,
                name=part.name,
                covers=refs(part.covers, "Place"),
                members=refs(part.members, "Member"),
                groups=refs(part.groups, "Organisation"),
            )
            for part in self.into
        ]
        return merging.SplitOrganisation(
            source=ref(self.source, "Organisation"),
            parts=parts,
            approved_by=ref(self.approved_by, "Organisation"),
            approved_on=on_day(self.approved_on, "approvedOn"),
            keep_source=self.keep_source,
            expected_version=self.expected_version,
            message=self.message,
        )


@strawberry.type
class SplitOrganisationPayload:
    source: Organisation | None
    created: list[Organisation] | None
    user_errors: list[UserError]

    @classmethod
    async def of(
        cls, session: AsyncSession, result: tuple[OrganisationRow, list[OrganisationRow]]
    ) -> SplitOrganisationPayload:
        source, created = result
        return cls(
            source=Organisation.from_row(source),
            created=[Organisation.from_row(r) for r in created],
            user_errors=[],
        )


@strawberry.type
class OrganisationMutations:
    @strawberry.mutation(description="Create an organisation, approved by a higher one.")
    async def create_organisation(
        self, info: GInfo, input: CreateOrganisationInput
    ) -> CreateOrganisationPayload:
        return await run(info, input, CreateOrganisationPayload)

    @strawberry.mutation(description="Rename an organisation and/or move it with its subtree.")
    async def update_organisation(
        self, info: GInfo, input: UpdateOrganisationInput
    ) -> UpdateOrganisationPayload:
        return await run(info, input, UpdateOrganisationPayload)

    @strawberry.mutation(
        description="Dissolve an organisation with no members or organisations left in it."
    )
    async def dissolve_organisation(
        self, info: GInfo, input: DissolveOrganisationInput
    ) -> DissolveOrganisationPayload:
        return await run(info, input, DissolveOrganisationPayload)

    @strawberry.mutation(description="Start and/or stop covering places.")
    async def set_coverage(self, info: GInfo, input: SetCoverageInput) -> SetCoveragePayload:
        return await run(info, input, SetCoveragePayload)

    @strawberry.mutation(
        description="Merge one branch into another of the same sub-district: members, groups, "
        "covered places, reporting members and open offices move to the survivor; the source "
        "stays readable, closed, with mergedInto."
    )
    async def merge_organisations(
        self, info: GInfo, input: MergeOrganisationsInput
    ) -> MergeOrganisationsPayload:
        return await run(info, input, MergeOrganisationsPayload)

    @strawberry.mutation(
        description="Split a branch: new organisations beside it take the members, groups and "
        "places listed for them."
    )
    async def split_organisation(
        self, info: GInfo, input: SplitOrganisationInput
    ) -> SplitOrganisationPayload:
        return await run(info, input, SplitOrganisationPayload)
