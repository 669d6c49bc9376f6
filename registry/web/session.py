"""The console's session: a token kept in an HttpOnly, SameSite=Strict cookie.

A cookie is sent by the browser on its own, so it only counts when the request also carries
the `X-Gridreg-Session` header, which a page on another site cannot add without a CORS
preflight that gridreg never grants; GraphQL over a cookie must moreover be a JSON POST (GET
never runs mutations in any case). A bearer header, when present, always wins.
"""

from __future__ import annotations

from starlette.requests import HTTPConnection
from starlette.responses import Response

COOKIE = "gridreg_session"
SESSION_HEADER = "x-gridreg-session"
MAX_AGE = 12 * 3600


def bearer_token(request: HTTPConnection) -> str | None:
    """The token from `Authorization: Bearer <token>`, if any."""
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() or None if scheme.lower() == "bearer" else None


def cookie_token(request: HTTPConnection) -> str | None:
    """The session cookie's token, if the request proves it comes from gridreg's own pages."""
    if not request.headers.get(SESSION_HEADER):
        return None
    return request.cookies.get(COOKIE) or None


def request_token(request: HTTPConnection, json_post_only: bool = False) -> str | None:
    """The caller's token: the bearer header, else the session cookie (see module doc)."""
    token = bearer_token(request)
    if token is not None:
        return token
    if json_post_only and not is_json_post(request):
        return None
    return cookie_token(request)


def is_json_post(request: HTTPConnection) -> bool:
    """A POST whose body is JSON (a content type no plain HTML form can send)."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    return request.scope.get("method") == "POST" and kind == "application/json"


def set_session(response: Response, request: HTTPConnection, token: str) -> None:
    """Keep the token in the session cookie: HttpOnly, SameSite=Strict, Secure over HTTPS."""
    response.set_cookie(
        COOKIE,
        token,
        max_age=MAX_AGE,
        path="/",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )


def clear_session(response: Response) -> None:
    """Forget the session cookie."""
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict")
