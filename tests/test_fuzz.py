"""The schema fuzzed: hypothesis builds queries from the schema itself — any root field, any
subset of its fields a few levels down, arguments drawn from real codes and IDs, junk, edge
numbers — and the server, on a small dataset, never answers 500, never shows a stack trace,
gives every error a code, and returns data shaped exactly as the query asked."""

from __future__ import annotations

import json
import time
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graphql import (
    FieldNode,
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLObjectType,
    GraphQLScalarType,
    InlineFragmentNode,
    get_named_type,
    is_leaf_type,
    is_list_type,
    is_non_null_type,
    parse,
)
from tests.test_scope_matrix import schema_cache
from tests.workbooks import two_communities

EXAMPLES = 120
BUDGET_SECONDS = 20

REFS = ["S", "A", "A-E", "B-E-B1-U1-01", "A-DW", "B-ZB", "A-M1", "B-M2", "A-W1", "nope", ""]
JUNK = ["", " ", "'; DROP TABLE place; --", "%", "_", "\\", "班子", "x" * 300, "VXNlcjox"]
INTS = [-1, 0, 1, 2, 10, 100, 101, 2**31 - 1]


def value_strategy(type_: Any, refs: list[str], depth: int = 0) -> st.SearchStrategy[Any]:
    required = is_non_null_type(type_)
    inner = type_.of_type if required else type_
    if is_list_type(inner):
        strategy: st.SearchStrategy[Any] = st.lists(
            value_strategy(inner.of_type, refs, depth + 1), max_size=3
        )
    else:
        named = get_named_type(inner)
        if isinstance(named, GraphQLEnumType):
            strategy = st.sampled_from(list(named.values))
        elif isinstance(named, GraphQLInputObjectType):
            if depth > 2:
                return st.none() if not required else st.just({})
            fields = {k: value_strategy(f.type, refs, depth + 1) for k, f in named.fields.items()}
            strategy = st.fixed_dictionaries(
                {k: v for k, v in fields.items() if is_non_null_type(named.fields[k].type)},
                optional={
                    k: v for k, v in fields.items() if not is_non_null_type(named.fields[k].type)
                },
            )
        elif named.name == "Int":
            strategy = st.sampled_from(INTS)
        elif named.name == "Boolean":
            strategy = st.booleans()
        elif named.name == "Float":
            strategy = st.floats(allow_nan=False, allow_infinity=False)
        elif named.name in ("Date",):
            strategy = st.sampled_from(["2024-01-01", "1900-02-28", "not a date"])
        elif named.name in ("DateTime",):
            strategy = st.sampled_from(["2024-01-01T00:00:00Z", "2024-13-01T00:00:00", "x"])
        else:  # String, ID and custom scalars: real references, junk
            strategy = st.sampled_from(refs + JUNK)
    return strategy if required else st.one_of(st.none(), strategy)


@st.composite
def selections(draw: st.DrawFn, type_: Any, depth: int) -> str:
    named = get_named_type(type_)
    if isinstance(named, GraphQLObjectType):
        fields = [
            (name, f)
            for name, f in named.fields.items()
            if not any(
                is_non_null_type(a.type) and a.default_value is None for a in f.args.values()
            )
            and (depth > 0 or is_leaf_type(get_named_type(f.type)))
        ]
        if not fields:
            return "{ __typename }"
        chosen = draw(
            st.lists(st.sampled_from(fields), min_size=1, max_size=6, unique_by=lambda x: x[0])
        )
        parts = ["__typename"]
        for name, field in chosen:
            inner = get_named_type(field.type)
            parts.append(
                name if is_leaf_type(inner) else f"{name} {draw(selections(inner, depth - 1))}"
            )
        return "{ " + " ".join(parts) + " }"
    # An interface: the node types behind it.
    schema = schema_cache()
    parts = ["__typename"]
    if depth > 0:
        for t in schema.get_possible_types(named):
            parts.append(f"... on {t.name} {draw(selections(t, depth - 1))}")
    return "{ " + " ".join(parts) + " }"


