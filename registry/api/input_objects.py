"""Input objects built from GraphQL values with each type's fields looked up once.

Strawberry converts an input object field by field, resolving each field's type annotation and
its GraphQL name on every request: 18 µs for a members filter naming one organisation, more
than a tenth of such a request's own work. Through strawberry's `from_input` hook
(`StrawberryObjectDefinition.from_input`, meant for types that build their own values), every
input type of the schema here keeps its fields' names and types from its first conversion on,
and converts each given value as strawberry does (`InputContext.convert`; scalars and enums,
which it returns unchanged, are taken as they are), with the same defaults. Types with `Maybe`
fields keep strawberry's own conversion: strawberry checks their nulls in the document only
for types without the hook. tests/test_input_objects.py compares the two on every input type
of the schema.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import MISSING
from typing import Any

from strawberry.relay import GlobalID
from strawberry.types.arguments import InputContext, _is_leaf_type, _is_optional_leaf_type
from strawberry.types.base import StrawberryMaybe, StrawberryObjectDefinition

# (GraphQL name, Python name, resolved type, taken as it is) of each field, and the fields that
# default to None.
_Plan = tuple[tuple[tuple[str, str, Any, bool], ...], dict[str, None]]


class PlannedInput:
    """An input type's `from_input`: its fields planned on first use (the schema's name
    converter and scalars are the same every time)."""

    def __init__(self, definition: StrawberryObjectDefinition) -> None:
        self.definition = definition
        self.plan: _Plan | None = None

    def __call__(self, cls: type, value: Mapping[str, Any], context: InputContext) -> Any:
        plan = self.plan
        if plan is None:
            plan = self.plan = self._plan(context.config.name_converter, context.scalar_registry)
        fields, unset = plan
        # As strawberry does: fields with no default of their own are None unless given.
        kwargs: dict[str, Any] = dict(unset)
        for graphql_name, python_name, field_type, as_it_is in fields:
            if graphql_name in value:
                given = value[graphql_name]
                kwargs[python_name] = (
                    given if as_it_is else context.convert(given, field_type, graphql_name)
                )
        return cls(**kwargs)

    def _plan(self, converter: Any, scalars: Mapping[object, Any]) -> _Plan:
        definition = self.definition
        fields = []
        for field in definition.fields:
            field_type = field.resolve_type(type_definition=definition)
            # Scalars (but global IDs) and enums, or null, arrive as graphql-core coerced them:
            # strawberry's conversion returns them unchanged, as it does a list's such items.
            as_it_is = _is_leaf_type(field_type, scalars, (GlobalID,)) or _is_optional_leaf_type(
                field_type, scalars, (GlobalID,)
            )
            fields.append((converter.from_field(field), field.python_name, field_type, as_it_is))
        unset = {
            field.python_name: None
            for field in definition.fields
            if field.default_value is MISSING and field.default_factory is MISSING
        }
        return tuple(fields), unset


def plan_input_objects(definitions: Iterable[Any]) -> None:
    """Give every input type among `definitions` (a schema's type definitions) a planned
    `from_input`, unless it has one or a `Maybe` field."""
    for definition in definitions:
        if not isinstance(definition, StrawberryObjectDefinition) or not definition.is_input:
            continue
        if definition.from_input is not None:
            continue
        if any(
            isinstance(field.resolve_type(type_definition=definition), StrawberryMaybe)
            for field in definition.fields
        ):
            continue
        definition.from_input = PlannedInput(definition)
