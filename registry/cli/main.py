"""The `gridreg` command: database, import, seeds, tokens, serving and the benchmark."""

from __future__ import annotations

import argparse
import asyncio
import os
import sqlite3
import sys
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from alembic.util.exc import CommandError
from sqlalchemy.exc import DBAPIError

from registry.core import calendar
from registry.core.config import (
    MAX_TOKEN_DAYS,
    Settings,
    database_url_problem,
    read_replicas_problem,
)


def _db_upgrade(settings: Settings, _: argparse.Namespace) -> int:
    from registry.core.migrate import upgrade

    upgrade(settings.database_url)
    print(f"database is up to date: {_shown(settings.database_url)}")
    return 0


def _shown(url: str) -> str:
    # Never print a password.
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _import(settings: Settings, args: argparse.Namespace) -> int:
    from registry.core.db import Database
    from registry.core.migrate import upgrade
    from registry.importer import ImportFailed, import_workbook

    upgrade(settings.database_url)

    async def run() -> int:
        db = Database(settings.database_url)
        try:
            report = await import_workbook(db, Path(args.path), progress=not args.quiet)
        except ImportFailed as failed:
            print(
                f"nothing was imported: {len(failed.problems)} problem(s) to fix", file=sys.stderr
            )
            for problem in failed.problems:
                print(f"  {problem}", file=sys.stderr)
            return 1
        finally:
            await db.dispose()
        print(report.summary())
        return 0

    return asyncio.run(run())


def _seed_synthetic(_: Settings, args: argparse.Namespace) -> int:
    from seeds.synthetic import generate

    counts = generate(Path(args.out), scale=args.scale, seed=args.seed, progress=True)
    print(f"wrote {args.out}: " + ", ".join(f"{n} {sheet}" for sheet, n in counts.items()))
    return 0


def _token_create(settings: Settings, args: argparse.Namespace) -> int:
    from registry.access.actor import Role
    from registry.access.tokens import create_token
    from registry.core.db import Database
    from registry.core.errors import UserErrors

    async def run() -> str:
        db = Database(settings.database_url)
        try:
            async with db.write() as session:
                days = args.days
                expires = datetime.now(UTC) + timedelta(days=days) if days is not None else None
                return await create_token(session, Role(args.role), args.scope, args.label, expires)
        finally:
            await db.dispose()

    try:
        print(asyncio.run(run()))
    except UserErrors as refused:
        print(f"no token created: {refused}", file=sys.stderr)
        return 1
    return 0


def _token_list(settings: Settings, _: argparse.Namespace) -> int:
    from registry.access.token_admin import list_tokens
    from registry.core.db import Database

    async def run() -> list:
        db = Database(settings.database_url)
        try:
            async with db.read() as session:
                return await list_tokens(session)
        finally:
            await db.dispose()

    tokens = asyncio.run(run())
    # Raw tokens are never stored, so never shown: id, role, scope, label, dates, status.
    print("id\trole\tscope\tlabel\tcreated\texpires\tstatus")
    for t in tokens:
        print(
            f"{t.id}\t{t.role}\t{t.scope or '*'}\t{t.label or ''}\t"
            f"{_day(t.created_at)}\t{_day(t.expires_at)}\t{t.status}"
        )
    return 0


