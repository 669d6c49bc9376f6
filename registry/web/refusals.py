"""How the console's endpoints refuse a request: one JSON shape, `{"error": message, "code":
CODE, "params": {...}}`, with the codes of GraphQL's errors (`registry.core.errors.ErrorCode`
and the transport codes), so that the page can show the message or render it from the code."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.responses import JSONResponse


def refused(
    message: str, code: str, status: int, also: Mapping[str, Any] | None = None, **params: Any
) -> JSONResponse:
    """A refusal: what to fix (`message`), its code, the HTTP status and the values it names;
    `also` adds the endpoint's own fields (the session's `signedIn`)."""
    body = {**(also or {}), "error": message, "code": code, "params": params}
    return JSONResponse(body, status_code=status)
