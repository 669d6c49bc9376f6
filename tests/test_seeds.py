"""Seeds: the Cuntan scenario workbook and the synthetic generator (DESIGN section 4).

Both produce the workbook format of `seeds.workbook`; every workbook must pass the same
integrity checks, which are the promises the importer relies on.
"""

from __future__ import annotations

import re
import tracemalloc
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest

from registry.core.kinds import (
    ORG_PARENTS,
    ORG_ROOTS,
    PLACE_PARENTS,
    PLACE_ROOTS,
    OrgKind,
    PlaceKind,
)
from seeds import cuntan_build
from seeds.cuntan import WORKBOOK_DIR
from seeds.synthetic import SCALES, Scale, distribute, generate
from seeds.workbook import (
    GENDERS,
    MEMBER_STATUSES,
    OFFICE_ROLES,
    ORG_KINDS,
    PLACE_KINDS,
    REFERENCE_DATE,
    SHEETS,
    SKILLS,
    read_csv_workbook,
    split_list,
)

Workbook = dict[str, list[dict[str, str]]]

# What each kind of organisation may cover (an empty `covers` is always allowed).
COVERS = {
    "district_committee": {"district"},
    "working_committee": {"subdistrict"},
    "party_committee": {"community"},
    "general_branch": {"community"},
    "branch": {"estate"},
    "group": {"building"},
    "functional": set(PLACE_KINDS),
}
REPORTING_KINDS = {"party_committee", "general_branch", "branch"}
PHONE = re.compile(r"^1[3-9]\d{9}$")


