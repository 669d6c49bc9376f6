"""Build the Cuntan scenario workbook (DESIGN section 4) into `seeds/cuntan/`.

Run `python -m seeds.cuntan_build [OUT_DIR]`. Deterministic: a fixed Faker seed and one
`random.Random`, so re-running gives byte-identical CSV files.

From the article: 寸滩街道 with 29 estates, its working committee and secretary 张中举,
保税商圈社区 and its party committee, 吉安园茅溪小区 with 1,224 households, two branches (not yet
merged here) and 126 in-service members living there. Everything else is illustrative (README.md).
The rule breaches below are deliberate, so that the rule and coverage reports have something to say.
"""

from __future__ import annotations

import random
import sys
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from faker import Faker

from seeds.cuntan import WORKBOOK_DIR
from seeds.workbook import REFERENCE_DATE, SKILLS, write_csv_workbook

SEED = 2022

ROOT = "CT"
WORKING_COMMITTEE = "CT-DGW"
WORKING_COMMITTEE_BRANCH = "CT-DGW-JGZB"
SECRETARY = "M000001"
SECRETARY_NAME = "张中举"
PREPARATORY_GROUP_LEADER = "M000003"
JAMX = "CT-BS-JAMX"
JAMX_BRANCHES = ("CT-BS-JAMX-ZB1", "CT-BS-JAMX-ZB2")
BS_COMMITTEE = "CT-BS-DW"
IN_SERVICE_AT_JAMX = 126

# Deliberate gaps and breaches, for the reports.
SHARED_BRANCHES = {
    "CT-SP-HTY": "CT-SP-LHY",
    "CT-YF-TLXQ": "CT-YF-NSY",
}  # first estate's branch covers both
SMALL_BRANCHES = {"CT-YF-QFY-ZB": (2, 1), "CT-XP-CLY-ZB": (2, 0)}  # (full, probationary) members
BRANCHES_WITHOUT_GROUPS = {"CT-SP-HTY-ZB", "CT-YF-QFY-ZB", "CT-XP-CLY-ZB"}
BRANCH_WITHOUT_SECRETARY = "CT-XP-BYXQ-ZB"
BRANCH_OVERDUE_ELECTION = "CT-LJ-LDK-ZB"
GROUP_WITHOUT_LEADER = "CT-GW-HWXC-ZB-G02"
COMMUNITY_OVERDUE_ELECTION = "CT-XP"
OVERDUE_PROBATIONS = 3

# (code suffix, name, grids, [(estate suffix, estate name, style)]); style picks a building layout.
COMMUNITIES: list[tuple[str, str, int, list[tuple[str, str, str]]]] = [
    (
        "BS",
        "保税商圈社区",
        0,
        [
            ("JAMX", "吉安园茅溪小区", "jamx"),
            ("GCJY", "港城嘉苑", "high"),
            ("XAMD", "溪岸名都", "high"),
            ("JYHF", "江韵华府", "mid"),
            ("HXY", "和馨苑", "old"),
            ("QLYJ", "晴岚雅居", "mid"),
        ],
    ),
    (
        "GW",
        "港湾社区",
        0,
        [
            ("HWXC", "海湾新城", "high"),
            ("LYY", "揽月苑", "mid"),
            ("BHJY", "滨河家园", "old"),
            ("JHGG", "锦华公馆", "high"),
            ("FXY", "枫香园", "old"),
        ],
    ),
    (
        "LJ",
        "临江社区",
        2,
        [
            ("LJHY", "临江花园", "mid"),
            ("WJY", "望江苑", "high"),
            ("CYJY", "朝阳佳园", "old"),
            ("SASY", "水岸星苑", "high"),
            ("LDK", "老渡口小区", "old"),
        ],
    ),
    (
        "SP",
        "石盘社区",
        0,
        [
            ("SPXC", "石盘新村", "old"),
            ("HTY", "荷塘苑", "small"),
            ("LHY", "莲湖苑", "small"),
            ("GSJY", "桂山佳苑", "mid"),
            ("YSHT", "云上花庭", "high"),
        ],
    ),
    (
        "XP",
        "溪畔社区",
        0,
        [
            ("XPHY", "溪畔花园", "mid"),
            ("MXY", "茗溪苑", "old"),
            ("CLY", "翠柳园", "small"),
            ("BYXQ", "柏园小区", "old"),
        ],
    ),
    (
        "YF",
        "云峰社区",
        0,
        [
            ("YFJY", "云峰嘉园", "high"),
            ("QFY", "青枫苑", "small"),
            ("TLXQ", "铁路小区", "small"),
            ("NSY", "南山雅苑", "small"),
        ],
    ),
]

