"""Organisation writes: create, update (rename, move), dissolve, coverage, merge and split."""

from __future__ import annotations

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from registry.access.actor import Actor
from registry.api.context import GInfo
from registry.api.enums import OrgKindEnum
from registry.api.errors import UserError, run_write
from registry.api.mutations.common import DATE_HELP, on_day, opt_day, opt_ref, ref, refs
from registry.api.types import Organisation
from registry.audit.changelog import Recorder
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


@strawberry.type
class CreateOrganisationPayload:
    organisation: Organisation | None
    user_errors: list[UserError]


@strawberry.input
class UpdateOrganisationInput:
    organisation: str
    name: str | None = None
    parent: str | None = strawberry.field(
        default=None, description="Move it, with everything under it, under this organisation."
    )
    established: str | None = strawberry.field(default=None, description=DATE_HELP)
    expected_version: int | None = strawberry.field(default=None, description=VERSION_HELP)


@strawberry.type
class UpdateOrganisationPayload:
    organisation: Organisation | None
    user_errors: list[UserError]


@strawberry.input
class DissolveOrganisationInput:
    organisation: str
    approved_by: str = strawberry.field(description=APPROVED_BY_HELP)
    approved_on: str | None = strawberry.field(default=None, description=APPROVED_ON_HELP)
    message: str | None = strawberry.field(default=None, description="Kept in the change log.")
    expected_version: int | None = strawberry.field(default=None, description=VERSION_HELP)


@strawberry.type
class DissolveOrganisationPayload:
    organisation: Organisation | None
    user_errors: list[UserError]


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


@strawberry.type
class SetCoveragePayload:
    organisation: Organisation | None
    user_errors: list[UserError]


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


@strawberry.type
class MergeOrganisationsPayload:
    merged: Organisation | None = strawberry.field(
        description="The source, now closed with mergedInto, closedOn and approvedBy."
    )
    survivor: Organisation | None
    user_errors: list[UserError]


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


@strawberry.type
class SplitOrganisationPayload:
    source: Organisation | None
    created: list[Organisation] | None
    user_errors: list[UserError]