def integrity_problems(wb: Workbook) -> list[str]:
    """Everything wrong with a workbook; an empty list means the importer can trust it."""
    problems: list[str] = []
    places: dict[str, str] = {}
    for row in wb["places"]:
        code, parent, kind = row["code"], row["parent"], row["kind"]
        if code in places:
            problems.append(f"place {code} repeated")
        if kind not in PLACE_KINDS:
            problems.append(f"place {code} has unknown kind {kind}")
        elif not parent and kind not in PLACE_ROOTS:
            problems.append(f"place {code} ({kind}) has no parent")
        elif parent and parent not in places:
            problems.append(f"place {code}: parent {parent} missing or not before it")
        elif parent and places[parent] not in PLACE_PARENTS[PlaceKind(kind)]:
            problems.append(f"place {code} ({kind}) under {places[parent]}")
        places[code] = kind
    if sum(1 for row in wb["places"] if not row["parent"]) != 1:
        problems.append("places need exactly one root")

    place_parent = {row["code"]: row["parent"] for row in wb["places"]}

    def lineage(code: str) -> set[str]:
        found: set[str] = set()
        while code and code not in found:
            found.add(code)
            code = place_parent.get(code, "")
        return found

    orgs: dict[str, str] = {}
    territory: dict[str, list[str]] = {}
    for row in wb["organisations"]:
        code, parent, kind = row["code"], row["parent"], row["kind"]
        # Coverage containment (registry.core.containment): inside the parent's territory.
        territory[code] = split_list(row["covers"])
        above = set(territory.get(parent, ()))
        if above and kind != "functional":
            problems += [
                f"organisation {code} covers {covered}, outside {parent}'s territory"
                for covered in territory[code]
                if not lineage(covered) & above
            ]
        if code in orgs:
            problems.append(f"organisation {code} repeated")
        if kind not in ORG_KINDS:
            problems.append(f"organisation {code} has unknown kind {kind}")
        elif not parent and kind not in ORG_ROOTS:
            problems.append(f"organisation {code} ({kind}) has no parent")
        elif parent and parent not in orgs:
            problems.append(f"organisation {code}: parent {parent} missing or not before it")
        elif parent and orgs[parent] not in ORG_PARENTS[OrgKind(kind)]:
            problems.append(f"organisation {code} ({kind}) under {orgs[parent]}")
        for covered in split_list(row["covers"]):
            if places.get(covered) not in COVERS.get(kind, set()):
                problems.append(f"organisation {code} ({kind}) covers {covered}")
        if date.fromisoformat(row["established"]) > REFERENCE_DATE:
            problems.append(f"organisation {code} established in the future")
        orgs[code] = kind
    if sum(1 for row in wb["organisations"] if not row["parent"]) != 1:
        problems.append("organisations need exactly one root")

    members: dict[str, str] = {}
    for row in wb["members"]:
        code = row["code"]
        if code in members:
            problems.append(f"member {code} repeated")
        members[code] = row["status"]
        if row["gender"] not in GENDERS or row["status"] not in MEMBER_STATUSES:
            problems.append(f"member {code}: gender or status")
        if bool(row["organisation"]) == bool(row["workplace"]):
            problems.append(f"member {code} needs exactly one of organisation and workplace")
        if row["organisation"] and orgs.get(row["organisation"]) != "branch":
            problems.append(f"member {code} belongs to {row['organisation']}, not a branch")
        if row["workplace"] and orgs.get(row["reports_to"]) not in REPORTING_KINDS:
            problems.append(f"in-service member {code} reports to {row['reports_to']!r}")
        if row["organisation"] and row["reports_to"]:
            problems.append(f"member {code} has a formal organisation and reports elsewhere")
        if places.get(row["household"]) != "household":
            problems.append(f"member {code} lives in {row['household']!r}, not a household")
        if not PHONE.match(row["phone"]):
            problems.append(f"member {code} phone {row['phone']!r}")
        if not set(split_list(row["skills"])) <= set(SKILLS):
            problems.append(f"member {code} skills {row['skills']!r}")
        joined = date.fromisoformat(row["joined"])
        if row["status"] == "full" and joined > REFERENCE_DATE - timedelta(days=365):
            problems.append(f"member {code} is full after less than a year's probation")
        if row["status"] == "probationary" and not (
            REFERENCE_DATE - timedelta(days=3 * 365) < joined <= REFERENCE_DATE
        ):
            problems.append(f"probationary member {code} joined {joined}")

    current_secretaries: Counter[str] = Counter()
    for row in wb["offices"]:
        org, role = row["organisation"], row["role"]
        where = f"office {row['member']} {role} of {org}"
        if members.get(row["member"]) != "full":
            problems.append(f"{where}: holder missing or not a full member")
        if org not in orgs or role not in OFFICE_ROLES:
            problems.append(f"{where}: unknown organisation or role")
        elif (role == "group_leader") != (orgs[org] == "group"):
            problems.append(f"{where}: group leaders lead groups, and groups only have leaders")
        if row["end"] and row["end"] < row["start"]:
            problems.append(f"{where}: ends before it starts")
        if role == "secretary" and not row["end"]:
            current_secretaries[org] += 1
    problems += [
        f"{org} has {n} current secretaries" for org, n in current_secretaries.items() if n > 1
    ]
    return problems


def children(wb: Workbook, sheet: str, parent: str, kind: str) -> list[dict[str, str]]:
    return [row for row in wb[sheet] if row["parent"] == parent and row["kind"] == kind]


def households_under(wb: Workbook, code: str) -> list[str]:
    return [
        row["code"]
        for row in wb["places"]
        if row["kind"] == "household" and row["code"].startswith(code + "-")
    ]


def covering(wb: Workbook, place: str, kind: str) -> list[dict[str, str]]:
    return [
        row
        for row in wb["organisations"]
        if row["kind"] == kind and place in split_list(row["covers"])
    ]


def current_office(wb: Workbook, org: str, role: str) -> list[str]:
    return [
        r["member"]
        for r in wb["offices"]
        if r["organisation"] == org and r["role"] == role and not r["end"]
    ]


def full_members(wb: Workbook, org: str) -> int:
    return sum(1 for m in wb["members"] if m["organisation"] == org and m["status"] == "full")


@pytest.fixture(scope="module")
def cuntan() -> Workbook:
    return read_csv_workbook(WORKBOOK_DIR)


# -- the workbook format ------------------------------------------------------------------------


