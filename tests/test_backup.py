"""`gridreg backup` / `gridreg restore` of the SQLite file: online, consistent, every row back.
(These run on a SQLite file of their own whichever database the rest of the suite uses.)"""

from __future__ import annotations

import asyncio
from pathlib import Path

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
