"""Backup and restore of the SQLite registry file, online and consistent.

`backup` copies the database with SQLite's online backup API: it reads one consistent snapshot
while the server keeps serving (in WAL mode readers and the writer are not blocked), so a
write committed during the copy is either wholly in it or wholly not. `restore` writes a backup
back the same way, under the database's write lock, after checking the backup is sound and is
a gridreg database; serving workers see the restored data on their next transaction.

PostgreSQL is backed up with its own tools (see the README): `pg_dump -Fc` and `pg_restore`.
"""

from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path

from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy.engine import make_url

from registry.core.migrate import alembic_config, upgrade


class BackupError(Exception):
    """The backup or restore could not be made; the message says why."""


def sqlite_file(database_url: str) -> Path:
    """The file of a SQLite database URL; BackupError for any other database."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        raise BackupError(
            "gridreg backup/restore handle the SQLite file; for PostgreSQL use "
            "pg_dump -Fc and pg_restore (see the README, Security and operations)"
        )
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory database has no file to back up")
    return Path(url.database)


def _copy(source: sqlite3.Connection, target: sqlite3.Connection) -> None:
    # Pages in one step: the copy is one snapshot even if writers commit meanwhile.
    source.backup(target, pages=-1)


def backup(database_url: str, out: Path) -> int:
    """Write a consistent copy of the registry to `out` (which must not exist yet); returns
    its size in bytes."""
    path = sqlite_file(database_url)
    if not path.exists():
        raise BackupError(f"no database at {path}")
    if out.exists():
        raise BackupError(f"{out} exists already; name a new file")
    out.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
    target = sqlite3.connect(out)
    try:
        _copy(source, target)
        target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
    finally:
        target.close()
        source.close()
    return out.stat().st_size


Objects = set[tuple[str, str]]


def _objects(connection: sqlite3.Connection) -> Objects:
    """The schema objects of a SQLite database: (type, name) of its tables, indexes, views and
    triggers, SQLite's own internal ones left out."""
    rows = connection.execute(
        "SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"
    ).fetchall()
    return {(kind, name) for kind, name in rows}


def expected_objects(revision: str) -> Objects:
    """The schema objects gridreg's own migrations create up to `revision`."""
    with tempfile.TemporaryDirectory() as folder:
        fresh = Path(folder) / "fresh.sqlite3"
        upgrade(f"sqlite+aiosqlite:///{fresh}", revision)
        connection = sqlite3.connect(fresh)
        try:
            return _objects(connection)
        finally:
            connection.close()


def check(backup_file: Path) -> None:
    """Refuse a file that is not a sound gridreg database holding gridreg's schema alone: a
    table, index, view or trigger its migrations do not make (a trigger that undoes token
    revocations, say) is never restored."""
    if not backup_file.exists():
        raise BackupError(f"no backup at {backup_file}")
    try:
        connection = sqlite3.connect(f"file:{backup_file}?mode=ro", uri=True)
        try:
            ok = connection.execute("PRAGMA integrity_check").fetchone()[0]
            version = connection.execute("SELECT version_num FROM alembic_version").fetchone()
            found = _objects(connection)
        finally:
            connection.close()
    except sqlite3.DatabaseError as bad:
        raise BackupError(f"{backup_file} is not a gridreg database: {bad}") from None
    if ok != "ok" or version is None:
        raise BackupError(f"{backup_file} is damaged or not a gridreg database ({ok})")
    revision = version[0]
    scripts = ScriptDirectory.from_config(alembic_config("sqlite://"))
    try:
        known = scripts.get_revision(revision) is not None
    except CommandError:
        known = False
    if not known:
        raise BackupError(
            f"{backup_file} is at schema revision {revision!r}, which this gridreg does not "
            "know: restore it with the gridreg that made it, or upgrade gridreg first"
        )
    foreign = sorted(found - expected_objects(revision))
    if foreign:
        named = ", ".join(f"{kind} {name}" for kind, name in foreign)
        raise BackupError(
            f"{backup_file} holds schema objects gridreg does not make ({named}); it was "
            "altered after the backup and is not restored"
        )


def restore(database_url: str, backup_file: Path) -> None:
    """Replace the registry's contents with the backup's, in one step."""
    path = sqlite_file(database_url)
    check(backup_file)
    path.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(f"file:{backup_file}?mode=ro", uri=True)
    target = sqlite3.connect(path, timeout=30)
    try:
        _copy(source, target)
    finally:
        target.close()
        source.close()
