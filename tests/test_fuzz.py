"""The API fuzzed, on a small registry, by admin, a scoped organiser and a scoped viewer.

- Queries built here from the schema — any root field, any subset of its fields a few levels
  down, arguments drawn from real codes and IDs, junk, edge numbers — return data shaped
  exactly as the query asked.
- Queries and mutations built by hypothesis-graphql from the schema, any text in any
  argument (control characters, real codes and global IDs, dates, SQL), and raw HTTP
  requests to /graphql (any JSON value, any bytes, any content type, any query string).

Whatever is sent, the server never answers 5xx, every error has a code and none is INTERNAL,
and no answer shows a stack trace or SQL.

Bounded and derandomized by default (CI runs the same examples every time, in seconds);
GRIDREG_FUZZ_EXAMPLES=5000 runs each fuzz test that many times, randomly.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import time
from collections.abc import Callable
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import mutations, nodes
from hypothesis_graphql import queries as graphql_queries

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
from registry.core.validation import character_problem
from tests.support import GraphQLClient, Registry
from tests.test_scope_matrix import schema_cache
from tests.workbooks import two_communities

# A longer, random run: GRIDREG_FUZZ_EXAMPLES=5000 .venv/bin/pytest tests/test_fuzz.py
LONG_RUN = int(os.environ.get("GRIDREG_FUZZ_EXAMPLES") or 0)
EXAMPLES = 120
BUDGET_SECONDS = None if LONG_RUN else 20


def fuzzing(examples: int) -> settings:
    """Hypothesis settings of a fuzz test: `examples` the same ones every run, or the long run."""
    return settings(
        max_examples=LONG_RUN or examples,
        derandomize=not LONG_RUN,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )


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

    @fuzzing(EXAMPLES)
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
    assert len(cases) >= (LONG_RUN or EXAMPLES) / 2
    schema = schema_cache()
    for i, (query, variables) in enumerate(cases):
        if BUDGET_SECONDS and time.monotonic() - started > BUDGET_SECONDS:
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


# --- hypothesis-graphql and raw HTTP ---------------------------------------------------------

# What no answer may show, unless the request itself said it: a stack trace, the database.
NEVER_SHOWN = (
    "Traceback", 'File "', "sqlalchemy", "SELECT ", "INSERT ", "UPDATE ", "psycopg",
    "asyncpg", "sqlite3", "OperationalError", "IntegrityError", "ProgrammingError",
)  # fmt: skip
IMPOSSIBLE_IDS = [
    base64.b64encode(f"{kind}:{key}".encode()).decode()
    for kind in ("Place", "Organisation", "Member", "Task", "Suggestion", "Office")
    for key in ("²", "0", "9223372036854775808")
]
DATES = ["2024-01-01", "1900-02-28", "9999-12-31", "0001-01-01", "2024-02-30", "2024/01/01"]


def assert_sane(response: httpx.Response, sent: str) -> None:
    """No 5xx; JSON whose every error has a code, none INTERNAL; no stack trace, no SQL."""
    answer = f"{response.status_code}\n{response.text[:3000]}"
    context = f"\n--- sent\n{sent[:3000]}\n--- answered {answer}"
    assert response.status_code < 500, context
    for marker in NEVER_SHOWN:
        assert marker not in response.text or marker in sent, context
    if response.headers.get("content-type", "").startswith("text/html"):
        return  # GET /graphql with no query: the IDE's page
    body = response.json()
    errors = body.get("errors") or []
    found = [(error.get("extensions") or {}).get("code") for error in errors]
    assert None not in found and "INTERNAL" not in found, context
    assert response.status_code == 200 or errors, context


def drive(
    base_url: str,
    strategy: st.SearchStrategy[Any],
    send: Callable[[httpx.Client, Any], tuple[httpx.Response, str]],
    examples: int,
) -> None:
    """Run a fuzz test in this (worker) thread: each drawn request sent, each answer checked.
    A failure is shrunk to a small example and reported with what was sent."""
    with httpx.Client(base_url=base_url, timeout=60) as http:

        @fuzzing(examples)
        @given(strategy)
        def check(request: Any) -> None:
            response, sent = send(http, request)
            assert_sane(response, sent)

        check()


async def fuzz_clients(registry: Registry) -> tuple[list[GraphQLClient], list[str]]:
    """A small registry; admin, a scoped organiser and a scoped viewer; real codes and IDs."""
    await registry.load(two_communities())
    admin = await registry.client("admin")
    found = await admin(
        "{ places(first: 4) { nodes { id } } organisations(first: 3) { nodes { id } } "
        "members(first: 3) { nodes { id } } }"
    )
    refs = REFS + [node["id"] for c in found.values() for node in c["nodes"]]
    clients = [
        admin,
        await registry.client("organiser", scope="A-DW"),
        await registry.client("viewer", scope="B-ZB"),
    ]
    return clients, refs


async def test_generated_queries_and_mutations_never_fail_badly(registry: Registry) -> None:
    clients, refs = await fuzz_clients(registry)
    # Strings and IDs as people and attackers type them: real references, dates, SQL, junk,
    # global IDs naming no possible row, a filter longer than SQLite's LIKE takes, and any
    # text at all (control characters included).
    typed = st.one_of(
        st.sampled_from(refs),
        st.sampled_from(DATES + JUNK + IMPOSSIBLE_IDS + ["x" * 50_001]),
        st.text(max_size=20),
    ).map(nodes.String)
    scalars = {"String": typed, "ID": typed}
    schema = schema_cache()
    operations = st.one_of(
        graphql_queries(schema, custom_scalars=scalars),
        mutations(schema, custom_scalars=scalars),
    )

    def send(http: httpx.Client, drawn: tuple[str, GraphQLClient]) -> tuple[httpx.Response, str]:
        query, api = drawn
        headers = {"Authorization": f"Bearer {api.token}"}
        return http.post("/graphql", json={"query": query}, headers=headers), query

    drawn = st.tuples(operations, st.sampled_from(clients))
    await asyncio.to_thread(drive, str(registry.http.base_url), drawn, send, 250)

    # And whatever was written meanwhile can be stored, exported and read back anywhere.
    tables = await registry.snapshot()
    texts = [(table, v) for table, rows in tables.items() for row in rows for v in row]
    assert [
        t for t in texts if isinstance(t[1], str) and character_problem(t[1], multiline=True)
    ] == []


# Any JSON value, and objects that look like GraphQL requests with any values in them.
JSON = st.recursive(
    st.sampled_from([None, True, False, [], {}])
    | st.integers()
    | st.floats()
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, min_size=1, max_size=3)
        | st.dictionaries(st.text(max_size=8), inner, min_size=1, max_size=3)
    ),
    max_leaves=8,
)
KEYS = ["query", "variables", "operationName", "extensions"]
QUERIES = [
    "{ __typename }", 'query Q { place(code: "A") { code } }', "query($n: Int) { places(first: "
    "$n) { totalCount } }", 'mutation { deletePlace(input: {place: "A"}) { deletedPlaceId } }',
]  # fmt: skip
REQUESTS = st.dictionaries(st.sampled_from(KEYS), JSON | st.sampled_from(QUERIES))
CONTENT_TYPES = [
    "application/json", "application/json; charset=utf-8", "text/plain", "application/graphql",
    "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "",
]  # fmt: skip


async def test_raw_requests_to_graphql_never_fail_badly(registry: Registry) -> None:
    clients, _ = await fuzz_clients(registry)
    bodies = st.one_of(
        REQUESTS.map(lambda r: json.dumps(r).encode()),
        JSON.map(lambda v: json.dumps(v).encode()),
        st.binary(max_size=64),
    )
    posts = st.tuples(st.just("POST"), bodies, st.sampled_from(CONTENT_TYPES))
    gets = st.tuples(
        st.just("GET"),
        st.dictionaries(st.sampled_from(KEYS), st.text(max_size=30) | st.sampled_from(QUERIES)),
        st.sampled_from(["application/json", "*/*", "text/html"]),
    )

    def send(http: httpx.Client, drawn: tuple[Any, ...]) -> tuple[httpx.Response, str]:
        (method, payload, media), api = drawn
        headers = {"Authorization": f"Bearer {api.token}"}
        if method == "GET":
            response = http.get("/graphql", params=payload, headers={**headers, "accept": media})
        else:
            response = http.post(
                "/graphql", content=payload, headers={**headers, "content-type": media}
            )
        return response, f"{method} {media} {payload!r}"

    drawn = st.tuples(st.one_of(posts, gets), st.sampled_from(clients))
    await asyncio.to_thread(drive, str(registry.http.base_url), drawn, send, 300)
