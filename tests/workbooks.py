"""Small hand-made workbooks whose every number is known, shared by the specifications."""

from __future__ import annotations

from typing import Any

Rows = dict[str, list[dict[str, Any]]]


def two_communities(
    households_per_unit: int = 2, communities: tuple[str, str] = ("A", "B")
) -> Rows:
    """Sub-district S with communities A and B (or the two codes given); each has one estate
    of two buildings with one unit each. A's branch and group cover its estate and first
    building; B's likewise. Members: two full and one probationary in each branch, one
    in-service member in A."""
    places: list[dict[str, Any]] = [
        {"code": "S", "parent": "", "kind": "subdistrict", "name": "示例街道"},
    ]
    orgs: list[dict[str, Any]] = [
        {"code": "S-DGW", "parent": "", "kind": "working_committee", "name": "示例街道党工委",
         "covers": "S", "established": "2015-01-01"},
    ]  # fmt: skip
    members: list[dict[str, Any]] = []
    offices: list[dict[str, Any]] = []
    for n, c in enumerate(communities):
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
                 "reports_to": "", "phone": f"1380000{65 + n:02d}{i:02d}", "skills": "law;it"}
            )  # fmt: skip
        offices.append(
            {"member": f"{c}-M1", "organisation": f"{c}-ZB", "role": "secretary",
             "start": "2024-01-01", "end": ""}
        )  # fmt: skip
    a = communities[0]
    members.append(
        {"code": f"{a}-W1", "name": "在职党员", "gender": "male", "status": "full",
         "joined": "2005-07-01", "organisation": "", "workplace": "示例公司",
         "household": f"{a}-E-B2-U1-01", "reports_to": f"{a}-DW", "phone": "13900000001",
         "skills": "accounting"}
    )  # fmt: skip
    return {"places": places, "organisations": orgs, "members": members, "offices": offices}


def crossing_communities(a: str = "A", b: str = "B") -> Rows:
    """`two_communities` tied across their boundary both ways, so that an answer about one
    community can reach into the other: a's member M1 answers for one of b's households and
    is a hub there, and M2 is paired with b's estate as a leader; b's member M1 answers for
    one of a's households and is paired with a's estate as a leader, M2 leads a's first
    building's group and heard a suggestion there, M3 lives in a (so a sees them, but not
    their branch); a's in-service member W1 lives in b; a's task is led by b's M1. Each
    community has a task and a suggestion of its own."""
    rows = two_communities(communities=(a, b))

    def pairing(member: str, kind: str, place: str) -> dict[str, str]:
        return {"member": member, "kind": kind, "place": place, "start": "2025-01-01", "end": ""}

    rows["pairings"] = [
        pairing(f"{a}-M1", "household_contact", f"{a}-E-B1-U1-01"),
        pairing(f"{a}-M1", "household_contact", f"{b}-E-B1-U1-02"),
        pairing(f"{a}-M1", "hub", f"{b}-E-B2-U1-01"),
        pairing(f"{a}-M2", "leader", f"{b}-E"),
        pairing(f"{b}-M1", "household_contact", f"{a}-E-B2-U1-02"),
        pairing(f"{b}-M1", "leader", f"{a}-E"),
        pairing(f"{b}-M2", "household_contact", f"{b}-E-B2-U1-01"),
    ]
    homes = {f"{a}-W1": f"{b}-E-B2-U1-02", f"{b}-M3": f"{a}-E-B2-U1-01"}
    for member in rows["members"]:
        member["household"] = homes.get(member["code"], member["household"])
    rows["offices"].append(
        {"member": f"{b}-M2", "organisation": f"{a}-ZB-G1", "role": "group_leader",
         "start": "2024-01-01", "end": ""}
    )  # fmt: skip
    rows["tasks"] = [
        {"code": f"{c}-T1", "kind": "door_to_door_visits", "name": f"{c}入户走访",
         "organisation": f"{c}-ZB", "places": f"{c}-E", "headcount": 2, "skills": "",
         "start": "2025-01-01", "end": "2025-03-31", "status": "planned", "leader": leader}
        for c, leader in ((a, f"{b}-M1"), (b, f"{b}-M1"))
    ]  # fmt: skip
    rows["suggestions"] = [
        {"code": f"{c}-S1", "place": f"{c}-E-B1-U1-01", "category": "other",
         "text": f"{c}楼道灯坏了", "heard_by": f"{b}-M2", "raised_on": "2025-01-02",
         "status": "open", "started_on": "", "resolved_on": "", "task": ""}
        for c in (a, b)
    ]  # fmt: skip
    return rows


