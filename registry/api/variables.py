"""Where a query's text reads its variables: what stays the same from one request of it to the
next (registry.server.prepared, registry.api.execution)."""

from __future__ import annotations

from collections.abc import Iterator

from graphql import DirectiveNode, DocumentNode, Node, VariableNode


def reads_variable(node: Node) -> bool:
    """Whether a variable appears anywhere within `node` (an argument, a directive), however
    deep in a list or an input object."""
    return any(isinstance(inner, VariableNode) for inner in _within(node))


def directives_read_variables(document: DocumentNode) -> bool:
    """Whether a directive anywhere in `document` reads a variable (`@skip(if: $hide)`): the
    fields its operations select may then change from one request to the next."""
    return any(
        isinstance(inner, DirectiveNode) and reads_variable(inner) for inner in _within(document)
    )


def _within(node: Node) -> Iterator[Node]:
    """`node` and every node below it."""
    pending = [node]
    while pending:
        current = pending.pop()
        yield current
        for key in current.keys:
            value = getattr(current, key, None)
            if isinstance(value, Node):
                pending.append(value)
            elif isinstance(value, tuple | list):
                pending.extend(item for item in value if isinstance(item, Node))
