"""A small registry for the write tests: two sub-districts, two communities in the first, and the
two branches of 吉安园茅溪小区 still unmerged (DESIGN section 4), plus helpers to call mutations."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from registry.core.models import Change
from tests.support import GraphQLClient, Registry, operation

WORLD: dict[str, list[dict[str, Any]]] = {
    "places": [
        {"code": "CT", "parent": "", "kind": "subdistrict", "name": "寸滩街道"},
        {"code": "CA", "parent": "CT", "kind": "community", "name": "渝北社区"},
        {"code": "CB", "parent": "CT", "kind": "community", "name": "海尔社区"},
        {"code": "MX", "parent": "CA", "kind": "estate", "name": "吉安园茅溪小区"},
        {"code": "MX2", "parent": "CA", "kind": "estate", "name": "茅溪二期"},
        {"code": "EB", "parent": "CB", "kind": "estate", "name": "海尔小区"},
        {"code": "MX-1", "parent": "MX", "kind": "building", "name": "1栋"},
        {"code": "MX-2", "parent": "MX", "kind": "building", "name": "2栋"},
        {"code": "MX2-1", "parent": "MX2", "kind": "building", "name": "二期1栋"},
        {"code": "EB-1", "parent": "EB", "kind": "building", "name": "海尔1栋"},
        {"code": "MX-1-101", "parent": "MX-1", "kind": "household", "name": "101"},
        {"code": "MX-2-101", "parent": "MX-2", "kind": "household", "name": "101"},
        {"code": "EB-1-101", "parent": "EB-1", "kind": "household", "name": "101"},
        {"code": "JB", "parent": "", "kind": "subdistrict", "name": "江北街道"},
        {"code": "JC", "parent": "JB", "kind": "community", "name": "江北社区"},
        {"code": "JE", "parent": "JC", "kind": "estate", "name": "江北小区"},
    ],
    "organisations": [
        {"code": "WC", "parent": "", "kind": "working_committee", "name": "寸滩街道党工委",
         "covers": "CT", "established": "2010-01-01"},
        {"code": "PA", "parent": "WC", "kind": "party_committee", "name": "渝北社区党委",
         "covers": "CA", "established": "2012-01-01"},
        {"code": "PB", "parent": "WC", "kind": "party_committee", "name": "海尔社区党委",
         "covers": "CB", "established": "2012-01-01"},
        {"code": "BR1", "parent": "PA", "kind": "branch", "name": "茅溪第一支部",
         "covers": "MX", "established": "2015-03-01"},
        {"code": "BR2", "parent": "PA", "kind": "branch", "name": "茅溪第二支部",
         "covers": "MX;MX2", "established": "2016-03-01"},
        {"code": "G1", "parent": "BR1", "kind": "group", "name": "1栋党小组", "covers": "MX-1"},
        {"code": "G2", "parent": "BR2", "kind": "group", "name": "二期党小组", "covers": "MX2-1"},
        {"code": "BR3", "parent": "PB", "kind": "branch", "name": "海尔支部", "covers": "EB"},
        {"code": "WJ", "parent": "", "kind": "working_committee", "name": "江北街道党工委",
         "covers": "JB"},
        {"code": "PJ", "parent": "WJ", "kind": "party_committee", "name": "江北社区党委",
         "covers": "JC"},
        {"code": "BRJ", "parent": "PJ", "kind": "branch", "name": "江北支部", "covers": "JE"},
    ],
    "members": [
        {"code": "M1", "name": "王芳", "gender": "female", "status": "full",
         "joined": "1998-07-01", "organisation": "BR1", "household": "MX-1-101",
         "phone": "13800000001", "skills": "medical;law"},
        {"code": "M2", "name": "李强", "gender": "male", "status": "full",
         "joined": "2001-07-01", "organisation": "BR1", "household": "MX-1-101"},
        {"code": "M3", "name": "张敏", "gender": "female", "status": "probationary",
         "joined": "2024-07-01", "organisation": "BR1"},
        {"code": "M4", "name": "刘洋", "gender": "male", "status": "full",
         "joined": "1990-07-01", "organisation": "BR2", "household": "MX-2-101"},
        {"code": "M5", "name": "陈静", "gender": "female", "status": "full",
         "joined": "2005-07-01", "organisation": "BR2"},
        {"code": "M6", "name": "杨帆", "gender": "male", "status": "full",
         "joined": "2010-07-01", "workplace": "重庆港务集团", "reports_to": "BR2"},
        {"code": "M7", "name": "赵磊", "gender": "male", "status": "full",
         "joined": "2000-07-01", "organisation": "BR3", "household": "EB-1-101"},
        {"code": "M8", "name": "周婷", "gender": "female", "status": "full",
         "joined": "2003-07-01", "organisation": "BRJ"},
    ],
    "offices": [
        {"member": "M1", "organisation": "BR1", "role": "secretary", "start": "2021-06-01"},
        {"member": "M4", "organisation": "BR2", "role": "secretary", "start": "2021-06-01"},
        {"member": "M5", "organisation": "BR2", "role": "deputy_secretary",
         "start": "2021-06-01"},
        {"member": "M5", "organisation": "G2", "role": "group_leader", "start": "2021-06-01"},
        {"member": "M7", "organisation": "BR3", "role": "secretary", "start": "2022-01-01"},
    ],
}  # fmt: skip


def field_of(name: str) -> str:
    """The root field of an operation file: CreatePlace -> createPlace."""
    return name[0].lower() + name[1:]


async def mutate(api: GraphQLClient, name: str, input: dict[str, Any]) -> dict[str, Any]:
    """Run the mutation in graphql/operations/<name>.graphql and return its payload."""
    data = await api(operation(name), {"input": input})
    return data[field_of(name)]


def codes(payload_errors: list[dict[str, Any]]) -> list[str]:
    return [e["code"] for e in payload_errors]


async def organisation(api: GraphQLClient, code: str) -> dict[str, Any] | None:
    return (await api(operation("Organisation"), {"code": code}))["organisation"]


async def member_codes(api: GraphQLClient, organisation_code: str) -> list[str]:
    """Codes of members belonging or reporting within an organisation's subtree."""
    data = await api(
        operation("Members"), {"filter": {"organisation": organisation_code}, "first": 100}
    )
    return [m["code"] for m in data["members"]["nodes"]]


async def member(api: GraphQLClient, code: str) -> dict[str, Any]:
    """A member's details (history of offices included), found by code."""
    data = await api(operation("Members"), {"filter": {}, "first": 100})
    gid = next(m["id"] for m in data["members"]["nodes"] if m["code"] == code)
    return (await api(operation("MemberDetail"), {"id": gid}))["node"]


async def changes(registry: Registry, entity: str) -> list[Change]:
    """Change-log rows the API's writes recorded for one kind of entity, oldest first (the
    rows of the import that loaded the world, written with no token, are left out)."""
    async with registry.db.read() as session:
        query = select(Change).where(Change.entity == entity, Change.token_id.is_not(None))
        return list(await session.scalars(query.order_by(Change.id)))
