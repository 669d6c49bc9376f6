"""Materialised paths: `/1/5/9/` for node 9 under 5 under 1.

A subtree is the half-open range [path, path_end) which both SQLite and PostgreSQL
(with COLLATE "C") answer from an index, unlike `LIKE 'p%'`.
"""

from __future__ import annotations


def child_path(parent_path: str | None, node_id: int) -> str:
    """The path of node `node_id` under a parent with `parent_path` (None for a root)."""
    return f"{parent_path or '/'}{node_id}/"


def subtree_end(path: str) -> str:
    """The exclusive upper bound of a subtree: '/'+1 is '0'; paths hold only digits and '/'."""
    return path[:-1] + "0"


def ids_of(path: str) -> list[int]:
    """The ids along a path, root first."""
    return [int(part) for part in path.strip("/").split("/") if part]


def depth_of(path: str) -> int:
    """Zero for a root."""
    return path.count("/") - 2
