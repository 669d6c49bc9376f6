"""Limits and abuse: depth, aliases, tokens and cost per request, body size, page sizes,
statement timeouts, errors that always carry a code (and never a stack trace), introspection
and the IDE switchable, GET never mutating, tokens that expire and are revoked at once."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import text

from registry.core.config import Settings
from registry.core.db import Database
from registry.core.statement_timeout import is_statement_timeout
from tests.support import OPERATIONS, operation
from tests.workbooks import two_communities

INTROSPECTION = "{ __schema { queryType { name } } }"


def codes(body: dict) -> list[str]:
    return [e.get("extensions", {}).get("code") for e in body.get("errors") or []]


async def test_a_query_deeper_than_the_limit_is_refused_with_a_code(registry) -> None:
    api = await registry.client("admin")
    deep = '{ place(code: "S") { ' + "parent { " * 12 + "code" + " }" * 12 + " } }"
    body = await api.post(deep)
    assert codes(body) == ["LIMIT_EXCEEDED"]
    assert body["errors"][0]["extensions"]["limit"] == "depth"


async def test_too_many_aliases_are_refused(registry) -> None:
    api = await registry.client("admin")
    body = await api.post("{ " + " ".join(f"a{i}: __typename" for i in range(31)) + " }")
    assert codes(body) == ["LIMIT_EXCEEDED"]
    assert body["errors"][0]["extensions"]["limit"] == "aliases"


async def test_a_document_of_too_many_tokens_is_refused_before_parsing_ends(registry) -> None:
    api = await registry.client("admin")
    body = await api.post("{ " + "__typename " * 2100 + "}")
    assert codes(body) == ["LIMIT_EXCEEDED"]
    assert body["errors"][0]["extensions"]["limit"] == "tokens"


NESTED = """query Nested($n: Int) {
  organisations(first: $n) { nodes {
    covers(first: 5) { nodes { coveredBy(first: 5) { nodes {
      covers(first: 5) { nodes { coveredBy(first: 5) { nodes { code } } } } } } } } } }
}"""


async def test_the_cost_counts_lists_by_first_and_multiplies_nested_lists(registry) -> None:
    await registry.load(two_communities())
    api = await registry.client("admin")
    # 1 × (1 + 1 + 5 × (1 + 1 + 5 × (1 + 1 + 5 × (1 + 1 + 5 × (1 + 1))))) = 1,562: under the
    # limit of 20,000 (a connection's page and its nodes count once).
    assert (await api(NESTED, {"n": 1}))["organisations"]["nodes"]
    # The same text asking for 100 per page would cost 100 times as much: refused, unrun.
    body = await api.post(NESTED, {"n": 100})
    assert body["data"] is None
    assert codes(body) == ["LIMIT_EXCEEDED"]
    extensions = body["errors"][0]["extensions"]
    assert extensions["limit"] == "cost" and extensions["cost"] > extensions["maxCost"] == 20000
    assert "first" in body["errors"][0]["message"]


async def test_everyday_operations_stay_well_under_the_cost_limit(registry) -> None:
    from graphql import parse
    from registry.api.cost import request_cost
    from registry.api.schema import build_schema

    settings = Settings.from_env(database_url="sqlite:///unused")
    schema = build_schema(settings)._schema
    for name in ("Members", "Coverage", "OrgChart", "Places", "Organisations", "MemberDetail"):
        cost = request_cost(schema, parse(operation(name)), {"first": 100}, None, 20, 100)
        assert 0 < cost <= settings.max_cost / 4, (name, cost)


async def test_every_operation_clients_send_is_under_the_cost_limit() -> None:
    """Reasons and their params are values (free), so explaining every assignment of every
    task the Work view lists does not multiply its cost past the limit."""
    from graphql import parse
    from registry.api.cost import request_cost
    from registry.api.schema import build_schema

    settings = Settings.from_env(database_url="sqlite:///unused")
    schema = build_schema(settings)._schema
    page, most = settings.page_size_default, settings.page_size_max
    for path in sorted(OPERATIONS.glob("*.graphql")):
        cost = request_cost(schema, parse(path.read_text()), {}, None, page, most)
        assert cost <= settings.max_cost, (path.name, cost)
    work = request_cost(schema, parse(operation("ConsoleWork")), {}, None, page, most)
    plain = operation("ConsoleWork").replace("explanation { code params { name value } }", "")
    assert work == request_cost(schema, parse(plain), {}, None, page, most)


async def test_a_request_body_over_the_limit_is_refused_with_413(registry) -> None:
    api = await registry.client("admin")
    padding = "#" + "x" * 1_100_000 + "\n{ __typename }"
    response = await registry.http.post(
        "/graphql", json={"query": padding}, headers={"Authorization": f"Bearer {api.token}"}
    )
    assert response.status_code == 413
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "PAYLOAD_TOO_LARGE"
    assert "1000000 bytes" in error["message"]


async def test_a_streamed_body_without_a_length_is_cut_at_the_limit_too(registry) -> None:
    async def chunks():  # type: ignore[no-untyped-def]
        for _ in range(20):
            yield b" " * 100_000

    response = await registry.http.post(
        "/graphql", content=chunks(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413


async def test_page_sizes_are_capped_by_the_deployment(registry) -> None:
    await registry.load(two_communities(households_per_unit=30))
    api = await registry.client("admin")
    page = (await api(operation("Places"), {"first": 1000}))["places"]
    assert len(page["nodes"]) == 100
    assert page["pageInfo"]["hasNextPage"] is True
    assert page["totalCount"] > 100
    body = await api.post(operation("Places"), {"first": -1})
    assert codes(body) == ["BAD_INPUT"]


def _slow_statement(db: Database) -> str:
    """A statement that runs for seconds on the database's kind."""
    if not db.is_sqlite:
        return "SELECT pg_sleep(2)"
    return (
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000000)"
        " SELECT count(*) FROM n"
    )


