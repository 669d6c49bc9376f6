"""Importing a workbook from the console: the file is uploaded, checked by a dry run of the
one import (`registry.importer.import_workbook`: every row validated, then written and rolled
back) so the page can show the row report before anything is kept, then uploaded again to be
imported for real. Workers keep no state between the two requests; the registry may change
between them, and the import then answers with its own report. Also the template workbook."""

from __future__ import annotations

import re
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from registry.core.errors import ErrorCode
from registry.importer import ImportFailed, ImportReport, import_workbook
from registry.importer.template import template_sheets
from registry.reports.workbooks import Table
from registry.web.downloads import xlsx_response
from registry.web.refusals import refused
from registry.web.session import SESSION_HEADER
from registry.web.signin import request_actor

IMPORT_PATH = "/console/import"
TEMPLATE_PATH = "/console/import/template.xlsx"
SUFFIXES = (".xlsx", ".xlsm", ".zip")  # a workbook, or CSV files zipped together


async def import_endpoint(request: Request) -> Response:
    """POST /console/import?name=FILE[&check=1] with the file as the body. A check answers
    what the import would change, or every problem (sheet, row, column, code), and writes
    nothing; an import answers what it changed, or 422 with every problem."""
    actor = await request_actor(request)
    if actor is None:
        return refused("sign in first", "UNAUTHENTICATED", 401)
    if not request.headers.get(SESSION_HEADER) and "authorization" not in request.headers:
        return refused("upload from the console", "FORBIDDEN", 403)
    name = _file_name(request.query_params.get("name", ""))
    if not name.lower().endswith(SUFFIXES):
        return refused(
            "upload an .xlsx workbook or a .zip of CSV files", "BAD_REQUEST", 400, name=name
        )
    limit = request.app.state.settings.max_upload_bytes
    with TemporaryDirectory(prefix="gridreg-upload-") as folder:
        path = Path(folder) / name
        size = 0
        with path.open("wb") as upload:
            async for chunk in request.stream():
                size += len(chunk)
                if size > limit:
                    return refused(
                        f"the file is larger than {limit:,} bytes; split it",
                        "PAYLOAD_TOO_LARGE", 413, limit="bytes", value=limit,
                    )  # fmt: skip
                upload.write(chunk)
        check = request.query_params.get("check") == "1"
        try:
            report = await import_workbook(
                request.app.state.db, path, actor=actor, dry_run=check
            )
        except ImportFailed as failed:
            if check and not _forbidden(failed):
                # A check that finds problems has done its work: the report is its answer.
                return JSONResponse({"written": False, "counts": None, "problems": _rows(failed)})
            return _problems(failed)
    return JSONResponse(_report(report))


def _file_name(raw: str) -> str:
    """The uploaded file's own name, made safe to store (it names the import in the log)."""
    base = re.split(r"[\\/]", raw)[-1]
    return re.sub(r"[^\w.\-]", "_", base)[:120] or "workbook"


def _report(report: ImportReport) -> dict[str, Any]:
    return {
        "written": report.written,
        "counts": report.counts,
        "problems": [],
        "requestId": report.request_id,
    }


def _forbidden(failed: ImportFailed) -> bool:
    return all(p.code == ErrorCode.FORBIDDEN for p in failed.problems)


def _rows(failed: ImportFailed) -> list[dict[str, Any]]:
    """Every problem: the cell to fix (sheet, row, column), what is wrong, its code."""
    return [
        {
            "sheet": p.sheet,
            "row": p.row,
            "column": p.column,
            "message": p.message,
            "code": str(p.code),
            "params": dict(p.params),
        }
        for p in failed.problems
    ]


def _problems(failed: ImportFailed) -> JSONResponse:
    if _forbidden(failed):
        return refused(failed.problems[0].message, "FORBIDDEN", 403)
    problems = _rows(failed)
    return refused(
        f"nothing was imported: {len(problems)} problem(s)",
        "IMPORT_REFUSED", 422, {"problems": problems}, count=len(problems),
    )  # fmt: skip


async def template_download(request: Request) -> Response:
    """GET /console/import/template.xlsx: every sheet with its columns and example rows."""
    if await request_actor(request) is None:
        return refused("sign in first", "UNAUTHENTICATED", 401)
    tables = [Table(sheet, list(columns), list(rows)) for sheet, columns, rows in template_sheets()]
    return await xlsx_response(tables, "gridreg-导入模板.xlsx")
