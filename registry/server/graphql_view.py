"""Strawberry's ASGI view of the GraphQL schema, with the registry's context, JSON and refusals."""

from __future__ import annotations

from typing import Any

import orjson
from cross_web import AsyncHTTPRequestAdapter, HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from strawberry.asgi import GraphQL

from registry.access.actor import Actor
from registry.api.context import Context
from registry.api.nested import REPORTS
from registry.api.schema import build_schema
from registry.core.config import Settings
from registry.core.db import Database
from registry.server.body_limit import error_document
from registry.web import kept_request_actor, request_actor_in
from registry.web.pages import ide_page

# What strawberry's HTTP refusals (malformed requests) are answered with, by status.
HTTP_CODES = {
    400: "BAD_REQUEST",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    415: "UNSUPPORTED_MEDIA_TYPE",
}


class RegistryGraphQL(GraphQL):
    """Strawberry's ASGI app with the registry's context; every request it refuses gets a
    JSON answer with a code, like any GraphQL error."""

    def __init__(self, db: Database, settings: Settings) -> None:
        super().__init__(
            build_schema(settings),
            graphql_ide="graphiql" if settings.ide else None,
            allow_queries_via_get=True,
        )
        self.db = db
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        try:
            response = await self.run(Request(scope, receive=receive))
        except HTTPException as refused:  # strawberry answers these in plain text
            response = Response(
                error_document(refused.reason, HTTP_CODES.get(refused.status_code, "BAD_REQUEST")),
                status_code=refused.status_code,
                media_type="application/json",
            )
        await response(scope, receive, send)

    async def parse_http_body(self, request: AsyncHTTPRequestAdapter) -> Any:
        if request.method == "POST":
            # The media type alone, without the parameters parse_content_type also reads (a
            # tenth of what `{ __typename }` costs); strawberry parses the header again anyway.
            media_type = (request.content_type or "").partition(";")[0].strip().lower()
            if media_type != "application/json":
                raise HTTPException(
                    415,
                    "send GraphQL requests as JSON (Content-Type: application/json), "
                    "or queries as a GET query string",
                )
            # Strawberry reads any JSON value as a request and fails on those that are not an
            # object: look first (starlette keeps the body; a request parses in microseconds).
            if not isinstance(self.parse_json(await request.get_body()), dict):
                raise HTTPException(
                    400, 'the body must be a JSON object: {"query": "...", "variables": {...}}'
                )
        return await super().parse_http_body(request)

    async def get_context(self, request: Any, response: Any = None) -> Context:  # type: ignore[override]  # strawberry types the context as a plain object
        # The token is checked on the primary (kept per process, and forgotten on any change),
        # so that a revocation counts at once, never after a replica's lag.
        # The console's session cookie counts only on JSON POSTs (see registry.web.session).
        actor = await request_actor_in(self.db, request, json_post_only=True)
        db = self.db
        if self.db.replicas:
            # With read replicas, the primary's record of the token's last write (its fence).
            async with self.db.read() as session:
                db = await self.db.for_request(session, actor.token_id if actor else None)
        return self._context(db, actor)

    def kept_context(self, scope: Scope) -> Context | None:
        """`get_context`'s answer for a request by a caller this process keeps (see
        `kept_request_actor`), without a coroutine or a `Request`; None: ask `get_context`."""
        if self.db.replicas:  # the fence is read per request
            return None
        actor = kept_request_actor(self.db, scope)
        return None if actor is None else self._context(self.db, actor)

    def _context(self, db: Database, actor: Actor | None) -> Context:
        return Context(db=db, settings=self.settings, actor=actor, nested=REPORTS)

    def encode_json(self, data: object) -> bytes:
        # orjson: a 100-member page or a district's violations encode several times faster,
        # and Chinese text goes out as UTF-8 rather than \u escapes.
        return orjson.dumps(data)

    def decode_json(self, data: str | bytes) -> object:
        return orjson.loads(data)  # its JSONDecodeError is json's: bad bodies still get a 400

    async def render_graphql_ide(self, request: Request) -> Response:
        # Our own GraphiQL build: strawberry's page loads its scripts from a public CDN.
        return ide_page()