def test_workbook_kinds_match_the_registry():
    assert set(PLACE_KINDS) == {k.value for k in PlaceKind}
    assert set(ORG_KINDS) == {k.value for k in OrgKind}
    assert list(SHEETS)[:4] == ["places", "organisations", "members", "offices"]
    assert {"tasks", "suggestions"} <= set(SHEETS)


def test_distribute_splits_a_total_exactly_and_respects_the_minimum():
    parts = distribute(1_000, [1.0, 2.5, 0.1, 7.0], minimum=40)
    assert sum(parts) == 1_000
    assert min(parts) >= 40
    assert parts[3] == max(parts)


# -- the Cuntan scenario ------------------------------------------------------------------------


def test_cuntan_workbook_passes_the_integrity_checks(cuntan):
    assert integrity_problems(cuntan) == []


def test_the_integrity_checks_find_a_group_covering_outside_its_branch(cuntan):
    wb = {sheet: [dict(r) for r in rows] for sheet, rows in cuntan.items()}
    group = next(r for r in wb["organisations"] if r["kind"] == "group")
    branch = next(r for r in wb["organisations"] if r["code"] == group["parent"])
    estates = split_list(branch["covers"])
    elsewhere = next(
        r["code"] for r in wb["places"]
        if r["kind"] == "building" and r["parent"] not in estates
    )  # fmt: skip
    group["covers"] = elsewhere
    assert integrity_problems(wb) == [
        f"organisation {group['code']} covers {elsewhere}, outside {branch['code']}'s territory"
    ]


def test_cuntan_root_is_the_subdistrict_and_no_district_is_included(cuntan):
    roots = [row for row in cuntan["places"] if not row["parent"]]
    assert [(r["code"], r["kind"], r["name"]) for r in roots] == [("CT", "subdistrict", "寸滩街道")]
    assert not [row for row in cuntan["places"] if row["kind"] == "district"]
    committee = cuntan["organisations"][0]
    assert (committee["code"], committee["kind"], committee["name"]) == (
        "CT-DGW",
        "working_committee",
        "寸滩街道党工委",
    )
    assert committee["covers"] == "CT"


def test_cuntan_has_29_estates_and_every_one_is_covered_by_a_branch(cuntan):
    estates = [row["code"] for row in cuntan["places"] if row["kind"] == "estate"]
    assert len(estates) == 29
    assert [e for e in estates if not covering(cuntan, e, "branch")] == []


def test_cuntan_has_bonded_business_circle_community_and_invented_others(cuntan):
    communities = {r["code"]: r["name"] for r in children(cuntan, "places", "CT", "community")}
    assert communities["CT-BS"] == "保税商圈社区"
    assert 5 <= len(communities) <= 7
    committee = covering(cuntan, "CT-BS", "party_committee")
    assert [(c["code"], c["name"]) for c in committee] == [("CT-BS-DW", "保税商圈社区党委")]


def test_jamx_is_in_bonded_business_circle_and_has_1224_households(cuntan):
    jamx = next(row for row in cuntan["places"] if row["code"] == "CT-BS-JAMX")
    assert (jamx["name"], jamx["kind"], jamx["parent"]) == ("吉安园茅溪小区", "estate", "CT-BS")
    assert len(households_under(cuntan, "CT-BS-JAMX")) == 1_224


def test_other_estates_have_120_to_600_households(cuntan):
    estates = [
        r["code"] for r in cuntan["places"] if r["kind"] == "estate" and r["code"] != "CT-BS-JAMX"
    ]
    sizes = {code: len(households_under(cuntan, code)) for code in estates}
    assert all(120 <= n <= 600 for n in sizes.values()), sizes


