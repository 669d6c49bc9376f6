"""Deterministic synthetic workbooks for load tests and demos.

    from seeds.synthetic import generate
    counts = generate(Path("var/district"), scale="district", seed=1, progress=True)

`generate` writes a CSV workbook (see `seeds.workbook`) and returns the row count of each sheet.
Scales (approximate targets, see `SCALES`):

- `city`: a city's root (kind district: the model's top) over ~250 subdistricts, ~2,500
  communities, ~25,000 estates, ~125,000 buildings, ~7,500,000 households, ~1,000,000 members.
- `district`: a district root (kind district, with a district committee), ~12 subdistricts,
  ~120 communities, ~1,200 estates, ~6,000 buildings, ~360,000 households, ~50,000 members.
- `subdistrict`: one subdistrict root, ~10 communities, ~100 estates, ~30,000 households.
- `tiny`: one subdistrict, 2 communities, ~4 estates, ~200 households (for tests).

The same (scale, seed) gives byte-identical files. One `random.Random(seed)` drives every
choice; Faker (zh_CN, seeded) only fills pools of names and workplaces up front, so the district
scale writes in a few seconds. Rows are written as they are made, sub-district by sub-district
(`seeds.workbook.CsvWorkbook`): the generator holds one sub-district at a time, never the whole
workbook, so a city takes about the memory of a district. Realistic gaps are built in: estates
without a branch, branches without groups or secretary, buildings without a group, small
branches, overdue elections and probations. Place codes nest (`D1-S03-C07-E12-B03-U2-1502`);
members are `<root>-M000123`.
"""

from __future__ import annotations

import csv
import math
import random
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from faker import Faker

from seeds.workbook import REFERENCE_DATE, SKILLS, CsvWorkbook


@dataclass(frozen=True)
class Scale:
    district: bool
    subdistricts: int
    communities: int
    estates: int
    buildings: int
    households: int
    members: int


SCALES: dict[str, Scale] = {
    "city": Scale(True, 250, 2_500, 25_000, 125_000, 7_500_000, 1_000_000),
    "district": Scale(True, 12, 120, 1_200, 6_000, 360_000, 50_000),
    "subdistrict": Scale(False, 1, 10, 100, 500, 30_000, 4_200),
    "tiny": Scale(False, 1, 2, 4, 8, 200, 40),
}

# Shares and probabilities of the built-in gaps and breaches.
IN_SERVICE_SHARE = 0.15
PROBATIONARY_SHARE = 0.07
OVERDUE_PROBATION_SHARE = 0.05  # of probationary members
ESTATE_WITHOUT_BRANCH = 0.03
SHARED_BRANCH = 0.5  # chance that two neighbouring small estates share one branch
SMALL_ESTATE_HOUSEHOLDS = 150
MIN_ESTATE_HOUSEHOLDS = 40
MIN_BUILDING_HOUSEHOLDS = 6
DISTRICT_STAFF = 30  # in-service members, among them the district committee
BRANCH_SPLIT_MEMBERS = 50  # an estate with more members gets several branches ...
BRANCH_SPLIT_SIZE = 40  # ... of about this size
SMALL_BRANCH = 0.02  # an estate whose members are nearly all in-service: a branch of two
NUMERALS = "一二三四五六七八九十"
BRANCH_WITHOUT_GROUPS = 0.05
BUILDING_WITHOUT_GROUP = 0.2
GROUP_OF_TWO_BUILDINGS = 0.15
BRANCH_WITHOUT_SECRETARY = 0.04
GROUP_WITHOUT_LEADER = 0.05
OVERDUE_COMMUNITY_ELECTION = 0.08
OVERDUE_BRANCH_ELECTION = 0.08

SYLLABLES = (
    "江河湖山石松柏桂兰梅竹云霞星月阳明华新安宁康泰福龙凤鹤金玉翠碧青东西南北"
    "临溪港湾峰林泉川岭塘桥渡园杏桃李荷莲枫柳茗锦绣瑞祥和丰盛嘉乐悦"
)
ESTATE_SUFFIXES = ("小区", "花园", "苑", "家园", "新村", "公馆", "华府", "雅居", "嘉园", "名都")
DISTRICT_NAMES = ("江澜区", "云溪区", "青川区", "临湖区")
PHONE_PREFIXES = (130, 131, 132, 133, 135, 136, 137, 138, 139, 150, 151, 152, 155, 156, 157)
PHONE_PREFIXES += (158, 159, 166, 173, 177, 180, 181, 182, 183, 185, 186, 187, 188, 189, 199)
SKILL_WEIGHTS = (4, 4, 3, 2, 3, 3, 4, 4, 6, 5, 6, 5)
SKILL_COUNT_WEIGHTS = (30, 40, 22, 8)
FIRST_JOINED = date(1962, 1, 1).toordinal()
LAST_FULL_JOINED = date(2025, 6, 30).toordinal()
TODAY = REFERENCE_DATE.toordinal()


