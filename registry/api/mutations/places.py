"""Territory writes: createPlace, updatePlace (rename, move with its subtree), deletePlace."""

from __future__ import annotations

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry import relay

from registry.api.context import Context, GInfo
from registry.api.enums import PlaceKindEnum
from registry.api.errors import UserError
from registry.api.mutations.common import opt_ref, ref
from registry.api.mutations.runner import run
from registry.api.types import Place
from registry.core.models import Place as PlaceRow
from registry.writes import places


@strawberry.input
class CreatePlaceInput:
    code: str = strawberry.field(description="Your own code for the place; unique.")
    kind: PlaceKindEnum
    name: str
    parent: str | None = strawberry.field(
        default=None, description="The parent place (global ID or code); none for a root."
    )

    def command(self, ctx: Context) -> places.CreatePlace:
        return places.CreatePlace(
            code=self.code, kind=self.kind, name=self.name, parent=opt_ref(self.parent, "Place")
        )


@strawberry.type
class CreatePlacePayload:
    place: Place | None
    user_errors: list[UserError]

    @classmethod
    async def of(cls, session: AsyncSession, row: PlaceRow) -> CreatePlacePayload:
        return cls(place=Place.from_row(row), user_errors=[])


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

    def command(self, ctx: Context) -> places.UpdatePlace:
        return places.UpdatePlace(
            place=ref(self.place, "Place"), name=self.name,
            parent=opt_ref(self.parent, "Place"), expected_version=self.expected_version,
        )  # fmt: skip


@strawberry.type
class UpdatePlacePayload:
    place: Place | None
    user_errors: list[UserError]

    @classmethod
    async def of(cls, session: AsyncSession, row: PlaceRow) -> UpdatePlacePayload:
        return cls(place=Place.from_row(row), user_errors=[])


@strawberry.input
class DeletePlaceInput:
    place: str
    expected_version: int | None = None

    def command(self, ctx: Context) -> places.DeletePlace:
        return places.DeletePlace(
            place=ref(self.place, "Place"), expected_version=self.expected_version
        )


@strawberry.type
class DeletePlacePayload:
    deleted_place_id: strawberry.ID | None
    user_errors: list[UserError]

    @classmethod
    async def of(cls, session: AsyncSession, deleted: int) -> DeletePlacePayload:
        return cls(
            deleted_place_id=strawberry.ID(relay.to_base64("Place", deleted)), user_errors=[]
        )


@strawberry.type
class PlaceMutations:
    @strawberry.mutation(description="Add a place under a parent of a kind that may hold it.")
    async def create_place(self, info: GInfo, input: CreatePlaceInput) -> CreatePlacePayload:
        return await run(info, input, CreatePlacePayload)

    @strawberry.mutation(description="Rename a place and/or move it with its whole subtree.")
    async def update_place(self, info: GInfo, input: UpdatePlaceInput) -> UpdatePlacePayload:
        return await run(info, input, UpdatePlacePayload)

    @strawberry.mutation(description="Delete a place nothing refers to (a mistake, typically).")
    async def delete_place(self, info: GInfo, input: DeletePlaceInput) -> DeletePlacePayload:
        return await run(info, input, DeletePlacePayload)
