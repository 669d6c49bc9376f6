"""Test support: a live gridreg server over real HTTP, a registry to load, tokens to ask with."""

from __future__ import annotations

import asyncio
import csv
import os
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from sqlalchemy import event, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from registry.access.actor import Role
from registry.access.tokens import create_token
from registry.core.config import Settings, normalise_database_url
from registry.core.db import Database
from registry.core.models import Base

ROOT = Path(__file__).resolve().parents[1]
OPERATIONS = ROOT / "graphql" / "operations"


def operation(name: str) -> str:
    """The text of graphql/operations/<name>.graphql, the operations clients and docs use."""
    return (OPERATIONS / f"{name}.graphql").read_text(encoding="utf-8")


def said(found: Any) -> str:
    """A reason ({code, params}) or an explanation (a list of them) as the API gave it, in
    short: "CLOSER_MEMBER(member=M3, relation=SAME_UNIT); KEPT"."""
    if isinstance(found, list):
        return "; ".join(said(r) for r in found)
    params = ", ".join(f"{p['name']}={p['value']}" for p in found["params"])
    return f"{found['code']}({params})" if params else found["code"]


class ThreadedServer:
    """uvicorn serving an ASGI app in a thread: on an ephemeral loopback port, or on `sock`
    (bound, not yet listening, as a worker of `gridreg serve` is handed its socket)."""

    def __init__(self, app: Any, sock: socket.socket | None = None, **options: Any) -> None:
        self.server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=0, **{"log_level": "warning", **options})
        )
        sockets = {} if sock is None else {"sockets": [sock]}
        self.thread = threading.Thread(target=self.server.run, kwargs=sockets, daemon=True)

    def start(self) -> str:
        """Start serving; the server's base URL."""
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.02)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


class LiveServer(ThreadedServer):
    """uvicorn serving the real app on an ephemeral loopback port, in a thread."""

    def __init__(self, settings: Settings) -> None:
        from registry.server.app import create_app
        from registry.server.serving import uvicorn_options

        self.app = create_app(settings)
        # As `gridreg serve` serves it: loop, protocol and headers.
        super().__init__(self.app, lifespan="on", **uvicorn_options(log_level="warning"))

    @contextmanager
    def count_statements(self) -> Iterator[list[str]]:
        """Collect the SQL statements the server runs inside the block, but for the token's
        check: whether it runs depends on whether the server keeps the token already. A plain
        read (`Database.read_value`, `read_rows`) counts once, whether or not it passes
        through SQLAlchemy (on PostgreSQL it goes to the driver directly)."""
        statements: list[str] = []
        engine = self.app.state.db.engine.sync_engine
        plain_read = Database._plain_read
        reading: list[bool] = []

        async def counted_read(db: Database, sql: str, *args: Any, **kwargs: Any) -> Any:
            statements.append(sql)
            reading.append(True)
            try:
                return await plain_read(db, sql, *args, **kwargs)
            finally:
                reading.pop()

        def listener(*args: Any) -> None:
            if reading:
                return
            if "FROM api_token" not in args[2] and "JOIN api_token" not in args[2]:
                statements.append(args[2])

        event.listen(engine, "before_cursor_execute", listener)
        Database._plain_read = counted_read  # type: ignore[method-assign]  # counted while the block runs
        try:
            yield statements
        finally:
            Database._plain_read = plain_read  # type: ignore[method-assign]  # as it was
            event.remove(engine, "before_cursor_execute", listener)


