"""Territory writes: createPlace, updatePlace (rename, move with its subtree), deletePlace."""

from __future__ import annotations

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry import relay

from registry.access.actor import Actor
from registry.api.context import GInfo
from registry.api.enums import PlaceKindEnum
from registry.api.errors import UserError, run_write
from registry.api.mutations.common import opt_ref, ref
from registry.api.types import Place
from registry.audit.changelog import Recorder
from registry.writes import places


@strawberry.input
class CreatePlaceInput:
    code: str = strawberry.field(description="Your own code for the place; unique.")
    kind: PlaceKindEnum
    name: str
    parent: str | None = strawberry.field(
        default=None, description="The parent place (global ID or code); none for a root."
    )


@strawberry.type
class CreatePlacePayload:
    place: Place | None
    user_errors: list[UserError]


@strawberry.input
class UpdatePlaceInput:
    place: str = strawberry.field(description="The place to change (global ID or code).")
    name: str | None = None
    parent: str | None = strawberry.field(
        default=None, description="Move the place, with everything below it, under this one."
    )
    expected_version: int | None = strawberry.field(
        default=None, description="Refuse (STALE) unless the place is still at this version."
    )


@strawberry.type
class UpdatePlacePayload:
    place: Place | None
    user_errors: list[UserError]


@strawberry.input
class DeletePlaceInput:
    place: str
    expected_version: int | None = None


@strawberry.type
class DeletePlacePayload:
    deleted_place_id: strawberry.ID | None
    user_errors: list[UserError]


@strawberry.type
class PlaceMutations:
    @strawberry.mutation(description="Add a place under a parent of a kind that may hold it.")
    async def create_place(self, info: GInfo, input: CreatePlaceInput) -> CreatePlacePayload:
        async def work(session: AsyncSession, actor: Actor, recorder: Recorder) -> Place:
            row = await places.create_place(
                session,
                actor,
                recorder,
                code=input.code,
                kind=input.kind,
                name=input.name,
                parent=opt_ref(input.parent, "Place"),
            )
            return Place.from_row(row)

        place, errors = await run_write(info, work)
        return CreatePlacePayload(place=place, user_errors=errors)

    @strawberry.mutation(description="Rename a place and/or move it with its whole subtree.")
    async def update_place(self, info: GInfo, input: UpdatePlaceInput) -> UpdatePlacePayload:
        async def work(session: AsyncSession, actor: Actor, recorder: Recorder) -> Place:
            row = await places.update_place(
                session,
                actor,
                recorder,
                place=ref(input.place, "Place"),
                name=input.name,
                parent=opt_ref(input.parent, "Place"),
                expected_version=input.expected_version,
            )
            return Place.from_row(row)

        place, errors = await run_write(info, work)
        return UpdatePlacePayload(place=place, user_errors=errors)

    @strawberry.mutation(description="Delete a place nothing refers to (a mistake, typically).")
    async def delete_place(self, info: GInfo, input: DeletePlaceInput) -> DeletePlacePayload:
        async def work(session: AsyncSession, actor: Actor, recorder: Recorder) -> strawberry.ID:
            deleted = await places.delete_place(
                session,
                actor,
                recorder,
                place=ref(input.place, "Place"),
                expected_version=input.expected_version,
            )
            return strawberry.ID(relay.to_base64("Place", deleted))

        deleted_id, errors = await run_write(info, work)
        return DeletePlacePayload(deleted_place_id=deleted_id, user_errors=errors)
