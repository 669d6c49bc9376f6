"""Input objects built by their planned conversion (`registry.api.input_objects`) equal what
strawberry's own conversion builds, for every input type of the schema and any values of its
fields (differential: the same value converted both ways)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strawberry.relay import GlobalID, to_base64
from strawberry.types.arguments import convert_argument
from strawberry.types.base import (
    StrawberryList,
    StrawberryObjectDefinition,
    StrawberryOptional,
    has_object_definition,
)
from strawberry.types.enum import StrawberryEnumDefinition

from registry.api.input_objects import PlannedInput
from registry.api.schema import build_schema
from registry.core.config import Settings

SCHEMA = build_schema(Settings.from_env())
INPUTS = sorted(
    (
        known.definition
        for known in SCHEMA.schema_converter.type_map.values()
        if isinstance(known.definition, StrawberryObjectDefinition) and known.definition.is_input
    ),
    key=lambda definition: definition.name,
)


def values_of(field_type: Any) -> st.SearchStrategy[Any]:
    """Input values of a field's resolved type, as graphql-core hands them to strawberry."""
    if isinstance(field_type, StrawberryOptional):
        return st.none() | values_of(field_type.of_type)
    if isinstance(field_type, StrawberryList):
        return st.lists(values_of(field_type.of_type), max_size=3)
    if isinstance(field_type, StrawberryEnumDefinition):
        return st.sampled_from(list(field_type.wrapped_cls))
    if field_type is GlobalID:
        return st.integers(1, 10**6).map(lambda key: to_base64("Place", key))
    if has_object_definition(field_type):
        return input_values(field_type.__strawberry_definition__)
    if field_type is bool:
        return st.booleans()
    if field_type is int:
        return st.integers(-(2**31), 2**31 - 1)
    if field_type is float:
        return st.floats(allow_nan=False)
    if getattr(field_type, "__supertype__", field_type) is str:  # str and strawberry.ID
        return st.text(max_size=8)
    raise AssertionError(f"no values for {field_type!r}: teach the test this type")


def input_values(definition: StrawberryObjectDefinition) -> st.SearchStrategy[dict[str, Any]]:
    """An input object's value: any of its fields given, keyed by their GraphQL names."""
    names = SCHEMA.config.name_converter
    fields = {
        names.from_field(field): values_of(field.resolve_type(type_definition=definition))
        for field in definition.fields
    }
    return st.fixed_dictionaries({}, optional=fields)


@contextmanager
def strawberrys_own(definitions: list[StrawberryObjectDefinition]) -> Iterator[None]:
    """Strawberry's conversion, for the time being, on every input type."""
    planned = [(definition, definition.from_input) for definition in definitions]
    for definition in definitions:
        definition.from_input = None
    try:
        yield
    finally:
        for definition, hook in planned:
            definition.from_input = hook


def test_every_input_type_of_the_schema_is_planned() -> None:
    assert INPUTS
    assert all(isinstance(definition.from_input, PlannedInput) for definition in INPUTS)


@pytest.mark.parametrize("definition", INPUTS, ids=lambda definition: definition.name)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_planned_input_equals_strawberrys_conversion(
    definition: StrawberryObjectDefinition, data: st.DataObject
) -> None:
    """Given any value of an input type, when it is converted by the planned hook and by
    strawberry's own conversion, then the two objects are equal, field for field."""
    value = data.draw(input_values(definition))
    registry, config = SCHEMA.schema_converter.scalar_registry, SCHEMA.config
    planned = convert_argument(value, definition.origin, registry, config)
    with strawberrys_own(INPUTS):
        own = convert_argument(value, definition.origin, registry, config)
    assert type(planned) is type(own)
    assert vars(planned) == vars(own)
