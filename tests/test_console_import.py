"""Importing from the console over HTTP: a check runs the one import and rolls it back (the row
report, or what would change, and nothing written); the import itself writes; a .zip of CSV
files reads as the folder it was made from; the template workbook imports as it stands; only an
unscoped admin imports; an upload over the limit is refused before it is read whole."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook

from registry.core.config import Settings
from registry.importer.template import EXAMPLES
from registry.importer.workbook_format import COLUMNS
from registry.server.app import create_app
from seeds import CUNTAN
from tests.support import Registry, write_workbook

SHEETS = {
    "places": [
        {"code": "S", "parent": "", "kind": "subdistrict", "name": "寸滩街道"},
        {"code": "C1", "parent": "S", "kind": "community", "name": "保税商圈社区"},
    ],
    "organisations": [
        {"code": "DGW", "parent": "", "kind": "working_committee", "name": "党工委", "covers": "S"},
    ],
}


def zipped(folder: Path, inside: str = "") -> bytes:
    """The CSV files of a folder zipped as a person zips them (in a folder of their own)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.glob("*.csv")):
            archive.write(path, f"{inside}{path.name}")
        archive.writestr("__MACOSX/._places.csv", b"\x00\x05")
    return buffer.getvalue()


async def upload(
    registry: Registry, token: str, body: bytes, name: str, check: bool
) -> httpx.Response:
    params = {"name": name, **({"check": "1"} if check else {})}
    return await registry.http.post(
        "/console/import",
        params=params,
        content=body,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/octet-stream"},
    )


async def places(registry: Registry) -> int:
    return await registry.count("place")


async def test_a_check_reports_what_would_change_and_writes_nothing(
    registry: Registry, tmp_path: Path
) -> None:
    token = await registry.token("admin")
    body = zipped(write_workbook(tmp_path / "grid", SHEETS), inside="grid/")
    before = await registry.snapshot()

    checked = await upload(registry, token, body, "grid.zip", check=True)

    assert checked.status_code == 200, checked.text
    assert checked.json()["written"] is False
    assert checked.json()["counts"]["places"] == {"created": 2, "updated": 0, "unchanged": 0}
    assert await registry.snapshot() == before

    imported = await upload(registry, token, body, "grid.zip", check=False)

    assert imported.status_code == 200, imported.text
    assert imported.json()["written"] is True and imported.json()["requestId"]
    assert imported.json()["counts"] == checked.json()["counts"]
    assert await places(registry) == 2
    again = await upload(registry, token, body, "grid.zip", check=True)
    assert again.json()["counts"]["places"] == {"created": 0, "updated": 0, "unchanged": 2}


async def test_a_wrong_workbook_answers_every_problem_with_sheet_row_and_column(
    registry: Registry, tmp_path: Path
) -> None:
    token = await registry.token("admin")
    wrong = {
        **SHEETS,
        "members": [
            {"code": "M1", "name": "张三", "status": "full", "organisation": "NOPE"},
            {"code": "M2", "name": "李四", "status": "sometimes", "organisation": "DGW"},
        ],
    }
    body = zipped(write_workbook(tmp_path / "wrong", wrong))

    checked = await upload(registry, token, body, "wrong.zip", check=True)

    assert checked.status_code == 200  # the check did its work: the report is its answer
    assert checked.json()["counts"] is None and checked.json()["written"] is False
    where = {(p["sheet"], p["row"], p["column"], p["code"]) for p in checked.json()["problems"]}
    assert ("members", 2, "organisation", "INVALID") in where
    assert ("members", 3, "status", "INVALID") in where
    assert await places(registry) == 0

    refused = await upload(registry, token, body, "wrong.zip", check=False)

    assert refused.status_code == 422
    assert refused.json()["code"] == "IMPORT_REFUSED"
    assert refused.json()["problems"] == checked.json()["problems"]
    assert refused.json()["params"] == {"count": len(refused.json()["problems"])}
    assert await places(registry) == 0


async def test_the_template_workbook_has_every_sheet_and_imports_as_it_stands(
    registry: Registry, tmp_path: Path
) -> None:
    token = await registry.token("admin")
    response = await registry.http.get(
        "/console/import/template.xlsx", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == list(COLUMNS)
    for sheet, columns in COLUMNS.items():
        rows = list(book[sheet].iter_rows(values_only=True))
        assert rows[0] == columns
        assert len(rows) - 1 == len(EXAMPLES[sheet]) >= 1
        assert all(len(example) == len(columns) for example in EXAMPLES[sheet])

    answer = await upload(registry, token, response.content, "template.xlsx", check=False)

    assert answer.status_code == 200, answer.text
    counts: dict[str, Any] = answer.json()["counts"]
    assert {sheet: c["created"] for sheet, c in counts.items()} == {
        sheet: len(rows) for sheet, rows in EXAMPLES.items()
    }


async def test_only_an_unscoped_admin_imports(registry: Registry) -> None:
    await registry.load(CUNTAN)
    body = (CUNTAN / "places.csv").read_bytes()
    for role, scope in (("organiser", "CT-BS-DW"), ("viewer", "CT-BS-DW"), ("admin", "CT-BS-DW")):
        token = await registry.token(role, scope)
        answer = await upload(registry, token, zipped_one(body), "p.zip", check=True)
        assert answer.status_code == 403, role
        assert answer.json()["code"] == "FORBIDDEN"
    anonymous = await registry.http.post("/console/import", params={"name": "p.zip"}, content=b"")
    assert anonymous.status_code == 401


def zipped_one(places_csv: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("places.csv", places_csv)
    return buffer.getvalue()


async def test_an_upload_that_is_not_a_workbook_is_refused(registry: Registry) -> None:
    token = await registry.token("admin")

    named = await upload(registry, token, b"code,name\n", "places.csv", check=True)
    assert named.status_code == 400 and named.json()["code"] == "BAD_REQUEST"

    broken = await upload(registry, token, b"not a zip", "grid.zip", check=True)
    assert broken.status_code == 200
    assert [p["sheet"] for p in broken.json()["problems"]] == ["workbook"]


async def test_an_upload_over_the_deployments_limit_is_refused_unread(
    registry: Registry, database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Given a deployment whose uploads may hold 2,000 bytes, far below its request-body limit
    monkeypatch.setenv("GRIDREG_MAX_UPLOAD_BYTES", "2000")
    app = create_app(Settings.from_env(database_url=database_url))
    token = await registry.token("admin")
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/octet-stream"}
    small = zipped(write_workbook(tmp_path / "grid", SHEETS))
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            # When a workbook within the limit is checked, it is read
            fits = await http.post(
                "/console/import", params={"name": "g.zip", "check": "1"}, content=small,
                headers=headers,
            )  # fmt: skip
            # and when one over it is sent, it is refused with the limit
            over = await http.post(
                "/console/import", params={"name": "g.zip", "check": "1"},
                content=small + b"\0" * 2000, headers=headers,
            )  # fmt: skip
    finally:
        await app.state.db.dispose()

    assert fits.status_code == 200, fits.text
    assert over.status_code == 413
    assert over.json()["code"] == "PAYLOAD_TOO_LARGE"
    assert over.json()["params"] == {"limit": "bytes", "value": 2000}
    assert await places(registry) == 0
