"""The layering holds, checked from the real imports: graph/ is pure; registry/ is laid out by
layer and each layer imports only the layers below it (the table below), with no circles
anywhere; the tools live outside the registry."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import networkx as nx

ROOT = Path(__file__).resolve().parents[1]

# registry/'s layers, lowest first. A module may import its own layer and those listed before
# it; layers on one line (api, web) are peers and import neither each other.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("core",),  # tables, engines, paths, kinds, settings, errors, migrations
    ("access",),  # tokens, actors, scopes, lookups within a scope
    ("audit",),  # the change log and history "as of" a date
    ("reads",),  # the read model, and selections compiled into one statement each
    ("reports",),  # coverage, rules, org charts, workbooks
    ("planning",),  # pairings and mobilisation: the graph problems over the registry
    ("writes",),  # every write: commands and the services that carry them out
    ("importer",),  # workbooks in
    ("api", "web"),  # GraphQL, and the console's pages and downloads
    ("server",),  # the ASGI application and how it is served
    ("cli",),  # the gridreg command
)
RANK = {layer: rank for rank, layers in enumerate(LAYERS) for layer in layers}
# Third-party frameworks of the HTTP and GraphQL adapters: below them, nothing knows of them.
ADAPTER_LIBRARIES = ("strawberry", "starlette", "graphql", "uvicorn")
ADAPTER_RANK = RANK["api"]


def imports_of(path: Path) -> set[str]:
    """Absolute module names imported by a source file (relative imports resolved), wherever
    the import stands (a function, an `if TYPE_CHECKING:` block)."""
    module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = module.split(".")[: -node.level]
                base = ".".join([*package, base] if base else package)
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def sources(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def layer_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "registry" and len(parts) >= 2 else None


def test_graph_is_pure_plain_data_in_results_out() -> None:
    forbidden = ("registry", "sqlalchemy", "strawberry", "starlette", "benchmarks")
    bad = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in sources("graph")
        for name in imports_of(path)
        if name.split(".")[0] in forbidden
    ]
    assert bad == []


def test_every_registry_module_lives_in_a_layer() -> None:
    loose = [
        str(path.relative_to(ROOT))
        for path in sources("registry")
        if path.parent != ROOT / "registry" and layer_of(_module(path)) not in RANK
    ]
    top = {p.name for p in (ROOT / "registry").glob("*.py")}
    assert loose == [] and top == {"__init__.py"}


def test_each_layer_imports_only_the_layers_below_it() -> None:
    bad: list[str] = []
    for path in sources("registry"):
        own = layer_of(_module(path))
        if own is None:
            continue
        for name in imports_of(path):
            other = layer_of(name) if name.startswith("registry.") else None
            if other is not None and other != own and RANK.get(other, 99) >= RANK[own]:
                bad.append(f"{path.relative_to(ROOT)} ({own}) imports {name} ({other})")
            root = name.split(".")[0]
            if root in ADAPTER_LIBRARIES and RANK[own] < ADAPTER_RANK:
                bad.append(f"{path.relative_to(ROOT)} ({own}) imports {name}")
            if root == "benchmarks" and own != "cli":
                bad.append(f"{path.relative_to(ROOT)} ({own}) imports the tools ({name})")
    assert bad == []


def test_no_module_imports_itself_round_a_circle() -> None:
    """No circle of imports, for the type checker either (GraphQL types that name each other
    across modules do it through `strawberry.lazy`, by module path)."""
    modules = {_module(p): p for folder in ("registry", "benchmarks", "graph", "seeds")
               for p in sources(folder)}  # fmt: skip
    imports = nx.DiGraph()
    for module, path in modules.items():
        imports.add_node(module)
        for name in imports_of(path):
            target = name if name in modules else name.rsplit(".", 1)[0]
            if target in modules and target != module and not _is_package_of(target, module):
                imports.add_edge(module, target)
    circles = [sorted(c) for c in nx.strongly_connected_components(imports) if len(c) > 1]
    assert circles == []


def test_the_graphql_folder_holds_no_python_that_would_shadow_graphql_core() -> None:
    assert not list((ROOT / "graphql").rglob("*.py"))


def _module(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


def _is_package_of(package: str, module: str) -> bool:
    # `from registry.api import x` names the package too; a package's __init__ is not a circle.
    return module.startswith(package + ".")


def test_every_silenced_type_error_says_why() -> None:
    # `# type: ignore[code]  # why`: a bare ignore hides what the checker would have said.
    reasoned = re.compile(r"type: ignore\[[a-z, -]+\]\s+#\s*\S")
    bare = [
        f"{path}:{number}"
        for folder in ("registry", "graph", "seeds", "benchmarks")
        for path in sources(folder)
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if "type: ignore" in line and not reasoned.search(line)
    ]
    assert bare == []


def test_the_day_is_read_in_one_place() -> None:
    """Given the registry's rules, defaults and checks, and the tests that assert on them, then
    each asks `registry.core.calendar.today()` for "today", never the clock itself: a pinned
    day (a test run crossing midnight) then holds for all of them at once."""
    calendar = ROOT / "registry" / "core" / "calendar.py"
    clock_reads = [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for folder in ("registry", "graph", "tests")
        for path in sources(folder)
        if path != calendar
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Attribute)
        and node.attr == "today"
        and isinstance(node.value, ast.Name)
        and node.value.id in {"date", "datetime"}
    ]
    assert clock_reads == []
