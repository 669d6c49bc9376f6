"""The console's operations (graphql/operations/Console*.graphql) are valid against the API's
schema, and the console bundles every one of them."""

from __future__ import annotations

from graphql import build_schema, parse, validate
from registry.api.schema import export_sdl
from tests.support import OPERATIONS, ROOT

CONSOLE_OPERATIONS = sorted(OPERATIONS.glob("Console*.graphql"))


def test_every_console_operation_validates_against_the_schema() -> None:
    assert CONSOLE_OPERATIONS
    schema = build_schema(export_sdl())
    for path in CONSOLE_OPERATIONS:
        document = parse(path.read_text(encoding="utf-8"))
        errors = validate(schema, document)
        assert not errors, f"{path.name}: {[error.message for error in errors]}"
        names = [d.name.value for d in document.definitions if d.kind == "operation_definition"]
        assert names == [path.stem], f"{path.name} must hold one operation named {path.stem}"


def test_the_console_imports_every_console_operation() -> None:
    api = (ROOT / "console" / "src" / "api.js").read_text(encoding="utf-8")
    for path in CONSOLE_OPERATIONS:
        assert f"operations/{path.name}?raw" in api, f"console/src/api.js does not load {path.name}"
