"""Checks shared by the importer and the services, so each rule is written once."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import TypeVar

from registry.kinds import (
    ORG_PARENTS,
    ORG_ROOTS,
    PLACE_PARENTS,
    PLACE_ROOTS,
    AssignmentStatus,
    Gender,
    MemberStatus,
    OfficeRole,
    OrgKind,
    PairingKind,
    PlaceKind,
    SuggestionCategory,
    SuggestionStatus,
    TaskKind,
    TaskStatus,
)

E = TypeVar("E", bound=StrEnum)

# Chinese names accepted wherever a kind or status is typed by a person (DESIGN section 1).
ALIASES: dict[type[StrEnum], dict[str, str]] = {
    PlaceKind: {
        "区": "district", "街道": "subdistrict", "社区": "community", "网格": "grid",
        "小区": "estate", "楼栋": "building", "单元": "unit", "户": "household",
    },
    OrgKind: {
        "区委": "district_committee", "街道党工委": "working_committee",
        "党工委": "working_committee",
        "党委": "party_committee", "社区党委": "party_committee", "党总支": "general_branch",
        "党支部": "branch", "支部": "branch", "党小组": "group", "功能型党组织": "functional",
    },
    MemberStatus: {
        "正式": "full", "正式党员": "full", "预备": "probationary", "预备党员": "probationary",
    },
    Gender: {"男": "male", "女": "female"},
    OfficeRole: {
        "书记": "secretary", "副书记": "deputy_secretary", "委员": "committee_member",
        "组长": "group_leader",
    },
    PairingKind: {"联系户": "household_contact", "包联": "leader", "中心户": "hub"},
    TaskKind: {
        "业委会选举筹备": "owners_committee_election_preparation",
        "业委会筹备": "owners_committee_election_preparation",
        "进家入户": "door_to_door_visits", "入户走访": "door_to_door_visits",
        "物业选聘": "property_company_selection", "维修跟进": "repair_follow_up",
        "业主群通知": "owners_group_notices", "其他": "other",
    },
    TaskStatus: {
        "计划": "planned", "待办": "planned", "动员中": "mobilising", "进行中": "active",
        "已完成": "done", "完成": "done", "已取消": "cancelled", "取消": "cancelled",
    },
    AssignmentStatus: {
        "待确认": "proposed", "已提议": "proposed", "已接受": "accepted", "接受": "accepted",
        "已拒绝": "declined", "拒绝": "declined", "已撤回": "withdrawn", "撤回": "withdrawn",
    },
    SuggestionCategory: {
        "停车": "parking", "电梯": "elevator", "物业服务": "property_service",
        "物业": "property_service",
        "消防": "fire_safety", "消防安全": "fire_safety", "环境": "environment",
        "业委会": "owners_committee", "其他": "other",
    },
    SuggestionStatus: {
        "待办": "open", "待处理": "open", "未处理": "open", "进行中": "in_progress",
        "处理中": "in_progress", "已解决": "resolved", "已办结": "resolved",
    },
}  # fmt: skip


def parse_enum(enum: type[E], raw: str) -> E:
    """The member of `enum` named by `raw` (its value, any case, or a Chinese alias).

    Raises ValueError with the accepted values."""
    text = raw.strip()
    value = ALIASES.get(enum, {}).get(text, text.lower().replace(" ", "_").replace("-", "_"))
    try:
        return enum(value)
    except ValueError:
        accepted = ", ".join(member.value for member in enum)
        raise ValueError(f"{raw!r} is not one of: {accepted}") from None


def skill_problem(skill: str) -> str | None:
    """Why a skill's name cannot be stored, or None. A skill is a short printable name: the
    members page carries a member's skills joined by a control character."""
    if any(ord(c) < 32 or ord(c) == 127 for c in skill):
        return "a skill must not hold control characters (tabs, line breaks); remove them"
    return None


def parse_date(raw: str) -> date:
    """A date written YYYY-MM-DD (also YYYY/MM/DD). Raises ValueError saying the format."""
    text = raw.strip().replace("/", "-")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{raw!r} is not a date; write it as YYYY-MM-DD") from None


def place_parent_problem(kind: PlaceKind, parent_kind: PlaceKind | None) -> str | None:
    """Why a place of `kind` cannot sit under `parent_kind` (None for a root), or None if it can."""
    if parent_kind is None:
        if kind in PLACE_ROOTS:
            return None
        return f"{_a(kind.value)} needs a parent place"
    allowed = PLACE_PARENTS[kind]
    if parent_kind in allowed:
        return None
    names = " or ".join(sorted(k.value for k in allowed)) or "nothing (it is a root)"
    return f"{_a(kind.value)} must sit under {_a(names)}, not {_a(parent_kind.value)}"


def org_parent_problem(kind: OrgKind, parent_kind: OrgKind | None) -> str | None:
    """Why an organisation of `kind` cannot sit under `parent_kind`, or None if it can."""
    if parent_kind is None:
        if kind in ORG_ROOTS:
            return None
        return f"{_a(kind.value)} needs a parent organisation"
    allowed = ORG_PARENTS[kind]
    if parent_kind in allowed:
        return None
    names = " or ".join(sorted(k.value for k in allowed)) or "nothing (it is a root)"
    return f"{_a(kind.value)} must sit under {_a(names)}, not {_a(parent_kind.value)}"


def _a(noun: str) -> str:
    return ("an " if noun[:1] in "aeiou" else "a ") + noun
