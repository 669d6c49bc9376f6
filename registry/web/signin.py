"""Sign-in and sign-out for the console: `/console/session`.

POST a JSON `{"token": ...}` to sign in (the cookie gets a new session's random id; the token
never goes back to the browser), GET to learn who is signed in and what their scope's roots
are, DELETE to sign out (the session row is deleted, so a copy of the cookie is worthless).
"""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from registry.access.actor import Actor
from registry.access.tokens import authenticate, close_session, open_session
from registry.core.db import Database
from registry.core.kinds import OrgStatus
from registry.core.models import Organisation, Place
from registry.web.refusals import refused
from registry.web.session import (
    LASTING,
    clear_session,
    cookie_session,
    is_json_post,
    request_actor_in,
    set_session,
)


def _db(request: Request) -> Database:
    return request.app.state.db


async def request_actor(request: Request) -> Actor | None:
    """The actor of a console request (bearer header, else session cookie with its header)."""
    return await request_actor_in(_db(request), request)


def _brief(row: Organisation | Place) -> dict[str, str]:
    return {"code": row.code, "name": row.name, "kind": row.kind}


async def whoami(session: AsyncSession, actor: Actor) -> dict[str, Any]:
    """What the console needs to know of a signed-in actor: role and the tops of its scope."""
    if actor.org_path is None:
        orgs = await session.scalars(
            select(Organisation)
            .where(Organisation.parent_id.is_(None), Organisation.status == OrgStatus.ACTIVE.value)
            .order_by(Organisation.path)
        )
        places = await session.scalars(
            select(Place).where(Place.parent_id.is_(None)).order_by(Place.path)
        )
    else:
        orgs = await session.scalars(
            select(Organisation).where(Organisation.path == actor.org_path)
        )
        places = await session.scalars(
            select(Place).where(Place.path.in_(actor.place_paths or ())).order_by(Place.path)
        )
    return {
        "signedIn": True,
        "role": actor.role.value,
        "canWrite": actor.can_write,
        "masksPhones": actor.masks_phones,
        "organisations": [_brief(row) for row in orgs],
        "places": [_brief(row) for row in places],
    }


def _signed_out(message: str, code: str = "UNAUTHENTICATED", status: int = 401) -> Response:
    return refused(message, code, status, also={"signedIn": False})


async def session_endpoint(request: Request) -> Response:
    """GET: who is signed in. POST {token}: sign in. DELETE: sign out."""
    if request.method == "DELETE":
        async with _db(request).write() as session:
            await close_session(session, cookie_session(request, to_end=True))
        response = JSONResponse({"signedIn": False})
        clear_session(response)
        return response
    if request.method == "POST":
        if not is_json_post(request):
            return _signed_out(
                'send the token as JSON: {"token": "grt_..."}', "UNSUPPORTED_MEDIA_TYPE", 415
            )
        try:
            body = orjson.loads(await request.body())
        except orjson.JSONDecodeError:
            body = None
        token = body.get("token") if isinstance(body, dict) else None
        if not isinstance(token, str) or not token.strip():
            return _signed_out('send the token as JSON: {"token": "grt_..."}', "BAD_REQUEST", 400)
        token = token.strip()
        actor = await authenticate(_db(request), token)
        if actor is None:
            return _signed_out("unknown, revoked or expired token")
        async with _db(request).write() as session:
            response = JSONResponse(await whoami(session, actor))
            replacing = cookie_session(request, to_end=True)
            session_id = await open_session(session, actor, LASTING, replacing)
        set_session(response, request, session_id)
        return response
    actor = await request_actor_in(_db(request), request)
    if actor is None:
        # Not an error for the page asking: it shows the sign-in form.
        return _signed_out("not signed in", status=200)
    async with _db(request).read() as session:
        return JSONResponse(await whoami(session, actor))
