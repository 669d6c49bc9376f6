"""`gridreg bench` and `gridreg load`: the tools' subcommands, added to the gridreg command
when this package and its dependencies (the bench extra) are installed."""

from __future__ import annotations

from typing import Any

from benchmarks.bench import run_benchmark
from benchmarks.traffic import add_arguments
from benchmarks.traffic import main as run_traffic


def add_commands(sub: Any, helps: dict[str, str]) -> None:
    """Add the `bench` and `load` subcommands to the gridreg command's subparsers."""
    bench = sub.add_parser("bench", help=helps["bench"])
    scales = ["tiny", "subdistrict", "district", "city"]
    bench.add_argument("--scale", default="district", choices=scales)
    bench.add_argument(
        "--baseline", choices=scales,
        help="only the registry's figures, beside this scale's (city: district by default), "
        "on --postgres if given",
    )  # fmt: skip
    bench.add_argument(
        "--baseline-postgres",
        help="with --baseline and --postgres: the baseline scale's own PostgreSQL database. "
        "Each scale then stays loaded in its database between runs, and a database already "
        "holding its workbook is measured as it stands (its import is not timed)",
    )  # fmt: skip
    bench.add_argument("--repeats", type=int, default=15)
    bench.add_argument("--postgres", help="PostgreSQL URL to benchmark as well")
    bench.add_argument(
        "--peer", action="store_true",
        help="compare with PostGraphile 4 on the --postgres database (installed with npm)",
    )  # fmt: skip
    bench.add_argument(
        "--fixed-cost", action="store_true",
        help="only the server CPU per `{ __typename }` (now and as before), on --postgres if given",
    )  # fmt: skip
    bench.add_argument(
        "--incremental", action="store_true",
        help="only a one-row import into the --scale registry, on --postgres if given",
    )  # fmt: skip
    bench.add_argument(
        "--contact-job", action="store_true",
        help="only the household contacts of the whole --scale registry, estate by estate, "
        "resumable, on --postgres if given",
    )  # fmt: skip
    bench.add_argument("--clients", type=int, default=20, help="--peer: concurrent clients")
    bench.add_argument("--seconds", type=float, default=5.0, help="--peer: seconds per figure")
    bench.add_argument("--workers", type=int, default=1, help="--peer: processes of each server")
    bench.set_defaults(run=lambda _settings, args: run_benchmark(args))
    load = sub.add_parser("load", help=helps["load"])
    add_arguments(load)
    load.set_defaults(run=lambda _settings, args: run_traffic(args))
