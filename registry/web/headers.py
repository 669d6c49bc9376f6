"""Request headers read straight off the ASGI scope."""

from __future__ import annotations

from starlette.types import Scope


def raw_header(scope: Scope, name: bytes) -> bytes | None:
    """The first value of header `name` (lower case, as servers hand them on), if sent.
    Building starlette's `Headers` to look up one header cost `{ __typename }` 2.5 % of its
    instructions; the hot path reads the few it needs this way."""
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value)
    return None
