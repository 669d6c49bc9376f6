"""Reasons and explanations over GraphQL: a code and the values it names, the shape of a
userError's `reason` and `params`, worded by the reader (`explain.<code>`)."""

from __future__ import annotations

from collections.abc import Iterable

import strawberry

from graph.model import Reason as GraphReason
from registry.api.errors import MessageParam
from registry.planning.reasons import PlainReason, plain


@strawberry.type(
    description="Why, as a code a reader's language words (zh/en `explain.<code>`) and the "
    "values it names: place and member codes, numbers, lists joined by commas."
)
class Reason:
    code: str
    params: list[MessageParam]

    @classmethod
    def of(cls, found: GraphReason | PlainReason) -> Reason:
        """A reason from the algorithms or as stored."""
        data = plain(found) if isinstance(found, GraphReason) else found
        params = [MessageParam(name=k, value=v) for k, v in data.get("params", {}).items()]
        return cls(code=data["code"], params=params)


def reasons(found: Iterable[GraphReason | PlainReason]) -> list[Reason]:
    """An explanation: its reasons in order."""
    return [Reason.of(r) for r in found]