async def test_a_statement_over_the_timeout_is_stopped(database_url: str) -> None:
    db = Database(database_url, statement_timeout_ms=100)
    slow = _slow_statement(db)
    try:
        async with db.read() as session:
            started = datetime.now(UTC)
            with pytest.raises(Exception) as stopped:
                await session.execute(text(slow))
            assert datetime.now(UTC) - started < timedelta(seconds=1.5)
            assert is_statement_timeout(stopped.value), stopped.value
        async with db.read() as session:  # the connection is still good for the next request
            assert (await session.scalar(text("SELECT 1"))) == 1
    finally:
        await db.dispose()


async def test_a_plain_read_over_the_timeout_is_stopped_and_the_next_is_answered(
    database_url: str,
) -> None:
    """The compiled reads' path (`Database.read_value`: the driver's own connection on
    PostgreSQL) is held to the same timeout, and a stopped statement spoils nothing."""
    db = Database(database_url, statement_timeout_ms=100)
    slow = _slow_statement(db)
    try:
        started = datetime.now(UTC)
        with pytest.raises(Exception) as stopped:
            await db.read_value(slow, ())
        assert datetime.now(UTC) - started < timedelta(seconds=1.5)
        assert is_statement_timeout(stopped.value), stopped.value
        assert await db.read_value("SELECT 1", ()) == 1
    finally:
        await db.dispose()


