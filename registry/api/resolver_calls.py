"""Calling a field's resolver as strawberry would, without strawberry's wrapper around it.

Strawberry answers a field with a resolver through layers built for what few fields use:
its resolve info, field extensions, exception handlers, and the conversion of every argument
into Python values (input objects, enums, global IDs). For a root lookup by code those layers
cost a fifth of the request's Python. When a field has none of them — strawberry's own field
class, a resolver, no field extensions (permission classes are field extensions), no
exception handlers in the schema, and arguments whose conversion gives the value back as it
is (the built-in scalars, optional or not) — `ResolverCall` calls the resolver with what
strawberry would pass it: the source as `self` or as the parent or root parameter,
strawberry's `Info`, and the arguments by their Python names. Any other field keeps
strawberry's resolver (`registry.api.execution` decides; tests/test_execution.py compares
the answers, errors included, with strawberry's own executor).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import strawberry
from strawberry.types.base import StrawberryOptional
from strawberry.types.field import StrawberryField

from graphql import GraphQLField, GraphQLObjectType, GraphQLSchema

# Argument types strawberry hands on as graphql-core coerced them (`convert_argument` returns
# a leaf's value as it is, a global ID excepted).
_AS_IS = (str, int, float, bool, strawberry.ID)


@dataclass(frozen=True, slots=True)
class ResolverCall:
    """How to call one field's resolver: the resolver, strawberry's field and `Info` class,
    the parameters that receive the source and the info, and the arguments (GraphQL name,
    Python name)."""

    resolver: Any
    field: StrawberryField
    info_class: type
    source_as_self: bool
    source_names: tuple[str, ...]
    info_name: str | None
    arguments: tuple[tuple[str, str], ...]

    def __call__(self, source: Any, raw_info: Any, values: dict[str, Any]) -> Any:
        """The resolver's result for `source`, graphql-core's resolve info and argument
        values (by GraphQL name, as `get_argument_values` gives them)."""
        kwargs = {python: values[name] for name, python in self.arguments if name in values}
        for name in self.source_names:
            kwargs[name] = source
        if self.info_name is not None:
            kwargs[self.info_name] = self.info_class(_raw_info=raw_info, _field=self.field)
        if self.source_as_self:
            return self.resolver(source, **kwargs)
        return self.resolver(**kwargs)


def resolver_call(
    schema: GraphQLSchema, parent_type: GraphQLObjectType, field_def: GraphQLField
) -> ResolverCall | None:
    """How to call the field's resolver directly, or None when strawberry must call it."""
    definition = (field_def.extensions or {}).get("strawberry-definition")
    if type(definition) is not StrawberryField or definition.extensions:
        return None
    resolver = definition.base_resolver
    if resolver is None or definition.is_subscription:
        return None
    strawberry_schema = getattr(schema, "_strawberry_schema", None)
    converter = getattr(strawberry_schema, "schema_converter", None)
    if converter is None or getattr(converter, "_exception_handler_specs", True):
        return None  # handlers may turn a resolver's exception into an answer
    config = strawberry_schema.config  # type: ignore[union-attr]  # a strawberry schema here
    arguments = []
    for argument in definition.arguments:
        if not _as_is(argument.type):
            return None
        arguments.append((config.name_converter.from_argument(argument), argument.python_name))
    source_names = tuple(
        parameter.name
        for parameter in (resolver.parent_parameter, resolver.root_parameter)
        if parameter is not None
    )
    info = resolver.info_parameter
    return ResolverCall(
        resolver, definition, config.info_class, resolver.self_parameter is not None,
        source_names, info.name if info is not None else None, tuple(arguments),
    )  # fmt: skip


def _as_is(argument_type: Any) -> bool:
    """Whether strawberry hands an argument of this type on as graphql-core gives it."""
    if type(argument_type) is StrawberryOptional:  # not Maybe, which wraps its value
        argument_type = argument_type.of_type
    return argument_type in _AS_IS
