"""Text arriving through the API: every string a request carries — a mutation's input, a
query's arguments and variables — is held to `registry.core.validation.character_problem` before
anything runs, so no control character reaches a lookup, a filter or a table.

Mutations are refused with user errors naming the field (the runner asks
`argument_problems`); queries, which have no payload, with a BAD_INPUT error (`TextGuard`).
Only characters no text may hold are refused here; whether a field may span lines is the
service's business (`registry.writes.common.text`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from graphql import (
    DocumentNode,
    ExecutionResult,
    GraphQLError,
    StringValueNode,
    Visitor,
    value_from_ast_untyped,
    visit,
)
from registry.api.context import GInfo
from registry.api.limits import bad_input
from registry.core.errors import Problem
from registry.core.validation import character_problem


def texts(value: Any, path: str) -> Iterator[tuple[str, str]]:
    """Every string inside a JSON-like value, with its path (`name`, `into[0].name`)."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from texts(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from texts(item, f"{path}[{i}]")


def argument_problems(info: GInfo) -> list[Problem]:
    """A problem for every string of the current field's arguments that no text may hold,
    addressed as the payload's user errors are (`name`, not `input.name`)."""
    variables = info.variable_values
    arguments = {
        argument.name.value: value_from_ast_untyped(argument.value, variables)
        for argument in info._raw_info.field_nodes[0].arguments or ()
    }
    values = arguments["input"] if list(arguments) == ["input"] else arguments
    # A list of strings is one field (`skills`); the item's place is in the message.
    return [
        Problem(
            path.rsplit("[", 1)[0] if path.endswith("]") else path,
            f"{path} {problem}",
            reason="TEXT_CHARACTERS",
        )
        for path, value in texts(values, "")
        if (problem := character_problem(value, multiline=True))
    ]


class _Strings(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[StringValueNode] = []

    def enter_string_value(self, node: StringValueNode, *_: Any) -> None:
        self.found.append(node)


class TextGuard(SchemaExtension):
    """Refuse a query whose variables or written-in strings hold a character no text may hold
    (mutations are refused field by field, with user errors, by the runner)."""

    def on_execute(self) -> Iterator[None]:
        ctx = self.execution_context
        checked = ctx.graphql_document is not None and not ctx.result
        if checked and ctx.operation_type is not OperationType.MUTATION:
            assert ctx.graphql_document is not None
            errors = text_errors(ctx.query or "", ctx.graphql_document, ctx.variables)
            if errors:
                ctx.result = ExecutionResult(data=None, errors=errors)
        yield


def text_errors(
    query: str, document: DocumentNode, variables: dict[str, Any] | None
) -> list[GraphQLError]:
    """BAD_INPUT for each variable or string written into the document that holds a character
    no text may hold."""
    found = [
        bad_input(f"variable ${path} {problem}")
        for path, value in texts(variables or {}, "")
        if (problem := character_problem(value, multiline=True))
    ]
    # A string written into the document holds such a character only through an escape
    # (\u0000) or as itself: most documents have neither and are not walked.
    if "\\u" not in query and character_problem(query, multiline=True) is None:
        return found
    strings = _Strings()
    visit(document, strings)
    return found + [
        bad_input(f"a string argument {problem}", nodes=[node])
        for node in strings.found
        if (problem := character_problem(node.value, multiline=True))
    ]