def distribute(total: int, weights: Sequence[float], minimum: int = 0) -> list[int]:
    """Split `total` into integers proportional to `weights` (largest remainder), each >= `minimum`.

    The parts always sum to `total` exactly.
    """
    spare = total - minimum * len(weights)
    if spare < 0:
        raise ValueError(f"cannot give {len(weights)} parts at least {minimum} out of {total}")
    scale = spare / sum(weights)
    exact = [w * scale for w in weights]
    parts = [int(x) for x in exact]
    short = spare - sum(parts)
    by_remainder = sorted(range(len(weights)), key=lambda i: parts[i] - exact[i])
    for i in by_remainder[:short]:
        parts[i] += 1
    return [p + minimum for p in parts]


def distribute_with_floor(
    total: int, counts: Sequence[int], weights: Sequence[float], per: int
) -> list[int]:
    """Like `distribute`, but part i gets at least `per * counts[i]`."""
    floors = [per * n for n in counts]
    return [f + x for f, x in zip(floors, distribute(total - sum(floors), weights), strict=True)]


@dataclass
class Estate:
    code: str
    name: str
    buildings: list[tuple[str, int, list[str]]] = field(default_factory=list)  # code, number, homes
    members: int = 0
    in_service: int = 0

    @property
    def households(self) -> int:
        return sum(len(homes) for _, _, homes in self.buildings)


@dataclass
class BranchPlan:
    code: str
    name: str
    estates: list[Estate]
    buildings: list[tuple[str, int, list[str]]]
    size: int


@dataclass
class Member:
    code: str
    full: bool
    building: str


def _homes_in(places: Sequence[tuple[str, ...]]) -> list[tuple[str, str]]:
    """(building code, household code) of every household row among `places`."""
    return [(p[1].rsplit("-", 1)[0], p[0]) for p in places if p[2] == "household"]


class _Indexes:
    """0 .. n-1 as a sequence, for `random.choice` to draw an index from as it would draw an
    item of a list of n (the items themselves are looked up once written)."""

    def __init__(self, n: int) -> None:
        self.n = n

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, index: int) -> int:
        return index


