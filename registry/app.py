"""The starlette application: GraphQL at /graphql, a health check at /healthz."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from strawberry.asgi import GraphQL

from registry.api.context import Context
from registry.api.schema import build_schema
from registry.auth import authenticate
from registry.config import Settings
from registry.db import Database


def bearer_token(request: Request) -> str | None:
    """The token from `Authorization: Bearer <token>`, if any."""
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() or None if scheme.lower() == "bearer" else None


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
            actor = await authenticate(session, bearer_token(request))
        return Context(db=self.db, settings=self.settings, actor=actor)


def create_app(settings: Settings | None = None) -> Starlette:
    """Build the application for these settings (from the environment by default)."""
    settings = settings or Settings.from_env()
    db = Database(settings.database_url)
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
        ],
        lifespan=lifespan,
    )
    app.state.db = db
    return app
