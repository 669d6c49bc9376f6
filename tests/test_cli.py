"""The gridreg command answers wrong input with one line saying what to fix and a non-zero
exit, never a Python traceback."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from registry.cli.main import MAX_TOKEN_DAYS, main
from registry.core.migrate import upgrade


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


@pytest.mark.parametrize(
    "url", ["nonsense://x", "postgresql://nobody@127.0.0.1:1/nothing", "sqlite+aiosqlite:///"]
)
def test_a_database_that_cannot_be_used_is_one_line_of_error(
    capsys: pytest.CaptureFixture[str], url: str
) -> None:
    code, err = run(capsys, "--database", url, "token", "list")
    assert code == 1
    assert err.startswith("gridreg:") and err.count("\n") == 1 and "Traceback" not in err


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