def _day(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment else "-"


def _token_revoke(settings: Settings, args: argparse.Namespace) -> int:
    from registry.access.token_admin import revoke_token
    from registry.core.db import Database
    from registry.core.errors import UserErrors

    async def run() -> int:
        db = Database(settings.database_url)
        try:
            async with db.write() as session:
                return await revoke_token(session, args.token)
        finally:
            await db.dispose()

    try:
        revoked = asyncio.run(run())
    except UserErrors as refused:
        print(f"nothing revoked: {refused}", file=sys.stderr)
        return 1
    print(f"token {revoked} revoked; it is refused from the next request on")
    return 0


def _serve(settings: Settings, args: argparse.Namespace) -> int:
    from registry.core.migrate import upgrade
    from registry.server.serving import serve

    upgrade(settings.database_url)
    # Workers build their own app from the environment: hand them the chosen database.
    os.environ["GRIDREG_DATABASE_URL"] = settings.database_url
    return serve(args.host, args.port, args.workers, access_log=args.access_log)


def _demo(settings: Settings, args: argparse.Namespace) -> int:
    """Set up the embedded database with the Cuntan demo (once), mint a token, and serve."""
    from sqlalchemy import func, select

    from registry.access.actor import Role
    from registry.access.tokens import create_token
    from registry.core.db import Database
    from registry.core.migrate import upgrade
    from registry.core.models import Place
    from registry.importer import import_workbook
    from seeds import CUNTAN

    upgrade(settings.database_url)

    async def prepare() -> str:
        db = Database(settings.database_url)
        try:
            async with db.read() as session:
                loaded = await session.scalar(select(func.count()).select_from(Place))
            if not loaded:
                print("loading the Cuntan demo workbook (seeds/cuntan) ...", flush=True)
                await import_workbook(db, CUNTAN, progress=True)
            async with db.write() as session:
                return await create_token(session, Role.ADMIN, None, "demo")
        finally:
            await db.dispose()

    token = asyncio.run(prepare())
    url = f"http://{args.host}:{args.port}/graphql"
    print(
        f"\ngridreg is serving the Cuntan demo at {url}\n"
        f"Console: http://{args.host}:{args.port}/console (sign in with the token below)\n"
        f"Use this admin token (header `Authorization: Bearer <token>`):\n\n    {token}\n\n"
        "More tokens: .venv/bin/gridreg token create --role organiser --scope CT-BS-DW\n",
        # Now, not when the server stops: to a pipe or a service's log Python writes in
        # blocks, and the token would wait in the buffer while the server runs.
        flush=True,
    )
    return _serve(settings, args)


def _export_sdl(_: Settings, args: argparse.Namespace) -> int:
    from registry.api.schema import SDL_PATH, export_sdl

    target = Path(args.out) if args.out else SDL_PATH
    target.write_text(export_sdl(Settings.from_env(introspection=True)), encoding="utf-8")
    print(f"wrote {target}")
    return 0


def _export_coverage(settings: Settings, args: argparse.Namespace) -> int:
    from registry.access.actor import SYSTEM
    from registry.access.scope import resolve_scope
    from registry.core.db import Database
    from registry.core.errors import UserErrors
    from registry.reports.workbooks import coverage_tables, save_workbook

    async def run() -> list:
        db = Database(settings.database_url)
        try:
            async with db.read() as session:
                scope = await resolve_scope(session, SYSTEM, args.scope, None)
                return await coverage_tables(session, scope, settings.rules)
        finally:
            await db.dispose()

    try:
        tables = asyncio.run(run())
    except UserErrors as refused:
        print(f"nothing exported: {refused}", file=sys.stderr)
        return 1
    save_workbook(tables, Path(args.out))
    print(f"wrote {args.out}: " + ", ".join(f"{len(t.rows)} {t.title}" for t in tables))
    return 0


def _backup(settings: Settings, args: argparse.Namespace) -> int:
    from registry.cli.backup import BackupError, backup

    try:
        size = backup(settings.database_url, Path(args.out))
    except BackupError as refused:
        print(refused, file=sys.stderr)
        return 1
    print(f"backed up {_shown(settings.database_url)} to {args.out} ({size} bytes)")
    return 0


def _restore(settings: Settings, args: argparse.Namespace) -> int:
    from registry.cli.backup import BackupError, restore

    try:
        restore(settings.database_url, Path(args.backup))
    except BackupError as refused:
        print(refused, file=sys.stderr)
        return 1
    print(f"restored {_shown(settings.database_url)} from {args.backup}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The command line, one sub-command per job."""
    parser = argparse.ArgumentParser(prog="gridreg", description=__doc__)
    parser.add_argument(
        "--database", help="database URL (default: GRIDREG_DATABASE_URL or var/gridreg.sqlite3)"
    )
    sub = parser.add_subparsers(dest="command", required=True)

    db = sub.add_parser("db", help="database schema").add_subparsers(
        dest="db_command", required=True
    )
    db.add_parser("upgrade", help="apply migrations").set_defaults(run=_db_upgrade)

    imp = sub.add_parser("import", help="import a workbook (.xlsx or a folder of CSV files)")
    imp.add_argument("path")
    imp.add_argument("--quiet", action="store_true", help="no progress bar")
    imp.set_defaults(run=_import)

    seed = sub.add_parser("seed", help="generate data").add_subparsers(
        dest="seed_command", required=True
    )
    syn = seed.add_parser("synthetic", help="write a synthetic workbook")
    syn.add_argument(
        "--scale", default="district", choices=["tiny", "subdistrict", "district", "city"]
    )
    syn.add_argument("--seed", type=int, default=1)
    syn.add_argument("--out", default="var/synthetic")
    syn.set_defaults(run=_seed_synthetic, uses_database=False)

    token = sub.add_parser("token", help="API tokens").add_subparsers(
        dest="token_command", required=True
    )
    create = token.add_parser("create", help="create a token and print it (shown once)")
    create.add_argument("--role", required=True, choices=["admin", "organiser", "viewer"])
    create.add_argument("--scope", help="organisation code; none = the whole registry (admin only)")
    create.add_argument("--label")
    create.add_argument(
        "--days",
        type=_bounded(1, MAX_TOKEN_DAYS, " (leave --days out for a token that does not expire)"),
        help=f"expire after this many days (1 to {MAX_TOKEN_DAYS})",
    )
    create.set_defaults(run=_token_create)
    token.add_parser(
        "list", help="list tokens (ids, roles, scopes; never the tokens)"
    ).set_defaults(run=_token_list)
    revoke = token.add_parser("revoke", help="revoke a token at once")
    revoke.add_argument("token", help="the token's id (see `token list`) or the raw token")
    revoke.set_defaults(run=_token_revoke)

    for name, runner, text in (
        ("serve", _serve, "serve the GraphQL API"),
        ("demo", _demo, "load the Cuntan demo if the database is empty, then serve"),
    ):
        serve = sub.add_parser(name, help=text)
        serve.add_argument("--host", default="127.0.0.1")
        serve.add_argument("--port", type=_bounded(1, 65535), default=8000)
        serve.add_argument("--workers", type=_bounded(1, MAX_WORKERS), default=1)
        serve.add_argument(
            "--access-log", action="store_true", help="log every request (off: errors only)"
        )
        serve.set_defaults(run=runner)

    sdl = sub.add_parser("export-sdl", help="write the GraphQL schema (graphql/schema.graphql)")
    sdl.add_argument("--out")
    sdl.set_defaults(run=_export_sdl, uses_database=False)

    export = sub.add_parser("export", help="export reports as .xlsx").add_subparsers(
        dest="export_command", required=True
    )
    cov = export.add_parser(
        "coverage", help="coverage, members, gaps and violations of a scope, Chinese headings"
    )
    cov.add_argument("--scope", required=True, help="place or organisation code")
    cov.add_argument("--out", required=True, help="the .xlsx file to write")
    cov.set_defaults(run=_export_coverage)

    backup = sub.add_parser(
        "backup", help="copy the SQLite database to a file, online and consistent"
    )
    backup.add_argument("out", help="the backup file to write (must not exist)")
    backup.set_defaults(run=_backup)
    restore = sub.add_parser("restore", help="replace the SQLite database with a backup")
    restore.add_argument("backup", help="a file written by `gridreg backup`")
    restore.set_defaults(run=_restore)

    _add_tools(sub)
    return parser


# The benchmark and the load tester ship beside the registry, not in it (the `benchmarks`
# package); their dependencies come with the `bench` extra.
TOOLS = {
    "bench": "measure coverage, org charts and pages on the synthetic district",
    "load": "load test a running server on this machine (bounded in clients and time)",
}


def _add_tools(sub: Any) -> None:
    try:
        from benchmarks.commands import add_commands
    except ImportError as missing:
        for name, text in TOOLS.items():
            tool = sub.add_parser(name, help=f"{text} (needs the bench extra)")
            tool.set_defaults(run=_needs_extra(name, missing))
        return
    add_commands(sub, TOOLS)


def _needs_extra(name: str, missing: ImportError) -> Any:
    def run(_: Settings, __: argparse.Namespace) -> int:
        print(
            f"gridreg {name} needs the bench extra ({missing.name} is missing): "
            "pip install 'gridreg[bench]'",
            file=sys.stderr,
        )
        return 2

    return run


MAX_WORKERS = 256


def _bounded(low: int, high: int, hint: str = "") -> Any:
    """An argparse type: a whole number from `low` to `high` (`hint` adds to the refusal)."""

    def number(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = low - 1
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(
                f"give a whole number from {low} to {high}, not {text!r}{hint}"
            )
        return value

    return number


def _one_line(error: BaseException) -> str:
    # A driver's message may run on for lines (SQL, hints): its first says what happened.
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `gridreg` console script. Wrong input, a database that cannot be
    used and a file that cannot be read or written are one line on stderr and exit 1 (argparse's
    refusals exit 2); only a fault of gridreg's own shows a traceback."""
    args = build_parser().parse_args(argv)
    uses_database = getattr(args, "uses_database", True)
    overrides = {"database_url": args.database} if args.database else {}
    try:
        settings = Settings.from_env(**overrides)
    except ValueError as bad:  # a GRIDREG_* number that is none
        print(f"gridreg: a GRIDREG_* setting is wrong: {bad}", file=sys.stderr)
        return 1
    calendar.follow(settings.timezone, settings.today)
    problem = (
        database_url_problem(settings.database_url) or read_replicas_problem(settings)
        if uses_database
        else None
    )
    if problem:
        print(f"gridreg: {problem}", file=sys.stderr)
        return 1
    try:
        return int(args.run(settings, args) or 0)
    except (DBAPIError, sqlite3.Error) as failed:
        reason = _one_line(getattr(failed, "orig", None) or failed)
        print(f"gridreg: the database could not be used: {reason}", file=sys.stderr)
    except CommandError as failed:  # Alembic: a schema revision this gridreg does not know
        print(f"gridreg: the database's schema cannot be upgraded: {failed}", file=sys.stderr)
    except OSError as failed:
        where = f"{failed.filename}: " if failed.filename else ""
        reason = failed.strerror or _one_line(failed)
        print(f"gridreg: {where}{reason}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
