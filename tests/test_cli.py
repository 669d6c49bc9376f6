"""The gridreg command answers wrong input with one line saying what to fix and a non-zero
exit, never a Python traceback."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from registry.access.actor import Role
from registry.access.token_admin import list_tokens
from registry.access.tokens import create_token
from registry.cli.main import MAX_TOKEN_DAYS, main
from registry.core.db import Database
from registry.core.errors import ErrorCode, UserErrors
from registry.core.migrate import upgrade
from registry.core.models import Affiliation, Member
from registry.importer.progress import STEP, Tracker
from registry.importer.workbook_format import Rows
from tests.support import write_workbook
from tests.workbooks import two_communities


@pytest.fixture
def database(tmp_path: Path) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.sqlite3'}"
    upgrade(url)
    return url


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    """Run gridreg in-process: its exit code and what it wrote to stderr."""
    try:
        code = main(list(argv))
    except SystemExit as exit_:  # argparse refuses its arguments this way
        code = int(exit_.code or 0)
    return code, capsys.readouterr().err


@pytest.mark.parametrize("days", ["0", "-1", "99999999", "ten", str(MAX_TOKEN_DAYS + 1)])
def test_a_token_lifetime_out_of_range_is_refused_before_anything_is_made(
    database: str, capsys: pytest.CaptureFixture[str], days: str
) -> None:
    code, err = run(capsys, "--database", database, "token", "create", "--role", "admin",
                    "--days", days)  # fmt: skip
    assert code == 2
    assert f"from 1 to {MAX_TOKEN_DAYS}" in err and "Traceback" not in err
    assert main(["--database", database, "token", "list"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 1  # the heading alone: no token made


def test_a_token_lifetime_in_range_is_kept(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--database", database, "token", "create", "--role", "admin", "--days", "90"]) == 0
    assert capsys.readouterr().out.startswith("grt_")


@pytest.mark.parametrize("key", ["²", "١٢", "99999999999999999999999", "-1", "abc"])
def test_revoking_something_that_is_no_token_says_what_to_give(
    database: str, capsys: pytest.CaptureFixture[str], key: str
) -> None:
    code, err = run(capsys, "--database", database, "token", "revoke", key)
    assert code == 1
    assert err.startswith("nothing revoked:") and "Traceback" not in err


def one_line_refusal(code: int, err: str) -> bool:
    """gridreg refused: exit 1, and one line on stderr, no traceback."""
    return code == 1 and err.count("\n") == 1 and "Traceback" not in err


@pytest.mark.parametrize(
    "url",
    [
        "nonsense://x",
        "::::",
        "mysql://someone:hunter2@127.0.0.1/registry",
        "postgresql+psycopg2://someone:hunter2@127.0.0.1/registry",
        "postgresql://nobody:hunter2@127.0.0.1:1/nothing",
        "sqlite+aiosqlite:///",
        "sqlite:///:memory:",
    ],
)
@pytest.mark.parametrize(
    "command", [["token", "list"], ["db", "upgrade"], ["export", "coverage", "--scope", "S",
                                                        "--out", "never.xlsx"]]
)  # fmt: skip
def test_a_database_that_cannot_be_used_is_one_line_of_error(
    capsys: pytest.CaptureFixture[str], url: str, command: list[str]
) -> None:
    code, err = run(capsys, "--database", url, *command)
    assert one_line_refusal(code, err) and err.startswith("gridreg:")
    assert "hunter2" not in err  # a password in the URL is never shown


@pytest.mark.parametrize("command", [["token", "list"], ["db", "upgrade"]])
def test_a_file_that_is_no_database_is_one_line_of_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, command: list[str]
) -> None:
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"not a database" * 512)
    code, err = run(capsys, "--database", f"sqlite:///{junk}", *command)
    assert one_line_refusal(code, err) and err.startswith("gridreg:")


def test_a_database_of_an_unknown_schema_revision_is_not_upgraded(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = database.removeprefix("sqlite+aiosqlite:///")
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    connection.close()
    code, err = run(capsys, "--database", database, "db", "upgrade")
    assert one_line_refusal(code, err) and "9999_from_the_future" in err


def test_a_setting_that_is_no_number_is_one_line_of_error(
    database: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GRIDREG_PAGE_SIZE_MAX", "many")
    code, err = run(capsys, "--database", database, "token", "list")
    assert one_line_refusal(code, err) and "GRIDREG_" in err


@pytest.mark.parametrize(
    "argv",
    [
        ["serve", "--port", "99999"],
        ["serve", "--port", "-5"],
        ["serve", "--port", "http"],
        ["serve", "--workers", "0"],
        ["demo", "--workers", "-3"],
    ],
)
def test_serving_on_a_port_or_with_workers_that_cannot_be_is_refused_by_the_parser(
    capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    code, err = run(capsys, *argv)
    assert code == 2 and "give a whole number from 1 to" in err and "Traceback" not in err


def test_a_token_for_an_unknown_organisation_is_refused(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = run(capsys, "--database", database, "token", "create", "--role", "viewer",
                    "--scope", "NOWHERE")  # fmt: skip
    assert one_line_refusal(code, err) and "NOWHERE" in err


async def test_no_token_is_made_to_last_longer_than_the_bound_whoever_makes_it(
    database: str,
) -> None:
    db = Database(database)
    try:
        with pytest.raises(UserErrors) as refused:
            async with db.write() as session:
                far = datetime.now(UTC) + timedelta(days=MAX_TOKEN_DAYS + 1)
                await create_token(session, Role.ADMIN, expires_at=far)
        assert [p.code for p in refused.value.problems] == [ErrorCode.INVALID]
        async with db.read() as session:
            assert await list_tokens(session) == []
    finally:
        await db.dispose()


def test_files_that_cannot_be_read_or_written_are_one_line_of_error(
    database: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    workbook = tmp_path / "workbook"
    (workbook / "places.csv").mkdir(parents=True)  # a folder where a CSV file should be
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"not a database" * 512)
    attempts = [
        ["import", str(workbook)],
        ["export", "coverage", "--scope", "S", "--out", str(a_file / "x.xlsx")],
        ["seed", "synthetic", "--scale", "tiny", "--out", str(a_file / "x")],
        ["restore", str(tmp_path)],
        ["restore", str(tmp_path / "nowhere.sqlite3")],
        ["restore", str(junk)],
    ]
    for argv in attempts:
        code, err = run(capsys, "--database", database, *argv)
        assert code == 1 and "Traceback" not in err and err.strip(), argv
    # Backing up a file that is no database says so too.
    code, err = run(capsys, "--database", f"sqlite:///{junk}", "backup", str(tmp_path / "b"))
    assert one_line_refusal(code, err) and not (tmp_path / "b").exists()


def test_importing_a_missing_workbook_says_so(
    database: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, err = run(capsys, "--database", database, "import", str(tmp_path / "nowhere.xlsx"))
    assert code == 1 and "does not exist" in err


def test_exporting_an_unknown_scope_says_so(
    database: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, err = run(capsys, "--database", database, "export", "coverage", "--scope", "NOWHERE",
                    "--out", str(tmp_path / "x.xlsx"))  # fmt: skip
    assert code == 1 and "NOWHERE" in err


def test_the_command_runs_inside_an_event_loop_too(database: str) -> None:
    # The tests above call main() directly; it must not need a loop of its own.
    assert asyncio.run(asyncio.to_thread(main, ["--database", database, "token", "list"])) == 0


def test_an_import_shows_each_sheet_read_checked_and_written(
    database: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # Given a workbook of CSV sheets
    folder = write_workbook(tmp_path / "workbook", two_communities())
    places = len(two_communities()["places"])

    # When gridreg imports it (bars shown, as from a terminal)
    assert main(["--database", database, "import", str(folder)]) == 0
    shown = capsys.readouterr().out

    # Then each sheet's reading (its size), checking and writing is shown done, and the check
    # of the stored trees after writing
    lines = {line.split("  ")[0]: line for line in shown.splitlines() if "  " in line}
    size = (folder / "places.csv").stat().st_size
    assert f"{size:,}/{size:,} bytes" in lines["reading places.csv"]
    assert f"{places:,}/{places:,}" in lines["checking places"]
    assert f"{places:,}/{places:,}" in lines["writing places"]
    assert "checking organisations" in lines and "reading members.csv" in lines
    assert "done" in lines["checking the trees"]


def test_a_checking_bar_moves_before_its_sheet_is_done() -> None:
    # Given a sheet of 25,000 rows
    rows = Rows(("code",))
    for number in range(2, 25_002):
        rows.add(number, (f"H{number}",))

    # When its rows are taken through a shown stage
    with Tracker(shown=True) as tracker:
        taken = tracker.each("checking places", rows)
        for _ in range(STEP + 1):
            next(taken)
        # Then the bar counts the rows taken so far, in steps
        assert tracker.done("checking places") == STEP
        assert sum(1 for _ in taken) == 25_000 - STEP - 1
        assert tracker.done("checking places") == 25_000


async def test_gridreg_today_holds_the_registry_s_day(
    database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given GRIDREG_TODAY set to a day, and a workbook imported
    monkeypatch.setenv("GRIDREG_TODAY", "2026-03-02")
    rows = two_communities()
    assert await asyncio.to_thread(main, ["--database", database, "import", str(
        write_workbook(tmp_path / "first", rows)), "--quiet"]) == 0  # fmt: skip

    # When it is imported again with A-M2 moved to B's branch
    next(m for m in rows["members"] if m["code"] == "A-M2")["organisation"] = "B-ZB"
    assert await asyncio.to_thread(main, ["--database", database, "import", str(
        write_workbook(tmp_path / "moved", rows)), "--quiet"]) == 0  # fmt: skip

    # Then the old tie ended and the new began on that day, not on the clock's
    db = Database(database)
    async with db.read() as session:
        member = await session.scalar(select(Member.id).where(Member.code == "A-M2"))
        ties = (await session.scalars(
            select(Affiliation).where(Affiliation.member_id == member).order_by(Affiliation.id)
        )).all()  # fmt: skip
    await db.dispose()
    assert ties[0].end == ties[1].start == date(2026, 3, 2)


def test_a_day_that_is_no_date_is_one_line_of_error(
    database: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GRIDREG_TODAY", "7 Dec")
    code, err = run(capsys, "--database", database, "token", "list")
    assert one_line_refusal(code, err) and "GRIDREG_TODAY" in err and "YYYY-MM-DD" in err


def test_a_zone_that_is_none_is_one_line_of_error(
    database: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for wrong in ("Asia", "Asia/Nowhere", "/etc/passwd"):
        monkeypatch.setenv("GRIDREG_TIMEZONE", wrong)
        code, err = run(capsys, "--database", database, "token", "list")
        assert one_line_refusal(code, err) and "GRIDREG_TIMEZONE" in err and wrong in err
