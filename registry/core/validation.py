"""Checks shared by the importer and the services, so each rule is written once."""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum
from typing import TypeVar

from registry.core.kinds import (
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
        "组织委员": "organisation_member", "宣传委员": "publicity_member",
        "纪检委员": "discipline_member", "组长": "group_leader", "党小组组长": "group_leader",
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


# Characters no text of the registry may hold, wherever it comes from: C0 controls but tab and
# line breaks (PostgreSQL refuses NUL outright; spreadsheets refuse them all), DEL and C1
# controls (invisible), lone surrogates (no database can encode them) and Unicode's
# non-characters (U+FDD0-U+FDEF and the last two code points of every plane). Above the BMP
# the class takes everything from U+1FFFE on, which `_unstorable` narrows down to those last
# two of a plane: a class of ranges is searched several times faster than one listing them.
_SUSPECT = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff"
    "\U0001fffe-\U0010ffff]"
)
# What a one-line text (a name, a code, a skill) may not hold on top of that: tabs and line
# breaks. Long free text (a suggestion, a reason, a change-log message) may.
_BREAKS = re.compile("[\t\n\r\u2028\u2029]")
_SHOWN = {
    "\t": "tab", "\n": "line break", "\r": "line break",
    "\u2028": "line separator", "\u2029": "paragraph separator",
}  # fmt: skip


def character_problem(value: str, *, multiline: bool) -> str | None:
    """Why `value` cannot be stored as text, or None: it holds a control character, a lone
    surrogate or a non-character, or (unless `multiline`) a tab or a line break. Every text
    input goes through this: the services' `text()`, the importer, the API's arguments."""
    found = _unstorable(value) or (None if multiline else _BREAKS.search(value))
    if found is None:
        return None
    char = found.group()
    at = f"at character {found.start() + 1}"
    if char in _SHOWN:
        return f"must be a single line: remove the {_SHOWN[char]} {at}"
    return f"holds {_kind_of(char)} U+{ord(char):04X} {at}; remove it"


def _unstorable(value: str) -> re.Match[str] | None:
    for found in _SUSPECT.finditer(value):
        char = found.group()
        if char <= "\uffff" or ord(char) & 0xFFFE == 0xFFFE:
            return found
    return None  # only characters of the higher planes, all of them storable


def _kind_of(char: str) -> str:
    if "\ud800" <= char <= "\udfff":
        return "the unpaired surrogate"
    return "the control character" if ord(char) < 0xA0 else "the non-character"


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