def test_jamx_has_two_unmerged_branches_each_with_its_own_groups_and_members(cuntan):
    branches = covering(cuntan, "CT-BS-JAMX", "branch")
    assert [b["code"] for b in branches] == ["CT-BS-JAMX-ZB1", "CT-BS-JAMX-ZB2"]
    for branch in branches:
        assert branch["parent"] == "CT-BS-DW"
        assert children(cuntan, "organisations", branch["code"], "group")
        assert full_members(cuntan, branch["code"]) >= 7
        assert current_office(cuntan, branch["code"], "secretary")
    groups = [
        set(split_list(g["covers"]))
        for b in branches
        for g in children(cuntan, "organisations", b["code"], "group")
    ]
    assert all(not (a & b) for i, a in enumerate(groups) for b in groups[i + 1 :]), "groups overlap"


def test_126_in_service_members_live_in_jamx_and_report_to_the_community_committee(cuntan):
    homes = set(households_under(cuntan, "CT-BS-JAMX"))
    in_service = [m for m in cuntan["members"] if m["workplace"] and m["household"] in homes]
    assert len(in_service) == 126
    assert {m["reports_to"] for m in in_service} == {"CT-BS-DW"}
    assert {m["organisation"] for m in in_service} == {""}


def test_working_committee_secretary_is_zhang_zhongju_with_committee_members(cuntan):
    names = {m["code"]: m["name"] for m in cuntan["members"]}
    assert [names[c] for c in current_office(cuntan, "CT-DGW", "secretary")] == ["张中举"]
    assert current_office(cuntan, "CT-DGW", "secretary") == [cuntan_build.SECRETARY]
    assert cuntan_build.PREPARATORY_GROUP_LEADER in current_office(
        cuntan, "CT-DGW", "committee_member"
    )
    assert len(current_office(cuntan, "CT-DGW", "committee_member")) >= 3


def test_most_members_are_full_and_some_are_probationary(cuntan):
    statuses = Counter(m["status"] for m in cuntan["members"])
    assert 0.03 < statuses["probationary"] / statuses.total() < 0.15
    overdue = [
        m
        for m in cuntan["members"]
        if m["status"] == "probationary"
        and date.fromisoformat(m["joined"]) < REFERENCE_DATE - timedelta(days=2 * 365)
    ]
    assert len(overdue) == cuntan_build.OVERDUE_PROBATIONS


def test_cuntan_has_the_gaps_the_reports_should_find(cuntan):
    orgs = {o["code"]: o for o in cuntan["organisations"]}
    branches = [o for o in orgs.values() if o["kind"] == "branch" and o["covers"]]
    assert [b["code"] for b in branches if len(split_list(b["covers"])) == 2] == [
        "CT-SP-HTY-ZB",
        "CT-YF-TLXQ-ZB",
    ]
    small = sorted(b["code"] for b in branches if full_members(cuntan, b["code"]) < 3)
    assert small == ["CT-XP-CLY-ZB", "CT-YF-QFY-ZB"]
    no_groups = {
        b["code"] for b in branches if not children(cuntan, "organisations", b["code"], "group")
    }
    assert no_groups == cuntan_build.BRANCHES_WITHOUT_GROUPS
    no_secretary = [
        b["code"] for b in branches if not current_office(cuntan, b["code"], "secretary")
    ]
    assert no_secretary == ["CT-XP-BYXQ-ZB"]
    groups = [o["code"] for o in orgs.values() if o["kind"] == "group"]
    assert [g for g in groups if not current_office(cuntan, g, "group_leader")] == [
        "CT-GW-HWXC-ZB-G02"
    ]
    grouped = {c for g in groups for c in split_list(orgs[g]["covers"])}
    buildings = [p["code"] for p in cuntan["places"] if p["kind"] == "building"]
    assert 0 < len(set(buildings) - grouped) < len(buildings) / 2


def test_one_community_election_is_overdue_and_the_others_are_recent(cuntan):
    five_years_ago = REFERENCE_DATE.replace(year=REFERENCE_DATE.year - 5)
    committees = [
        o["code"]
        for o in cuntan["organisations"]
        if o["kind"] in ("party_committee", "general_branch")
    ]
    starts = {
        r["organisation"]: date.fromisoformat(r["start"])
        for r in cuntan["offices"]
        if r["organisation"] in committees and r["role"] == "secretary" and not r["end"]
    }
    assert set(starts) == set(committees)
    assert [c for c, start in starts.items() if start < five_years_ago] == ["CT-XP-DZZ"]


