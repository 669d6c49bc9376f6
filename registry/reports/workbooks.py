"""Workbooks for download ("enter once, export many"): tables with Chinese column headings.

A `Table` is a title, column headings and rows of plain values; a workbook has one sheet per
table. The coverage report of a scope is built here from the same services the GraphQL
`coverage` field uses, so a downloaded workbook holds the API's numbers.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy.ext.asyncio import AsyncSession

from registry.access.scope import Scope
from registry.core.config import RuleThresholds
from registry.reports import coverage, rules
from registry.reports.wording import word

Value = str | int | float | bool | date | None


def label(name: str) -> str:
    """The Chinese label of a rule, gap kind, severity or place kind, as the console shows it."""
    return word(f"label.{name}", {}) or name

COVERAGE_ROWS = (
    ("estates", "小区（有党支部覆盖）"),
    ("buildings", "楼栋（有党小组覆盖）"),
    ("buildings_with_members", "楼栋（有党员居住）"),
    ("households", "户（有联系党员）"),
)


@dataclass(frozen=True)
class Table:
    """One sheet: a title (the sheet name), column headings and rows of plain values."""

    title: str
    columns: Sequence[str]
    rows: Sequence[Sequence[Value]] = field(default_factory=list)
    percent_columns: frozenset[int] = frozenset()


def sheet_title(title: str, taken: set[str]) -> str:
    """A valid, unique sheet name: Excel forbids []:*?/\\ and more than 31 characters."""
    base = re.sub(r"[\[\]:*?/\\]", " ", title).strip()[:31] or "Sheet"
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base[: 31 - len(str(n)) - 1]}-{n}"
    taken.add(name)
    return name


def _display_width(value: Any) -> int:
    # CJK characters take two columns.
    text = "" if value is None else str(value)
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


# Characters XML 1.0, and so no .xlsx, may hold: openpyxl refuses the C0 controls but writes
# lone surrogates and U+FFFE/U+FFFF as they are, giving a workbook Excel must repair.
_UNWRITABLE = re.compile(f"{ILLEGAL_CHARACTERS_RE.pattern}|[\ud800-\udfff\ufffe\uffff]")


def text_cell(text: str) -> str:
    """Text as a workbook keeps it: characters no .xlsx may hold (control characters stored
    before they were refused) shown as U+FFFD, so that one such name cannot break an export."""
    return _UNWRITABLE.sub("\ufffd", text)


def write_row(sheet: Worksheet, values: Sequence[Value]) -> None:
    """Append one row. Every piece of text is written as a text cell, never as a formula:
    a name such as `=HYPERLINK(...)`, `+1`, `-1` or `@SUM(A1)` is shown as typed and never
    runs when the workbook is opened (OWASP's CSV/formula injection)."""
    sheet.append([_text(sheet, v) if isinstance(v, str) else v for v in values])


def _text(sheet: Worksheet, text: str) -> Cell:
    cell = Cell(sheet, value=text_cell(text))
    cell.data_type = "s"  # openpyxl takes a leading "=" for a formula
    return cell


def workbook(tables: Sequence[Table]) -> Workbook:
    """A workbook with one sheet per table: bold headings, frozen first row, ratios as %."""
    book = Workbook()
    book.remove(book.active)
    taken: set[str] = set()
    for table in tables:
        sheet = book.create_sheet(sheet_title(text_cell(table.title), taken))
        write_row(sheet, list(table.columns))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in table.rows:
            write_row(sheet, list(row))
        for index in table.percent_columns:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index + 1, max_col=index + 1):
                cell.number_format = "0.0%"
        for index, column in enumerate(sheet.iter_cols(), start=1):
            width = max(_display_width(cell.value) for cell in column)
            sheet.column_dimensions[get_column_letter(index)].width = min(max(width + 2, 8), 60)
        sheet.freeze_panes = "A2"
    if not tables:
        book.create_sheet("Sheet")
    return book


def workbook_bytes(tables: Sequence[Table]) -> bytes:
    """The workbook of these tables as .xlsx bytes."""
    buffer = io.BytesIO()
    workbook(tables).save(buffer)
    return buffer.getvalue()


def save_workbook(tables: Sequence[Table], path: Path) -> None:
    """Write the workbook of these tables to an .xlsx file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook(tables).save(path)


def scope_name(scope: Scope) -> str:
    """The name of what a scope was asked for (a place or an organisation)."""
    row = scope.place or scope.organisation
    return row.name if row is not None else ""


async def coverage_tables(
    session: AsyncSession, scope: Scope, thresholds: RuleThresholds
) -> list[Table]:
    """The coverage report of a scope as four tables: figures, members, gaps, violations.

    Same services and definitions as the GraphQL `coverage` field; every gap is listed."""
    summary = await coverage.coverage_summary(session, scope)
    figures = Table(
        "覆盖情况",
        ("指标", "已覆盖", "总数", "比例"),
        [
            (label, tally.covered, tally.total, tally.ratio)
            for attr, label in COVERAGE_ROWS
            for tally in [getattr(summary, attr)]
        ],
        percent_columns=frozenset({3}),
    )
    counts = summary.members
    members = Table(
        "党员",
        ("指标", "数值"),
        [
            ("党员合计", counts.total),
            ("正式党员", counts.full),
            ("预备党员", counts.probationary),
            ("在职党员", counts.in_service),
            ("居住在辖区的党员", summary.members_living),
            ("每百户党员数", summary.members_per_100_households),
        ],
    )
    everything = sum(
        t.uncovered for t in (summary.estates, summary.buildings, summary.buildings_with_members)
    ) + summary.buildings.covered  # covered buildings may still be gaps: unstaffed groups
    found = await coverage.gaps(session, scope, summary, everything)
    gaps = Table(
        "缺口",
        ("类型", "地点编码", "地点名称", "地点类别", "原因"),
        [
            (
                label(gap.kind.name),
                gap.place.code,
                gap.place.name,
                label(gap.place.kind.upper()),
                word(f"gap.{gap.kind.name}", {}) or gap.kind.name,
            )
            for gap in found.items
        ],
    )
    broken = await rules.rules_report(session, scope, thresholds)
    violations = Table(
        "需整改与提示",
        ("规则", "严重程度", "组织编码", "组织名称", "党员编码", "党员姓名", "起算日期", "说明"),
        [
            (
                label(item.rule.name),
                label(item.severity.name),
                item.organisation.code if item.organisation else None,
                item.organisation.name if item.organisation else None,
                item.member.code if item.member else None,
                item.member.name if item.member else None,
                item.since,
                worded(item),
            )
            for item in broken
        ],
    )
    return [figures, members, gaps, violations]


def worded(item: rules.Violation) -> str:
    """A violation as the reader reads it in Chinese: its rule's template with the names and
    figures of this case (the English message when a rule has no template yet)."""
    values = {
        "org": item.organisation.name if item.organisation else None,
        "member": item.member.name if item.member else None,
        "since": item.since.isoformat() if item.since else None,
        **item.details,
    }
    return word(f"rule.{item.rule.name}", values) or item.message