async def test_an_unexpected_failure_is_masked_as_internal_with_no_detail(
    registry, monkeypatch
) -> None:
    import registry.api.queries as queries

    async def broken(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("secret detail: password=hunter2")

    await registry.load(two_communities())
    api = await registry.client("admin")
    monkeypatch.setattr(queries, "_compiled_lookup", broken)
    body = await api.post('{ place(code: "S") { code } }')
    assert codes(body) == ["INTERNAL"]
    raw = repr(body)
    assert "hunter2" not in raw and "Traceback" not in raw and "RuntimeError" not in raw


async def test_a_database_timeout_is_reported_as_such_not_as_a_crash(registry, monkeypatch) -> None:
    import registry.api.queries as queries

    async def timed_out(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        from sqlalchemy.exc import OperationalError

        raise OperationalError("SELECT ...", {}, Exception("interrupted"))

    api = await registry.client("admin")
    monkeypatch.setattr(queries, "_compiled_lookup", timed_out)
    body = await api.post('{ place(code: "S") { code } }')
    assert codes(body) == ["TIMEOUT"]
    assert "SELECT" not in repr(body)


async def test_only_unexpected_failures_log_a_stack_trace(registry, monkeypatch, caplog) -> None:
    import registry.api.queries as queries

    # Given a registry, and callers making the mistakes callers make
    await registry.load(two_communities())
    api = await registry.client("admin")
    caplog.set_level(logging.DEBUG)
    refusals = [
        ('{ places(first: 1, after: "not a cursor") { totalCount } }', {}),  # BAD_INPUT
        ("{ placez }", {}),  # GRAPHQL_VALIDATION_FAILED
        ("query($n: Int!) { places(first: $n) { totalCount } }", {}),  # variables
        ('{ place(code: "A\\u0000") { code } }', {}),  # text no one may send
        ('mutation { updatePlace(input: {place: "nope"}) { userErrors { code } } }', {}),
    ]
    for query, variables in refusals:
        await api.post(query, variables)
    await registry.api.post("{ members { totalCount } }")  # UNAUTHENTICATED

    # Then nothing logged so far carries a stack trace, and each record is one line
    assert [r for r in caplog.records if r.exc_info] == []
    assert all("\n" not in r.getMessage() for r in caplog.records)

    # But an unexpected failure is logged with its stack trace, for the server's operator
    async def broken(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("a bug")

    monkeypatch.setattr(queries, "_compiled_lookup", broken)
    assert codes(await api.post('{ place(code: "S") { code } }')) == ["INTERNAL"]
    failures = [r for r in caplog.records if r.exc_info]
    assert [r.levelno for r in failures] == [logging.ERROR]
    assert "a bug" in str(failures[0].exc_info[1])


async def test_refusals_at_every_door_log_one_line_and_no_stack_trace(registry, caplog) -> None:
    # Given a registry, a viewer, and an admin
    await registry.load(two_communities())
    viewer = await registry.client("viewer", "A-DW")
    admin = await registry.client("admin")
    caplog.set_level(logging.DEBUG)
    json_type = {"Content-Type": "application/json"}

    # When callers send what callers get wrong, to GraphQL and to the console
    await viewer.post(
        'mutation { updatePlace(input: {place: "S", name: "x"}) { userErrors { code } } }'
    )
    await viewer.post('{ node(id: "UGxhY2U6wrI=") { id } }')  # Place:² — BAD_INPUT
    await admin.post('{ place(code: "NOWHERE") { code } }')
    for body in (b"null", b"1", b'"x"', b"{not json", b"\xff\xfe"):
        await registry.http.post("/graphql", content=body, headers=json_type)
        await registry.http.post("/console/session", content=body, headers=json_type)
    await registry.http.post("/console/session", json={"token": "grt_nope"})
    await registry.http.post("/console/export/table.xlsx", content=b"[]", headers=json_type)
    await registry.http.get("/console/export/coverage.xlsx", params={"scope": "NOWHERE"})

    # Then nothing is logged as an error, nothing carries a stack trace, each record one line
    assert [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR] == []
    assert all("\n" not in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("{ places { ", "GRAPHQL_PARSE_FAILED"),
        ("{ noSuchField }", "GRAPHQL_VALIDATION_FAILED"),
        ("query($n: Int!) { places(first: $n) { totalCount } }", "BAD_INPUT"),
        ("{ members { totalCount } }", "UNAUTHENTICATED"),
    ],
)
async def test_every_error_carries_a_code(registry, query: str, code: str) -> None:
    body = await registry.api.post(query)
    assert codes(body) == [code], body


async def test_introspection_and_the_ide_are_on_by_default(registry) -> None:
    api = await registry.client("admin")
    assert (await api(INTROSPECTION))["__schema"]["queryType"]["name"] == "Query"
    page = await registry.http.get("/graphql", headers={"accept": "text/html"})
    assert page.status_code in (200, 503)  # 503: the console is not built in this checkout
    assert "text/html" in page.headers["content-type"]


# Mistakes whose errors graphql-core would follow with "Did you mean ...?": an unknown field,
# argument, type and input field written in the document, and an unknown enum value and input
# field in the variables (found while executing, not validating).
GUESSES = [
    ("{ placez { totalCount } }", {}),
    ('{ place(cod: "A") { code } }', {}),
    ('{ node(id: "x") { ... on Plac { code } } }', {}),
    ('{ places(filter: {nme: "A"}) { totalCount } }', {}),
    ("query($k: PlaceKind) { places(filter: {kind: $k}) { totalCount } }", {"k": "ESTAT"}),
    ("query($f: PlaceFilter) { places(filter: $f) { totalCount } }", {"f": {"nme": "A"}}),
]


@pytest.fixture
async def closed_app(database_url, monkeypatch):  # type: ignore[no-untyped-def]
    """An app of a deployment with introspection and the IDE off, and a client for it."""
    from registry.server.app import create_app

    monkeypatch.setenv("GRIDREG_INTROSPECTION", "off")
    monkeypatch.setenv("GRIDREG_IDE", "off")
    app = create_app(Settings.from_env(database_url=database_url))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http
    await app.state.db.dispose()


async def test_introspection_and_the_ide_can_be_switched_off(closed_app) -> None:
    body = (await closed_app.post("/graphql", json={"query": INTROSPECTION})).json()
    assert set(codes(body)) == {"INTROSPECTION_DISABLED"}
    page = await closed_app.get("/graphql", headers={"accept": "text/html"})
    assert "text/html" not in page.headers.get("content-type", "")
    assert "graphiql" not in page.text.lower()


async def test_with_introspection_off_no_error_suggests_a_name_of_the_schema(
    registry, closed_app
) -> None:
    # Given a deployment with introspection on, where mistakes are met with suggestions
    api = await registry.client("admin")
    open_messages = []
    for query, variables in GUESSES:
        open_messages += [e["message"] for e in (await api.post(query, variables))["errors"]]
    assert sum("Did you mean" in m for m in open_messages) == len(GUESSES)

    # When introspection is off, the same mistakes are refused, with codes, suggesting nothing
    headers = {"Authorization": f"Bearer {api.token}"}
    for query, variables in GUESSES:
        response = await closed_app.post(
            "/graphql", json={"query": query, "variables": variables}, headers=headers
        )
        body = response.json()
        assert codes(body) and None not in codes(body), body
        assert not any("Did you mean" in e["message"] for e in body["errors"]), body


async def test_with_the_ide_off_none_of_its_files_are_served(registry, closed_app) -> None:
    from registry.web.pages import page_files

    # Given the built console and IDE: what the IDE needs beyond what the console needs
    console = page_files("index.html")
    ide_only = page_files("ide.html") - console
    assert "ide.html" in ide_only and any(f.endswith(".js") for f in ide_only)

    # With the IDE on, its page and scripts are served
    for name in ide_only:
        assert (await registry.http.get(f"/static/{name}")).status_code == 200, name

    # With it off, none of them is, nor the build's manifest; the console still is, whole
    for name in sorted(ide_only) + [".vite/manifest.json"]:
        assert (await closed_app.get(f"/static/{name}")).status_code == 404, name
    for name in console:
        assert (await closed_app.get(f"/static/{name}")).status_code == 200, name
    page = await closed_app.get("/graphql", headers={"accept": "text/html"})
    assert page.status_code == 404 and codes(page.json()) == ["NOT_FOUND"]


async def test_get_never_runs_a_mutation(registry) -> None:
    await registry.load(two_communities())
    api = await registry.client("admin")
    before = await registry.snapshot()
    mutation = 'mutation { updatePlace(input: {place: "A-E", name: "renamed"}) { place { name } } }'
    response = await registry.http.get(
        "/graphql", params={"query": mutation}, headers={"Authorization": f"Bearer {api.token}"}
    )
    assert response.status_code in (400, 405)
    assert await registry.snapshot() == before
    # A query over GET is fine.
    fine = await registry.http.get(
        "/graphql",
        params={"query": '{ place(code: "A-E") { name } }'},
        headers={"Authorization": f"Bearer {api.token}"},
    )
    assert fine.json()["data"]["place"]["name"] == "A小区"


async def test_an_expired_token_is_refused(registry) -> None:
    from registry.access.actor import Role
    from registry.access.tokens import create_token

    async with registry.db.write() as session:
        raw = await create_token(
            session, Role.ADMIN, expires_at=datetime.now(UTC) - timedelta(seconds=1)
        )
    body = await registry.api.as_token(raw).post("{ places { totalCount } }")
    assert codes(body) == ["UNAUTHENTICATED"]


async def test_a_revoked_token_is_refused_as_soon_as_the_server_hears_of_it(registry) -> None:
    from registry.access.token_admin import list_tokens, revoke_token

    await registry.load(two_communities())
    api = await registry.client("organiser", scope="A-DW")
    assert (await api("{ places { totalCount } }"))["places"]["totalCount"] > 0
    async with registry.db.write() as session:
        token_id = (await list_tokens(session))[-1].id
        await revoke_token(session, str(token_id))
    # On PostgreSQL the server hears of it by a notification, milliseconds after the commit.
    deadline = asyncio.get_running_loop().time() + 1
    while codes(body := await api.post("{ places { totalCount } }")) != ["UNAUTHENTICATED"]:
        assert asyncio.get_running_loop().time() < deadline, body
        await asyncio.sleep(0.01)


async def test_the_token_commands_list_without_secrets_and_revoke(
    registry, database_url: str, capsys
) -> None:
    from registry.cli.main import main

    async def gridreg(*argv: str) -> int:  # the CLI runs its own event loop: give it a thread
        return await asyncio.to_thread(main, ["--database", database_url, *argv])

    await registry.load(two_communities())
    api = await registry.client("viewer", scope="B-DW")
    assert await gridreg("token", "list") == 0
    listing = capsys.readouterr().out
    assert api.token not in listing and "grt_" not in listing
    line = next(row for row in listing.splitlines() if "\tB-DW\t" in row)
    token_id, role = line.split("\t")[:2]
    assert role == "viewer" and line.endswith("active")

    assert await gridreg("token", "revoke", token_id) == 0
    assert codes(await api.post("{ places { totalCount } }")) == ["UNAUTHENTICATED"]
    assert await gridreg("token", "revoke", token_id) == 1, "already revoked"
    capsys.readouterr()
    assert await gridreg("token", "list") == 0
    again = capsys.readouterr().out.splitlines()
    assert next(row for row in again if row.startswith(f"{token_id}\t")).endswith("revoked")
