"""A hypothesis state machine that runs random sequences of real writes through GraphQL over
HTTP (and imports through the importer) on a small registry, one day apart, and after every
step checks gridreg against `RegistryModel` and against its own past answers:

- coverage of the sub-district and of each community equals the model's;
- `orgChart(asOf: today)` equals the live chart, `coverage(asOf: today)` the live coverage;
- for every earlier day, the chart and coverage as of that day equal what was answered then;
- every member belongs to exactly the formal organisation the model says;
- a token scoped to community A sees exactly the members and places the model says it may;
- the building tallies equal a recount from places and members.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import httpx
import time_machine
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from sqlalchemy import select

from registry.access.actor import Role
from registry.access.tokens import create_token
from registry.core.db import Database
from registry.core.models import BuildingTally
from registry.core.tallies import tally_rows
from registry.importer import import_workbook
from tests.model.registry_model import Org, Person, RegistryModel
from tests.support import reset_tables, write_workbook
from tests.workbooks import two_communities

T = TypeVar("T")
FIRST_DAY = date(2026, 7, 1)  # after every date the workbook holds

CHART = """query($asOf: Date) {
  orgChart(root: "S-DGW", depth: 6, asOf: $asOf) {
    nodes { code name kind status parentId memberCount secretary { code }
            estates { total covered } buildings { total covered } }
  }
}"""
COVERAGE = """query($scope: String!, $asOf: Date) {
  coverage(scope: $scope, asOf: $asOf) {
    estates { total covered } buildings { total covered } households { total covered }
    membersLiving
  }
}"""
MEMBERS = "{ members(first: 100) { nodes { code organisation { code } } } }"
PLACES = "{ places(first: 100) { nodes { code } } }"
ERRORS = "userErrors { code message }"


def run_async(make: Callable[[], Awaitable[T]]) -> T:
    """Run a coroutine to completion from synchronous code, on a loop of its own."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, make()).result()  # type: ignore[arg-type]


class Gridreg:
    """The registry under test: its database URL and live server, driven synchronously."""

    def __init__(self, database_url: str, base_url: str, folder: Path) -> None:
        self.url = database_url
        self.http = httpx.Client(base_url=base_url, timeout=60)
        self.folder = folder
        self.loads = 0
        self.tokens: dict[str, str] = {}

    async def _with_db(self, work: Callable[[Database], Awaitable[T]]) -> T:
        db = Database(self.url)
        try:
            return await work(db)
        finally:
            await db.dispose()

    def reset(self, rows: dict[str, list[dict[str, Any]]]) -> None:
        async def work(db: Database) -> None:
            await reset_tables(db)
            await import_workbook(db, write_workbook(self.folder / "start", rows))
            async with db.write() as session:
                self.tokens = {
                    "admin": await create_token(session, Role.ADMIN),
                    "viewer": await create_token(session, Role.VIEWER, "A-DW"),
                }

        run_async(lambda: self._with_db(work))

    def load(self, rows: dict[str, list[dict[str, Any]]]) -> None:
        self.loads += 1
        folder = write_workbook(self.folder / f"load{self.loads}", rows)
        run_async(lambda: self._with_db(lambda db: import_workbook(db, folder)))

    def tallies(self) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
        """The stored building tallies and a recount, both ordered by building."""

        async def work(db: Database) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
            async with db.read() as session:
                columns = [c for c in BuildingTally.__table__.columns]
                stored = (await session.execute(select(*columns).order_by(columns[0]))).all()
                recount = tally_rows().subquery()
                counted = (
                    await session.execute(select(recount).order_by(recount.c.building_id))
                ).all()
            return [tuple(r) for r in stored], [tuple(r) for r in counted]

        return run_async(lambda: self._with_db(work))

    def ask(self, query: str, variables: dict[str, Any] | None = None, as_: str = "admin") -> Any:
        response = self.http.post(
            "/graphql",
            json={"query": query, "variables": variables or {}},
            headers={"Authorization": f"Bearer {self.tokens[as_]}"},
        )
        body = response.json()
        assert response.status_code == 200 and not body.get("errors"), body
        return body["data"]

    def write(self, field: str, input: dict[str, Any]) -> None:
        """A mutation the model says must succeed."""
        kind = field[0].upper() + field[1:] + "Input"
        mutation = f"mutation($input: {kind}!) {{ {field}(input: $input) {{ {ERRORS} }} }}"
        data = self.ask(mutation, {"input": input})
        assert data[field]["userErrors"] == [], (field, input, data[field]["userErrors"])


