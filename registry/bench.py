"""`gridreg bench`: the figures behind the README's performance table.

Loads the synthetic district into a fresh SQLite file (and PostgreSQL when given), then
times, as medians over repeated runs, the API calls organisers make most — through the
whole stack (HTTP in-process, auth, scope, GraphQL) — beside the plainest SQL that fetches
the same numbers, and reports the ratio. Graph-layer figures come from `graph.bench`.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from rich.table import Table
from sqlalchemy import select, text

from registry.auth import Role, create_token
from registry.config import Settings, normalise_database_url
from registry.db import Database
from registry.models import Organisation, Place
from registry.pairings.bench import contact_rows, cuntan_rows

OPERATIONS = Path(__file__).resolve().parents[1] / "graphql" / "operations"
console = Console()


@dataclass
class Figure:
    what: str
    backend: str
    api_ms: float
    sql_ms: float | None
    target_ms: float | None

    @property
    def ratio(self) -> float | None:
        return self.api_ms / self.sql_ms if self.sql_ms else None


async def median_ms(work: Callable[[], Awaitable[Any]], repeats: int) -> float:
    """Median wall time of `work` in milliseconds, after one warm-up run."""
    await work()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        await work()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


# The plainest SQL for the same numbers: one statement per figure, no scope, no ORM.
PLAIN_COVERAGE = [
    """SELECT count(*), sum(CASE WHEN EXISTS (SELECT 1 FROM coverage c JOIN organisation o
         ON o.id = c.organisation_id WHERE c.place_id = p.id AND c."end" IS NULL
         AND o.status = 'active' AND o.kind IN ('branch', 'general_branch')) THEN 1 ELSE 0 END)
       FROM place p WHERE p.kind = 'estate' AND p.path >= :lo AND p.path < :hi""",
    """SELECT count(*), sum(CASE WHEN EXISTS (SELECT 1 FROM coverage c JOIN organisation o
         ON o.id = c.organisation_id WHERE c.place_id = p.id AND c."end" IS NULL
         AND o.status = 'active' AND o.kind = 'group') THEN 1 ELSE 0 END),
       sum(CASE WHEN EXISTS (SELECT 1 FROM place h JOIN member m ON m.household_id = h.id
         WHERE h.path >= p.path AND h.path < substr(p.path, 1, length(p.path) - 1) || '0')
         THEN 1 ELSE 0 END)
       FROM place p WHERE p.kind = 'building' AND p.path >= :lo AND p.path < :hi""",
    """SELECT count(*) FROM place p
       WHERE p.kind = 'household' AND p.path >= :lo AND p.path < :hi""",
    """SELECT count(DISTINCT x.place_id) FROM pairing x JOIN place p ON p.id = x.place_id
       WHERE x.kind = 'household_contact' AND x."end" IS NULL AND p.path >= :lo AND p.path < :hi""",
    """SELECT count(*), sum(CASE WHEN m.status = 'full' THEN 1 ELSE 0 END),
       sum(CASE WHEN m.status = 'probationary' THEN 1 ELSE 0 END),
       sum(CASE WHEN m.workplace IS NOT NULL THEN 1 ELSE 0 END)
       FROM member m JOIN place p ON p.id = m.household_id WHERE p.path >= :lo AND p.path < :hi""",
]
PLAIN_CHART = [
    """SELECT o.id, o.parent_id, o.kind, o.name, o.depth,
       (SELECT count(*) FROM member m WHERE m.organisation_id = o.id),
       (SELECT count(*) FROM organisation k WHERE k.parent_id = o.id AND k.status = 'active'),
       (SELECT count(*) FROM organisation d WHERE d.path > o.path
          AND d.path < substr(o.path, 1, length(o.path) - 1) || '0' AND d.status = 'active')
       FROM organisation o WHERE o.path >= :lo AND o.path < :hi AND o.depth <= :last
       AND o.status = 'active' ORDER BY o.path""",
    """SELECT f.organisation_id, m.name FROM office f JOIN member m ON m.id = f.member_id
       JOIN organisation o ON o.id = f.organisation_id WHERE f.role = 'secretary'
       AND f."end" IS NULL AND o.path >= :lo AND o.path < :hi AND o.depth <= :last""",
    """SELECT o.id, p.kind, count(*), 0 FROM organisation o
       JOIN coverage c ON c.organisation_id = o.id AND c."end" IS NULL
       JOIN place t ON t.id = c.place_id
       JOIN place p ON p.path >= t.path AND p.path < substr(t.path, 1, length(t.path) - 1) || '0'
       WHERE o.path >= :lo AND o.path < :hi AND o.depth <= :last
       AND p.kind IN ('estate', 'building') GROUP BY o.id, p.kind""",
]
PLAIN_MEMBERS = [
    """SELECT m.id, m.code, m.name, m.status, m.workplace, m.phone, o.code, o.name, h.code
       FROM member m LEFT JOIN organisation o ON o.id = m.organisation_id
       LEFT JOIN place h ON h.id = m.household_id ORDER BY m.code LIMIT 100""",
    "SELECT count(*) FROM member",
]


async def _plain(db: Database, statements: list[str], params: dict[str, Any]) -> None:
    async with db.read() as session:
        for statement in statements:
            used = {k: v for k, v in params.items() if f":{k}" in statement}
            (await session.execute(text(statement), used)).all()


async def _prepare(url: str, workbook: Path) -> tuple[Database, float]:
    from registry.importer import import_workbook
    from registry.migrate import upgrade

    await _reset(url)
    await asyncio.to_thread(upgrade, url)
    db = Database(url)
    start = time.perf_counter()
    await import_workbook(db, workbook, progress=True)
    return db, time.perf_counter() - start


async def _reset(url: str) -> None:
    db = Database(url)
    try:
        if db.is_sqlite:
            path = Path(db.engine.url.database or "")
            await db.dispose()
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            return
        async with db.write() as session:
            await session.execute(text("DROP SCHEMA public CASCADE"))
            await session.execute(text("CREATE SCHEMA public"))
    finally:
        await db.dispose()


async def _bench_backend(
    backend: str, url: str, workbook: Path, repeats: int
) -> tuple[float, list[Figure]]:
    from registry.app import create_app

    db, import_s = await _prepare(url, workbook)
    async with db.write() as session:
        token = await create_token(session, Role.ADMIN, None, "bench")
    async with db.read() as session:
        root = await session.scalar(select(Place).where(Place.depth == 0))
        sub = await session.scalar(
            select(Place).where(Place.kind == "subdistrict").order_by(Place.path)
        )
        committee = await session.scalar(
            select(Organisation)
            .where(Organisation.kind == "working_committee")
            .order_by(Organisation.path)
        )
    assert root and sub and committee
    app = create_app(Settings.from_env(database_url=url))
    transport = httpx.ASGITransport(app=app)
    figures: list[Figure] = []
    async with httpx.AsyncClient(
        transport=transport, base_url="http://bench", headers={"Authorization": f"Bearer {token}"}
    ) as client:

        async def call(name: str, variables: dict[str, Any]) -> None:
            query = (OPERATIONS / f"{name}.graphql").read_text(encoding="utf-8")
            response = await client.post("/graphql", json={"query": query, "variables": variables})
            body = response.json()
            if body.get("errors"):
                raise RuntimeError(f"{name}: {body['errors']}")

        def hi(path: str) -> str:
            return path[:-1] + "0"

        cases = [
            ("coverage, whole district" if root.kind == "district" else "coverage, root",
             "Coverage", {"scope": root.code, "gaps": 20},
             PLAIN_COVERAGE, {"lo": root.path, "hi": hi(root.path)}, 300.0),
            ("coverage, one sub-district", "Coverage", {"scope": sub.code, "gaps": 20},
             PLAIN_COVERAGE, {"lo": sub.path, "hi": hi(sub.path)}, None),
            ("org chart, sub-district to groups", "OrgChart",
             {"root": committee.code, "depth": 3},
             PLAIN_CHART, {"lo": committee.path, "hi": hi(committee.path),
                           "last": committee.depth + 3}, 150.0),
            ("members page of 100", "Members", {"first": 100}, PLAIN_MEMBERS, {}, None),
        ]  # fmt: skip
        for what, op, variables, plain, params, target in cases:
            api_ms = await median_ms(lambda op=op, v=variables: call(op, v), repeats)
            sql_ms = await median_ms(lambda s=plain, p=params: _plain(db, s, p), repeats)
            figures.append(Figure(what, backend, api_ms, sql_ms, target))
        figures += [
            Figure(*row[:1], backend, *row[1:])
            for row in await contact_rows(db, call, sub.code, "one synthetic sub-district",
                                          2000.0, repeats)
        ]  # fmt: skip
    await app.state.db.dispose()
    await db.dispose()
    return import_s, figures


def _graph_figures(repeats: int) -> list[Figure]:
    from graph.bench import contact_pairing_benchmark

    result = contact_pairing_benchmark(repeats=repeats)
    return [
        Figure(
            f"contact pairing, estate of {result['households']} households / "
            f"{result['members']} members (vs exact household-level solver)",
            "graph",
            result["propose_contacts_s"] * 1000,
            result["household_level_scipy_s"] * 1000,
            100.0,
        )
    ]


async def _mobilisation_figures(repeats: int) -> list[Figure]:
    """Mobilising an estate task on the Cuntan estate CT-BS-JAMX (1,224 households, 126
    in-service members and its branch members living there): `proposeMobilisation` through the
    whole stack, beside `graph.mobilise` alone on the same data (the "plain" column)."""
    from graph.mobilise import mobilise
    from registry.app import create_app
    from registry.auth import SYSTEM
    from registry.mobilisation import load_problem
    from registry.models import Task

    url = f"sqlite+aiosqlite:///{Path('var') / 'bench' / 'cuntan.sqlite3'}"
    db, _ = await _prepare(url, Path(__file__).resolve().parents[1] / "seeds" / "cuntan")
    async with db.write() as session:
        token = await create_token(session, Role.ADMIN, None, "bench")
    app = create_app(Settings.from_env(database_url=url))
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://bench", headers=headers
    ) as client:

        async def call(name: str, variables: dict[str, Any]) -> None:
            query = (OPERATIONS / f"{name}.graphql").read_text(encoding="utf-8")
            response = await client.post("/graphql", json={"query": query, "variables": variables})
            body = response.json()
            if body.get("errors"):
                raise RuntimeError(f"{name}: {body['errors']}")

        task = {
            "code": "BENCH-MOB", "kind": "DOOR_TO_DOOR_VISITS", "name": "bench",
            "organisation": "CT-BS-DW", "places": ["CT-BS-JAMX"], "start": "2026-12-01",
            "end": "2026-12-31", "headcount": 30,
            "skills": [{"skill": "law", "count": 2}, {"skill": "publicity", "count": 3}],
        }  # fmt: skip
        await call("CreateTask", {"input": task})
        propose = {"input": {"task": "BENCH-MOB"}}
        api_ms = await median_ms(lambda: call("ProposeMobilisation", propose), repeats)
    async with db.read() as session:
        row = await session.scalar(select(Task).where(Task.code == "BENCH-MOB"))
        assert row is not None
        problem = await load_problem(session, SYSTEM, row)

    async def alone() -> None:
        mobilise(problem.task, problem.buildings, problem.members)

    graph_ms = await median_ms(alone, repeats)
    await app.state.db.dispose()
    await db.dispose()
    what = (
        f"mobilisation, estate task on CT-BS-JAMX ({len(problem.buildings)} buildings, "
        f"{len(problem.members)} members; plain = graph.mobilise alone)"
    )
    return [Figure(what, "SQLite", api_ms, graph_ms, 200.0)]


def run_benchmark(args: argparse.Namespace) -> int:
    """Generate (once) and load the synthetic workbook, time everything, print the table."""
    from seeds.synthetic import generate

    workbook = Path("var") / "bench" / f"{args.scale}-seed1"
    if not (workbook / "places.csv").exists():
        console.print(f"generating the synthetic {args.scale} workbook in {workbook} ...")
        generate(workbook, scale=args.scale, seed=1, progress=True)
    backends = [("SQLite", f"sqlite+aiosqlite:///{Path('var') / 'bench' / 'bench.sqlite3'}")]
    if args.postgres:
        backends.append(("PostgreSQL", normalise_database_url(args.postgres)))
    imports: dict[str, float] = {}
    figures: list[Figure] = []
    for backend, url in backends:
        console.print(f"[bold]{backend}[/bold]: importing {workbook} ...")
        import_s, found = asyncio.run(_bench_backend(backend, url, workbook, args.repeats))
        imports[backend] = import_s
        figures += found
    figures += _graph_figures(args.repeats)
    figures += asyncio.run(_mobilisation_figures(args.repeats))
    figures += [Figure(r[0], "SQLite", *r[1:]) for r in asyncio.run(cuntan_rows(args.repeats))]

    table = Table(title=f"gridreg bench — {args.scale}, medians of {args.repeats} runs")
    for column in ("what", "backend", "API ms", "plain ms", "ratio", "target"):
        table.add_column(column)
    for f in figures:
        table.add_row(
            f.what,
            f.backend,
            f"{f.api_ms:.1f}",
            f"{f.sql_ms:.1f}" if f.sql_ms else "",
            f"{f.ratio:.2f}" if f.ratio else "",
            f"≤ {f.target_ms:.0f} ms" if f.target_ms else "",
        )
    for backend, seconds in imports.items():
        table.add_row(f"import of the {args.scale} workbook", backend, f"{seconds * 1000:.0f}",
                      "", "", "≤ 60000 ms")  # fmt: skip
    console.print(table)
    return 0
