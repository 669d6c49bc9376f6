"""Which database a request reads: mutations read the primary (registry.core.db)."""

from __future__ import annotations

from collections.abc import Iterator

from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType


class MutationsReadThePrimary(SchemaExtension):
    """A mutation reads what it checks (codes, versions, scopes) from the primary, never from
    a read replica that may not have replayed the latest writes; queries may read a replica."""

    def on_execute(self) -> Iterator[None]:
        ctx = self.execution_context
        if ctx.graphql_document is not None and ctx.operation_type is not OperationType.QUERY:
            ctx.context.db.pin_to_primary()
        yield
