"""How the console's endpoints refuse a request: one JSON shape, `{"error": message, "code":
CODE, "params": {...}}`, with the codes of GraphQL's errors (`registry.core.errors.ErrorCode`
and the transport codes), so that the page can show the message or render it from the code."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.responses import JSONResponse

# Where the console's endpoints live: requests refused before they reach one (a body over the
# deployment's limit) are answered in this shape too.
CONSOLE_PATHS = "/console/"


def refusal(message: str, code: str, **params: Any) -> dict[str, Any]:
    """The body of a refusal: what to fix (`message`), its code and the values it names."""
    return {"error": message, "code": code, "params": params}


def refused(
    message: str, code: str, status: int, also: Mapping[str, Any] | None = None, **params: Any
) -> JSONResponse:
    """A refusal with its HTTP status; `also` adds the endpoint's own fields (the session's
    `signedIn`)."""
    return JSONResponse({**(also or {}), **refusal(message, code, **params)}, status_code=status)
