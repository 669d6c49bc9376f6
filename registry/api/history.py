"""The change log over GraphQL: `changes(scope, object, since, first, after)`."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.relay import to_base64
from strawberry.scalars import JSON

from graphql import GraphQLError
from registry.access.actor import Actor
from registry.access.lookup import get_member, get_organisation, get_place
from registry.access.scope import with_organisations
from registry.api.context import GInfo
from registry.api.paging import Connection, decode_cursor, page_of
from registry.api.refs import find_scope, node_key, parse_ref, ref_kind
from registry.api.types import mask_phone
from registry.audit import history as service
from registry.core.errors import UserErrors
from registry.core.models import Change as ChangeRow

# Entities that are API nodes, by change-log name.
_NODES = {"place": "Place", "organisation": "Organisation", "member": "Member"}
_LOOKUPS = {"Place": get_place, "Organisation": get_organisation, "Member": get_member}


@strawberry.type(description="One row of the change log: who, when, what, before and after.")
class Change:
    id: int = strawberry.field(description="Increases with every write; the log's order.")
    at: datetime = strawberry.field(description="When it was written.")
    token_id: int | None = strawberry.field(
        description="The API token that wrote it; null for the command line (imports)."
    )
    request_id: str = strawberry.field(
        description="Shared by every change one request made (a merge, an import)."
    )
    entity: str = strawberry.field(
        description="What changed: place, organisation, member, coverage, office, affiliation; "
        "an import's summary names its sheet (entityId 0)."
    )
    entity_id: int
    object_id: strawberry.ID | None = strawberry.field(
        description="The global ID of the place, organisation or member that changed."
    )
    action: str = strawberry.field(description="create, update, move, merged, end, ...")
    before: JSON | None = strawberry.field(
        description="The fields before; null for a create. A reference to another record is "
        "its code (`parent`, `organisation`, `household`, ...), null when it is outside your "
        "scope."
    )
    after: JSON | None = strawberry.field(
        description="The fields after; null for a delete. References as in `before`."
    )
    message: str | None = strawberry.field(description="The caller's message, if any.")

    @classmethod
    def of(
        cls,
        row: ChangeRow,
        actor: Actor,
        shown: tuple[dict[str, Any] | None, dict[str, Any] | None],
    ) -> Change:
        """The row as `actor` may see it, its before and after as `service.shown_snapshots`
        made them."""
        node = _NODES.get(row.entity)
        return cls(
            id=row.id,
            at=row.at,
            token_id=row.token_id,
            request_id=row.request_id,
            entity=row.entity,
            entity_id=row.entity_id,
            object_id=strawberry.ID(to_base64(node, row.entity_id)) if node else None,
            action=row.action,
            before=_masked(shown[0], actor),
            after=_masked(shown[1], actor),
            message=row.message,
        )


def _masked(values: dict[str, Any] | None, actor: Actor) -> dict[str, Any] | None:
    # A phone in a member's snapshot is masked exactly as on Member.phone.
    if values is None or not actor.masks_phones or not values.get("phone"):
        return values
    return {**values, "phone": mask_phone(values["phone"])}


async def _object_condition(session: AsyncSession, actor: Actor, ref: str) -> Any | None:
    """The history condition of a place, organisation or member (global ID; a code is tried
    as a member, organisation, then place code), or None when none in scope matches."""
    kind = ref_kind(ref)
    kinds = [kind] if kind in _LOOKUPS else ["Member", "Organisation", "Place"]
    for name in kinds:
        try:
            row = await _LOOKUPS[name](session, actor, parse_ref(ref, name))
        except UserErrors:
            continue
        return service.changes_of(name.lower(), row.id)
    return None


@strawberry.type
class HistoryQuery:
    @strawberry.field(
        description=(
            "The change log, oldest first, as far as your scope reaches. `scope`: a place or "
            "organisation (as in `coverage`): changes of what lies in it. `object`: the history "
            "of one place, organisation or member (global ID or code), with its coverage, "
            "office terms and affiliations. `since`: written at or after this moment. Null when "
            "`scope` or `object` is not in your scope."
        )
    )
    async def changes(
        self,
        info: GInfo,
        scope: str | None = None,
        # `object` is a Python builtin, hence the alias.
        of: Annotated[str | None, strawberry.argument(name="object")] = None,
        since: datetime | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Change] | None:
        actor = info.context.require_actor()
        size = info.context.page_size(first)
        after_id = _after_id(after)
        conditions = [service.visible_changes(actor)]
        if scope is not None:
            found = await find_scope(info, actor, scope)
            if found is None:
                return None
            async with info.context.db.read() as session:
                found = await with_organisations(session, found)
            conditions.append(service.changes_in_scope(found))
        async with info.context.db.read() as session:
            if of is not None:
                condition = await _object_condition(session, actor, of)
                if condition is None:
                    return None
                conditions.append(condition)
            rows, total, more = await service.read_changes(
                session, conditions, since, size, after_id
            )
            shown = await service.shown_snapshots(session, actor, rows)
        return page_of(
            [Change.of(row, actor, both) for row, both in zip(rows, shown, strict=True)],
            [str(row.id) for row in rows], more, after, total,
        )  # fmt: skip


def _after_id(after: str | None) -> int | None:
    if after is None:
        return None
    key = node_key(decode_cursor(after))
    if key is None:
        raise GraphQLError("`after` is not a cursor of `changes`", extensions={"code": "BAD_INPUT"})
    return key
