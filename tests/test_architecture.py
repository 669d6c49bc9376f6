"""The layering holds: graph/ is pure, storage never imports the API layer."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def imported_modules(folder: Path) -> dict[Path, set[str]]:
    found: dict[Path, set[str]] = {}
    for path in folder.rglob("*.py"):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module)
        found[path] = names
    return found


def offenders(folder: Path, forbidden: tuple[str, ...], skip: tuple[Path, ...] = ()) -> list[str]:
    return [
        f"{path.relative_to(ROOT)} imports {name}"
        for path, names in imported_modules(folder).items()
        if not any(s in path.parents for s in skip)
        for name in names
        if name.split(".")[0] in forbidden or name.startswith(forbidden)
    ]


def test_graph_is_pure_plain_data_in_results_out() -> None:
    assert offenders(ROOT / "graph", ("registry", "sqlalchemy", "strawberry", "starlette")) == []


def test_storage_and_services_never_import_the_api_layer() -> None:
    registry = ROOT / "registry"
    adapters = (registry / "api", registry / "web")
    bad = offenders(registry, ("strawberry", "registry.api", "registry.web", "starlette"), adapters)
    # The HTTP adapters (api/, web/), the application module, the server runner and the CLI
    # assemble the layers.
    assemblers = ("registry/app.py", "registry/serving.py", "registry/cli.py")
    bad = [line for line in bad if not line.startswith(assemblers)]
    assert bad == []


def test_the_graphql_folder_holds_no_python_that_would_shadow_graphql_core() -> None:
    assert not list((ROOT / "graphql").rglob("*.py"))
