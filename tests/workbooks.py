"""Small hand-made workbooks whose every number is known, shared by the specifications."""

from __future__ import annotations

from typing import Any

Rows = dict[str, list[dict[str, Any]]]


def two_communities(households_per_unit: int = 2) -> Rows:
    """Sub-district S with communities A and B; each has one estate of two buildings with one
    unit each. A's branch and group cover its estate and first building; B's likewise.
    Members: two full and one probationary in each branch, one in-service member in A."""
    places: list[dict[str, Any]] = [
        {"code": "S", "parent": "", "kind": "subdistrict", "name": "示例街道"},
    ]
    orgs: list[dict[str, Any]] = [
        {"code": "S-DGW", "parent": "", "kind": "working_committee", "name": "示例街道党工委",
         "covers": "S", "established": "2015-01-01"},
    ]  # fmt: skip
    members: list[dict[str, Any]] = []
    offices: list[dict[str, Any]] = []
    for c in ("A", "B"):
        places.append({"code": c, "parent": "S", "kind": "community", "name": f"{c}社区"})
        places.append({"code": f"{c}-E", "parent": c, "kind": "estate", "name": f"{c}小区"})
        for b in (1, 2):
            building = f"{c}-E-B{b}"
            places.append(
                {"code": building, "parent": f"{c}-E", "kind": "building", "name": f"{b}栋"}
            )
            places.append(
                {"code": f"{building}-U1", "parent": building, "kind": "unit", "name": "1单元"}
            )
            for h in range(1, households_per_unit + 1):
                places.append(
                    {"code": f"{building}-U1-{h:02d}", "parent": f"{building}-U1",
                     "kind": "household", "name": f"{h:02d}室"}
                )  # fmt: skip
        orgs += [
            {"code": f"{c}-DW", "parent": "S-DGW", "kind": "party_committee",
             "name": f"{c}社区党委", "covers": c, "established": "2016-01-01"},
            {"code": f"{c}-ZB", "parent": f"{c}-DW", "kind": "branch",
             "name": f"{c}小区党支部", "covers": f"{c}-E", "established": "2020-06-01"},
            {"code": f"{c}-ZB-G1", "parent": f"{c}-ZB", "kind": "group",
             "name": f"{c}小区1栋党小组", "covers": f"{c}-E-B1", "established": "2021-01-01"},
        ]  # fmt: skip
        for i, status in enumerate(("full", "full", "probationary"), start=1):
            members.append(
                {"code": f"{c}-M{i}", "name": f"{c}党员{i}", "gender": "female",
                 "status": status, "joined": "2010-07-01" if status == "full" else "2026-06-01",
                 "organisation": f"{c}-ZB", "workplace": "", "household": f"{c}-E-B1-U1-01",
                 "reports_to": "", "phone": f"1380000{ord(c):02d}{i:02d}", "skills": "law;it"}
            )  # fmt: skip
        offices.append(
            {"member": f"{c}-M1", "organisation": f"{c}-ZB", "role": "secretary",
             "start": "2024-01-01", "end": ""}
        )  # fmt: skip
    members.append(
        {"code": "A-W1", "name": "在职党员", "gender": "male", "status": "full",
         "joined": "2005-07-01", "organisation": "", "workplace": "示例公司",
         "household": "A-E-B2-U1-01", "reports_to": "A-DW", "phone": "13900000001",
         "skills": "accounting"}
    )  # fmt: skip
    return {"places": places, "organisations": orgs, "members": members, "offices": offices}