def test_cuntan_has_34_resolved_suggestions_and_the_election_task(cuntan):
    suggestions = cuntan["suggestions"]
    assert len(suggestions) == 34
    assert {s["status"] for s in suggestions} == {"resolved"}
    assert {s["category"] for s in suggestions} >= {
        "parking", "elevator", "property_service", "fire_safety", "environment",
        "owners_committee",
    }  # fmt: skip
    homes = set(households_under(cuntan, "CT-BS-JAMX"))
    buildings = {p["code"] for p in cuntan["places"] if p["code"].startswith("CT-BS-JAMX-B")}
    assert all(s["place"] in homes | buildings for s in suggestions)
    assert all(s["raised_on"] <= s["started_on"] <= s["resolved_on"] for s in suggestions)
    tasks = {t["code"]: t for t in cuntan["tasks"]}
    assert {s["task"] for s in suggestions} <= set(tasks)
    election = [t for t in tasks.values() if t["kind"] == "owners_committee_election_preparation"]
    assert [(t["places"], t["leader"]) for t in election] == [
        ("CT-BS-JAMX", cuntan_build.PREPARATORY_GROUP_LEADER)
    ]


def test_cuntan_build_is_deterministic_and_matches_the_committed_files(tmp_path):
    counts = cuntan_build.build(tmp_path)
    for sheet in SHEETS:
        committed = (WORKBOOK_DIR / f"{sheet}.csv").read_bytes()
        assert (tmp_path / f"{sheet}.csv").read_bytes() == committed, sheet
        assert counts[sheet] == committed.count(b"\n") - 1


# -- the synthetic generator --------------------------------------------------------------------


def _read_bytes(folder: Path) -> dict[str, bytes]:
    return {sheet: (folder / f"{sheet}.csv").read_bytes() for sheet in SHEETS}


def test_synthetic_generator_is_deterministic_per_seed(tmp_path):
    generate(tmp_path / "a", "tiny", seed=7)
    generate(tmp_path / "b", "tiny", seed=7)
    generate(tmp_path / "c", "tiny", seed=8)
    assert _read_bytes(tmp_path / "a") == _read_bytes(tmp_path / "b")
    assert _read_bytes(tmp_path / "a")["members"] != _read_bytes(tmp_path / "c")["members"]
    assert _read_bytes(tmp_path / "a")["places"] != _read_bytes(tmp_path / "c")["places"]


def test_synthetic_generator_rejects_an_unknown_scale(tmp_path):
    with pytest.raises(ValueError, match="unknown scale"):
        generate(tmp_path, "province")


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_tiny_scale_passes_the_integrity_checks(tmp_path, seed):
    counts = generate(tmp_path, "tiny", seed=seed)
    wb = read_csv_workbook(tmp_path)
    assert counts == {sheet: len(rows) for sheet, rows in wb.items()}
    assert integrity_problems(wb) == []
    kinds = Counter(row["kind"] for row in wb["places"])
    assert (kinds["district"], kinds["subdistrict"], kinds["community"]) == (0, 1, 2)
    assert 3 <= kinds["estate"] <= 5
    assert 150 <= kinds["household"] <= 250


@pytest.fixture(scope="module")
def subdistrict(tmp_path_factory) -> Workbook:
    folder = tmp_path_factory.mktemp("subdistrict")
    generate(folder, "subdistrict", seed=1)
    return read_csv_workbook(folder)


def test_subdistrict_scale_passes_the_integrity_checks(subdistrict):
    assert integrity_problems(subdistrict) == []


