"""Downloads as .xlsx: a scope's coverage report (recomputed, as `gridreg export coverage`
writes it) and any table the console shows (posted by the page, written by openpyxl)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from registry.access.scope import resolve_scope
from registry.core.errors import UserErrors
from registry.reports.workbooks import Table, coverage_tables, scope_name, workbook_bytes
from registry.web.session import is_json_post
from registry.web.signin import request_actor

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_ROWS = 100_000


def xlsx_response(tables: list[Table], filename: str) -> Response:
    """The workbook as an attachment; the file name may be Chinese (RFC 6266 filename*)."""
    disposition = f"attachment; filename=\"export.xlsx\"; filename*=UTF-8''{quote(filename)}"
    return Response(
        workbook_bytes(tables), media_type=XLSX, headers={"Content-Disposition": disposition}
    )


def _refused(message: str, status: int) -> Response:
    return JSONResponse({"error": message}, status_code=status)


async def coverage_download(request: Request) -> Response:
    """GET /console/export/coverage.xlsx?scope=CODE: the coverage report of a scope."""
    actor = await request_actor(request)
    if actor is None:
        return _refused("sign in first", 401)
    code = request.query_params.get("scope", "").strip()
    async with request.app.state.db.read() as session:
        try:
            scope = await resolve_scope(session, actor, code, None)
        except UserErrors as problem:
            return _refused(str(problem), 404)
        tables = await coverage_tables(session, scope, request.app.state.settings.rules)
    return xlsx_response(tables, f"覆盖情况-{scope_name(scope)}.xlsx")


def _table(raw: Any) -> Table:
    if not isinstance(raw, dict):
        raise ValueError("each table is an object {title, columns, rows}")
    columns, rows = raw.get("columns"), raw.get("rows")
    if not isinstance(columns, list) or not isinstance(rows, list) or len(rows) > MAX_ROWS:
        raise ValueError(f"columns and rows must be lists (at most {MAX_ROWS} rows)")
    cells = [
        [c if c is None or isinstance(c, str | int | float) else str(c) for c in r]
        for r in rows
        if isinstance(r, list)
    ]
    return Table(
        str(raw.get("title") or "Sheet"),
        [str(c) for c in columns],
        cells,
        frozenset(i for i in raw.get("percentColumns", []) if isinstance(i, int)),
    )


async def table_download(request: Request) -> Response:
    """POST /console/export/table.xlsx with JSON {filename, tables: [{title, columns, rows}]}:
    the tables the console shows, as a workbook."""
    if await request_actor(request) is None:
        return _refused("sign in first", 401)
    if not is_json_post(request):
        return _refused("post the tables as JSON", 415)
    body = await request.json()
    try:
        tables = [_table(raw) for raw in body.get("tables", [])]
    except (AttributeError, ValueError) as problem:
        return _refused(str(problem), 400)
    return xlsx_response(tables, str(body.get("filename") or "export.xlsx"))