@st.composite
def queries(draw: st.DrawFn, refs: list[str]) -> tuple[str, dict[str, Any]]:
    schema = schema_cache()
    root, field = draw(st.sampled_from(sorted(schema.query_type.fields.items())))
    variables: dict[str, Any] = {}
    declared = []
    for name, arg in field.args.items():
        value = draw(value_strategy(arg.type, refs))
        if value is None and not is_non_null_type(arg.type):
            continue
        variables[name] = value
        declared.append(f"${name}: {arg.type}")
    args = ", ".join(f"{n}: ${n}" for n in variables)
    head = f"query Fuzz({', '.join(declared)})" if declared else "query Fuzz"
    call = f"{root}({args})" if args else root
    inner = get_named_type(field.type)
    sel = "" if is_leaf_type(inner) else draw(selections(inner, 3))
    return f"{head} {{ {call} {sel} }}", variables


def check_shape(data: Any, selection_set: Any, type_: Any, path: str) -> None:
    """Every selected field present, null only where nullable, values of the declared type."""
    named = get_named_type(type_)
    schema = schema_cache()
    concrete = schema.get_type(data.get("__typename")) if "__typename" in data else named
    for node in selection_set.selections:
        if isinstance(node, InlineFragmentNode):
            if node.type_condition.name.value == getattr(concrete, "name", None):
                check_shape(data, node.selection_set, concrete, path)
            continue
        assert isinstance(node, FieldNode)
        key = (node.alias or node.name).value
        assert key in data, f"{path}.{key} missing"
        if key == "__typename":
            continue
        field = concrete.fields[node.name.value]
        check_value(data[key], field.type, node, f"{path}.{key}")


def check_value(value: Any, type_: Any, node: FieldNode, path: str) -> None:
    if value is None:
        assert not is_non_null_type(type_), f"{path} is null but declared non-null"
        return
    inner = type_.of_type if is_non_null_type(type_) else type_
    if is_list_type(inner):
        assert isinstance(value, list), f"{path} should be a list"
        for i, item in enumerate(value):
            check_value(item, inner.of_type, node, f"{path}[{i}]")
        return
    if isinstance(inner, GraphQLEnumType):
        assert value in inner.values, f"{path}: {value!r} is not a {inner.name}"
    elif isinstance(inner, GraphQLScalarType):
        expected = {"Int": int, "Float": (int, float), "String": str, "ID": str, "Boolean": bool}
        if inner.name in expected:
            assert isinstance(value, expected[inner.name]), f"{path}: {value!r} not {inner.name}"
            if inner.name == "Int":
                assert not isinstance(value, bool) and -(2**31) <= value < 2**31
    else:
        assert isinstance(value, dict), f"{path} should be an object"
        check_shape(value, node.selection_set, inner, path)


def generate(refs: list[str]) -> list[tuple[str, dict[str, Any]]]:
    found: list[tuple[str, dict[str, Any]]] = []

    @settings(
        max_examples=EXAMPLES,
        database=None,
        derandomize=True,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(queries(refs))
    def collect(case: tuple[str, dict[str, Any]]) -> None:
        found.append(case)

    collect()
    return found


async def test_fuzzed_queries_never_fail_badly_and_match_the_schema(registry) -> None:
    await registry.load(two_communities())
    admin = await registry.client("admin")
    ids = await admin("{ places(first: 3) { nodes { id } } members(first: 2) { nodes { id } } }")
    refs = REFS + [n["id"] for c in ids.values() for n in c["nodes"]]
    clients = [
        admin,
        await registry.client("organiser", scope="A-DW"),
        await registry.client("viewer", scope="B-ZB"),
    ]
    started = time.monotonic()
    cases = generate(refs)
    assert len(cases) >= EXAMPLES / 2
    schema = schema_cache()
    for i, (query, variables) in enumerate(cases):
        if time.monotonic() - started > BUDGET_SECONDS:
            break
        api = clients[i % len(clients)]
        response = await api.http.post(
            "/graphql",
            json={"query": query, "variables": variables},
            headers={"Authorization": f"Bearer {api.token}"},
        )
        context = (
            f"\n{query}\n{json.dumps(variables, ensure_ascii=False)[:500]}\n{response.text[:800]}"
        )
        assert response.status_code == 200, context
        body = response.json()
        assert "Traceback" not in response.text and 'File "' not in response.text, context
        for error in body.get("errors") or []:
            code = error.get("extensions", {}).get("code")
            assert code and code != "INTERNAL", context
        if body.get("data") is not None:
            operation = parse(query).definitions[0]
            check_shape(body["data"], operation.selection_set, schema.query_type, "data")
