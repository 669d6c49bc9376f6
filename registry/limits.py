"""Limits that keep one caller from exhausting the registry: the cost of a GraphQL request,
the size of a request body, and the running time of an SQL statement.

Pure functions and raw ASGI here; the GraphQL adapter (registry.api.limits) applies them.
"""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    get_named_type,
    is_list_type,
    is_non_null_type,
    value_from_ast_untyped,
)

# A list with no `first` (covers, offices, chart nodes, ...) is reckoned this long.
UNPAGED_LIST_ESTIMATE = 10


def request_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    variables: Mapping[str, Any] | None,
    operation_name: str | None,
    page_size_default: int,
    page_size_max: int,
) -> int:
    """How many objects the operation may produce, at most.

    Every field returning an object (or a list of them) costs one per object it may return,
    plus what its own selection costs per object. A field taking `first` returns up to `first`
    objects (default page size when absent, capped at the maximum); a connection's `edges` and
    `nodes` lists are that same page and do not multiply again; any other list counts as
    UNPAGED_LIST_ESTIMATE. Nested lists multiply. Scalars are free.
    """
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    operation = _operation(document, operation_name)
    if operation is None:
        return 0
    root = {
        OperationType.QUERY: schema.query_type,
        OperationType.MUTATION: schema.mutation_type,
        OperationType.SUBSCRIPTION: schema.subscription_type,
    }[operation.operation]
    if root is None:
        return 0
    walker = _CostWalker(schema, fragments, dict(variables or {}), page_size_default, page_size_max)
    return walker.selection_cost(operation.selection_set, root, ())


def _operation(document: DocumentNode, name: str | None) -> OperationDefinitionNode | None:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name:
        return next((o for o in operations if o.name and o.name.value == name), None)
    return operations[0] if len(operations) == 1 else None


class _CostWalker:
    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: dict[str, FragmentDefinitionNode],
        variables: dict[str, Any],
        page_default: int,
        page_max: int,
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.page_default = page_default
        self.page_max = page_max

    def selection_cost(
        self, selection_set: SelectionSetNode, parent: Any, seen: tuple[str, ...]
    ) -> int:
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += self.field_cost(selection, parent, seen)
            elif isinstance(selection, InlineFragmentNode):
                target = (
                    self.schema.get_type(selection.type_condition.name.value)
                    if selection.type_condition
                    else parent
                )
                total += self.selection_cost(selection.selection_set, target or parent, seen)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is None or name in seen:  # validation reports these
                    continue
                target = self.schema.get_type(fragment.type_condition.name.value)
                total += self.selection_cost(
                    fragment.selection_set, target or parent, (*seen, name)
                )
        return total

    def field_cost(self, node: FieldNode, parent: Any, seen: tuple[str, ...]) -> int:
        if node.selection_set is None:
            return 0
        fields = getattr(parent, "fields", None) or {}
        definition = fields.get(node.name.value)
        if definition is None:  # an interface/union member, or unknown: validation decides
            return 1 + self.selection_cost(node.selection_set, parent, seen)
        field_type = definition.type
        if is_non_null_type(field_type):
            field_type = field_type.of_type
        count = 1
        if "first" in definition.args:
            count = self.page_size(node)
        elif is_list_type(field_type):
            in_page = isinstance(parent, GraphQLObjectType) and parent.name.endswith("Connection")
            count = 1 if in_page else UNPAGED_LIST_ESTIMATE
        inner = self.selection_cost(node.selection_set, get_named_type(field_type), seen)
        return count * (1 + inner)

    def page_size(self, node: FieldNode) -> int:
        for argument in node.arguments or ():
            if argument.name.value == "first":
                value = value_from_ast_untyped(argument.value, self.variables)
                if isinstance(value, int) and value >= 0:
                    return min(value, self.page_max)
        return self.page_default


# --- request bodies ----------------------------------------------------------------------


def error_document(message: str, code: str) -> bytes:
    """A refusal made before GraphQL runs, in the shape of GraphQL's own errors."""
    return json.dumps({"errors": [{"message": message, "extensions": {"code": code}}]}).encode()


ASGIApp = Callable[[dict, Callable[[], Awaitable[dict]], Callable[[dict], Awaitable[None]]], Any]


# A body over the limit is still read (and dropped) up to this many times the limit, so that
# the client, still sending, receives the 413 rather than a connection reset.
_DRAIN = 16


class BodySizeLimit:
    """Raw ASGI middleware: refuse HTTP request bodies over `max_bytes` with 413, before the
    application reads a byte of them (declared lengths are refused at once, streamed bodies
    as soon as they pass the limit)."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http" or self.max_bytes <= 0:
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or ()).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > _DRAIN * self.max_bytes:
            await self._refuse(send)  # far too big to read even to throw away: close at once
            return
        messages: list[dict] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                messages.append(message)
                break
            size += len(message.get("body", b""))
            if size <= self.max_bytes:
                messages.append(message)
            elif size > _DRAIN * self.max_bytes:
                break
            if not message.get("more_body", False):
                break
        if size > self.max_bytes:
            # Read (and dropped) up to a bound, so the client gets the answer, not a reset.
            await self._refuse(send)
            return

        async def replay() -> dict:
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, send: Callable) -> None:
        body = error_document(
            f"the request body is larger than {self.max_bytes} bytes; send a smaller request "
            "(split bulk work, or import a workbook)",
            "PAYLOAD_TOO_LARGE",
        )
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


# --- statement timeout on SQLite ---------------------------------------------------------

# SQLite calls the progress handler every this many virtual-machine instructions.
_PROGRESS_STEPS = 20_000


def interrupt_slow_sqlite_statements(engine: AsyncEngine, timeout_ms: int) -> None:
    """Interrupt any statement of this SQLite engine running longer than `timeout_ms`.

    SQLite has no statement_timeout: each connection gets a progress handler that aborts the
    statement ("interrupted") once the deadline set when the statement started has passed.
    """
    from sqlalchemy.util.concurrency import await_

    @event.listens_for(engine.sync_engine, "connect")
    def _install(dbapi_connection, record):  # type: ignore[no-untyped-def]
        deadline = [0.0]
        record.info["gridreg_deadline"] = deadline

        def over_time() -> int:
            return 1 if deadline[0] and time.monotonic() > deadline[0] else 0

        driver = dbapi_connection._connection  # the aiosqlite connection
        await_(driver.set_progress_handler(over_time, _PROGRESS_STEPS))

    @event.listens_for(engine.sync_engine, "before_cursor_execute")
    def _start(conn, *_):  # type: ignore[no-untyped-def]
        deadline = conn.info.get("gridreg_deadline")
        if deadline is not None:
            deadline[0] = time.monotonic() + timeout_ms / 1000


def is_statement_timeout(error: BaseException) -> bool:
    """Whether a database error is a statement cut short by the timeout above."""
    text = f"{type(getattr(error, 'orig', error)).__name__} {error}".lower()
    return "querycancel" in text or "statement timeout" in text or "interrupted" in text
