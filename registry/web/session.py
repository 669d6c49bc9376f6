"""The console's session: a random session id kept in an HttpOnly, SameSite=Strict cookie.

The cookie never holds the API token the console signed in with: the session is a row of
its own (`registry.access.tokens.open_session`), so signing out ends it on the server, and a
cookie copied from a browser is worth nothing once its owner signs out or the token is revoked.

A cookie is sent by the browser on its own, so it only counts when the request also carries
the `X-Gridreg-Session` header, which a page on another site cannot add without a CORS
preflight that gridreg never grants; GraphQL over a cookie must moreover be a JSON POST (GET
never runs mutations in any case). A bearer header, when present, always wins.
"""

from __future__ import annotations

from datetime import timedelta

from starlette.requests import HTTPConnection
from starlette.responses import Response
from starlette.types import Scope

from registry.access.actor import Actor
from registry.access.tokens import authenticate, authenticate_session, kept_actor
from registry.core.db import Database
from registry.web.headers import raw_header

COOKIE = "gridreg_session"
SESSION_HEADER = "x-gridreg-session"
MAX_AGE = 12 * 3600
LASTING = timedelta(seconds=MAX_AGE)  # a session ends with its cookie


def bearer_token(scope: Scope) -> str | None:
    """The token from `Authorization: Bearer <token>`, if any."""
    header = raw_header(scope, b"authorization")
    if header is None:
        return None
    scheme, _, token = header.decode("latin-1").partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def cookie_session(request: HTTPConnection, to_end: bool = False) -> str | None:
    """The session cookie's id, if the request proves it comes from gridreg's own pages; or,
    `to_end` it, whatever request brings it (ending a session grants nothing)."""
    if not to_end and not request.headers.get(SESSION_HEADER):
        return None
    return request.cookies.get(COOKIE) or None


async def request_actor_in(
    db: Database, request: HTTPConnection, json_post_only: bool = False
) -> Actor | None:
    """The caller: by the bearer header, else by the console's session cookie (see the
    module doc); None when neither names a live token."""
    token = bearer_token(request.scope)
    if token is not None:
        return await authenticate(db, token)
    if json_post_only and not is_json_post(request):
        return None
    return await authenticate_session(db, cookie_session(request))


def kept_request_actor(db: Database, scope: Scope) -> Actor | None:
    """The caller by the bearer header, when this process keeps its token's actor and knows
    it still holds (`kept_actor`); None: ask `request_actor_in`, which may read the database
    or the console's cookie."""
    token = bearer_token(scope)
    return None if token is None else kept_actor(db, token)


def is_json_post(request: HTTPConnection) -> bool:
    """A POST whose body is JSON (a content type no plain HTML form can send)."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    return request.scope.get("method") == "POST" and kind == "application/json"


def set_session(response: Response, request: HTTPConnection, session_id: str) -> None:
    """Keep the session id in the cookie: HttpOnly, SameSite=Strict, Secure over HTTPS."""
    response.set_cookie(
        COOKIE,
        session_id,
        max_age=MAX_AGE,
        path="/",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )


def clear_session(response: Response) -> None:
    """Forget the session cookie."""
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict")
