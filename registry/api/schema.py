"""The GraphQL schema: feature query and mutation types merged, limits and masking on."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import strawberry
from strawberry.extensions import (
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.extensions.disable_introspection import DisableIntrospection
from strawberry.tools import merge_types

from registry.api.coverage import CoverageQuery
from registry.api.mutations.members import MemberMutations
from registry.api.mutations.offices import OfficeMutations
from registry.api.mutations.organisations import OrganisationMutations
from registry.api.mutations.places import PlaceMutations
from registry.api.orgchart import OrgChartQuery
from registry.api.queries import RegistryQuery
from registry.config import Settings

SDL_PATH = Path(__file__).resolve().parents[2] / "graphql" / "schema.graphql"

# Each feature adds its query and mutation types here.
QUERY_TYPES: tuple[type, ...] = (RegistryQuery, CoverageQuery, OrgChartQuery)
MUTATION_TYPES: tuple[type, ...] = (
    PlaceMutations,
    OrganisationMutations,
    MemberMutations,
    OfficeMutations,
)


def _should_mask(error: Exception) -> bool:
    # GraphQL errors we raise on purpose carry a code; anything else is a bug and is masked.
    from graphql import GraphQLError

    original = getattr(error, "original_error", None)
    if original is None:
        return False
    return not (isinstance(original, GraphQLError) and "code" in (original.extensions or {}))


def build_schema(settings: Settings) -> strawberry.Schema:
    """The schema with this deployment's limits (extensions passed as classes or factories)."""
    extensions: list = [
        # Clients send the same few operations: parse and validate each text once per process.
        lambda: ParserCache(maxsize=512),
        lambda: ValidationCache(maxsize=512),
        lambda: QueryDepthLimiter(max_depth=settings.max_query_depth),
        lambda: MaxAliasesLimiter(max_alias_count=settings.max_aliases),
        lambda: MaxTokensLimiter(max_token_count=settings.max_tokens),
        lambda: MaskErrors(
            should_mask_error=_should_mask,
            error_message="Internal error: the request could not be completed.",
        ),
    ]
    if not settings.introspection:
        extensions.append(DisableIntrospection)
    query, mutation = _root_types()
    return strawberry.Schema(query=query, mutation=mutation, extensions=extensions)


@cache
def _root_types() -> tuple[type, type | None]:
    # Merged once per process: strawberry refuses to see the same relay types merged twice.
    query = merge_types("Query", QUERY_TYPES)
    mutation = merge_types("Mutation", MUTATION_TYPES) if MUTATION_TYPES else None
    return query, mutation


def export_sdl(settings: Settings | None = None) -> str:
    """The schema as SDL, as committed in graphql/schema.graphql."""
    return build_schema(settings or Settings.from_env()).as_str() + "\n"
