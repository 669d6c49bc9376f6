"""assignment.explanation: the English sentence becomes a list of reasons (code + params)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05

Every stored explanation was written by the mobilisation planner in one of a few known forms
("leads building B: lives there; override: overlaps task T (load 1)"); those are read into
their reasons once here. Anything else is kept whole as a LEGACY reason the reader shows as it
was written.
"""

from __future__ import annotations

import json
import re
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_LOAD = re.compile(r"^(.*) \(load (\d+)\)$", re.S)
_OVERRIDE = "; override: overlaps task "
_WHY: list[tuple[re.Pattern[str], str, tuple[str, ...]]] = [
    (re.compile(r"^leads building (\S+): lives there$"), "LEADS_HOME_BUILDING", ("building",)),
    (
        re.compile(r"^leads building (\S+): lives in estate (\S+), no available resident$"),
        "LEADS_FROM_ESTATE",
        ("building", "estate"),
    ),
    (re.compile(r"^has (.+)$"), "HAS_SKILLS", ("skills",)),
    (re.compile(r"^makes up the headcount$"), "MAKES_HEADCOUNT", ()),
]


def _reason(code: str, **params: str) -> dict[str, Any]:
    return {"code": code, "params": params}


def reasons_of(text: str) -> list[dict[str, Any]]:
    """The reasons an old English explanation stated, or one LEGACY reason holding it."""
    legacy = [_reason("LEGACY", text=text)]
    load = _LOAD.match(text)
    if load is None:
        return legacy
    why, _, tasks = load[1].partition(_OVERRIDE)
    for pattern, code, names in _WHY:
        found = pattern.match(why)
        if found is None:
            continue
        values = [
            v.replace(", ", ",") if n == "skills" else v
            for n, v in zip(names, found.groups(), strict=True)
        ]
        said = [_reason(code, **dict(zip(names, values, strict=True)))]
        if tasks:
            said.append(_reason("OVERRIDE", tasks=tasks.replace(", ", ",")))
        return [*said, _reason("LOAD", load=load[2])]
    return legacy


def text_of(reasons: list[dict[str, Any]]) -> str:
    """An explanation in the old English form, for a downgrade."""
    words = {
        "LEADS_HOME_BUILDING": "leads building {building}: lives there",
        "LEADS_FROM_ESTATE": "leads building {building}: lives in estate {estate}, no available resident",
        "HAS_SKILLS": "has {skills}",
        "MAKES_HEADCOUNT": "makes up the headcount",
        "OVERRIDE": "override: overlaps task {tasks}",
        "LEGACY": "{text}",
    }
    parts, load = [], None
    for r in reasons:
        params = {k: v.replace(",", ", ") for k, v in r.get("params", {}).items()}
        if r["code"] == "LOAD":
            load = params["load"]
        else:
            parts.append(words.get(r["code"], r["code"]).format(**params))
    said = "; ".join(parts)
    return said if load is None else f"{said} (load {load})"


def _rewrite(convert: Any) -> None:
    connection = op.get_bind()
    rows = connection.execute(sa.text("SELECT id, explanation FROM assignment")).all()
    for row_id, value in rows:
        connection.execute(
            sa.text("UPDATE assignment SET explanation = :value WHERE id = :id"),
            {"value": convert(value), "id": row_id},
        )


def upgrade() -> None:
    _rewrite(lambda text: json.dumps(reasons_of(text), ensure_ascii=False))
    with op.batch_alter_table("assignment") as batch:
        batch.alter_column(
            "explanation",
            type_=sa.JSON(),
            existing_type=sa.Text(),
            existing_nullable=False,
            postgresql_using="explanation::json",
        )


def downgrade() -> None:
    with op.batch_alter_table("assignment") as batch:
        batch.alter_column(
            "explanation",
            type_=sa.Text(),
            existing_type=sa.JSON(),
            existing_nullable=False,
            postgresql_using="explanation::text",
        )
    _rewrite(lambda stored: text_of(json.loads(stored)))