def _place(code: str, parent: str, kind: str, name: str = "") -> dict[str, Any]:
    return {"code": code, "parent": parent, "kind": kind, "name": name or code}


def _member(code: str, organisation: str, household: str, **extra: Any) -> dict[str, Any]:
    row = {"code": code, "name": f"党员{code}", "gender": "female", "status": "full",
           "joined": "2010-07-01", "organisation": organisation, "workplace": "",
           "household": household, "reports_to": "", "phone": "13800001111",
           "skills": ""}  # fmt: skip
    return row | extra


def contact_estates() -> Rows:
    """Sub-district S, community C, two estates, whose household-contact optimum is known.

    Estate E: buildings B1 (units U1, U2), B2 (U1), B3 (U1), listed in that order (so B1-B2
    and B2-B3 are next door), two households per unit: 8 households. Members: M1 lives in
    E-B1-U1-01, M2 in E-B2-U1-01 (both of branch E-ZB, which covers E; M1 is its secretary).
    Estate F: one building F-B1, unit U1, two households; nobody lives there, but in-service
    member W1 (no household recorded) reports to branch F-ZB, which covers F.
    Organisations: S-DGW (working committee, covers S; secretary S1), C-DW (community party
    committee, covers C; secretary C1, committee member C2), E-ZB with group E-ZB-G1 covering
    E-B1 (leader M1; M1–M3 are its members), F-ZB. S1, C1 and C2 belong to C-DW / S-DGW and
    live nowhere here.

    With k = 2 in E: M1 takes E-B1-U1-01/02, M2 takes E-B2-U1-01/02 (all same unit, cost 4);
    E-B1-U2-* and E-B3-U1-* stay unpaired. With k = 3: M1 adds one of E-B1-U2 (same building)
    and M2 one of E-B1 or E-B3 (neighbouring building): cost 9. F: W1 takes both (same
    estate, cost 8).
    """
    places = [
        _place("S", "", "subdistrict"), _place("C", "S", "community"),
        _place("E", "C", "estate"), _place("F", "C", "estate"),
    ]  # fmt: skip
    for building, units in (("E-B1", ("U1", "U2")), ("E-B2", ("U1",)), ("E-B3", ("U1",))):
        places.append(_place(building, "E", "building"))
        for unit in units:
            places.append(_place(f"{building}-{unit}", building, "unit"))
            for h in ("01", "02"):
                places.append(_place(f"{building}-{unit}-{h}", f"{building}-{unit}", "household"))
    places += [_place("F-B1", "F", "building"), _place("F-B1-U1", "F-B1", "unit")]
    places += [_place(f"F-B1-U1-{h}", "F-B1-U1", "household") for h in ("01", "02")]
    organisations = [
        {"code": "S-DGW", "parent": "", "kind": "working_committee", "name": "党工委",
         "covers": "S", "established": "2015-01-01"},
        {"code": "C-DW", "parent": "S-DGW", "kind": "party_committee", "name": "社区党委",
         "covers": "C", "established": "2016-01-01"},
        {"code": "E-ZB", "parent": "C-DW", "kind": "branch", "name": "E支部",
         "covers": "E", "established": "2018-01-01"},
        {"code": "E-ZB-G1", "parent": "E-ZB", "kind": "group", "name": "E1栋党小组",
         "covers": "E-B1", "established": "2019-01-01"},
        {"code": "F-ZB", "parent": "C-DW", "kind": "branch", "name": "F支部",
         "covers": "F", "established": "2018-01-01"},
    ]  # fmt: skip
    members = [
        _member("M1", "E-ZB", "E-B1-U1-01", group="E-ZB-G1"),
        _member("M2", "E-ZB", "E-B2-U1-01", group="E-ZB-G1"),
        _member("M3", "E-ZB", "", group="E-ZB-G1"),
        _member("W1", "", "", workplace="某公司", reports_to="F-ZB"),
        _member("S1", "S-DGW", "", phone="13912345678"),
        _member("C1", "C-DW", ""),
        _member("C2", "C-DW", ""),
    ]
    offices = [
        {"member": "S1", "organisation": "S-DGW", "role": "secretary", "start": "2021-01-01",
         "end": ""},
        {"member": "C1", "organisation": "C-DW", "role": "secretary", "start": "2021-01-01",
         "end": ""},
        {"member": "C2", "organisation": "C-DW", "role": "committee_member",
         "start": "2021-01-01", "end": ""},
        {"member": "M1", "organisation": "E-ZB", "role": "secretary", "start": "2024-01-01",
         "end": ""},
        {"member": "M1", "organisation": "E-ZB-G1", "role": "group_leader",
         "start": "2022-01-01", "end": ""},
    ]  # fmt: skip
    return {"places": places, "organisations": organisations, "members": members,
            "offices": offices}  # fmt: skip