class GraphQLClient:
    """Posts GraphQL over HTTP with a bearer token."""

    def __init__(self, http: httpx.AsyncClient, token: str | None) -> None:
        self.http = http
        self.token = token

    def as_token(self, token: str | None) -> GraphQLClient:
        return GraphQLClient(self.http, token)

    async def post(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """The whole response body: `data` and maybe `errors`."""
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        response = await self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        assert response.status_code == 200, response.text
        return response.json()

    async def __call__(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """`data`, asserting there were no errors."""
        body = await self.post(query, variables)
        assert not body.get("errors"), body["errors"]
        return body["data"]


def write_workbook(folder: Path, sheets: dict[str, list[dict[str, Any]]]) -> Path:
    """A CSV workbook (one file per sheet) from rows given as dicts."""
    folder.mkdir(parents=True, exist_ok=True)
    for sheet, rows in sheets.items():
        columns: list[str] = []
        for row in rows:
            columns.extend(c for c in row if c not in columns)
        with (folder / f"{sheet}.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=columns)
            writer.writeheader()
            writer.writerows(rows)
    return folder


class Registry:
    """A registry under test: load data through the importer, mint tokens, query the API."""

    def __init__(self, db: Database, base_url: str, server: LiveServer, tmp: Path) -> None:
        self.db = db
        self.server = server
        self.tmp = tmp
        self.http = httpx.AsyncClient(base_url=base_url, timeout=60)
        self.api = GraphQLClient(self.http, None)
        self._loads = 0

    async def load(self, source: Path | dict[str, list[dict[str, Any]]]) -> None:
        """Import a workbook (a path, or sheets of rows) the way users do."""
        from registry.importer import import_workbook

        if isinstance(source, dict):
            self._loads += 1
            source = write_workbook(self.tmp / f"workbook{self._loads}", source)
        await import_workbook(self.db, source)

    async def token(self, role: str = "admin", scope: str | None = None) -> str:
        async with self.db.write() as session:
            return await create_token(session, Role(role), scope)

    async def client(self, role: str = "admin", scope: str | None = None) -> GraphQLClient:
        """A GraphQL client holding a fresh token of this role and scope."""
        return self.api.as_token(await self.token(role, scope))

    async def snapshot(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every row of every registry table except tokens, to prove nothing changed."""
        tables: dict[str, list[tuple[Any, ...]]] = {}
        async with self.db.read() as session:
            for table in Base.metadata.sorted_tables:
                if table.name in {"api_token"}:
                    continue
                rows = (await session.execute(select(table).order_by(*table.primary_key))).all()
                tables[table.name] = [tuple(row) for row in rows]
        return tables

    async def count(self, table: str) -> int:
        async with self.db.read() as session:
            return int(await session.scalar(text(f"SELECT count(*) FROM {table}")) or 0)

    async def close(self) -> None:
        await self.http.aclose()


async def reset_tables(db: Database) -> None:
    """Empty every table and start its ids again, keeping the schema."""
    if db.is_sqlite:
        async with db.write() as session:
            for table in reversed(Base.metadata.sorted_tables):
                await session.execute(table.delete())
        return
    # A test leaves a few rows: deleting them takes a millisecond where TRUNCATE of every
    # table takes ~80 (it makes new files for each), once per test of the PostgreSQL pass.
    async with db.engine.begin() as connection:
        raw = await connection.get_raw_connection()
        await raw.driver_connection.execute(_EMPTY_POSTGRES)


_EMPTY_POSTGRES = ";".join(
    [
        *(f"DELETE FROM {table.name}" for table in reversed(Base.metadata.sorted_tables)),
        "SELECT setval(c.oid::regclass, 1, false) FROM pg_class c JOIN pg_namespace n "
        "ON n.oid = c.relnamespace WHERE c.relkind = 'S' AND n.nspname = current_schema()",
    ]
)


@asynccontextmanager
async def scratch_postgres(suffix: str) -> AsyncIterator[str]:
    """A new, empty PostgreSQL database beside the one under test
    (GRIDREG_TEST_DATABASE_URL, which must be set), named after it with `suffix`, dropped
    afterwards: its URL."""
    import asyncpg

    base = normalise_database_url(os.environ["GRIDREG_TEST_DATABASE_URL"])
    admin_dsn = base.replace("postgresql+asyncpg://", "postgresql://")
    name = admin_dsn.rsplit("/", 1)[1] + suffix

    async def run(statement: str) -> None:
        connection = await asyncpg.connect(admin_dsn)
        try:
            await connection.execute(statement)
        finally:
            await connection.close()

    await run(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    await run(f"CREATE DATABASE {name}")
    try:
        yield base.rsplit("/", 1)[0] + "/" + name
    finally:
        await run(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def reset_postgres_schema(url: str) -> None:
    """Drop and recreate the public schema of a PostgreSQL test database."""
    import asyncpg

    async def reset() -> None:
        dsn = url.replace("postgresql+asyncpg://", "postgresql://")
        connection = await asyncpg.connect(dsn)
        try:
            await connection.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        finally:
            await connection.close()

    asyncio.run(reset())


async def derived_paths_match_their_ties(engine: AsyncEngine) -> bool:
    """Every member's org_path, reports_path and home_path are the paths of the organisation,
    reporting organisation and household their ids name (none where there is none), and every
    coverage row's place_path the path of its place."""
    async with engine.connect() as connection:
        members = (await connection.execute(text(
            "SELECT m.org_path, o.path, m.reports_path, r.path, m.home_path, p.path "
            "FROM member m LEFT JOIN organisation o ON o.id = m.organisation_id "
            "LEFT JOIN organisation r ON r.id = m.reports_to_id "
            "LEFT JOIN place p ON p.id = m.household_id"
        ))).all()  # fmt: skip
        coverage = (await connection.execute(text(
            "SELECT c.place_path, p.path FROM coverage c JOIN place p ON p.id = c.place_id"
        ))).all()  # fmt: skip
    return (
        bool(members)
        and bool(coverage)
        and all(r[0] == r[1] and r[2] == r[3] and r[4] == r[5] for r in members)
        and all(r[0] == r[1] for r in coverage)
    )
