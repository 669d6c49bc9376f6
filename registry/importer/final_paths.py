"""The path every node of a tree will have once an import is written.

A tree's sheet may create nodes, move stored ones and name stored ones it does not list; their
final paths follow from the final parents and ids. The members' sheet needs them too: a new
member's row carries the paths of their organisation and home (migration 0013), written with
the row rather than looked up by a trigger per row.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from registry.core.paths import child_path
from registry.importer.ids import Ids
from registry.importer.stored import Tree
from registry.importer.validation import MemberRow, NodeRow


class FinalPaths:
    """Final paths of one tree by code: the sheet's rows over the stored nodes it names."""

    def __init__(self, rows: Sequence[NodeRow], stored: Tree, ids: Ids) -> None:
        self._parent_of = {r.code: r.parent for r in rows}
        self._stored = stored
        self._ids = ids
        # Kept only for nodes with children in the sheet (a city's millions of households are
        # leaves): a leaf's path is one step from its parent's, computed when asked.
        self._kept = set(filter(None, self._parent_of.values()))
        self._paths: dict[str, str] = {}

    def __call__(self, code: str) -> str:
        """The final path of the node `code` (in the sheet or stored)."""
        found = self._paths.get(code)
        if found is None:
            parent = (
                self._parent_of[code] if code in self._parent_of else self._stored.parent_code(code)
            )
            found = child_path(self(parent) if parent else None, self._ids[code])
            if code in self._kept:
                self._paths[code] = found
        return found

    def narrow(self, codes: Iterable[str | None]) -> None:
        """From now on, answer only for `codes` (and stored nodes): the rows of a city's
        places sheet hold 8 million parents, of which the members' sheet names a million."""
        wanted = set(codes)
        self._parent_of = {c: p for c, p in self._parent_of.items() if c in wanted}

    def get(self, code: str | None) -> str | None:
        """The final path of `code`, or None for no node."""
        return None if code is None else self(code)


def member_paths(m: MemberRow, orgs: FinalPaths, places: FinalPaths) -> dict[str, str | None]:
    """A new member's derived path columns, from their ties' final paths."""
    return {
        "org_path": orgs.get(m.organisation),
        "reports_path": orgs.get(m.reports_to),
        "home_path": places.get(m.household),
    }
