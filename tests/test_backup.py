"""`gridreg backup` / `gridreg restore` of the SQLite file: online, consistent, every row back.
(These run on a SQLite file of their own whichever database the rest of the suite uses.)"""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import insert

from registry.cli.main import main
from registry.core.db import Database
from registry.core.migrate import upgrade
from registry.core.models import Place
from registry.importer import import_workbook
from tests.support import Registry, reset_tables, write_workbook
from tests.write_world import WORLD


async def test_backup_while_writing_then_restore_finds_every_row(tmp_path: Path) -> None:
    # Given a populated registry file
    url = f"sqlite+aiosqlite:///{tmp_path / 'registry.sqlite3'}"
    await asyncio.to_thread(upgrade, url)
    db = Database(url)
    registry = Registry(db, "http://127.0.0.1:9", None, tmp_path)  # type: ignore[arg-type]
    try:
        await import_workbook(db, write_workbook(tmp_path / "world", WORLD))
        before = await registry.snapshot()
        assert len(before["member"]) == 8 and before["change"]

        # When it is backed up while a writer holds an open transaction
        out = tmp_path / "backups" / "registry-backup.sqlite3"
        async with db.write() as session:
            await session.execute(
                insert(Place).values(code="NEW", kind="estate", name="新", path="/x/", depth=0)
            )
            code = await asyncio.to_thread(main, ["--database", url, "backup", str(out)])
            assert code == 0
        # Then the backup neither waited for nor caught the uncommitted write...
        assert len((await registry.snapshot())["place"]) == len(before["place"]) + 1

        # ...and restoring it after the registry was emptied brings back every row, exactly
        await reset_tables(db)
        assert (await registry.snapshot())["member"] == []
        assert await asyncio.to_thread(main, ["--database", url, "restore", str(out)]) == 0
        assert await registry.snapshot() == before

        # A backup never overwrites a file, and restore refuses what is not a gridreg backup
        assert await asyncio.to_thread(main, ["--database", url, "backup", str(out)]) == 1
        junk = tmp_path / "junk.sqlite3"
        junk.write_bytes(b"not a database" * 100)
        assert await asyncio.to_thread(main, ["--database", url, "restore", str(junk)]) == 1
        assert await registry.snapshot() == before
    finally:
        await registry.close()
        await db.dispose()


def test_backup_of_postgresql_points_to_pg_dump(capsys) -> None:  # type: ignore[no-untyped-def]
    code = main(["--database", "postgresql://u@127.0.0.1/x", "backup", "/tmp/never-written"])
    assert code == 1 and "pg_dump" in capsys.readouterr().err
    assert not Path("/tmp/never-written").exists()


async def backed_up_registry(tmp_path: Path) -> tuple[str, Path]:
    """A registry file holding the write world, and a backup of it."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'registry.sqlite3'}"
    await asyncio.to_thread(upgrade, url)
    db = Database(url)
    try:
        await import_workbook(db, write_workbook(tmp_path / "world", WORLD))
    finally:
        await db.dispose()
    out = tmp_path / "backup.sqlite3"
    assert await asyncio.to_thread(main, ["--database", url, "backup", str(out)]) == 0
    return url, out


# What a tampered backup may bring, with the name of the object it brings.
TAMPERING = {
    "a trigger that un-revokes tokens": (
        "keep_tokens",
        "CREATE TRIGGER keep_tokens AFTER UPDATE ON api_token "
        "BEGIN UPDATE api_token SET revoked_at = NULL WHERE id = NEW.id; END",
    ),
    "a table of its own": ("stash", "CREATE TABLE stash (secret TEXT)"),
    "a view": ("every_phone", "CREATE VIEW every_phone AS SELECT phone FROM member"),
    "an index": ("by_phone", "CREATE INDEX by_phone ON member (phone)"),
    "a missing index": ("ix_change_request_id", "DROP INDEX ix_change_request_id"),
}
# A file edited with writable_schema may name its objects as SQLite names its own, or change
# the definition of one of gridreg's.
WRITTEN_INTO_THE_SCHEMA = {
    "a trigger named like SQLite's own": (
        "sqlite_keep",
        "INSERT INTO sqlite_master (type, name, tbl_name, rootpage, sql) VALUES ('trigger', "
        "'sqlite_keep', 'api_token', 0, 'CREATE TRIGGER sqlite_keep AFTER UPDATE ON api_token "
        "BEGIN UPDATE api_token SET revoked_at = NULL WHERE id = NEW.id; END')",
    ),
    "a token table that can no longer revoke": (
        "api_token",
        "UPDATE sqlite_master SET sql = replace(sql, 'revoked_at DATETIME', "
        "'revoked_at DATETIME CHECK (revoked_at IS NULL)') WHERE name = 'api_token'",
    ),
}


def tampered_copy(out: Path, folder: Path, statement: str, writable_schema: bool) -> Path:
    """A copy of the backup `out` changed by one SQL statement."""
    tampered = folder / "tampered.sqlite3"
    tampered.write_bytes(out.read_bytes())
    with sqlite3.connect(tampered) as connection:
        if writable_schema:
            connection.execute("PRAGMA writable_schema = ON")
        connection.execute(statement)
    connection.close()
    return tampered


@pytest.mark.parametrize(
    ("name", "statement", "writable_schema"),
    [(*change, False) for change in TAMPERING.values()]
    + [(*change, True) for change in WRITTEN_INTO_THE_SCHEMA.values()],
    ids=[*TAMPERING, *WRITTEN_INTO_THE_SCHEMA],
)
async def test_a_backup_altered_to_hold_another_schema_is_refused_and_the_live_one_kept(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
    statement: str,
    writable_schema: bool,
) -> None:
    # Given a registry, a backup of it, and a copy of that backup altered
    url, out = await backed_up_registry(tmp_path)
    live = tmp_path / "registry.sqlite3"
    tampered = tampered_copy(out, tmp_path, statement, writable_schema)
    before = live.read_bytes()

    # When the altered copy is restored
    code = await asyncio.to_thread(main, ["--database", url, "restore", str(tampered)])

    # Then it is refused, naming what it brings, and the live database is left as it was
    err = capsys.readouterr().err
    assert code == 1 and name in err and "Traceback" not in err
    assert live.read_bytes() == before
    # ...while the backup as it was made still restores
    assert await asyncio.to_thread(main, ["--database", url, "restore", str(out)]) == 0


async def test_a_backup_with_two_schema_revisions_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url, out = await backed_up_registry(tmp_path)
    with sqlite3.connect(out) as connection:
        connection.execute("INSERT INTO alembic_version VALUES ('0001')")
    connection.close()
    assert await asyncio.to_thread(main, ["--database", url, "restore", str(out)]) == 1
    assert str(out) in capsys.readouterr().err


async def test_a_backup_from_an_unknown_schema_revision_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url, out = await backed_up_registry(tmp_path)
    with sqlite3.connect(out) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    assert await asyncio.to_thread(main, ["--database", url, "restore", str(out)]) == 1
    assert "does not know" in capsys.readouterr().err
