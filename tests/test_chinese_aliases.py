"""Staff type kinds and statuses in Chinese: the tasks and suggestions sheets accept the same
Chinese names as the rest of the workbook (registry.core.validation.ALIASES)."""

from __future__ import annotations

import pytest

from registry.core.kinds import (
    AssignmentStatus,
    SuggestionCategory,
    SuggestionStatus,
    TaskKind,
    TaskStatus,
)
from registry.core.validation import ALIASES, parse_enum
from tests.support import Registry, operation
from tests.test_import_tasks import with_tasks


@pytest.mark.parametrize(
    "enum", [TaskKind, TaskStatus, AssignmentStatus, SuggestionCategory, SuggestionStatus]
)
def test_every_value_of_the_task_and_suggestion_enums_has_a_chinese_name(enum) -> None:
    aliases = ALIASES[enum]
    assert set(aliases.values()) == {member.value for member in enum}
    assert all(parse_enum(enum, name).value == value for name, value in aliases.items())


async def test_tasks_and_suggestions_sheets_read_chinese_kinds_and_statuses(
    registry: Registry,
) -> None:
    # Given a workbook whose tasks and suggestions are typed in Chinese
    wb = with_tasks()
    wb["tasks"][0] |= {"kind": "业委会选举筹备", "status": "进行中"}
    wb["suggestions"][0] |= {"category": "停车", "status": "已解决", "started_on": "2026-01-02"}
    wb["suggestions"][1] |= {"category": "电梯", "status": "进行中"}
    wb["suggestions"].append(
        {"code": "S3", "place": "A-E-B3", "category": "物业服务", "text": "保洁不到位",
         "heard_by": "", "raised_on": "2026-01-05", "status": "待办", "started_on": "",
         "resolved_on": "", "task": ""},
    )  # fmt: skip

    # When it is imported
    await registry.load(wb)

    # Then they are stored as the enum values they name
    api = await registry.client("admin")
    task = (await api(operation("Task"), {"code": "T1"}))["task"]
    assert (task["kind"], task["status"]) == ("OWNERS_COMMITTEE_ELECTION_PREPARATION", "ACTIVE")
    nodes = (await api(operation("Suggestions")))["suggestions"]["nodes"]
    assert [(n["code"], n["category"], n["status"]) for n in nodes] == [
        ("S1", "PARKING", "RESOLVED"),
        ("S2", "ELEVATOR", "IN_PROGRESS"),
        ("S3", "PROPERTY_SERVICE", "OPEN"),
    ]