def mobilisation_estates() -> Rows:
    """Sub-district S with communities A and B, for tasks, mobilisation and suggestions.

    Community A: estate A-E with buildings A-E-B1, A-E-B2, A-E-B3 (unit U1, households 01 and
    02 each) and estate A-F with one building A-F-B1 (unit U1, two households) where nobody
    lives. Members of branch A-ZB (covers A-E): M1 (lives A-E-B1-U1-01, skill law), M4
    (A-E-B1-U1-02), M2 (A-E-B2-U1-01), M3 (A-E-B2-U1-02); nobody lives in A-E-B3. A-FZB covers
    A-F. Community B: estate B-E, building B-E-B1, member BM1 of B-ZB living there.
    Organisations: S-DGW (covers S) → A-DW (covers A) → A-ZB, A-FZB; S-DGW → B-DW → B-ZB.
    """
    places = [_place("S", "", "subdistrict")]
    buildings = {"A-E": ("A-E-B1", "A-E-B2", "A-E-B3"), "A-F": ("A-F-B1",), "B-E": ("B-E-B1",)}
    for community in ("A", "B"):
        places.append(_place(community, "S", "community"))
        for estate in [e for e in buildings if e.startswith(community)]:
            places.append(_place(estate, community, "estate"))
            for building in buildings[estate]:
                places += [_place(building, estate, "building"),
                           _place(f"{building}-U1", building, "unit")]  # fmt: skip
                places += [
                    _place(f"{building}-U1-{h}", f"{building}-U1", "household")
                    for h in ("01", "02")
                ]

    def org(code: str, parent: str, kind: str, covers: str) -> dict[str, Any]:
        return {"code": code, "parent": parent, "kind": kind, "name": code, "covers": covers,
                "established": "2018-01-01"}  # fmt: skip

    organisations = [
        org("S-DGW", "", "working_committee", "S"), org("A-DW", "S-DGW", "party_committee", "A"),
        org("A-ZB", "A-DW", "branch", "A-E"), org("A-FZB", "A-DW", "branch", "A-F"),
        org("B-DW", "S-DGW", "party_committee", "B"), org("B-ZB", "B-DW", "branch", "B-E"),
    ]  # fmt: skip
    members = [
        _member("M1", "A-ZB", "A-E-B1-U1-01", skills="law", phone="13812345678"),
        _member("M2", "A-ZB", "A-E-B2-U1-01"),
        _member("M3", "A-ZB", "A-E-B2-U1-02"),
        _member("M4", "A-ZB", "A-E-B1-U1-02"),
        _member("BM1", "B-ZB", "B-E-B1-U1-01"),
    ]
    return {"places": places, "organisations": organisations, "members": members}
