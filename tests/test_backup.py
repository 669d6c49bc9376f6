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


TAMPERING = {
    "a trigger that un-revokes tokens": "CREATE TRIGGER keep_tokens AFTER UPDATE ON api_token "
    "BEGIN UPDATE api_token SET revoked_at = NULL WHERE id = NEW.id; END",
    "a table of its own": "CREATE TABLE stash (secret TEXT)",
    "a view": "CREATE VIEW every_phone AS SELECT phone FROM member",
    "an index": "CREATE INDEX by_phone ON member (phone)",
}


async def test_a_backup_altered_to_hold_foreign_schema_objects_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url, out = await backed_up_registry(tmp_path)
    live = tmp_path / "registry.sqlite3"
    for what, ddl in TAMPERING.items():
        tampered = tmp_path / f"tampered-{len(what)}.sqlite3"
        tampered.write_bytes(out.read_bytes())
        with sqlite3.connect(tampered) as connection:
            connection.execute(ddl)
        before = live.read_bytes()
        assert await asyncio.to_thread(main, ["--database", url, "restore", str(tampered)]) == 1
        assert "schema objects gridreg does not make" in capsys.readouterr().err, what
        assert live.read_bytes() == before, f"{what}: the live database changed"
    # The untouched backup still restores.
    assert await asyncio.to_thread(main, ["--database", url, "restore", str(out)]) == 0


async def test_a_backup_from_an_unknown_schema_revision_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url, out = await backed_up_registry(tmp_path)
    with sqlite3.connect(out) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    assert await asyncio.to_thread(main, ["--database", url, "restore", str(out)]) == 1
    assert "does not know" in capsys.readouterr().err
