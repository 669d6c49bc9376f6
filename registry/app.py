"""The starlette application: GraphQL (and its self-hosted IDE) at /graphql, the organiser's
console at /console, a health check at /healthz."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from strawberry.asgi import GraphQL

from registry.api.context import Context
from registry.api.schema import build_schema
from registry.auth import authenticate
from registry.config import Settings
from registry.db import Database
from registry.limits import BodySizeLimit
from registry.web import request_token, web_routes
from registry.web.pages import ide_page


class RegistryGraphQL(GraphQL):
    """Strawberry's ASGI app with the registry's context."""

    def __init__(self, db: Database, settings: Settings) -> None:
        super().__init__(
            build_schema(settings),
            graphql_ide="graphiql" if settings.ide else None,
            allow_queries_via_get=True,
        )
        self.db = db
        self.settings = settings

    async def get_context(self, request: Any, response: Any = None) -> Context:  # type: ignore[override]
        async with self.db.read() as session:
            # The console's session cookie counts only on JSON POSTs (see registry.web.session).
            actor = await authenticate(session, request_token(request, json_post_only=True))
        return Context(db=self.db, settings=self.settings, actor=actor)

    def encode_json(self, data: object) -> bytes:
        # orjson: a 100-member page or a district's violations encode several times faster,
        # and Chinese text goes out as UTF-8 rather than \u escapes.
        return orjson.dumps(data)

    def decode_json(self, data: str | bytes) -> object:
        return orjson.loads(data)  # its JSONDecodeError is json's: bad bodies still get a 400

    async def render_graphql_ide(self, request: Request) -> Response:
        # Our own GraphiQL build: strawberry's page loads its scripts from a public CDN.
        return ide_page()


def create_app(settings: Settings | None = None) -> Starlette:
    """Build the application for these settings (from the environment by default)."""
    settings = settings or Settings.from_env()
    db = Database(settings.database_url, settings.statement_timeout_ms)
    graphql_app = RegistryGraphQL(db, settings)

    async def healthz(_: Request) -> Response:
        return JSONResponse({"status": "ok"})

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        yield
        await db.dispose()

    app = Starlette(
        routes=[
            Route("/graphql", graphql_app, methods=["GET", "POST"]),
            Route("/healthz", healthz),
            *web_routes(),
        ],
        lifespan=lifespan,
        middleware=[Middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)],
    )
    app.state.db = db
    app.state.settings = settings
    return app