class _Progress:
    """A rich progress bar, or nothing."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.bar = None
        self.task = None

    @contextmanager
    def run(self, total: int) -> Iterator[_Progress]:
        if not self.enabled:
            yield self
            return
        from rich.progress import Progress

        with Progress() as bar:
            self.bar = bar
            self.task = bar.add_task("generating", total=total)
            yield self

    def step(self, description: str | None = None) -> None:
        if self.bar is not None:
            self.bar.update(self.task, advance=1, description=description or "generating")


class Generator:
    """Writes the four sheets of a synthetic workbook into `book`; see the module docstring.

    Rows wait in the lists below until their sub-district is done (a branch's members get their
    group, a group its leader, after their rows are made), then go to the book."""

    def __init__(self, scale: Scale, seed: int, book: CsvWorkbook) -> None:
        self.scale = scale
        self.rng = random.Random(seed)
        fake = Faker("zh_CN")
        fake.seed_instance(seed)
        self.male_names = [fake.last_name() + fake.first_name_male() for _ in range(3000)]
        self.female_names = [fake.last_name() + fake.first_name_female() for _ in range(3000)]
        self.workplaces = sorted({fake.company() for _ in range(400)})
        self.root = "D1" if scale.district else "S01"
        self.places: list[tuple[str, ...]] = []
        self.orgs: list[tuple[str, ...]] = []
        self.members: list[tuple[str, ...]] = []
        self.offices: list[tuple[str, ...]] = []
        self.phones: set[str] = set()
        self.used_names: set[str] = set()
        self.estate_names: dict[str, str] = {}
        self.book = book
        self.members_written = 0  # member rows already in the book, before `self.members`
        self.households = 0  # household rows made so far
        self.committee_of: dict[str, str] = {}  # community code -> its committee's code
        self.root_name = ""

    # -- helpers ---------------------------------------------------------------------------

    def _weights(self, n: int, spread: float) -> list[float]:
        return [self.rng.lognormvariate(0, spread) for _ in range(n)]

    def _name(self, suffix: str, length: int = 2) -> str:
        while True:
            name = "".join(self.rng.choice(SYLLABLES) for _ in range(length)) + suffix
            if name not in self.used_names:
                self.used_names.add(name)
                return name

    def _date(self, start: date, end: date) -> str:
        return date.fromordinal(self.rng.randint(start.toordinal(), end.toordinal())).isoformat()

    def _org(
        self, code: str, parent: str, kind: str, name: str, covers: Sequence[str], est: str
    ) -> None:
        self.orgs.append((code, parent, kind, name, ";".join(covers), est))
        if kind in ("party_committee", "general_branch"):
            self.committee_of[";".join(covers)] = code

    def _flush(self) -> None:
        """Write the rows made so far to the book and forget them."""
        for sheet, rows in (("places", self.places), ("organisations", self.orgs),
                            ("members", self.members), ("offices", self.offices)):  # fmt: skip
            self.book.write(sheet, rows)
        self.members_written += len(self.members)
        for rows in (self.places, self.orgs, self.members, self.offices):
            rows.clear()

    def _office(self, member: Member, org: str, role: str, start: str, end: str = "") -> None:
        self.offices.append((member.code, org, role, start, end))

    # -- territory -------------------------------------------------------------------------

    def _buildings(self, estate: Estate, count: int, households: int) -> None:
        rng = self.rng
        targets = distribute(households, self._weights(count, 0.3), MIN_BUILDING_HOUSEHOLDS)
        for number, target in enumerate(targets, 1):
            per_floor = rng.choice((2, 2, 2, 3, 4))
            units = max(2, min(rng.randint(2, 6), target // (per_floor * 3)))
            while target / (units * per_floor) > 33 and units < 6:
                units += 1
            floors = max(1, min(33, round(target / (units * per_floor))))
            code = f"{estate.code}-B{number:02d}"
            self.places.append((code, estate.code, "building", f"{number}栋"))
            homes: list[str] = []
            for unit in range(1, units + 1):
                unit_code = f"{code}-U{unit}"
                self.places.append((unit_code, code, "unit", f"{unit}单元"))
                for floor in range(1, floors + 1):
                    for door in range(1, per_floor + 1):
                        door_name = f"{floor}{door:02d}"
                        home = f"{unit_code}-{door_name}"
                        homes.append(home)
                        self.places.append((home, unit_code, "household", door_name))
            estate.buildings.append((code, number, homes))
            self.households += len(homes)

    def _community_estates(self, community: str, estates: int, households: int) -> list[Estate]:
        result = []
        shares = distribute(households, self._weights(estates, 0.6), MIN_ESTATE_HOUSEHOLDS)
        per_building = self.scale.households / self.scale.buildings
        for index, estate_households in enumerate(shares, 1):
            estate = Estate(
                f"{community}-E{index:02d}", self._name(self.rng.choice(ESTATE_SUFFIXES))
            )
            self.places.append((estate.code, community, "estate", estate.name))
            self.estate_names[estate.code] = estate.name
            noise = self.rng.lognormvariate(-0.045, 0.3)  # mean 1
            count = round(estate_households / per_building * noise)
            count = max(1, min(60, estate_households // MIN_BUILDING_HOUSEHOLDS, count))
            self._buildings(estate, count, estate_households)
            result.append(estate)
        return result

    # -- people ----------------------------------------------------------------------------

    def _member(
        self,
        homes: Sequence[tuple[str, str]],
        organisation: str = "",
        workplace: str = "",
        reports_to: str = "",
        full: bool | None = None,
    ) -> Member:
        rng = self.rng
        code = f"{self.root}-M{self.members_written + len(self.members) + 1:06d}"
        female = rng.random() < (0.45 if workplace else 0.35)
        name = rng.choice(self.female_names if female else self.male_names)
        if full is None:
            full = rng.random() >= PROBATIONARY_SHARE
        if full:
            joined = int(
                rng.triangular(
                    FIRST_JOINED,
                    LAST_FULL_JOINED,
                    FIRST_JOINED + 0.55 * (LAST_FULL_JOINED - FIRST_JOINED),
                )
            )
        elif rng.random() < OVERDUE_PROBATION_SHARE:
            joined = TODAY - rng.randint(760, 1000)
        else:
            joined = TODAY - rng.randint(20, 700 if rng.random() < 0.25 else 360)
        while True:
            phone = f"{rng.choice(PHONE_PREFIXES)}{rng.randrange(10**8):08d}"
            if phone not in self.phones:
                self.phones.add(phone)
                break
        count = rng.choices((0, 1, 2, 3), SKILL_COUNT_WEIGHTS)[0]
        skills = set(rng.choices(range(len(SKILLS)), SKILL_WEIGHTS, k=count)) if count else ()
        building, home = rng.choice(homes)
        self.members.append(
            (
                code,
                name,
                "female" if female else "male",
                "full" if full else "probationary",
                date.fromordinal(joined).isoformat(),
                organisation,
                workplace,
                home,
                reports_to,
                phone,
                ";".join(SKILLS[i] for i in sorted(skills)),
                "",  # task_capacity: the deployment default
                "",  # group: set once the branch's groups exist (`_place_in_groups`)
            )
        )
        return Member(code, full, building)

    @staticmethod
    def _homes(estates: Sequence[Estate]) -> list[tuple[str, str]]:
        return [(b, h) for e in estates for b, _, homes in e.buildings for h in homes]

    # -- organisations and offices ---------------------------------------------------------

    def _leadership(self, org: str, members: list[Member], deputies: int, others: int) -> None:
        """Secretary, deputies and committee members of a committee (3-year terms, current)."""
        full = [m for m in members if m.full]
        team = self.rng.sample(full, min(len(full), 1 + deputies + others))
        roles = ["secretary"] + ["deputy_secretary"] * deputies + ["committee_member"] * others
        for member, role in zip(team, roles, strict=False):
            self._office(member, org, role, self._date(date(2019, 1, 1), date(2025, 12, 31)))

    def _branch_offices(self, branch: str, members: list[Member]) -> None:
        """A secretary; with 7 or more full members a committee of 3 or 5. Some gaps and lapses."""
        rng = self.rng
        full = [m for m in members if m.full]
        if not full:
            return
        if rng.random() < OVERDUE_BRANCH_ELECTION:
            start = self._date(date(2021, 1, 1), date(2023, 10, 31))
        else:
            start = self._date(date(2024, 1, 1), date(2026, 9, 30))
        if rng.random() < BRANCH_WITHOUT_SECRETARY:  # the secretary left; no election yet
            self._office(
                rng.choice(full),
                branch,
                "secretary",
                self._date(date(2021, 1, 1), date(2024, 6, 30)),
                self._date(date(2025, 1, 1), date(2026, 9, 30)),
            )
            return
        if len(full) < 7:
            self._office(rng.choice(full), branch, "secretary", start)
            return
        team = rng.sample(full, rng.choice((3, 5)))
        self._office(team[0], branch, "secretary", start)
        self._office(team[1], branch, "deputy_secretary", start)
        for member in team[2:]:
            self._office(member, branch, "committee_member", start)

    def _community_offices(self, committee: str, members: list[Member], large: bool) -> None:
        rng = self.rng
        full = [m for m in members if m.full]
        team = rng.sample(full, min(len(full), 5 if large else 3))
        roles = ["secretary", "deputy_secretary"] + ["committee_member"] * 3
        overdue = rng.random() < OVERDUE_COMMUNITY_ELECTION
        start = (
            self._date(date(2021, 1, 1), date(2021, 10, 31))
            if overdue
            else self._date(date(2026, 9, 1), date(2026, 10, 31))
        )
        previous = self._date(date(2021, 9, 1), date(2021, 10, 31))
        end = (date.fromisoformat(start) - timedelta(days=1)).isoformat()
        for member, role in zip(team, roles, strict=False):
            if not overdue and rng.random() < 0.6:
                self._office(member, committee, role, previous, end)
            self._office(member, committee, role, start)

    def _groups(
        self,
        branch: str,
        buildings: list[tuple[str, int, list[str]]],
        members: list[Member],
        established: str,
    ) -> None:
        rng = self.rng
        if rng.random() < BRANCH_WITHOUT_GROUPS:
            return
        full = [m for m in members if m.full]
        covered = [
            b for b in buildings if rng.random() >= BUILDING_WITHOUT_GROUP or len(buildings) == 1
        ]
        index = 0
        made: list[tuple[str, list[str], Member | None]] = []
        while covered:
            estate = covered[0][0].rsplit("-", 1)[0]
            same_estate = len(covered) > 1 and covered[1][0].startswith(estate + "-")
            take = 2 if same_estate and rng.random() < GROUP_OF_TWO_BUILDINGS else 1
            chunk, covered = covered[:take], covered[take:]
            index += 1
            code = f"{branch}-G{index:02d}"
            label = "-".join(str(number) for _, number, _ in chunk)
            codes = [b for b, _, _ in chunk]
            estate_name = self.estate_names[estate]
            start = max(established, self._date(date(2019, 1, 1), date(2023, 12, 31)))
            self._org(code, branch, "group", f"{estate_name}{label}栋党小组", codes, start)
            if not full or rng.random() < GROUP_WITHOUT_LEADER:
                made.append((code, codes, None))
                continue
            local = [m for m in full if m.building in codes]
            leader = rng.choice(local or full)
            self._office(
                leader,
                code,
                "group_leader",
                max(start, self._date(date(2023, 1, 1), date(2026, 9, 30))),
            )
            made.append((code, codes, leader))
        self._place_in_groups(members, made)

    def _place_in_groups(
        self, members: list[Member], groups: list[tuple[str, list[str], Member | None]]
    ) -> None:
        """Every member of the branch in one of its groups (党章 第八条): the group of the
        building they live in, else the groups in turn; each leader in the group they lead.
        A member drawn to lead two groups leads the first; the other's leader is then one of
        its own full members, or one moved from the largest group (a member is in one group)."""
        if not groups:
            return
        placed: dict[str, str] = {}
        for n, member in enumerate(members):
            here = [code for code, covers, _ in groups if member.building in covers]
            placed[member.code] = here[0] if here else groups[n % len(groups)][0]
        leading: set[str] = set()
        for code, _, leader in groups:
            if leader is None:
                continue
            if leader.code in leading:
                sizes = Counter(placed.values())
                free = [m for m in members if m.full and m.code not in leading]
                free.sort(key=lambda m: (placed[m.code] != code, -sizes[placed[m.code]]))
                if not free:
                    continue
                self._replace_leader(code, leader, free[0])
                leader = free[0]
            leading.add(leader.code)
            placed[leader.code] = code
        for member in members:
            self._set_group(member, placed[member.code])

    def _replace_leader(self, group: str, old: Member, new: Member) -> None:
        for n, row in enumerate(self.offices):
            if row[:3] == (old.code, group, "group_leader"):
                self.offices[n] = (new.code, *row[1:])

    def _set_group(self, member: Member, group: str) -> None:
        index = int(member.code.rsplit("-M", 1)[1]) - 1 - self.members_written
        self.members[index] = (*self.members[index][:-1], group)

    def _estate_branches(self, estates: list[Estate]) -> list[BranchPlan]:
        """Decide which estates get which branches: none, one, one shared by two small
        neighbours, or several for an estate with more than `BRANCH_SPLIT_MEMBERS` members."""
        rng = self.rng
        plans: list[BranchPlan] = []
        index = 0
        while index < len(estates):
            estate = estates[index]
            index += 1
            if rng.random() < ESTATE_WITHOUT_BRANCH:
                continue
            nxt = estates[index] if index < len(estates) else None
            small = estate.households < SMALL_ESTATE_HOUSEHOLDS
            if (
                small
                and nxt
                and nxt.households < SMALL_ESTATE_HOUSEHOLDS
                and rng.random() < SHARED_BRANCH
            ):
                index += 1
                name = f"{estate.name}{nxt.name}联合党支部"
                buildings = estate.buildings + nxt.buildings
                size = estate.members + nxt.members
                plans.append(BranchPlan(f"{estate.code}-ZB", name, [estate, nxt], buildings, size))
            elif estate.members > BRANCH_SPLIT_MEMBERS:
                count = min(len(estate.buildings), math.ceil(estate.members / BRANCH_SPLIT_SIZE))
                count = max(2, count)
                sizes = distribute(estate.members, [1] * count)
                for i, size in enumerate(sizes):
                    buildings = estate.buildings[i::count] or estate.buildings
                    name = f"{estate.name}第{NUMERALS[i]}党支部"
                    plans.append(
                        BranchPlan(f"{estate.code}-ZB{i + 1}", name, [estate], buildings, size)
                    )
            else:
                name = f"{estate.name}党支部"
                plans.append(
                    BranchPlan(
                        f"{estate.code}-ZB", name, [estate], estate.buildings, estate.members
                    )
                )
        return plans

    def _community(
        self,
        subdistrict: str,
        working: str,
        index: int,
        estates_n: int,
        households: int,
        members: int,
    ) -> None:
        rng = self.rng
        code = f"{subdistrict}-C{index:02d}"
        name = self._name("社区")
        self.places.append((code, subdistrict, "community", name))
        estates = self._community_estates(code, estates_n, households)
        own_size = min(members, rng.randint(6, 10))
        estate_members = members - own_size
        shares = distribute(
            estate_members, [e.households * rng.lognormvariate(0, 0.3) for e in estates]
        )
        for estate, share in zip(estates, shares, strict=True):
            estate.in_service = round(share * IN_SERVICE_SHARE)
            if rng.random() < SMALL_BRANCH:
                estate.in_service = max(estate.in_service, share - 2)
            estate.members = share - estate.in_service
        plans = self._estate_branches(estates)
        large = members - sum(e.in_service for e in estates) > 100
        committee = f"{code}-DW" if large else f"{code}-DZZ"
        established = self._date(date(2005, 1, 1), date(2016, 12, 31))
        label = "党委" if large else "党总支"
        self._org(
            committee,
            working,
            "party_committee" if large else "general_branch",
            f"{name}{label}",
            [code],
            established,
        )
        own = f"{code}-JGZB"
        self._org(own, committee, "branch", f"{name}机关党支部", [], established)
        all_homes = self._homes(estates)
        own_members = [self._member(all_homes, own, full=True) for _ in range(own_size)]
        governed = {e.code for plan in plans for e in plan.estates}
        for estate in estates:  # members of ungoverned estates keep their tie at the community
            if estate.code not in governed:
                homes = self._homes([estate])
                own_members += [self._member(homes, own) for _ in range(estate.members)]
        self._community_offices(committee, own_members, large)
        self._branch_offices(own, own_members)
        branch_of: dict[str, str] = {}
        for plan in plans:
            self._estate_branch(committee, plan)
            for estate in plan.estates:
                branch_of.setdefault(estate.code, plan.code)
        for estate in estates:
            homes = self._homes([estate])
            for _ in range(estate.in_service):
                target = branch_of.get(estate.code, committee) if rng.random() < 0.5 else committee
                self._member(homes, workplace=rng.choice(self.workplaces), reports_to=target)

    def _estate_branch(self, committee: str, plan: BranchPlan) -> None:
        established = self._date(date(2017, 1, 1), date(2022, 12, 31))
        covers = [e.code for e in plan.estates]
        self._org(plan.code, committee, "branch", plan.name, covers, established)
        homes = [(b, h) for b, _, hs in plan.buildings for h in hs]
        members = [self._member(homes, plan.code) for _ in range(plan.size)]
        self._branch_offices(plan.code, members)
        self._groups(plan.code, plan.buildings, members, established)

    def _subdistrict(
        self,
        code: str,
        parent: str,
        parent_org: str,
        communities: int,
        estates: int,
        households: int,
        members: int,
        progress: _Progress,
    ) -> None:
        rng = self.rng
        name = self._name("街道")
        self.places.append((code, parent, "subdistrict", name))
        working = f"{code}-DGW"
        self._org(
            working,
            parent_org,
            "working_committee",
            f"{name}党工委",
            [code],
            self._date(date(1995, 1, 1), date(2005, 12, 31)),
        )
        own = f"{working}-JGZB"
        self._org(
            own,
            working,
            "branch",
            f"{name}机关党支部",
            [],
            self._date(date(2006, 1, 1), date(2010, 12, 31)),
        )
        own_size = min(members // 4, rng.randint(15, 25))
        estate_split = distribute(estates, self._weights(communities, 0.35), 1)
        weights = [n * rng.lognormvariate(0, 0.2) for n in estate_split]
        household_split = distribute_with_floor(
            households, estate_split, weights, MIN_ESTATE_HOUSEHOLDS
        )
        member_split = distribute(members - own_size, household_split)
        first_community = len(self.places)
        for index in range(communities):
            self._community(
                code,
                working,
                index + 1,
                estate_split[index],
                household_split[index],
                member_split[index],
            )
            progress.step(f"{name} {index + 1}/{communities}")
        homes = _homes_in(self.places[first_community:])
        staff = [self._member(homes, own, full=True) for _ in range(own_size)]
        self._leadership(working, staff, 1, rng.randint(3, 5))
        self._branch_offices(own, staff)

    def build(self, progress: _Progress) -> None:
        scale = self.scale
        community_split = distribute(scale.communities, self._weights(scale.subdistricts, 0.2), 1)
        estate_split = distribute(scale.estates, community_split, 1)
        household_split = distribute_with_floor(
            scale.households, estate_split, estate_split, MIN_ESTATE_HOUSEHOLDS
        )
        staff_size = DISTRICT_STAFF if scale.district else 0
        member_split = distribute(scale.members - staff_size, household_split)
        parent, parent_org = "", ""
        if scale.district:
            parent, parent_org = self.root, f"{self.root}-QW"
            self._district_root(parent_org)
        for index in range(scale.subdistricts):
            code = f"{self.root}-S{index + 1:02d}" if scale.district else self.root
            self._subdistrict(
                code,
                parent,
                parent_org,
                community_split[index],
                estate_split[index],
                household_split[index],
                member_split[index],
                progress,
            )
            self._flush()
        if scale.district:
            self._district_leaders(parent_org, staff_size)
        self._flush()

    def _district_root(self, committee: str) -> None:
        name = self.rng.choice(DISTRICT_NAMES)
        self.used_names.add(name)
        self.root_name = name
        self.places.append((self.root, "", "district", name))
        self._org(committee, "", "district_committee", f"{name}委", [self.root], "1983-10-01")

    def _district_leaders(self, committee: str, count: int) -> None:
        """District leaders hold their formal tie at the district organs (a workplace outside this
        tree) and report to the community committee where they live."""
        rng = self.rng
        workplace = f"{self.root_name}委机关"
        # Each lives in a household drawn from all of them, looked up in the places written.
        drawn: list[int] = []
        leaders: list[Member] = []
        for _ in range(count):
            drawn.append(rng.choice(_Indexes(self.households)))
            leaders.append(self._member([("", "")], workplace=workplace, full=True))
        homes = self._households_at(set(drawn))
        for n, index in enumerate(drawn):
            building, home = homes[index]
            community = "-".join(home.split("-")[:3])
            row = self.members[n]
            self.members[n] = (*row[:7], home, self.committee_of[community], *row[9:])
            leaders[n] = Member(row[0], True, building)
        self._leadership(committee, leaders, 2, 7)

    def _households_at(self, indexes: set[int]) -> dict[int, tuple[str, str]]:
        """(building code, household code) of the households of these indexes (in the order
        they were made), read back from the places written (after `_flush`)."""
        found: dict[int, tuple[str, str]] = {}
        seen = 0
        with self.book.flush("places").open(encoding="utf-8", newline="") as handle:
            for row in csv.reader(handle):
                if row[2] != "household":
                    continue
                if seen in indexes:
                    found[seen] = _homes_in([tuple(row)])[0]
                seen += 1
        return found


def generate(
    out_dir: Path, scale: str | Scale = "district", seed: int = 1, progress: bool = False
) -> dict[str, int]:
    """Write a synthetic CSV workbook of the given scale (a name of `SCALES`, or a `Scale`)
    into `out_dir`, row by row as it is made; return rows per sheet.

    Deterministic: the same scale and seed give byte-identical files.
    """
    if isinstance(scale, str) and scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}; choose one of {', '.join(SCALES)}")
    size = SCALES[scale] if isinstance(scale, str) else scale
    bar = _Progress(progress)
    with bar.run(size.communities + 1), CsvWorkbook(Path(out_dir)) as book:
        Generator(size, seed, book).build(bar)
        bar.step("writing CSV files")
    return book.counts


__all__ = ["SCALES", "Scale", "distribute", "generate"]
