"""Which of several open terms in one office counts: one rule for every reader.

Data may hold two open secretary terms in one organisation (an appointment entered before the
old term was ended). The current holder is the one whose term started last; an undated start
counts as the earliest, and between equal starts the later entry wins.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, select

from registry.core.kinds import OfficeRole
from registry.core.models import Office

# Ordered so that the current holder comes last (readers keep the last row per organisation).
CURRENT_LAST = (Office.start.asc().nulls_first(), Office.id.asc())


def current_secretary(organisation_id: ColumnElement[int], *outer: Any) -> Any:
    """SQL scalar: the member id of the organisation's current secretary (or null). `outer`:
    the tables `organisation_id` comes from, when they lie more than one query up."""
    return current_holder(organisation_id, OfficeRole.SECRETARY, *outer)


def current_holder(organisation_id: ColumnElement[int], role: OfficeRole, *outer: Any) -> Any:
    """SQL scalar: the member id of the current holder of a one-holder office (a secretary,
    a group's leader 组长) of the organisation, or null; `outer` as for `current_secretary`."""
    holder = (
        select(Office.member_id)
        .where(
            Office.organisation_id == organisation_id,
            Office.end.is_(None),
            Office.role == role.value,
        )
        .order_by(Office.start.desc().nulls_last(), Office.id.desc())
        .limit(1)
    )
    # correlate() with no tables would turn off correlation with the enclosing query.
    return (holder.correlate(*outer) if outer else holder).scalar_subquery()