@strawberry.type
class OrganisationMutations:
    @strawberry.mutation(description="Create an organisation, approved by a higher one.")
    async def create_organisation(
        self, info: GInfo, input: CreateOrganisationInput
    ) -> CreateOrganisationPayload:
        async def work(session: AsyncSession, actor: Actor, recorder: Recorder) -> Organisation:
            row = await organisations.create_organisation(
                session,
                actor,
                recorder,
                code=input.code,
                kind=input.kind,
                name=input.name,
                parent=opt_ref(input.parent, "Organisation"),
                established=opt_day(input.established, "established"),
                approved_by=opt_ref(input.approved_by, "Organisation"),
                approved_on=on_day(input.approved_on, "approvedOn"),
                covers=refs(input.covers, "Place"),
            )
            return Organisation.from_row(row)

        org, errors = await run_write(info, work)
        return CreateOrganisationPayload(organisation=org, user_errors=errors)

    @strawberry.mutation(description="Rename an organisation and/or move it with its subtree.")
    async def update_organisation(
        self, info: GInfo, input: UpdateOrganisationInput
    ) -> UpdateOrganisationPayload:
        async def work(session: AsyncSession, actor: Actor, recorder: Recorder) -> Organisation:
            row = await organisations.update_organisation(
                session,
                actor,
                recorder,
                organisation=ref(input.organisation, "Organisation"),
                name=input.name,
                parent=opt_ref(input.parent, "Organisation"),
                established=opt_day(input.established, "established"),
                expected_version=input.expected_version,
            )
            return Organisation.from_row(row)

        org, errors = await run_write(info, work)
        return UpdateOrganisationPayload(organisation=org, user_errors=errors)

    @strawberry.mutation(
        description="Dissolve an organisation with no members or organisations left in it."
    )
    async def dissolve_organisation(
        self, info: GInfo, input: DissolveOrganisationInput
    ) -> DissolveOrganisationPayload:
        async def work(session: AsyncSession, actor: Actor, recorder: Recorder) -> Organisation:
            row = await organisations.dissolve_organisation(
                session,
                actor,
                recorder,
                organisation=ref(input.organisation, "Organisation"),
                approved_by=ref(input.approved_by, "Organisation"),
                approved_on=on_day(input.approved_on, "approvedOn"),
                expected_version=input.expected_version,
            )
            return Organisation.from_row(row)

        org, errors = await run_write(info, work, input.message)
        return DissolveOrganisationPayload(organisation=org, user_errors=errors)

    @strawberry.mutation(description="Start and/or stop covering places.")
    async def set_coverage(self, info: GInfo, input: SetCoverageInput) -> SetCoveragePayload:
        async def work(session: AsyncSession, actor: Actor, recorder: Recorder) -> Organisation:
            row = await organisations.set_coverage(
                session,
                actor,
                recorder,
                organisation=ref(input.organisation, "Organisation"),
                cover_places=refs(input.cover, "Place"),
                uncover_places=refs(input.uncover, "Place"),
                on=on_day(input.on, "on"),
                expected_version=input.expected_version,
                joint_branch_max_units=info.context.settings.rules.joint_branch_max_units,
            )
            return Organisation.from_row(row)

        org, errors = await run_write(info, work)
        return SetCoveragePayload(organisation=org, user_errors=errors)

    @strawberry.mutation(
        description="Merge one branch into another of the same sub-district: members, groups, "
        "covered places, reporting members and open offices move to the survivor; the source "
        "stays readable, closed, with mergedInto."
    )
    async def merge_organisations(
        self, info: GInfo, input: MergeOrganisationsInput
    ) -> MergeOrganisationsPayload:
        async def work(
            session: AsyncSession, actor: Actor, recorder: Recorder
        ) -> tuple[Organisation, Organisation]:
            src, dst = await merging.merge_organisations(
                session,
                actor,
                recorder,
                source=ref(input.source, "Organisation"),
                into=ref(input.into, "Organisation"),
                approved_by=ref(input.approved_by, "Organisation"),
                approved_on=on_day(input.approved_on, "approvedOn"),
                expected_version=input.expected_version,
                into_expected_version=input.into_expected_version,
            )
            return Organisation.from_row(src), Organisation.from_row(dst)

        done, errors = await run_write(info, work, input.message)
        merged, survivor = done or (None, None)
        return MergeOrganisationsPayload(merged=merged, survivor=survivor, user_errors=errors)

    @strawberry.mutation(
        description="Split a branch: new organisations beside it take the members, groups and "
        "places listed for them."
    )
    async def split_organisation(
        self, info: GInfo, input: SplitOrganisationInput
    ) -> SplitOrganisationPayload:
        async def work(
            session: AsyncSession, actor: Actor, recorder: Recorder
        ) -> tuple[Organisation, list[Organisation]]:
            parts = [
                merging.SplitPart(
                    code=part.code,
                    name=part.name,
                    covers=refs(part.covers, "Place"),
                    members=refs(part.members, "Member"),
                    groups=refs(part.groups, "Organisation"),
                )
                for part in input.into
            ]
            src, created = await merging.split_organisation(
                session,
                actor,
                recorder,
                source=ref(input.source, "Organisation"),
                parts=parts,
                approved_by=ref(input.approved_by, "Organisation"),
                approved_on=on_day(input.approved_on, "approvedOn"),
                keep_source=input.keep_source,
                expected_version=input.expected_version,
            )
            return Organisation.from_row(src), [Organisation.from_row(r) for r in created]

        done, errors = await run_write(info, work, input.message)
        source, created = done or (None, None)
        return SplitOrganisationPayload(source=source, created=created, user_errors=errors)
