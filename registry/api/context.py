"""Per-request context: the database, the caller, loaders and settings."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any, Protocol

from strawberry.types import Info

from graphql import GraphQLError
from registry.access.actor import Actor
from registry.core.config import Settings
from registry.core.db import Database

if TYPE_CHECKING:
    from registry.api.loaders import Loaders


class NestedReports(Protocol):
    """Answers of node fields that are reports of their own (a place's coverage, a member's
    tasks). Their types refer back to the nodes, so the node types reach them through
    the context, wired in by the application, rather than by importing them."""

    async def coverage(
        self, info: GInfo, *, place: int | None, organisation: int | None
    ) -> Any: ...

    async def tasks(
        self, info: GInfo, member: int, first: int | None, after: str | None
    ) -> Any: ...


@dataclass
class Context:
    """What every resolver may use. Each async resolver opens its own session
    (`db.read()`), since sibling resolvers run concurrently. With read replicas, `db` is this
    request's view of the database (`Database.for_request`): a query's reads may go to a
    replica, a mutation's never."""

    db: Database
    settings: Settings
    actor: Actor | None
    nested: NestedReports
    _loaders: Loaders | None = None

    @cached_property
    def request_id(self) -> str:
        """The request's id, made when first asked: a write's change rows and log lines carry
        it; a read never needs one."""
        return uuid.uuid4().hex

    @property
    def loaders(self) -> Loaders:
        if self._loaders is None:
            from registry.api.loaders import Loaders

            self._loaders = Loaders(self.db, self.require_actor())
        return self._loaders

    def require_actor(self) -> Actor:
        """The caller, or an UNAUTHENTICATED error: no token, no data."""
        if self.actor is None:
            raise GraphQLError(
                "a valid bearer token is required (Authorization: Bearer <token>); "
                "create one with `gridreg token create`",
                extensions={"code": "UNAUTHENTICATED"},
            )
        return self.actor

    def page_size(self, first: int | None) -> int:
        """The page size asked for, capped by the deployment's maximum."""
        if first is None:
            return self.settings.page_size_default
        if first < 0:
            raise GraphQLError("`first` must not be negative", extensions={"code": "BAD_INPUT"})
        return min(first, self.settings.page_size_max)


GInfo = Info[Context, Any]
