"""The starlette application: GraphQL (and its self-hosted IDE) at /graphql, the organiser's
console at /console, a health check at /healthz."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from registry.access.tokens import keep_actors, stop_keeping_actors
from registry.core import calendar
from registry.core.config import Settings
from registry.core.db import Database
from registry.server.body_limit import BodyLimit, BodySizeLimit
from registry.server.graphql_view import RegistryGraphQL
from registry.server.prepared import PreparedQueries
from registry.web import web_routes
from registry.web.importing import IMPORT_PATH

GRAPHQL_PATH = "/graphql"


class RegistryApp(Starlette):
    """Starlette, with GraphQL's requests handed straight to their endpoint: past the error
    and exception middleware and the router, whose layers cost `{ __typename }` 6 % of its
    server CPU. The endpoint answers every method and error itself, as JSON, and uvicorn
    answers an exception that escapes it with a 500, as starlette's outer layer did."""

    def __init__(self, graphql: ASGIApp, **options: Any) -> None:
        super().__init__(**options)
        self.graphql = graphql

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == GRAPHQL_PATH:
            scope["app"] = self
            await self.graphql(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


def create_app(settings: Settings | None = None) -> Starlette:
    """Build the application for these settings (from the environment by default)."""
    settings = settings or Settings.from_env()
    calendar.follow(settings.timezone, settings.today)
    db = Database(
        settings.database_url,
        settings.statement_timeout_ms,
        read_urls=settings.read_database_urls,
        read_max_lag_s=settings.read_max_lag_s,
        pgbouncer=settings.pgbouncer,
    )
    if settings.token_cache:
        keep_actors(db)
    graphql_app = RegistryGraphQL(db, settings)

    async def healthz(_: Request) -> Response:
        return JSONResponse({"status": "ok"})

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        yield
        await stop_keeping_actors(db)
        await db.dispose()

    app = RegistryApp(
        PreparedQueries(graphql_app, BodyLimit(settings.max_body_bytes)),
        routes=[Route("/healthz", healthz), *web_routes(settings.ide)],
        lifespan=lifespan,
        middleware=[
            # The console's routes read the client's scheme (a Secure cookie over https);
            # GraphQL reads neither it nor the address, and passes by this stack.
            Middleware(ProxyHeadersMiddleware, trusted_hosts=settings.forwarded_allow_ips),
            Middleware(BodySizeLimit, max_bytes=settings.max_body_bytes, own_limit=(IMPORT_PATH,)),
        ],
    )
    app.state.db = db
    app.state.settings = settings
    return app