# The 2021 estate tasks in JAMX: (code, kind, name, organisation, headcount, skills, start, end,
# leader). The election preparatory group is led by working-committee member M000003.
TASKS = [
    (f"{JAMX}-RH", "door_to_door_visits", "吉安园茅溪小区进家入户走访", BS_COMMITTEE, 24,
     "mediation:2", "2021-06-01", "2021-06-30", ""),
    (f"{JAMX}-YWH", "owners_committee_election_preparation", "吉安园茅溪小区业委会选举筹备",
     WORKING_COMMITTEE, 12, "law:2;publicity:2", "2021-07-01", "2021-12-31",
     PREPARATORY_GROUP_LEADER),
    (f"{JAMX}-WY", "property_company_selection", "吉安园茅溪小区物业服务企业选聘", BS_COMMITTEE, 6,
     "property_management:1;law:1", "2021-09-01", "2021-09-30", ""),
    (f"{JAMX}-WX", "repair_follow_up", "吉安园茅溪小区停车、电梯与消防管网整治跟进", BS_COMMITTEE,
     8, "construction:1;elevator:1;fire_safety:1", "2021-07-01", "2021-12-31", ""),
]  # fmt: skip
SUGGESTION_COUNT = 34
SUGGESTION_CATEGORIES = [
    ("parking", 9), ("elevator", 6), ("property_service", 8), ("fire_safety", 3),
    ("environment", 4), ("owners_committee", 4),
]  # fmt: skip
SUGGESTION_TASKS = {
    "parking": f"{JAMX}-WX", "elevator": f"{JAMX}-WX", "fire_safety": f"{JAMX}-WX",
    "environment": f"{JAMX}-WX", "property_service": f"{JAMX}-WY",
    "owners_committee": f"{JAMX}-YWH",
}  # fmt: skip
SUGGESTION_TEXTS = {
    "parking": ["下班回来没有地方停车,希望规划停车位", "车辆乱停堵塞消防通道",
                "外来车辆随意进出占用车位"],
    "elevator": ["电梯经常故障停运,老人上下楼困难", "电梯维保不到位,希望尽快维修",
                 "电梯运行有异响"],
    "property_service": ["物业只收费不办事,希望更换物业公司", "保安巡逻不到位", "物业费公示不透明"],
    "fire_safety": ["消防管网没有水压,存在隐患", "楼道堆放杂物影响消防安全"],
    "environment": ["绿化带无人打理", "垃圾清运不及时,气味大", "楼道卫生差"],
    "owners_committee": ["原业委会履职不规范,希望重新选举", "希望公开业委会选举流程"],
}  # fmt: skip
assert sum(n for _, n in SUGGESTION_CATEGORIES) == SUGGESTION_COUNT

# JAMX: 12 buildings of (units, floors, households per floor): 4*102 + 4*132 + 4*72 = 1,224.
JAMX_LAYOUT = [(3, 17, 2)] * 4 + [(2, 33, 2)] * 4 + [(4, 9, 2)] * 4

STYLES = {  # units range, floors range, households per floor choices, household target range
    "old": ((2, 4), (6, 7), (2,), (240, 560)),
    "mid": ((2, 3), (11, 18), (2, 3, 4), (200, 520)),
    "high": ((1, 2), (25, 33), (2, 4), (300, 560)),
    "small": ((2, 3), (6, 7), (2,), (120, 180)),
}

SKILL_WEIGHTS_RESIDENT = (3, 3, 3, 2, 3, 3, 4, 2, 7, 6, 8, 5)
SKILL_WEIGHTS_IN_SERVICE = (6, 6, 4, 2, 3, 3, 4, 8, 2, 3, 1, 6)


@dataclass
class Building:
    code: str
    number: int
    households: list[str] = field(default_factory=list)


@dataclass
class Estate:
    code: str
    name: str
    community: str
    buildings: list[Building] = field(default_factory=list)

    def households(self) -> list[str]:
        return [h for b in self.buildings for h in b.households]


@dataclass
class Member:
    code: str
    status: str
    household: str


def _day(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randint(0, (end - start).days))


