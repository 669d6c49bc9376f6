"""The GraphQL schema: feature query and mutation types merged, limits and masking on."""

from __future__ import annotations

import logging
from functools import cache
from pathlib import Path
from typing import Any

import strawberry
from strawberry.extensions import (
    MaxAliasesLimiter,
    QueryDepthLimiter,
)
from strawberry.extensions.disable_introspection import DisableIntrospection
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from graphql import GraphQLError
from registry.api.coverage import CoverageQuery
from registry.api.execution import PlainFieldExecutionContext
from registry.api.history import HistoryQuery
from registry.api.input_objects import plan_input_objects
from registry.api.inputs import TextGuard
from registry.api.limits import (
    CachedValidation,
    CodedErrors,
    CostLimiter,
    SafeParserCache,
    ValidDocuments,
    unexpected,
)
from registry.api.mutations.away import AwayMutations
from registry.api.mutations.contacts import ContactMutations
from registry.api.mutations.elections import ElectionMutations
from registry.api.mutations.hubs import HubMutations
from registry.api.mutations.leader_pairings import LeaderPairingMutations
from registry.api.mutations.members import MemberMutations
from registry.api.mutations.offices import OfficeMutations
from registry.api.mutations.organisations import OrganisationMutations
from registry.api.mutations.places import PlaceMutations
from registry.api.mutations.standing import StandingMutations
from registry.api.mutations.suggestions import SuggestionMutations
from registry.api.mutations.tasks import TaskMutations
from registry.api.mutations.transfers import TransferMutations
from registry.api.orgchart import OrgChartQuery
from registry.api.pairings import PairingQuery
from registry.api.queries import RegistryQuery
from registry.api.routing import MutationsReadThePrimary
from registry.api.suggestions import SuggestionQuery
from registry.api.tasks import TaskQuery
from registry.core.config import Settings
from registry.core.statement_timeout import is_statement_timeout

log = logging.getLogger(__name__)

SDL_PATH = Path(__file__).resolve().parents[2] / "graphql" / "schema.graphql"

# Each feature adds its query and mutation types here.
QUERY_TYPES: tuple[type, ...] = (
    RegistryQuery,
    CoverageQuery,
    OrgChartQuery,
    PairingQuery,
    TaskQuery,
    SuggestionQuery,
    HistoryQuery,
)
MUTATION_TYPES: tuple[type, ...] = (
    PlaceMutations,
    OrganisationMutations,
    MemberMutations,
    StandingMutations,
    AwayMutations,
    OfficeMutations,
    ElectionMutations,
    TransferMutations,
    ContactMutations,
    LeaderPairingMutations,
    HubMutations,
    TaskMutations,
    SuggestionMutations,
)


def build_schema(settings: Settings) -> strawberry.Schema:
    """The schema with this deployment's limits (extensions passed as classes or factories)."""
    # The limiters' validation rules are classes built per limiter instance: build them once
    # per schema, or every request brings new rules and ValidationCache never hits (~5-10 ms
    # of validation per request). Rule classes hold no state; each request still gets its own
    # extension instances.
    rules = (
        *QueryDepthLimiter(max_depth=settings.max_query_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=settings.max_aliases).validation_rules,
    )
    extensions: list = [
        # Clients send the same few operations: parse and validate each text once per process.
        lambda: SafeParserCache(maxsize=512, max_tokens=settings.max_tokens),
        lambda: CachedValidation(
            hide_suggestions=not settings.introspection, maxsize=512, rules=rules
        ),
        lambda: CostLimiter(settings),
        TextGuard,
        MutationsReadThePrimary,
        # Last: every error leaves with extensions.code; unexpected ones are masked as INTERNAL.
        CodedErrors,
    ]
    if not settings.introspection:
        extensions.append(DisableIntrospection)
    query, mutation = _root_types()
    schema = RegistrySchema(
        query=query,
        mutation=mutation,
        extensions=extensions,
        execution_context_class=PlainFieldExecutionContext,
        hide_suggestions=not settings.introspection,
    )
    plan_input_objects(known.definition for known in schema.schema_converter.type_map.values())
    return schema


class RegistrySchema(strawberry.Schema):
    """strawberry's schema, keeping the documents it validated (`valid_documents`, for
    registry.server.prepared), with two changes to what it does with errors.

    Suggestions: with `hide_suggestions`, graphql-core also leaves "Did you mean ...?" out of
    the errors of execution (a variable's unknown enum value or input field), as
    CachedValidation does from validation's.

    Logging: only failures (`unexpected`: masked as INTERNAL) are logged with their stack
    trace; a refusal the caller must fix is one line, at INFO."""

    def __init__(self, *args: Any, hide_suggestions: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.hide_suggestions = hide_suggestions
        # Filled by CachedValidation; read by registry.server.prepared.
        self.valid_documents = ValidDocuments(maxsize=512)

    def _get_custom_context_kwargs(
        self, operation_extensions: dict[str, Any] | None = None, *, sync: bool = False
    ) -> dict[str, Any]:
        # strawberry passes these to graphql-core's execute(), which takes hide_suggestions.
        kwargs = super()._get_custom_context_kwargs(operation_extensions, sync=sync)
        return {**kwargs, "hide_suggestions": self.hide_suggestions}

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        for error in errors:
            original = error.original_error
            if not unexpected(error):
                code = (error.extensions or {}).get("code", "refused")
                log.info("%s: %r", code, error.message)  # repr: one line, whatever it quotes
            elif original is not None and is_statement_timeout(original):
                log.warning("statement timeout: %r", error.message)
            else:
                log.error("%s", error, exc_info=original)


@cache
def _root_types() -> tuple[type, type | None]:
    # Merged once per process: strawberry refuses to see the same relay types merged twice.
    query = merge_types("Query", QUERY_TYPES)
    mutation = merge_types("Mutation", MUTATION_TYPES) if MUTATION_TYPES else None
    return query, mutation


def export_sdl(settings: Settings | None = None) -> str:
    """The schema as SDL, as committed in graphql/schema.graphql."""
    return build_schema(settings or Settings.from_env()).as_str() + "\n"
