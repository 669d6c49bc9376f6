"""The exported SDL is the contract frontends generate code from: it must not drift."""

from __future__ import annotations

from registry.api.schema import SDL_PATH, export_sdl
from registry.core.config import Settings


def test_graphql_schema_file_matches_the_served_schema() -> None:
    served = export_sdl(Settings.from_env(introspection=True))
    committed = SDL_PATH.read_text(encoding="utf-8")
    assert committed == served, "graphql/schema.graphql is stale: run `gridreg export-sdl`"
