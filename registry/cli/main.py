"""The `gridreg` command: database, import, seeds, tokens, serving and the benchmark."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.exc import ArgumentError, InterfaceError, NoSuchModuleError, OperationalError

from registry.core.config import Settings


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
                expires = (
                    datetime.now(UTC) + timedelta(days=args.days) if args.days is not None else None
                )
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
    return serve(args.host, args.port, args.workers)


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
                print("loading the Cuntan demo workbook (seeds/cuntan) ...")
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
        "More tokens: .venv/bin/gridreg token create --role organiser --scope CT-BS-DW\n"
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
    syn.add_argument("--scale", default="district", choices=["tiny", "subdistrict", "district"])
    syn.add_argument("--seed", type=int, default=1)
    syn.add_argument("--out", default="var/synthetic")
    syn.set_defaults(run=_seed_synthetic)

    token = sub.add_parser("token", help="API tokens").add_subparsers(
        dest="token_command", required=True
    )
    create = token.add_parser("create", help="create a token and print it (shown once)")
    create.add_argument("--role", required=True, choices=["admin", "organiser", "viewer"])
    create.add_argument("--scope", help="organisation code; none = the whole registry (admin only)")
    create.add_argument("--label")
    create.add_argument(
        "--days", type=_days, help=f"expire after this many days (1 to {MAX_TOKEN_DAYS})"
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
        serve.add_argument("--port", type=int, default=8000)
        serve.add_argument("--workers", type=int, default=1)
        serve.set_defaults(run=runner)

    sdl = sub.add_parser("export-sdl", help="write the GraphQL schema (graphql/schema.graphql)")
    sdl.add_argument("--out")
    sdl.set_defaults(run=_export_sdl)

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


MAX_TOKEN_DAYS = 3650  # ten years: a token that should never expire is made without --days


def _days(text: str) -> int:
    """A token's lifetime in days, as `--days` takes it."""
    try:
        days = int(text)
    except ValueError:
        days = 0
    if not 1 <= days <= MAX_TOKEN_DAYS:
        raise argparse.ArgumentTypeError(
            f"give a whole number of days from 1 to {MAX_TOKEN_DAYS}, not {text!r} "
            "(leave --days out for a token that does not expire)"
        )
    return days


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `gridreg` console script."""
    args = build_parser().parse_args(argv)
    overrides = {"database_url": args.database} if args.database else {}
    try:
        return int(args.run(Settings.from_env(**overrides), args) or 0)
    except (ArgumentError, NoSuchModuleError) as bad:
        print(f"gridreg: the database URL is not one gridreg can use: {bad}", file=sys.stderr)
    except (OperationalError, InterfaceError, OSError) as unreachable:
        reason = getattr(unreachable, "orig", None) or unreachable
        print(f"gridreg: the database or a file could not be used: {reason}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
