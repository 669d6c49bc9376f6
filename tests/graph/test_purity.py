"""graph/ is pure: it imports neither the database, the API layer nor the registry."""

from __future__ import annotations

import ast
from pathlib import Path

FORBIDDEN = {"sqlalchemy", "strawberry", "starlette", "registry"}


def test_graph_package_imports_nothing_from_the_adapters() -> None:
    for path in (Path(__file__).parents[2] / "graph").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            assert not {n.split(".")[0] for n in names} & FORBIDDEN, f"{path.name}: {names}"
