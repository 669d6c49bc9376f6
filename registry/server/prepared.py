"""Queries this process has already seen, answered without strawberry's per-request pipeline.

Clients send the same few query texts over and over. The first time a text comes, strawberry
answers it as usual: its HTTP view parses the body, its schema runs the registry's extensions
around parsing, validation and execution (`registry.api.schema`), and validation keeps the
valid document (`ValidDocuments`). From then on, a JSON POST of that text as a query is
answered here: the same token check and context, the same limits (cost, text), graphql-core's
execution with the registry's executor, the same masking and logging of errors and the same
JSON out — without the view's request adapters and the extension runner's hooks, which cost
several times what `{ __typename }` or a small lookup costs once its SQL is cached. The
executor is built from the operation and fragments found once per text, as graphql-core's
`execute` would build it (building it through `execute` cost `{ __typename }` an eighth
of its instructions). When no directive of the text reads a variable, every request selects
the same fields: the operation keeps its collected fields and plans (`KeptPlans`) and an
executor set up once, which each request copies (setting one up cost a third). A body sent
before without variables is not parsed again, and a caller whose token the process keeps is
known without a coroutine (`RegistryGraphQL.kept_context`): 4 % of what `{ __typename }`
costs the server each.

Anything else goes to strawberry unchanged, the body handed on as it came: mutations (they
read the primary, and their extensions matter), GET, other media types, batches, a body that
is not a JSON object, a text not seen or not valid, variables that do not fit the operation,
and a request a limit refuses (strawberry words the refusals). tests/test_prepared_queries.py
checks that both paths answer alike.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson
from graphql.execution import Executor
from graphql.execution.collect_fields import FragmentDetails
from graphql.execution.values import VariableValues, get_variable_values
from graphql.language import OperationType
from starlette.requests import Request
from starlette.types import Message, Receive, Scope, Send
from strawberry.execution import optimized_is_awaitable
from strawberry.http import process_result
from strawberry.types import ExecutionResult

from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    OperationDefinitionNode,
    default_field_resolver,
    default_type_resolver,
    get_operation_ast,
)
from registry.api.execution import KeptPlans, PlainFieldExecutionContext
from registry.api.inputs import text_errors
from registry.api.limits import CodedErrors, cost_error
from registry.api.schema import RegistrySchema
from registry.api.variables import directives_read_variables
from registry.server.body_limit import BodyLimit, replaying
from registry.server.graphql_view import RegistryGraphQL
from registry.web.headers import raw_header

# The values of an operation that declares no variables: the same on every request (those a
# client sends anyway are ignored, as graphql-core ignores them).
_NO_VARIABLES = VariableValues({}, {})
# The request keys a prepared query may carry; any other (say `extensions`) goes to strawberry.
_KEYS = frozenset(("query", "variables", "operationName"))


class PreparedQueries:
    """The /graphql endpoint: prepared queries answered here, the rest by `view`."""

    def __init__(self, view: RegistryGraphQL, limit: BodyLimit) -> None:
        self.view = view
        # The body is read here, within the deployment's limit, for every request: once read,
        # it is handed on as it came to whoever answers.
        self.limit = limit
        schema = view.schema
        assert isinstance(schema, RegistrySchema)
        self.schema = schema
        self.masking = CodedErrors()
        # The schema's own executor (the registry's; strawberry's in a differential test).
        executor = schema.execution_context_class
        assert executor is not None
        self.executor: Callable[..., Executor] = executor
        # The registry's executor keeps what each operation's executions share.
        self.keeps = isinstance(executor, type) and issubclass(
            executor, PlainFieldExecutionContext
        )
        # What is found once about each text and operation name (as many as valid documents
        # are kept).
        self.prepared: dict[tuple[str, str | None], _Prepared] = {}
        # The bodies of requests without variables, by their bytes, and what they ask.
        self.asked: dict[bytes, _Prepared] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.view(scope, receive, send)
            return
        messages = await self.limit.read(scope, receive, send)
        if messages is None:  # refused: over the limit
            return
        found = None
        if scope["method"] == "POST" and _json(scope):
            body = _body(messages)
            if body is None:  # the client went away before its request was whole
                return
            found = self._prepared(body)
        answer = None if found is None else await self._answer(scope, *found)
        if answer is None:
            await self.view(scope, replaying(messages, receive), send)
            return
        # As starlette's Response sends it, without building one.
        headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(answer))]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": answer})

    def _prepared(self, body: bytes) -> tuple[_Prepared, dict[str, Any] | None] | None:
        """A query seen before, and the variables it is sent with."""
        # A body sent before without variables is the same request again: not parsed twice.
        asked = self.asked.get(body)
        if asked is not None:
            return asked, None
        try:
            payload = orjson.loads(body)
        except orjson.JSONDecodeError:
            return None
        if not isinstance(payload, dict) or not _KEYS.issuperset(payload):
            return None
        query, variables = payload.get("query"), payload.get("variables")
        name = payload.get("operationName")
        if not isinstance(query, str) or not isinstance(variables, dict | None):
            return None
        if not isinstance(name, str | None):
            return None
        document = self.schema.valid_documents.get(query)
        if document is None:
            return None
        found = self.prepared.get((query, name))
        if found is None or found.document is not document:
            found = _prepared_of(query, document, name, self.keeps)
            if found is None:
                return None
            if len(self.prepared) >= self.schema.valid_documents.maxsize:
                self.prepared.clear()
                self.asked.clear()
            self.prepared[(query, name)] = found
        if not variables:
            if len(self.asked) >= self.schema.valid_documents.maxsize:
                self.asked.clear()
            self.asked[body] = found
        return found, variables

    async def _answer(
        self,
        scope: Scope,
        found: _Prepared,
        variables: dict[str, Any] | None,
    ) -> bytes | None:
        """The JSON answer to a prepared query, or None for one a limit refuses or whose
        variables do not fit it (strawberry words those refusals)."""
        if not self._within_limits(found, variables):
            return None
        definitions = found.operation.variable_definitions
        values = _NO_VARIABLES
        if definitions:
            coerced = get_variable_values(
                self.schema._schema, definitions, variables or {},
                hide_suggestions=self.schema.hide_suggestions,
            )  # fmt: skip
            if isinstance(coerced, list):
                return None
            values = coerced
        # The context reads the caller off the headers; the body was read already.
        context = self.view.kept_context(scope) or await self.view.get_context(Request(scope))
        kept = found.kept
        if kept is None:
            executor = self._executor(found, context, values)
        else:
            # The operation's executor is set up once; each request's is a copy of it.
            if kept.executor is None:
                first = self._executor(found, None, values)
                assert isinstance(first, PlainFieldExecutionContext)  # plans are kept by it alone
                kept.executor = first
            executor = kept.executor.again(context, values)
        result: Any = executor.execute_operation()
        if optimized_is_awaitable(result):
            result = await result
        errors = result.errors
        if not errors:
            return self.view.encode_json({"data": result.data})  # as `process_result` words it
        # As strawberry does: logged as they are, then masked for the caller.
        self.schema._process_errors(errors)
        errors = self.masking._process_errors(errors)
        return self.view.encode_json(process_result(ExecutionResult(result.data, errors)))

    def _executor(self, found: _Prepared, context: Any, values: VariableValues) -> Executor:
        """What graphql-core's `execute` builds to run an operation, with the parts building
        it finds in the document found once per text (`_prepared_of`)."""
        kept = {} if found.kept is None else {"kept": found.kept}
        return self.executor(
            schema=self.schema._schema,
            fragment_definitions=found.definitions,
            fragments=found.fragments,
            root_value=None,
            context_value=context,
            operation=found.operation,
            variable_values=values,
            field_resolver=default_field_resolver,
            type_resolver=default_type_resolver,
            subscribe_field_resolver=default_field_resolver,
            is_awaitable=optimized_is_awaitable,
            hide_suggestions=self.schema.hide_suggestions,
            operation_extensions=None,
            **kept,
        )

    def _within_limits(self, found: _Prepared, variables: dict[str, Any] | None) -> bool:
        # Without variables nothing about a text changes between requests: checked once.
        fixed = not variables
        if fixed and found.within_limits:
            return True
        if text_errors(found.text, found.document, variables):
            return False
        settings = self.view.settings
        schema = self.schema._schema
        if cost_error(settings, schema, found.document, variables, found.name) is not None:
            return False
        found.within_limits = found.within_limits or fixed
        return True


@dataclass(slots=True)
class _Prepared:
    """A query operation of a valid document, with what graphql-core's `Executor.build`
    finds beside it (the document's fragments by name, as definitions and as details), and
    whether the text without variables is within the limits."""

    text: str
    name: str | None
    document: DocumentNode
    operation: OperationDefinitionNode
    definitions: dict[str, FragmentDefinitionNode]
    fragments: dict[str, FragmentDetails]
    kept: KeptPlans | None
    within_limits: bool = False


def _prepared_of(
    text: str, document: DocumentNode, name: str | None, keeps: bool
) -> _Prepared | None:
    """The query operation `name` picks in `document`, or None for anything else. Its
    executions share their plans (`keeps`) unless a directive reads a variable."""
    operation = get_operation_ast(document, name)
    if operation is None or operation.operation is not OperationType.QUERY:
        return None
    definitions = {
        definition.name.value: definition
        for definition in document.definitions
        if isinstance(definition, FragmentDefinitionNode)
    }
    if any(definition.variable_definitions for definition in definitions.values()):
        return None  # fragment arguments: left to graphql-core's own building
    fragments = {key: FragmentDetails(definition) for key, definition in definitions.items()}
    kept = KeptPlans() if keeps and not directives_read_variables(document) else None
    return _Prepared(text, name, document, operation, definitions, fragments, kept)


def _json(scope: Scope) -> bool:
    media_type = raw_header(scope, b"content-type") or b""
    return media_type.partition(b";")[0].strip().lower() == b"application/json"


def _body(messages: list[Message]) -> bytes | None:
    """The body of a request read whole, or None if the client went away first."""
    if messages[-1]["type"] != "http.request":
        return None
    if len(messages) == 1:
        return messages[0].get("body", b"")
    return b"".join(message.get("body", b"") for message in messages)