def test_subdistrict_scale_has_the_proportions_of_a_real_subdistrict(subdistrict):
    scale = SCALES["subdistrict"]
    kinds = Counter(row["kind"] for row in subdistrict["places"])
    assert (kinds["subdistrict"], kinds["community"], kinds["estate"]) == (1, 10, 100)
    assert abs(kinds["building"] - scale.buildings) <= 0.15 * scale.buildings
    assert abs(kinds["household"] - scale.households) <= 0.05 * scale.households
    assert 2 <= kinds["unit"] / kinds["building"] <= 6
    assert len(subdistrict["members"]) == scale.members
    in_service = sum(1 for m in subdistrict["members"] if m["workplace"])
    assert 0.1 < in_service / scale.members < 0.25
    estates = [r["code"] for r in subdistrict["places"] if r["kind"] == "estate"]
    sizes = sorted(len(households_under(subdistrict, e)) for e in estates)
    assert sizes[-1] > 3 * sizes[0], "estate sizes should vary"


def test_subdistrict_scale_has_realistic_gaps(subdistrict):
    orgs = subdistrict["organisations"]
    covered_estates = {c for o in orgs if o["kind"] == "branch" for c in split_list(o["covers"])}
    estates = {r["code"] for r in subdistrict["places"] if r["kind"] == "estate"}
    assert 0 < len(estates - covered_estates) < 0.1 * len(estates)
    grouped = {c for o in orgs if o["kind"] == "group" for c in split_list(o["covers"])}
    buildings = {r["code"] for r in subdistrict["places"] if r["kind"] == "building"}
    assert 0.1 * len(buildings) < len(buildings - grouped) < 0.5 * len(buildings)
    branches = [o["code"] for o in orgs if o["kind"] == "branch"]
    without_secretary = [b for b in branches if not current_office(subdistrict, b, "secretary")]
    assert 0 < len(without_secretary) < 0.15 * len(branches)


def test_district_scale_targets_the_documented_size():
    district = SCALES["district"]
    assert district.district
    assert (district.subdistricts, district.communities, district.estates) == (12, 120, 1_200)
    assert (district.buildings, district.households, district.members) == (6_000, 360_000, 50_000)


def test_city_scale_targets_the_size_of_a_city():
    city = SCALES["city"]
    assert city.district
    assert (city.subdistricts, city.communities, city.estates) == (250, 2_500, 25_000)
    assert (city.households, city.members) == (7_500_000, 1_000_000)


def _generated_with_peak(folder: Path, subdistricts: int) -> tuple[dict[str, int], int]:
    """Rows written and the peak of memory allocated while generating a district of this many
    sub-districts of the same size (tracemalloc)."""
    n = subdistricts
    scale = Scale(True, n, 3 * n, 12 * n, 60 * n, 3_000 * n, 400 * n)
    tracemalloc.start()
    try:
        counts = generate(folder, scale, seed=1)
        return counts, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_the_generator_writes_as_it_goes_and_holds_one_subdistrict_at_a_time(tmp_path):
    """Given districts of 2 and of 8 sub-districts of the same size, the larger writes four
    times the rows in about the same memory: rows go to the files sub-district by
    sub-district (a city of 250 takes the memory of one), with the same checks passing."""
    generate(tmp_path / "warm", "tiny", seed=1)  # modules and Faker's data, loaded once
    small_rows, small_peak = _generated_with_peak(tmp_path / "2", 2)
    large_rows, large_peak = _generated_with_peak(tmp_path / "8", 8)

    assert large_rows["places"] > 3.5 * small_rows["places"]
    assert large_rows["members"] == 4 * small_rows["members"]
    assert large_peak < 1.25 * small_peak, (small_peak, large_peak)
    workbook = read_csv_workbook(tmp_path / "8")
    assert integrity_problems(workbook) == []
    assert {sheet: len(rows) for sheet, rows in workbook.items()} == large_rows


def test_synthetic_generator_can_show_a_progress_bar(tmp_path):
    quiet = generate(tmp_path / "quiet", "tiny", seed=4)
    shown = generate(tmp_path / "shown", "tiny", seed=4, progress=True)
    assert quiet == shown
    assert _read_bytes(tmp_path / "quiet") == _read_bytes(tmp_path / "shown")
