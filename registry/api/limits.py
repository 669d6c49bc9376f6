"""Strawberry extensions for the registry's limits: the cost of a request, and errors that all
carry an `extensions.code` (anything unexpected masked as INTERNAL, with no detail)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Collection, Iterator
from functools import cache, lru_cache
from typing import Any

from strawberry.extensions import MaskErrors, ParserCache, SchemaExtension
from strawberry.schema.validation_rules.maybe_null import MaybeNullValidationRule
from strawberry.schema.validation_rules.one_of import OneOfInputValidationRule

from graphql import (
    ASTValidationRule,
    DocumentNode,
    ExecutionResult,
    GraphQLError,
    GraphQLSchema,
    Node,
    validate,
)
from registry.api.cost import request_cost
from registry.core.config import Settings
from registry.core.statement_timeout import is_statement_timeout

INTERNAL_MESSAGE = "Internal error: the request could not be completed."
TIMEOUT_MESSAGE = (
    "The request took too long and was stopped; ask for less (a smaller `first`, a narrower "
    "scope or a shallower chart)."
)


def bad_input(message: str, nodes: Collection[Node] | None = None) -> GraphQLError:
    """A request the caller must correct (a malformed argument or variable): BAD_INPUT."""
    return GraphQLError(message, nodes=nodes, extensions={"code": "BAD_INPUT"})


def filter_text(text: str, field: str, longest: int) -> str:
    """A filter's text, refused (BAD_INPUT) when longer than any value it could match: such a
    pattern only costs the database (SQLite refuses LIKE patterns over 50,000 characters)."""
    if len(text) > longest:
        raise bad_input(
            f"`{field}` is {len(text)} characters long, but no stored value is longer than "
            f"{longest}: filter by a shorter part of it"
        )
    return text


class SafeParserCache(ParserCache):
    """strawberry's ParserCache raises syntax errors from its hook, which skips every other
    extension's error handling; leave a document that does not parse to strawberry, whose
    own parse reports it as a normal result (with a code, through CodedErrors). Parsing stops
    after `max_tokens` tokens (as strawberry's MaxTokensLimiter does, without an extension of
    its own: each costs every request its hooks)."""

    def __init__(self, maxsize: int, max_tokens: int) -> None:
        super().__init__(maxsize=maxsize)
        self.max_tokens = max_tokens

    def on_parse(self) -> Iterator[None]:
        ctx = self.execution_context
        ctx.parse_options["max_tokens"] = self.max_tokens
        try:
            ctx.graphql_document = self.cached_parse_document(ctx.query, **ctx.parse_options)
        except GraphQLError:
            ctx.graphql_document = None
        yield


Validator = Callable[[GraphQLSchema, DocumentNode, tuple[type[ASTValidationRule], ...]], list]


@cache
def _validator(hide_suggestions: bool, maxsize: int) -> Validator:
    # One LRU cache per setting, shared by every request (documents come from SafeParserCache).
    def validate_document(
        schema: GraphQLSchema, document: DocumentNode, rules: tuple[type[ASTValidationRule], ...]
    ) -> list[GraphQLError]:
        # strawberry's own rules, as its validation adds them
        every = (*rules, MaybeNullValidationRule, OneOfInputValidationRule)
        return validate(schema, document, every, hide_suggestions=hide_suggestions)

    return lru_cache(maxsize=maxsize)(validate_document)


class CachedValidation(SchemaExtension):
    """Validate each document once per process, as strawberry's ValidationCache does, with the
    deployment's `rules` besides strawberry's (the depth and alias limiters': added here rather
    than by an AddValidationRules extension each), and without graphql-core's "Did you mean
    ...?" when `hide_suggestions`: with introspection off, suggestions would spell the schema
    out to anyone guessing at it."""

    def __init__(
        self, hide_suggestions: bool, maxsize: int, rules: tuple[type[ASTValidationRule], ...]
    ) -> None:
        self.validate_document = _validator(hide_suggestions, maxsize)
        self.rules = rules

    def on_validate(self) -> Iterator[None]:
        ctx = self.execution_context
        document = ctx.graphql_document
        assert document is not None  # strawberry validates only what parsed
        ctx.pre_execution_errors = self.validate_document(
            ctx.schema._schema, document, (*ctx.validation_rules, *self.rules)
        )
        if not ctx.pre_execution_errors and ctx.query:
            valid = getattr(ctx.schema, "valid_documents", None)
            if isinstance(valid, ValidDocuments):
                valid.keep(ctx.query, document)
        yield


class ValidDocuments:
    """The documents this schema has parsed and validated, by their text, the most recently
    used `maxsize` of them: a query seen again needs neither (`registry.server.prepared`)."""

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self.documents: OrderedDict[str, DocumentNode] = OrderedDict()

    def keep(self, text: str, document: DocumentNode) -> None:
        """Remember a document that parsed and passed validation."""
        self.documents[text] = document
        self.documents.move_to_end(text)
        if len(self.documents) > self.maxsize:
            self.documents.popitem(last=False)

    def get(self, text: str) -> DocumentNode | None:
        """The valid document of this text, if it was seen."""
        document = self.documents.get(text)
        if document is not None:
            self.documents.move_to_end(text)
        return document


class CostLimiter(SchemaExtension):
    """Refuse, before anything runs, an operation whose cost (registry.api.cost.request_cost,
    with this request's variables) exceeds the deployment's `max_cost`."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def on_execute(self) -> Iterator[None]:
        ctx = self.execution_context
        if ctx.graphql_document is not None and not ctx.result:
            refused = cost_error(
                self.settings, ctx.schema._schema, ctx.graphql_document, ctx.variables,
                ctx.operation_name,
            )  # fmt: skip
            if refused is not None:
                ctx.result = ExecutionResult(data=None, errors=[refused])
        yield


def cost_error(
    settings: Settings,
    schema: GraphQLSchema,
    document: DocumentNode,
    variables: dict[str, Any] | None,
    operation_name: str | None,
) -> GraphQLError | None:
    """LIMIT_EXCEEDED when the operation may cost more than the deployment's `max_cost`."""
    cost = request_cost(
        schema, document, variables, operation_name, settings.page_size_default,
        settings.page_size_max,
    )  # fmt: skip
    if cost <= settings.max_cost:
        return None
    return GraphQLError(
        f"this request may cost {cost}, over the limit of {settings.max_cost}: ask for "
        "smaller pages (`first`) or fewer nested lists",
        extensions={
            "code": "LIMIT_EXCEEDED",
            "limit": "cost",
            "cost": cost,
            "maxCost": settings.max_cost,
        },
    )


# Messages of graphql-core's and strawberry's own refusals, and the code each gets.
_KNOWN: tuple[tuple[str, str, str | None], ...] = (
    ("Document contains more than", "LIMIT_EXCEEDED", "tokens"),
    ("exceeds maximum operation depth", "LIMIT_EXCEEDED", "depth"),
    ("aliases found. Allowed", "LIMIT_EXCEEDED", "aliases"),
    ("introspection has been disabled", "INTROSPECTION_DISABLED", None),
    ("Syntax Error", "GRAPHQL_PARSE_FAILED", None),
    ("Variable '$", "BAD_INPUT", None),
)


def _coded(error: GraphQLError) -> bool:
    return "code" in (error.extensions or {})


def unexpected(error: GraphQLError) -> bool:
    """Whether `error` is a failure rather than a refusal: an exception with no code, raised
    while resolving or around it (a bug, a database failure). These are masked as INTERNAL
    (or TIMEOUT) and logged with their stack trace; everything else is the caller's to fix."""
    if _coded(error):
        return False
    if error.path is not None:  # raised while resolving, without a code: a bug
        return True
    original = error.original_error
    return original is not None and not isinstance(original, GraphQLError)


class CodedErrors(MaskErrors):
    """Every error leaves with `extensions.code`. Errors we raise on purpose keep theirs;
    graphql-core's refusals (syntax, validation, limits) get one; anything else — an exception
    in a resolver, a database failure — is a bug and is masked as INTERNAL, its message and
    stack trace kept for the server log only. A statement stopped by the timeout says so."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=self._should_mask, error_message=INTERNAL_MESSAGE)

    @staticmethod
    def _should_mask(error: GraphQLError) -> bool:
        return unexpected(error)

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        original = error.original_error
        timeout = original is not None and is_statement_timeout(original)
        return GraphQLError(
            message=TIMEOUT_MESSAGE if timeout else INTERNAL_MESSAGE,
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            original_error=None,
            extensions={"code": "TIMEOUT" if timeout else "INTERNAL"},
        )

    def _process_errors(self, errors: list[GraphQLError]) -> list[GraphQLError]:
        return [_with_code(error) for error in super()._process_errors(errors)]

    def _process_result(self, result: object) -> None:
        # As MaskErrors does, without its isinstance check against a runtime Protocol, which
        # costs every request more than the rest of this extension.
        errors = getattr(result, "errors", None)
        if errors:
            result.errors = self._process_errors(errors)  # type: ignore[attr-defined]  # has errors


def _with_code(error: GraphQLError) -> GraphQLError:
    if _coded(error):
        return error
    extensions = dict(error.extensions or {})
    extensions["code"] = "GRAPHQL_VALIDATION_FAILED"
    for fragment, code, limit in _KNOWN:
        if fragment in error.message:
            extensions["code"] = code
            if limit:
                extensions["limit"] = limit
            break
    error.extensions = extensions
    return error
