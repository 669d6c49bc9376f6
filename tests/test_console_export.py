"""Export ("enter once, export many"): the coverage report as .xlsx with Chinese headings, from
the command line and from the console, holding exactly the API's numbers; any console table as
.xlsx."""

from __future__ import annotations

import asyncio
import io
import re
import sys
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.workbook import Workbook

from registry.web.session import SESSION_HEADER
from seeds import CUNTAN
from tests.support import GraphQLClient, Registry, operation

COVERAGE = operation("ConsoleCoverage")
FIGURES = ("estates", "buildings", "buildingsWithMembers", "households")


async def api_coverage(api: GraphQLClient, scope: str) -> dict[str, Any]:
    return (await api(COVERAGE, {"scope": scope}))["coverage"]


def assert_same_numbers(book: Workbook, report: dict[str, Any]) -> None:
    """The workbook's sheets hold the API's coverage report, figure for figure."""
    assert book.sheetnames == ["覆盖情况", "党员", "缺口", "需整改与提示"]
    figures = list(book["覆盖情况"].iter_rows(values_only=True))
    assert figures[0] == ("指标", "已覆盖", "总数", "比例")
    for row, key in zip(figures[1:], FIGURES, strict=True):
        tally = report[key]
        assert row[1:] == (tally["covered"], tally["total"], tally["ratio"]), key
    members = dict(list(book["党员"].iter_rows(values_only=True))[1:])
    assert members["党员合计"] == report["members"]["total"]
    assert members["正式党员"] == report["members"]["full"]
    assert members["预备党员"] == report["members"]["probationary"]
    assert members["在职党员"] == report["members"]["inService"]
    assert members["每百户党员数"] == report["membersPer100Households"]
    gaps = list(book["缺口"].iter_rows(values_only=True))
    assert gaps[0] == ("类型", "地点编码", "地点名称", "地点类别", "原因")
    assert len(gaps) - 1 == report["gaps"]["totalCount"]
    assert [g[1] for g in gaps[1:]][:10] == [g["place"]["code"] for g in report["gaps"]["items"]][
        :10
    ]
    violations = list(book["需整改与提示"].iter_rows(values_only=True))
    assert violations[0][:2] == ("规则", "严重程度")
    assert len(violations) - 1 == len(report["violations"])
    # Explanations are in Chinese, naming the case's organisation or member and its figures:
    # worded from the rule and its figures as the console words them, not the API's English.
    for row, violation in zip(violations[1:], report["violations"], strict=True):
        explanation = row[-1]
        named = violation["organisation"] or violation["member"]
        assert named["name"] in explanation
        assert all(str(figure["value"]) in explanation for figure in violation["details"])
        assert not re.search(r"[A-Za-z]{3,}", explanation.replace(named["name"], "")), explanation
    assert all(not re.search(r"[A-Za-z]{3,}", gap[-1]) for gap in gaps[1:])


async def test_given_the_cuntan_demo_when_exporting_coverage_from_the_command_line_then_the_workbook_holds_the_apis_numbers(  # noqa: E501
    registry: Registry, tmp_path: Path
) -> None:
    await registry.load(CUNTAN)
    out = tmp_path / "寸滩.xlsx"

    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "registry.cli.main", "--database", registry.db.url,
        "export", "coverage", "--scope", "CT", "--out", str(out),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    stdout, stderr = await process.communicate()

    assert process.returncode == 0, stderr.decode()
    assert "缺口" in stdout.decode()
    report = await api_coverage(await registry.client("admin"), "CT")
    assert report["estates"]["total"] == 29
    assert_same_numbers(load_workbook(out), report)


async def test_exporting_an_unknown_scope_writes_nothing_and_says_why(
    registry: Registry, tmp_path: Path
) -> None:
    out = tmp_path / "none.xlsx"

    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "registry.cli.main", "--database", registry.db.url,
        "export", "coverage", "--scope", "NOWHERE", "--out", str(out),
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    _, stderr = await process.communicate()

    assert process.returncode == 1
    assert "NOWHERE" in stderr.decode() and not out.exists()


async def test_the_console_download_is_the_same_report_cut_to_the_callers_scope(
    registry: Registry,
) -> None:
    await registry.load(CUNTAN)
    token = await registry.token("organiser", "CT-BS-DW")
    headers = {"Authorization": f"Bearer {token}"}

    mine = await registry.http.get("/console/export/coverage.xlsx?scope=CT-BS-DW", headers=headers)
    theirs = await registry.http.get("/console/export/coverage.xlsx?scope=CT-GW", headers=headers)
    anonymous = await registry.http.get("/console/export/coverage.xlsx?scope=CT-BS-DW")

    assert mine.status_code == 200
    assert mine.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert "filename*=UTF-8''" in mine.headers["content-disposition"]
    report = await api_coverage(registry.api.as_token(token), "CT-BS-DW")
    assert_same_numbers(load_workbook(io.BytesIO(mine.content)), report)
    assert theirs.status_code == 404 and anonymous.status_code == 401


async def test_any_console_table_downloads_as_a_workbook(registry: Registry) -> None:
    token = await registry.token("admin")
    table = {
        "title": "下级区域",
        "columns": ["编码", "小区 已覆盖", "小区 比例"],
        "rows": [["CT-BS", 6, 1.0], ["CT-GW", 4, 0.8]],
        "percentColumns": [2],
    }

    response = await registry.http.post(
        "/console/export/table.xlsx",
        json={"filename": "下级区域.xlsx", "tables": [table]},
        headers={"Authorization": f"Bearer {token}"},
    )
    anonymous = await registry.http.post(
        "/console/export/table.xlsx", json={"tables": [table]}, headers={SESSION_HEADER: "1"}
    )

    assert response.status_code == 200, response.text
    sheet = load_workbook(io.BytesIO(response.content))["下级区域"]
    assert list(sheet.iter_rows(values_only=True)) == [
        ("编码", "小区 已覆盖", "小区 比例"),
        ("CT-BS", 6, 1.0),
        ("CT-GW", 4, 0.8),
    ]
    assert sheet["C2"].number_format == "0.0%"
    assert anonymous.status_code == 401