class CuntanBuilder:
    """Accumulates the four sheets; one method per part of the scenario."""

    def __init__(self, seed: int = SEED) -> None:
        self.rng = random.Random(seed)
        self.fake = Faker("zh_CN")
        self.fake.seed_instance(seed)
        self.places: list[list[str]] = []
        self.orgs: list[list[str]] = []
        self.members: list[list[str]] = []
        self.offices: list[list[str]] = []
        self.estates: dict[str, Estate] = {}
        self.member_by_code: dict[str, Member] = {}
        self.org_members: dict[str, list[Member]] = {}
        self.phones: set[str] = set()
        self.names: set[str] = {SECRETARY_NAME}
        self.tasks: list[list[str]] = []
        self.suggestions: list[list[str]] = []

    # -- territory -------------------------------------------------------------------------

    def build_places(self) -> None:
        self.places.append([ROOT, "", "subdistrict", "寸滩街道"])
        for suffix, name, grids, estates in COMMUNITIES:
            community = f"{ROOT}-{suffix}"
            self.places.append([community, ROOT, "community", name])
            grid_codes = [f"{community}-WG{i}" for i in range(1, grids + 1)]
            for i, grid in enumerate(grid_codes, start=1):
                self.places.append([grid, community, "grid", f"{name}第{'一二三四'[i - 1]}网格"])
            for index, (estate_suffix, estate_name, style) in enumerate(estates):
                parent = grid_codes[index * grids // len(estates)] if grids else community
                estate = Estate(f"{community}-{estate_suffix}", estate_name, community)
                self.places.append([estate.code, parent, "estate", estate_name])
                self.estates[estate.code] = estate
                layout = JAMX_LAYOUT if style == "jamx" else self._layout(style)
                for number, (units, floors, per_floor) in enumerate(layout, start=1):
                    self._building(estate, number, units, floors, per_floor)

    def _layout(self, style: str) -> list[tuple[int, int, int]]:
        units_range, floors_range, per_floor_choices, target_range = STYLES[style]
        remaining = self.rng.randint(*target_range)
        layout = []
        while remaining > 0:
            units = self.rng.randint(*units_range)
            per_floor = self.rng.choice(per_floor_choices)
            floors = self.rng.randint(*floors_range)
            floors = max(2, min(floors, -(-remaining // (units * per_floor))))
            layout.append((units, floors, per_floor))
            remaining -= units * floors * per_floor
        return layout

    def _building(
        self, estate: Estate, number: int, units: int, floors: int, per_floor: int
    ) -> None:
        building = Building(f"{estate.code}-B{number:02d}", number)
        estate.buildings.append(building)
        self.places.append([building.code, estate.code, "building", f"{number}栋"])
        for unit in range(1, units + 1):
            unit_code = f"{building.code}-U{unit}"
            self.places.append([unit_code, building.code, "unit", f"{unit}单元"])
            for floor in range(1, floors + 1):
                for door in range(1, per_floor + 1):
                    door_name = f"{floor}{door:02d}"
                    household = f"{unit_code}-{door_name}"
                    building.households.append(household)
                    self.places.append([household, unit_code, "household", door_name])

    # -- people ----------------------------------------------------------------------------

    def _name(self, gender: str) -> str:
        while True:
            # name_male()/name_female() ignore gender in zh_CN; the first-name lists do not.
            first = self.fake.first_name_male if gender == "male" else self.fake.first_name_female
            name = self.fake.last_name() + first()
            if name not in self.names:
                self.names.add(name)
                return name

    def _phone(self) -> str:
        while True:
            phone = self.fake.phone_number()
            if phone not in self.phones:
                self.phones.add(phone)
                return phone

    def _skills(self, weights: tuple[int, ...]) -> str:
        count = self.rng.choices((0, 1, 2, 3), weights=(30, 40, 22, 8))[0]
        chosen: list[str] = []
        while len(chosen) < count:
            skill = self.rng.choices(SKILLS, weights=weights)[0]
            if skill not in chosen:
                chosen.append(skill)
        return ";".join(sorted(chosen, key=SKILLS.index))

    def _joined(self, status: str) -> date:
        if status == "probationary":  # admitted within the last year, or extended to two
            early = self.rng.random() < 0.25
            start = REFERENCE_DATE - timedelta(days=700 if early else 360)
            return _day(self.rng, start, REFERENCE_DATE - timedelta(days=20))
        # Residential branches are mostly older members; triangular towards the 1990s.
        span = (date(2025, 6, 30) - date(1962, 1, 1)).days
        return date(1962, 1, 1) + timedelta(days=int(self.rng.triangular(0, span, span * 0.55)))

    def add_member(
        self,
        household: str,
        *,
        organisation: str = "",
        workplace: str = "",
        reports_to: str = "",
        status: str | None = None,
        name: str | None = None,
        gender: str | None = None,
        joined: date | None = None,
    ) -> Member:
        code = f"M{len(self.members) + 1:06d}"
        gender = gender or (
            "female" if self.rng.random() < (0.45 if workplace else 0.35) else "male"
        )
        status = status or ("probationary" if self.rng.random() < 0.07 else "full")
        weights = SKILL_WEIGHTS_IN_SERVICE if workplace else SKILL_WEIGHTS_RESIDENT
        self.members.append(
            [
                code,
                name or self._name(gender),
                gender,
                status,
                (joined or self._joined(status)).isoformat(),
                organisation,
                workplace,
                household,
                reports_to,
                self._phone(),
                self._skills(weights),
                "",  # task_capacity: the deployment default
                "",  # group: set once the branch's groups exist (`_place_in_groups`)
            ]
        )
        member = Member(code, status, household)
        self.member_by_code[code] = member
        if organisation:
            self.org_members.setdefault(organisation, []).append(member)
        return member

    def _households_outside_jamx(self, community: str | None = None) -> list[str]:
        return [
            h
            for e in self.estates.values()
            if e.code != JAMX and (community is None or e.community == community)
            for h in e.households()
        ]

    # -- organisations ---------------------------------------------------------------------

    def _org(
        self, code: str, parent: str, kind: str, name: str, covers: list[str], est: date
    ) -> None:
        self.orgs.append([code, parent, kind, name, ";".join(covers), est.isoformat()])

    def _office(
        self, member: Member, org: str, role: str, start: date, end: date | None = None
    ) -> None:
        assert member.status == "full", "probationary members cannot be elected"
        self.offices.append(
            [member.code, org, role, start.isoformat(), end.isoformat() if end else ""]
        )

    def _full(self, org: str) -> list[Member]:
        return [m for m in self.org_members.get(org, []) if m.status == "full"]

    def build_working_committee(self) -> None:
        self._org(
            WORKING_COMMITTEE, "", "working_committee", "寸滩街道党工委", [ROOT], date(2001, 8, 16)
        )
        self._org(
            WORKING_COMMITTEE_BRANCH,
            WORKING_COMMITTEE,
            "branch",
            "寸滩街道机关党支部",
            [],
            date(2001, 9, 20),
        )
        homes = self._households_outside_jamx()
        secretary = self.add_member(
            self.rng.choice(homes),
            organisation=WORKING_COMMITTEE_BRANCH,
            status="full",
            name=SECRETARY_NAME,
            gender="male",
            joined=date(1996, 6, 28),
        )
        leaders = [
            self.add_member(
                self.rng.choice(homes), organisation=WORKING_COMMITTEE_BRANCH, status="full"
            )
            for _ in range(6)
        ]
        for _ in range(self.rng.randint(10, 14)):
            self.add_member(self.rng.choice(homes), organisation=WORKING_COMMITTEE_BRANCH)
        self._office(secretary, WORKING_COMMITTEE, "secretary", date(2020, 9, 18))
        self._office(leaders[0], WORKING_COMMITTEE, "deputy_secretary", date(2021, 4, 12))
        for member in leaders[1:]:
            self._office(
                member,
                WORKING_COMMITTEE,
                "committee_member",
                _day(self.rng, date(2019, 1, 1), date(2024, 6, 30)),
            )
        staff = [
            m
            for m in self._full(WORKING_COMMITTEE_BRANCH)
            if m not in leaders and m is not secretary
        ]
        self._branch_offices(WORKING_COMMITTEE_BRANCH, staff, date(2024, 3, 15))

    def build_community(self, suffix: str, name: str, estates: list[tuple[str, str, str]]) -> None:
        community = f"{ROOT}-{suffix}"
        plans = self._plan_branches(community, [f"{community}-{e[0]}" for e in estates])
        own_size = self.rng.randint(7, 10)
        formal = own_size + sum(size for _, _, _, size in plans)
        kind, short = ("party_committee", "DW") if formal > 100 else ("general_branch", "DZZ")
        committee = f"{community}-{short}"
        label = "党委" if kind == "party_committee" else "党总支"
        established = _day(self.rng, date(2008, 1, 1), date(2015, 12, 31))
        self._org(committee, WORKING_COMMITTEE, kind, f"{name}{label}", [community], established)
        own = f"{community}-JGZB"
        self._org(own, committee, "branch", f"{name}机关党支部", [], established)
        homes = self._households_outside_jamx(community)
        for _ in range(own_size):
            self.add_member(self.rng.choice(homes), organisation=own, status="full")
        self._community_offices(
            committee, self._full(own), overdue=community == COMMUNITY_OVERDUE_ELECTION
        )
        self._branch_offices(
            own, self._full(own), _day(self.rng, date(2024, 1, 1), date(2026, 6, 30))
        )
        for code, branch_name, covered, size in plans:
            self._estate_branch(committee, code, branch_name, covered, size)

    def _plan_branches(
        self, community: str, estate_codes: list[str]
    ) -> list[tuple[str, str, list[str], int]]:
        """(branch code, name, covered estates, member count) for each estate branch."""
        shared = set(SHARED_BRANCHES.values())
        plans = []
        for code in estate_codes:
            estate = self.estates[code]
            households = len(estate.households())
            if code == JAMX:
                plans.append((JAMX_BRANCHES[0], f"{estate.name}第一党支部", [code], 24))
                plans.append((JAMX_BRANCHES[1], f"{estate.name}第二党支部", [code], 19))
                continue
            if code in shared:
                continue
            covered = [code] + ([SHARED_BRANCHES[code]] if code in SHARED_BRANCHES else [])
            branch = f"{code}-ZB"
            if len(covered) > 1:
                other = self.estates[covered[1]].name
                name = f"{estate.name}{other}联合党支部"
                households += len(self.estates[covered[1]].households())
            else:
                name = f"{estate.name}党支部"
            if branch in SMALL_BRANCHES:
                size = sum(SMALL_BRANCHES[branch])
            else:
                low = 16 if community == f"{ROOT}-BS" else 8
                size = max(low, min(25, round(households * self.rng.uniform(0.03, 0.05))))
            plans.append((branch, name, covered, size))
        return plans

    def _estate_branch(
        self, committee: str, code: str, name: str, covered: list[str], size: int
    ) -> None:
        estates = [self.estates[c] for c in covered]
        if code == JAMX_BRANCHES[0]:
            established, buildings = date(2018, 6, 28), estates[0].buildings[:6]
        elif code == JAMX_BRANCHES[1]:
            established, buildings = date(2019, 7, 1), estates[0].buildings[6:]
        else:
            established = _day(self.rng, date(2017, 3, 1), date(2021, 6, 30))
            buildings = [b for e in estates for b in e.buildings]
        self._org(code, committee, "branch", name, covered, established)
        homes = [h for b in buildings for h in b.households]
        elsewhere = self._households_outside_jamx()
        full_probationary = SMALL_BRANCHES.get(code)
        for i in range(size):
            status = None
            if full_probationary:
                status = "full" if i < full_probationary[0] else "probationary"
            home = (
                self.rng.choice(elsewhere) if self.rng.random() < 0.06 else self.rng.choice(homes)
            )
            self.add_member(home, organisation=code, status=status)
        self._estate_branch_offices(code)
        if code not in BRANCHES_WITHOUT_GROUPS:
            self._groups(code, estates[0].name, buildings, established)

    def _groups(
        self, branch: str, estate_name: str, buildings: list[Building], established: date
    ) -> None:
        members = self._full(branch)
        by_building = {}
        for member in members:
            by_building.setdefault(member.household.split("-U")[0], []).append(member)
        gaps = {b.code for b in buildings if len(buildings) > 2 and self.rng.random() < 0.2}
        if len(buildings) >= 6:  # at least one uncovered building in every large estate
            gaps.add(buildings[-1].code)
        covered = [b for b in buildings if b.code not in gaps]
        index = 0
        made: list[tuple[str, set[str], Member | None]] = []
        while covered:
            take = 2 if len(covered) > 1 and self.rng.random() < 0.2 else 1
            chunk, covered = covered[:take], covered[take:]
            index += 1
            code = f"{branch}-G{index:02d}"
            label = "-".join(str(b.number) for b in chunk)
            start = _day(self.rng, max(established, date(2019, 1, 1)), date(2022, 12, 31))
            self._org(
                code,
                branch,
                "group",
                f"{estate_name}{label}栋党小组",
                [b.code for b in chunk],
                start,
            )
            if code == GROUP_WITHOUT_LEADER:
                made.append((code, {b.code for b in chunk}, None))
                continue
            local = [m for b in chunk for m in by_building.get(b.code, [])]
            leader = self.rng.choice(local or members)
            self._office(leader, code, "group_leader", _day(self.rng, start, date(2026, 6, 30)))
            made.append((code, {b.code for b in chunk}, leader))
        self._place_in_groups(branch, made)

    def _place_in_groups(
        self, branch: str, groups: list[tuple[str, set[str], Member | None]]
    ) -> None:
        """Every member of the branch in one of its groups (党章 第八条): the group of the
        building they live in, else the groups in turn; each leader in the group they lead.
        A member drawn to lead two groups leads the first; the other's leader is then one of
        its own full members, or one moved from the largest group (a member belongs to one
        group)."""
        if not groups:
            return
        placed: dict[str, str] = {}
        for n, member in enumerate(self.org_members.get(branch, [])):
            building = member.household.split("-U")[0]
            here = [code for code, covers, _ in groups if building in covers]
            placed[member.code] = here[0] if here else groups[n % len(groups)][0]
        leading: set[str] = set()
        for code, _, leader in groups:
            if leader is None:
                continue
            if leader.code in leading:
                # One of its own full members, else one from the largest group.
                sizes = Counter(placed.values())
                free = [m for m in self._full(branch) if m.code not in leading]
                free.sort(key=lambda m: (placed[m.code] != code, -sizes[placed[m.code]]))
                if not free:
                    continue
                self._replace_leader(code, leader, free[0])
                leader = free[0]
            leading.add(leader.code)
            placed[leader.code] = code
        for member in self.org_members.get(branch, []):
            self._set_group(member, placed[member.code])

    def _replace_leader(self, group: str, old: Member, new: Member) -> None:
        for row in self.offices:
            if row[:3] == [old.code, group, "group_leader"]:
                row[0] = new.code

    def _set_group(self, member: Member, group: str) -> None:
        self.members[int(member.code[1:]) - 1][-1] = group

    # -- offices ---------------------------------------------------------------------------

    def _community_offices(self, committee: str, members: list[Member], overdue: bool) -> None:
        rng = self.rng
        size = 5 if committee.endswith("-DW") else 3
        team = rng.sample(members, min(size, len(members)))
        if overdue:
            start, previous = date(2021, 3, 20), None
        else:
            start = _day(rng, date(2026, 9, 1), date(2026, 10, 31))
            previous = _day(rng, date(2021, 9, 1), date(2021, 10, 31))
        roles = ["secretary", "deputy_secretary"] + ["committee_member"] * (len(team) - 2)
        for member, role in zip(team, roles, strict=True):
            if (
                previous is not None and rng.random() < 0.6
            ):  # re-elected: the previous term is history
                self._office(member, committee, role, previous, start - timedelta(days=1))
            self._office(member, committee, role, start)
        # A general branch's committee has 5 to 7 members: two more, taken in order (no draw,
        # so the rest of the scenario stays as it was).
        extra = [m for m in members if m.status == "full" and m not in team][: 5 - len(team)]
        for member, role in zip(extra, ("organisation_member", "publicity_member"), strict=False):
            self._office(member, committee, role, start)

    def _estate_branch_offices(self, branch: str) -> None:
        rng = self.rng
        full = self._full(branch)
        if not full:
            return
        if branch == BRANCH_WITHOUT_SECRETARY:  # the secretary moved away; no election yet
            self._office(
                rng.choice(full), branch, "secretary", date(2022, 5, 10), date(2025, 12, 31)
            )
            return
        if branch == BRANCH_OVERDUE_ELECTION:  # an estate branch: 5-year terms, over in 2025
            start = date(2020, 5, 20)
        else:
            start = _day(rng, date(2024, 1, 1), date(2026, 6, 30))
        self._branch_offices(branch, full, start)

    def _branch_offices(self, branch: str, full: list[Member], start: date) -> None:
        """A secretary; with 7 or more full members, a committee of 3 to 5."""
        rng = self.rng
        if len(full) < 7:
            self._office(rng.choice(full), branch, "secretary", start)
            return
        team = rng.sample(full, rng.choice((3, 5)))
        self._office(team[0], branch, "secretary", start)
        self._office(team[1], branch, "deputy_secretary", start)
        for member in team[2:]:
            self._office(member, branch, "committee_member", start)

    # -- in-service members ----------------------------------------------------------------

    def build_in_service(self) -> None:
        rng = self.rng
        workplaces = sorted({self.fake.company() for _ in range(120)})
        jamx = self.estates[JAMX].households()
        for _ in range(IN_SERVICE_AT_JAMX):
            self.add_member(
                rng.choice(jamx), workplace=rng.choice(workplaces), reports_to=BS_COMMITTEE
            )
        # A few more elsewhere, reporting to the branch of their estate or to their community.
        branch_of = {}
        for code, _, kind, _, covers, _ in self.orgs:
            if kind == "branch" and covers and code not in JAMX_BRANCHES:
                for estate in covers.split(";"):
                    branch_of[estate] = code
        committees = {
            row[4]: row[0] for row in self.orgs if row[2] in ("party_committee", "general_branch")
        }
        others = [e for e in self.estates.values() if e.code != JAMX]
        for _ in range(24):
            estate = rng.choice(others)
            target = branch_of[estate.code] if rng.random() < 0.6 else committees[estate.community]
            self.add_member(
                rng.choice(estate.households()), workplace=rng.choice(workplaces), reports_to=target
            )

    def overdue_probations(self) -> None:
        """A few probationary members admitted more than two years ago: not yet decided."""
        probationary = [row for row in self.members if row[3] == "probationary" and row[5]]
        for row in self.rng.sample(probationary, OVERDUE_PROBATIONS):
            row[4] = _day(self.rng, date(2023, 9, 1), date(2024, 9, 30)).isoformat()

    # -- tasks and suggestions (the article's 2021 work in JAMX) ---------------------------

    def build_tasks(self) -> None:
        """The estate tasks of 2021: door-to-door visits, the owners'-committee election
        prepared by the group led by working-committee member M000003, property-company
        selection within one month, and the repairs (parking, elevators, fire main)."""
        self.tasks = [
            [code, kind, name, org, JAMX, str(headcount), skills, start, end, "done", leader]
            for code, kind, name, org, headcount, skills, start, end, leader in TASKS
        ]

    def build_suggestions(self) -> None:
        """The 34 suggestions collected door to door, every one resolved (own rng, so the
        other sheets do not change when these do)."""
        rng = random.Random(SEED + SUGGESTION_COUNT)
        homes = set(self.estates[JAMX].households())
        hearers = [row[0] for row in self.members if row[7] in homes]
        buildings = self.estates[JAMX].buildings
        categories = [c for c, n in SUGGESTION_CATEGORIES for _ in range(n)]
        self.suggestions = []
        for number, category in enumerate(categories, start=1):
            building = rng.choice(buildings)
            place = building.code if rng.random() < 0.3 else rng.choice(building.households)
            raised = _day(rng, date(2021, 6, 1), date(2021, 6, 30))
            started = raised + timedelta(days=rng.randint(1, 6))
            resolved = min(started + timedelta(days=rng.randint(3, 60)), date(2021, 12, 28))
            text = rng.choice(SUGGESTION_TEXTS[category])
            task = SUGGESTION_TASKS[category]
            self.suggestions.append(
                [f"{JAMX}-S{number:02d}", place, category, text, rng.choice(hearers),
                 raised.isoformat(), "resolved", started.isoformat(), resolved.isoformat(), task]
            )  # fmt: skip

    def build(self) -> dict[str, list[list[str]]]:
        self.build_places()
        self.build_working_committee()
        for suffix, name, _, estates in COMMUNITIES:
            self.build_community(suffix, name, estates)
        self.build_in_service()
        self.overdue_probations()
        self.build_tasks()
        self.build_suggestions()
        return {
            "places": self.places,
            "organisations": self.orgs,
            "members": self.members,
            "offices": self.offices,
            "tasks": self.tasks,
            "suggestions": self.suggestions,
        }


def build(out_dir: Path = WORKBOOK_DIR, seed: int = SEED) -> dict[str, int]:
    """Write the Cuntan workbook into `out_dir`; return the row count of each sheet."""
    return write_csv_workbook(out_dir, CuntanBuilder(seed).build())


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    out_dir = Path(args[0]) if args else WORKBOOK_DIR
    counts = build(out_dir)
    print(f"wrote {out_dir}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