class RegistryMachine(RuleBasedStateMachine):
    """Set `gridreg` on the class before running (see tests/test_model_registry.py)."""

    gridreg: Gridreg

    def __init__(self) -> None:
        super().__init__()
        rows = two_communities()
        self.model = RegistryModel.of_workbook(rows)
        self.day = FIRST_DAY
        self.clock = time_machine.travel(datetime(2026, 7, 1, 9, 0), tick=True)
        self.traveller = self.clock.start()
        self.gridreg.reset(rows)
        self.past: list[tuple[date, Any, Any]] = []  # (day, chart, coverage) as answered then
        self.made = 0
        # Who was last made secretary of a branch (not a prediction: only to appoint another).
        self.secretaries = {o["organisation"]: o["member"] for o in rows["offices"]
                            if o["role"] == "secretary" and not o["end"]}  # fmt: skip

    def teardown(self) -> None:
        self.clock.stop()

    def next_day(self) -> None:
        # One step a day: "as of" a day is the state at the end of it.
        self.day += timedelta(days=1)
        self.traveller.move_to(datetime(self.day.year, self.day.month, self.day.day, 9, 0))

    # -- rules: real writes ------------------------------------------------------------------

    @rule(data=st.data())
    def rename_organisation(self, data: st.DataObject) -> None:
        code = data.draw(st.sampled_from(self.model.active()))
        name = data.draw(st.sampled_from(["新名称", "第一党支部", "楼栋党小组", "党委"]))
        self.next_day()
        self.gridreg.write("updateOrganisation", {"organisation": code, "name": name})
        self.model.orgs[code].name = name

    @rule(data=st.data())
    def create_group(self, data: st.DataObject) -> None:
        branch = data.draw(st.sampled_from(self.model.active("branch")))
        estate = next(p for o, p in self.model.covers if o == branch)
        building = data.draw(st.sampled_from(self.model.of_kind("building", estate)))
        self.made += 1
        code = f"{branch}-N{self.made}"
        self.next_day()
        self.gridreg.write(
            "createOrganisation",
            {"code": code, "kind": "GROUP", "name": f"新党小组{self.made}", "parent": branch,
             "covers": [building]},
        )  # fmt: skip
        self.model.orgs[code] = Org(code, "group", branch, f"新党小组{self.made}")
        self.model.covers.add((code, building))

    @precondition(lambda self: self.model.active("group"))
    @rule(data=st.data(), cover=st.booleans())
    def set_group_coverage(self, data: st.DataObject, cover: bool) -> None:
        group = data.draw(st.sampled_from(self.model.active("group")))
        branch = self.model.orgs[group].parent
        estate = next(p for o, p in self.model.covers if o == branch)
        # Cover a building the group does not cover yet, or uncover one it does.
        choices = [b for b in self.model.of_kind("building", estate)
                   if ((group, b) in self.model.covers) != cover]  # fmt: skip
        if not choices:
            return
        building = data.draw(st.sampled_from(choices))
        self.next_day()
        field = "cover" if cover else "uncover"
        self.gridreg.write("setCoverage", {"organisation": group, field: [building]})
        if cover:
            self.model.covers.add((group, building))
        else:
            self.model.covers.discard((group, building))

    @precondition(lambda self: self.model.active("group"))
    @rule(data=st.data())
    def dissolve_group(self, data: st.DataObject) -> None:
        group = data.draw(st.sampled_from(self.model.active("group")))
        parent = self.model.orgs[group].parent
        self.next_day()
        self.gridreg.write("dissolveOrganisation", {"organisation": group, "approvedBy": parent})
        self.model.orgs[group].active = False
        self.model.covers = {(o, p) for o, p in self.model.covers if o != group}

    @rule(data=st.data())
    def create_branch(self, data: st.DataObject) -> None:
        committee = data.draw(st.sampled_from(["A-DW", "B-DW"]))
        estate = self.model.of_kind("estate", committee[0])[0]
        self.made += 1
        code = f"{committee}-Z{self.made}"
        self.next_day()
        # A second branch for the same estate, as in the story the product comes from.
        self.gridreg.write(
            "createOrganisation",
            {"code": code, "kind": "BRANCH", "name": f"第{self.made}党支部", "parent": committee,
             "covers": [estate]},
        )  # fmt: skip
        self.model.orgs[code] = Org(code, "branch", committee, f"第{self.made}党支部")
        self.model.covers.add((code, estate))

    @rule(data=st.data())
    def merge_branches(self, data: st.DataObject) -> None:
        branches = self.model.active("branch")
        pairs = [(s, i) for s in branches for i in branches
                 if s != i and self.model.orgs[s].parent == self.model.orgs[i].parent]  # fmt: skip
        if not pairs:
            return
        source, into = data.draw(st.sampled_from(pairs))
        parent = self.model.orgs[source].parent
        self.next_day()
        self.gridreg.write(
            "mergeOrganisations", {"source": source, "into": into, "approvedBy": parent}
        )
        # Members, groups and covered places move to the surviving branch.
        model = self.model
        model.orgs[source].active = False
        for person in model.members.values():
            if person.organisation == source:
                person.organisation = into
        for org in model.orgs.values():
            if org.parent == source and org.active:
                org.parent = into
        moved = {p for o, p in model.covers if o == source}
        model.covers = {(o, p) for o, p in model.covers if o != source} | {(into, p) for p in moved}

    @rule(data=st.data())
    def appoint_a_secretary(self, data: st.DataObject) -> None:
        branch = data.draw(st.sampled_from(self.model.active("branch")))
        full = sorted(c for c, m in self.model.members.items()
                      if m.organisation == branch and m.status == "full"
                      and self.secretaries.get(branch) != c)  # fmt: skip
        if not full:
            return
        member = data.draw(st.sampled_from(full))
        self.secretaries[branch] = member
        self.next_day()
        # Who holds office is not in the model: the chart's secretary is checked against
        # itself, live against as-of-today and every past day against what it answered then.
        self.gridreg.write(
            "appointOffice",
            {"member": member, "organisation": branch, "role": "SECRETARY",
             "replaceCurrent": True},
        )  # fmt: skip

    @rule(data=st.data())
    def transfer_member(self, data: st.DataObject) -> None:
        formal = sorted(c for c, m in self.model.members.items() if m.organisation)
        member = data.draw(st.sampled_from(formal))
        elsewhere = [b for b in self.model.active("branch")
                     if b != self.model.members[member].organisation]  # fmt: skip
        branch = data.draw(st.sampled_from(elsewhere))
        self.next_day()
        self.gridreg.write("transferMember", {"member": member, "organisation": branch})
        self.model.members[member].organisation = branch

    @rule(data=st.data(), status=st.sampled_from(["full", "probationary"]))
    def import_a_member(self, data: st.DataObject, status: str) -> None:
        branch = data.draw(st.sampled_from(self.model.active("branch")))
        home = data.draw(st.sampled_from(self.model.of_kind("household")))
        self.made += 1
        code = f"I-M{self.made}"
        self.next_day()
        self.gridreg.load({"members": [{
            "code": code, "name": f"新党员{self.made}", "gender": "male", "status": status,
            # Joining today: a date of the past would rightly change the charts of the past.
            "joined": self.day.isoformat(),
            "organisation": branch, "workplace": "", "household": home, "reports_to": "",
            "phone": "", "skills": "",
        }]})  # fmt: skip
        self.model.members[code] = Person(code, branch, home, status)

    @rule(data=st.data())
    def import_a_household_contact(self, data: st.DataObject) -> None:
        contacted = {h for _, h in self.model.contacts}
        free = [h for h in self.model.of_kind("household") if h not in contacted]
        if not free:
            return
        home = data.draw(st.sampled_from(free))
        member = data.draw(st.sampled_from(sorted(self.model.members)))
        self.next_day()
        self.gridreg.load({"pairings": [{
            "member": member, "kind": "household_contact", "place": home,
            "start": self.day.isoformat(), "end": "",
        }]})  # fmt: skip
        self.model.contacts.add((member, home))

    # -- invariants --------------------------------------------------------------------------

    @invariant()
    def coverage_is_the_models(self) -> None:
        for scope in ("S", "A", "B"):
            answer = self.gridreg.ask(COVERAGE, {"scope": scope})["coverage"]
            assert answer == self.model.coverage(scope), scope

    @invariant()
    def today_as_of_today_is_live_and_every_past_day_is_as_answered_then(self) -> None:
        chart = self.gridreg.ask(CHART)
        coverage = self.gridreg.ask(COVERAGE, {"scope": "S"})
        today = self.day.isoformat()
        assert self.gridreg.ask(CHART, {"asOf": today}) == chart
        assert self.gridreg.ask(COVERAGE, {"scope": "S", "asOf": today}) == coverage
        for day, then_chart, then_coverage in self.past:
            when = {"asOf": day.isoformat()}
            assert self.gridreg.ask(CHART, when) == then_chart, f"chart as of {day}"
            assert self.gridreg.ask(COVERAGE, {"scope": "S"} | when) == then_coverage, day
        if not self.past or self.past[-1][0] != self.day:
            self.past.append((self.day, chart, coverage))

    @invariant()
    def every_member_has_the_formal_organisation_the_model_says(self) -> None:
        nodes = self.gridreg.ask(MEMBERS)["members"]["nodes"]
        found = {m["code"]: (m["organisation"] or {}).get("code") for m in nodes}
        assert found == {c: m.organisation for c, m in self.model.members.items()}

    @invariant()
    def a_community_token_sees_its_territory_exactly(self) -> None:
        members = self.gridreg.ask(MEMBERS, as_="viewer")["members"]["nodes"]
        assert {m["code"] for m in members} == self.model.visible_members("A-DW")
        places = self.gridreg.ask(PLACES, as_="viewer")["places"]["nodes"]
        assert {p["code"] for p in places} == self.model.territory("A-DW")

    @invariant()
    def building_tallies_equal_a_recount(self) -> None:
        stored, recount = self.gridreg.tallies()
        assert stored == recount
