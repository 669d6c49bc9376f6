"""`gridreg bench`: the figures behind the README's performance table.

Loads the synthetic district into a fresh SQLite file (and PostgreSQL when given), then
times, as medians over repeated runs, the API calls organisers make most — through the
whole stack (the app handling an HTTP request in-process: auth, scope, GraphQL, SQL) —
beside the plainest SQL that fetches the same numbers, and reports the ratio. Graph-layer
figures come from `benchmarks.graph_solvers`.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from sqlalchemy import select, text

from benchmarks.pairings import contact_rows, cuntan_rows
from benchmarks.timing import (
    OPERATIONS,
    Refused,
    median_ms,
    operation_caller,
    paired_medians,
)
from registry.access.actor import Role
from registry.access.tokens import create_token, stop_keeping_actors
from registry.core.config import Settings, normalise_database_url
from registry.core.db import Database
from registry.core.models import Organisation, Place
from seeds import CUNTAN

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


# The plainest SQL for the same numbers the operation returns: one statement per figure or
# list, no scope, no ORM, bounds given as paths (`:lo`, `:hi`, the scope's subtree).
_END = "substr({0}.path, 1, length({0}.path) - 1) || '0'"
_COVERED = """EXISTS (SELECT 1 FROM coverage c JOIN organisation o ON o.id = c.organisation_id
         WHERE c.place_id = p.id AND c."end" IS NULL AND o.status = 'active' AND o.kind IN ({}))"""
_BRANCH = _COVERED.format("'branch', 'general_branch'")
_GROUP = _COVERED.format("'group'")
_LIVED_IN = f"""EXISTS (SELECT 1 FROM place h WHERE h.path >= p.path
         AND h.path < {_END.format("p")} AND EXISTS (SELECT 1 FROM member m
         WHERE m.household_id = h.id))"""
# A plain statement, or one with a condition on the rows of the statements before it.
Plain = str | tuple[str, Callable[[list[Any]], bool]]


def _uncovered(rows: list[Any], column: int) -> bool:
    """Whether a count row says some of its places are not covered (`column` of total)."""
    total, covered = rows[0][0] or 0, rows[0][column] or 0
    return bool(total > covered)


PLAIN_COVERAGE: list[Plain] = [
    f"""SELECT count(*), sum(CASE WHEN {_BRANCH} THEN 1 ELSE 0 END)
       FROM place p WHERE p.kind = 'estate' AND p.path >= :lo AND p.path < :hi""",
    f"""SELECT count(*), sum(CASE WHEN {_GROUP} THEN 1 ELSE 0 END),
       sum(CASE WHEN {_LIVED_IN} THEN 1 ELSE 0 END)
       FROM place p WHERE p.kind = 'building' AND p.path >= :lo AND p.path < :hi""",
    """SELECT count(*) FROM place p
       WHERE p.kind = 'household' AND p.path >= :lo AND p.path < :hi""",
    """SELECT count(DISTINCT x.place_id) FROM pairing x JOIN place p ON p.id = x.place_id
       WHERE x.kind = 'household_contact' AND x."end" IS NULL AND p.path >= :lo AND p.path < :hi""",
    """SELECT count(*), sum(CASE WHEN m.status = 'full' THEN 1 ELSE 0 END),
       sum(CASE WHEN m.status = 'probationary' THEN 1 ELSE 0 END),
       sum(CASE WHEN m.workplace IS NOT NULL THEN 1 ELSE 0 END)
       FROM member m JOIN place p ON p.id = m.household_id WHERE p.path >= :lo AND p.path < :hi""",
    # The first gaps of each kind, in tree order; like the API, only for kinds the counts
    # above say have any (`_plain` skips a statement whose condition says so).
    (
        f"""SELECT p.id, p.code, p.kind, p.name, p.path FROM place p WHERE p.kind = 'estate'
       AND p.path >= :lo AND p.path < :hi AND NOT {_BRANCH} ORDER BY p.path LIMIT :gaps""",
        lambda found: _uncovered(found[0], 1),
    ),
    (
        f"""SELECT p.id, p.code, p.kind, p.name, p.path FROM place p WHERE p.kind = 'building'
       AND p.path >= :lo AND p.path < :hi AND NOT {_GROUP} ORDER BY p.path LIMIT :gaps""",
        lambda found: _uncovered(found[1], 1),
    ),
    (
        f"""SELECT p.id, p.code, p.kind, p.name, p.path FROM place p WHERE p.kind = 'building'
       AND p.path >= :lo AND p.path < :hi AND NOT {_LIVED_IN} ORDER BY p.path LIMIT :gaps""",
        lambda found: _uncovered(found[1], 2),
    ),
    # The rules report: figures of the organisations covering places in the scope (and those
    # below them), then the members that may break a member rule.
    # Members are counted for branches and general branches only, the kinds whose size
    # rules need them (as the API does).
    f"""SELECT o.id, o.kind, o.path,
       CASE WHEN o.kind IN ('branch', 'general_branch') THEN
         (SELECT count(*) FROM organisation d JOIN member m ON m.organisation_id = d.id
          WHERE d.path >= o.path AND d.path < {_END.format("o")}) END,
       CASE WHEN o.kind IN ('branch', 'general_branch') THEN
         (SELECT count(*) FROM organisation d JOIN member m ON m.organisation_id = d.id
          WHERE d.path >= o.path AND d.path < {_END.format("o")} AND m.status = 'full') END,
       (SELECT count(*) FROM office f WHERE f.organisation_id = o.id AND f."end" IS NULL
          AND f.role = 'secretary'),
       (SELECT max(f.start) FROM office f WHERE f.organisation_id = o.id AND f."end" IS NULL
          AND f.role = 'secretary'),
       (SELECT count(DISTINCT f.member_id) FROM office f WHERE f.organisation_id = o.id
          AND f."end" IS NULL AND f.role IN ('secretary', 'deputy_secretary', 'committee_member')),
       (SELECT count(*) FROM office f WHERE f.organisation_id = o.id AND f."end" IS NULL
          AND f.role = 'group_leader')
       FROM organisation o WHERE o.status = 'active' AND o.id IN (SELECT d.id
         FROM (SELECT DISTINCT t.path FROM organisation t
           JOIN coverage c ON c.organisation_id = t.id AND c."end" IS NULL
           JOIN place p ON p.id = c.place_id AND p.path >= :lo AND p.path < :hi
           WHERE t.status = 'active') AS t
         JOIN organisation d ON d.path >= t.path AND d.path < {_END.format("t")})
       ORDER BY o.path""",
    """SELECT m.id, m.code, m.name, m.status, m.joined, m.organisation_id, m.workplace,
       (SELECT min(f.role) FROM office f WHERE f.member_id = m.id AND f."end" IS NULL
          AND f.role IN ('secretary', 'deputy_secretary', 'committee_member'))
       FROM member m JOIN place p ON p.id = m.household_id
       WHERE p.path >= :lo AND p.path < :hi AND (m.status = 'probationary'
         OR (m.organisation_id IS NULL AND m.workplace IS NULL)) ORDER BY m.code""",
]
_TERRITORY_COUNTS = ", ".join(
    f"""(SELECT count(DISTINCT {counted}) FROM organisation d
       JOIN coverage c ON c.organisation_id = d.id AND c."end" IS NULL
       JOIN place t ON t.id = c.place_id JOIN place p ON p.kind = '{kind}'
       AND p.path >= t.path AND p.path < {_END.format("t")}
       WHERE d.path >= o.path AND d.path < {_END.format("o")})"""
    for kind, covered in (("estate", _BRANCH), ("building", _GROUP))
    for counted in ("p.id", f"CASE WHEN {covered} THEN p.id END")
)
PLAIN_CHART = [
    f"""SELECT o.id, o.parent_id, o.code, o.kind, o.name, o.status, o.depth,
       (SELECT count(*) FROM member m WHERE m.organisation_id = o.id),
       (SELECT count(*) FROM organisation d JOIN member m ON m.organisation_id = d.id
          WHERE d.path >= o.path AND d.path < {_END.format("o")}),
       (SELECT count(*) FROM member m WHERE m.reports_to_id = o.id),
       (SELECT count(*) FROM organisation k WHERE k.parent_id = o.id AND k.status = 'active'),
       (SELECT count(*) FROM organisation d WHERE d.path > o.path
          AND d.path < {_END.format("o")} AND d.status = 'active')
       FROM organisation o WHERE o.path >= :lo AND o.path < :hi AND o.depth <= :last
       AND o.status = 'active' ORDER BY o.path""",
    """SELECT f.organisation_id, m.code, m.name FROM office f JOIN member m ON m.id = f.member_id
       JOIN organisation o ON o.id = f.organisation_id WHERE f.role = 'secretary'
       AND f."end" IS NULL AND o.path >= :lo AND o.path < :hi AND o.depth <= :last""",
    # Each node's territory (the places covered by it or below it): estates and buildings,
    # and how many of them an active branch (estates) or group (buildings) covers. Correlated
    # per node, which every planner runs faster than one GROUP BY over the range joins.
    f"""SELECT o.id, {_TERRITORY_COUNTS}
       FROM organisation o WHERE o.path >= :lo AND o.path < :hi AND o.depth <= :last
       AND o.status = 'active'""",
]
PLAIN_MEMBERS = [
    """SELECT m.id, m.code, m.name, m.status, m.workplace, m.phone, o.code, o.name, s.name,
       r.code, h.code, hp.code
       FROM member m LEFT JOIN organisation o ON o.id = m.organisation_id
       LEFT JOIN office f ON f.organisation_id = o.id AND f.role = 'secretary' AND f."end" IS NULL
       LEFT JOIN member s ON s.id = f.member_id
       LEFT JOIN organisation r ON r.id = m.reports_to_id
       LEFT JOIN place h ON h.id = m.household_id LEFT JOIN place hp ON hp.id = h.parent_id
       ORDER BY m.code LIMIT 100""",
    """SELECT k.member_id, k.skill FROM member_skill k WHERE k.member_id IN
       (SELECT m.id FROM member m ORDER BY m.code LIMIT 100) ORDER BY k.skill""",
    "SELECT count(*) FROM member",
]


async def _plain(db: Database, statements: list[Plain], params: dict[str, Any]) -> None:
    async with db.read() as session:
        found: list[Any] = []
        for entry in statements:
            statement, wanted = entry if isinstance(entry, tuple) else (entry, None)
            if wanted is not None and not wanted(found):
                found.append([])
                continue
            used = {k: v for k, v in params.items() if f":{k}" in statement}
            found.append((await session.execute(text(statement), used)).all())


async def _prepare(url: str, workbook: Path) -> tuple[Database, float]:
    from registry.core.migrate import upgrade
    from registry.importer import import_workbook

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
    backend: str,
    url: str,
    workbook: Path,
    repeats: int,
    fixed_cost: bool = True,
    reuse: bool = False,
) -> tuple[float | None, list[Figure]]:
    """The figures of one backend, after importing the workbook (its seconds), or with
    `reuse`, on the database as it stands when it holds the workbook already (None)."""
    from registry.server.app import create_app
    from registry.server.serving import tune_collector

    if reuse:
        db, import_s = await _loaded(backend, url, workbook)
    else:
        console.print(f"[bold]{backend}[/bold]: importing {workbook} ...")
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
    tune_collector()  # as a server process runs it (registry.server.serving)
    figures: list[Figure] = []
    call = operation_caller(app, token, OPERATIONS)

    def hi(path: str) -> str:
        return path[:-1] + "0"

    whole = {"lo": root.path, "hi": hi(root.path), "gaps": 20}
    cases = [
        # The first page of gaps and of violations, as a screen shows them, with their counts;
        # then every violation (a city has tens of thousands).
        ("coverage, whole district" if root.kind == "district" else "coverage, root",
         "Coverage", {"scope": root.code, "gaps": 20, "violations": 50},
         PLAIN_COVERAGE, whole, 300.0),
        (_EVERY_VIOLATION, "Coverage", {"scope": root.code, "gaps": 20},
         PLAIN_COVERAGE, whole, None),
        ("coverage, one sub-district", "Coverage", {"scope": sub.code, "gaps": 20},
         PLAIN_COVERAGE, {"lo": sub.path, "hi": hi(sub.path), "gaps": 20}, None),
        ("org chart, sub-district to groups", "OrgChart",
         {"root": committee.code, "depth": 3},
         PLAIN_CHART, {"lo": committee.path, "hi": hi(committee.path),
                       "last": committee.depth + 3}, 150.0),
        ("members page of 100", "Members", {"first": 100}, PLAIN_MEMBERS, {}, None),
    ]  # fmt: skip
    for what, op, variables, plain, params, target in cases:
        try:
            api_ms, sql_ms = await paired_medians(
                lambda op=op, v=variables: call(op, v),
                lambda s=plain, p=params: _plain(db, s, p),
                repeats,
            )
        except Refused as refused:
            if "TIMEOUT" not in refused.codes:
                raise
            # Over the server's statement timeout: printed as such, and the rest measured.
            api_ms, sql_ms = math.inf, None
        figures.append(Figure(what, backend, api_ms, sql_ms, target))
    figures += [
        Figure(*row[:1], backend, *row[1:])
        for row in await contact_rows(db, call, sub.code, "one synthetic sub-district",
                                      2000.0, repeats)
    ]  # fmt: skip
    await stop_keeping_actors(app.state.db)
    await app.state.db.dispose()
    if fixed_cost:
        figures.extend(await _fixed_cost_figures(db, backend, repeats))
    await db.dispose()
    return import_s, figures


async def _fixed_cost_figures(db: Database, backend: str, repeats: int) -> list[Figure]:
    """Server CPU per `{ __typename }` asked with an organiser's token scoped to the second
    sub-district (the first of a workbook with one), served now beside served as before, and
    the floor beside it (`benchmarks.fixed_cost`), over up to five rounds."""
    from benchmarks.fixed_cost import FLOOR, WHAT, fixed_cost_ms

    async with db.write() as session:
        committees = await session.scalars(
            select(Organisation.code)
            .where(Organisation.kind == "working_committee")
            .order_by(Organisation.path)
            .limit(2)
        )
        token = await create_token(session, Role.ORGANISER, list(committees)[-1], "bench")
    now_ms, before_ms, floor_ms = await asyncio.to_thread(
        fixed_cost_ms, db.url, token, min(repeats, 5)
    )
    return [
        Figure(WHAT, backend, now_ms, before_ms, 0.15),
        Figure(FLOOR, backend, floor_ms, now_ms, None),
    ]


def _graph_figures(repeats: int) -> list[Figure]:
    from benchmarks.graph_solvers import contact_pairing_benchmark

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
    from registry.access.actor import SYSTEM
    from registry.core.models import Task
    from registry.planning.mobilisation import read_problem
    from registry.server.app import create_app

    url = f"sqlite+aiosqlite:///{Path('var') / 'bench' / 'cuntan.sqlite3'}"
    db, _ = await _prepare(url, CUNTAN)
    async with db.write() as session:
        token = await create_token(session, Role.ADMIN, None, "bench")
    app = create_app(Settings.from_env(database_url=url))
    call = operation_caller(app, token, OPERATIONS)

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
        problem = await read_problem(session, SYSTEM, row)

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


async def _holds_the_workbook(url: str, workbook: Path) -> bool:
    """Whether the database is a gridreg registry holding the workbook's members already (as
    many, and its last one: scales share their first codes)."""
    with (workbook / "members.csv").open(encoding="utf-8", newline="") as handle:
        count, last = -1, ""  # the header is no member
        for row in csv.reader(handle):
            count, last = count + 1, row[0]
    db = Database(url)
    try:
        async with db.read() as session:
            stored = await session.scalar(text("SELECT count(*) FROM member"))
            found = await session.scalar(text("SELECT count(*) FROM member WHERE code = :c"),
                                         {"c": last})  # fmt: skip
            return bool(count and stored == count and found)
    except Exception:  # noqa: BLE001 - no registry there (yet): it is imported
        return False
    finally:
        await db.dispose()


async def _loaded(name: str, url: str, workbook: Path) -> tuple[Database, float | None]:
    """The database holding the workbook: as it stands when it holds it already (migrated to
    the latest revision; None), else reset and the workbook imported (its seconds)."""
    from registry.core.migrate import upgrade

    if await _holds_the_workbook(url, workbook):
        console.print(f"[bold]{name}[/bold]: {workbook} is loaded already; not imported")
        await asyncio.to_thread(upgrade, url)
        return Database(url), None
    console.print(f"[bold]{name}[/bold]: importing {workbook} ...")
    return await _prepare(url, workbook)


def _fixed_cost_only(backend: tuple[str, str], workbook: Path) -> int:
    """`bench --fixed-cost`: only the fixed cost's row, on the last backend (PostgreSQL when
    given), importing the workbook only if the database does not hold it yet."""
    name, url = backend

    async def measure() -> list[Figure]:
        db, _ = await _loaded(name, url, workbook)
        try:
            return await _fixed_cost_figures(db, name, 5)
        finally:
            await db.dispose()

    _print(asyncio.run(measure()), {}, "fixed cost", 5)
    return 0


def _incremental_only(backend: tuple[str, str], workbook: Path, scale: str, repeats: int) -> int:
    """`bench --incremental`: only the one-row imports (`benchmarks.incremental`), on the last
    backend (PostgreSQL when given), loading the workbook first unless the database holds it."""
    from benchmarks.incremental import one_row_import_ms

    name, url = backend

    async def measure() -> list[tuple[str, float]]:
        db, _ = await _loaded(name, url, workbook)
        await db.dispose()
        return await one_row_import_ms(url, workbook, min(repeats, 5))

    figures = [
        Figure(f"{what}, {scale} registry", name, milliseconds, None, 2000.0)
        for what, milliseconds in asyncio.run(measure())
    ]
    _print(figures, {}, scale, min(repeats, 5))
    return 0


# A scale's figures beside another's (`--baseline`): what each row must meet. A figure of
# an estate, a community or a sub-district must cost about the same in a larger registry (its
# cost follows the answer, not the registry); the root's coverage grows with the registry.
RATIO_TARGET = 1.5
ROOT_COVERAGE_TARGET_MS = 1000.0
PLAIN_RATIO_TARGET = 3.0  # members page and org chart, beside plain SQL, at any scale
_ROOT_COVERAGE = ("coverage, whole district", "coverage, root")
_EVERY_VIOLATION = "coverage, whole registry, every violation"
_AGAINST_PLAIN = ("members page of 100", "org chart, sub-district to groups")
# The first page of the whole registry, with its total: it counts every member at any scale,
# so only its ratio to the same plain SQL is a target.
_WHOLE_REGISTRY = ("members page of 100",)


def _synthetic_workbook(scale: str) -> Path:
    """The synthetic workbook of a scale, seed 1, generated once under var/bench."""
    from seeds.synthetic import generate

    workbook = Path("var") / "bench" / f"{scale}-seed1"
    if not (workbook / "places.csv").exists():
        console.print(f"generating the synthetic {scale} workbook in {workbook} ...")
        generate(workbook, scale=scale, seed=1, progress=True)
    return workbook


def _against_baseline(
    backend: tuple[str, str],
    scale: str,
    baseline: str,
    repeats: int,
    baseline_url: str | None = None,
) -> int:
    """`bench --baseline`: the registry's figures at `baseline` and at `scale`, one after the
    other on the same database (each imported in turn, on PostgreSQL when given), with the
    ratio of each figure, scale to baseline, and its target. Given `baseline_url`, the
    baseline has its own database, and each database holding its workbook already is
    measured as it stands (a city's import takes a quarter of an hour)."""
    name, url = backend
    # Keyed by place in the comparison, not by scale: a scale may stand beside itself.
    found: list[dict[str, Figure]] = []
    imports: list[float | None] = []
    for label, here in ((baseline, baseline_url or url), (scale, url)):
        workbook = _synthetic_workbook(label)
        # A request's fixed cost does not depend on the registry: not compared.
        import_s, figures = asyncio.run(
            _bench_backend(
                name, here, workbook, repeats, fixed_cost=False, reuse=baseline_url is not None
            )
        )
        imports.append(import_s)
        found.append({f.what: f for f in figures})
    table = Table(title=f"gridreg bench — {scale} beside {baseline} on {name}, medians of at "
                  f"least {repeats} runs")  # fmt: skip
    for column in ("what", f"{baseline} ms", f"{scale} ms", "ratio", "plain ratio", "target"):
        table.add_column(column)
    for what, large in found[1].items():
        small = found[0].get(what)
        ratio = large.api_ms / small.api_ms if small and small.api_ms else None
        ratio = None if ratio is not None and math.isinf(ratio) else ratio
        if what in _ROOT_COVERAGE:
            target = f"≤ {ROOT_COVERAGE_TARGET_MS:g} ms"
        elif what == _EVERY_VIOLATION:
            target = ""
        elif what in _WHOLE_REGISTRY:
            target = f"plain ratio ≤ {PLAIN_RATIO_TARGET:g}"
        elif what in _AGAINST_PLAIN:
            target = f"ratio ≤ {RATIO_TARGET:g}, plain ratio ≤ {PLAIN_RATIO_TARGET:g}"
        else:
            target = f"ratio ≤ {RATIO_TARGET:g}"
        table.add_row(
            what,
            _ms(small.api_ms) if small else "",
            _ms(large.api_ms),
            f"{ratio:.2f}" if ratio else "",
            f"{large.ratio:.2f}" if large.ratio else "",
            target,
        )
    small_s, large_s = imports
    table.add_row(
        "import of the workbook",
        "loaded already" if small_s is None else f"{small_s:.1f} s",
        "loaded already" if large_s is None else f"{large_s:.1f} s",
        f"{large_s / small_s:.1f}" if small_s and large_s else "",
        "",
        "",
    )
    console.print(table)
    return 0


def _contact_job(backend: tuple[str, str], workbook: Path, scale: str) -> int:
    """`bench --contact-job`: the household contacts of the whole registry as a job
    (`benchmarks.contact_job`), on the last backend (PostgreSQL when given), loading the
    workbook first unless the database holds it (a fresh load starts the job afresh)."""
    from benchmarks.contact_job import run_contact_job

    name, url = backend
    checkpoint = Path("var") / "bench" / f"contact-job-{scale}.checkpoint"

    async def job() -> None:
        db, imported = await _loaded(name, url, workbook)
        await db.dispose()
        if imported is not None:
            checkpoint.unlink(missing_ok=True)
        done = await run_contact_job(url, checkpoint, progress=True)
        console.print(
            f"household contacts of the {scale} registry on {name}: {done.estates:,} estates "
            f"({done.households:,} households) in {done.seconds:.1f} s, "
            f"{done.households_per_second:,.0f} households/s; {done.skipped:,} estates stored "
            f"by an earlier run (checkpoint {checkpoint})"
        )

    asyncio.run(job())
    return 0


def run_benchmark(args: argparse.Namespace) -> int:
    """Generate (once) and load the synthetic workbook, time everything, print the table;
    with `--peer`, compare with PostGraphile on the PostgreSQL database instead; with
    `--baseline` (the city's default: the district), the figures beside another scale's."""
    baseline = args.baseline or ("district" if args.scale == "city" else None)
    workbook = _synthetic_workbook(args.scale)
    if args.peer:
        from benchmarks.peer import run_peer

        if not args.postgres:
            console.print("bench --peer compares on PostgreSQL: give --postgres URL")
            return 2
        url = normalise_database_url(args.postgres)

        async def load() -> None:
            db, _ = await _loaded("PostgreSQL", url, workbook)
            await db.dispose()

        asyncio.run(load())
        return run_peer(url, args)
    backends = [("SQLite", f"sqlite+aiosqlite:///{Path('var') / 'bench' / 'bench.sqlite3'}")]
    if args.postgres:
        backends.append(("PostgreSQL", normalise_database_url(args.postgres)))
    if args.fixed_cost:
        return _fixed_cost_only(backends[-1], workbook)
    if args.incremental:
        return _incremental_only(backends[-1], workbook, args.scale, args.repeats)
    if args.contact_job:
        return _contact_job(backends[-1], workbook, args.scale)
    if baseline:
        baseline_url = args.baseline_postgres and normalise_database_url(args.baseline_postgres)
        return _against_baseline(
            backends[-1], args.scale, baseline, args.repeats, baseline_url or None
        )
    imports: dict[str, float] = {}
    figures: list[Figure] = []
    for backend, url in backends:
        import_s, found = asyncio.run(_bench_backend(backend, url, workbook, args.repeats))
        assert import_s is not None  # imported afresh
        imports[backend] = import_s
        figures += found
    figures += _graph_figures(args.repeats)
    figures += asyncio.run(_mobilisation_figures(args.repeats))
    figures += [Figure(r[0], "SQLite", *r[1:]) for r in asyncio.run(cuntan_rows(args.repeats))]

    _print(figures, imports, args.scale, args.repeats)
    return 0


def _ms(value: float) -> str:
    """A figure in milliseconds as the tables print it (a timed-out one says so)."""
    if math.isinf(value):
        return "timed out"
    return f"{value:.{3 if value < 1 else 1}f}"


def _print(figures: list[Figure], imports: dict[str, float], scale: str, repeats: int) -> None:
    table = Table(title=f"gridreg bench — {scale}, medians of at least {repeats} runs")
    for column in ("what", "backend", "API ms", "plain ms", "ratio", "target"):
        table.add_column(column)
    for f in figures:
        table.add_row(
            f.what,
            f.backend,
            _ms(f.api_ms),
            f"{f.sql_ms:.{3 if f.sql_ms < 1 else 1}f}" if f.sql_ms else "",
            f"{f.ratio:.2f}" if f.ratio else "",
            f"≤ {f.target_ms:g} ms" if f.target_ms else "",
        )
    for backend, seconds in imports.items():
        table.add_row(f"import of the {scale} workbook", backend, f"{seconds * 1000:.0f}",
                      "", "", "≤ 60000 ms")  # fmt: skip
    console.print(table)
