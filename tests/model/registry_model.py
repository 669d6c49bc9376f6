"""A plain-Python model of a small registry: what coverage, the org tree and a community's
view must be after any sequence of the writes the state machine makes.

It knows only what the rules say (DESIGN and registry.reports.coverage's definitions), never
how gridreg computes it: an estate is covered by an active branch covering the estate itself,
a building by an active group covering the building itself, a household by an open
household-contact pairing; a scoped caller sees its organisation subtree, its territory, and
the members belonging, reporting or living there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

ESTATE_COVERING = {"branch", "general_branch"}


@dataclass
class Org:
    code: str
    kind: str
    parent: str | None
    name: str
    active: bool = True


@dataclass
class Person:
    code: str
    organisation: str | None
    household: str | None
    status: str
    reports_to: str | None = None
    joined: date | None = None


@dataclass
class RegistryModel:
    """Places (code -> (kind, parent)), organisations, coverage, members and contacts."""

    places: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    orgs: dict[str, Org] = field(default_factory=dict)
    covers: set[tuple[str, str]] = field(default_factory=set)  # (organisation, place), open
    members: dict[str, Person] = field(default_factory=dict)
    contacts: set[tuple[str, str]] = field(default_factory=set)  # (member, household), open

    @classmethod
    def of_workbook(cls, rows: dict[str, list[dict[str, Any]]]) -> RegistryModel:
        """The model of a workbook as `tests.workbooks` writes them."""
        model = cls()
        for p in rows["places"]:
            model.places[p["code"]] = (p["kind"], p["parent"] or None)
        for o in rows["organisations"]:
            model.orgs[o["code"]] = Org(o["code"], o["kind"], o["parent"] or None, o["name"])
            for place in filter(None, o.get("covers", "").split(";")):
                model.covers.add((o["code"], place))
        for m in rows["members"]:
            model.members[m["code"]] = Person(
                m["code"], m["organisation"] or None, m["household"] or None, m["status"],
                m["reports_to"] or None, date.fromisoformat(m["joined"]) if m["joined"] else None,
            )  # fmt: skip
        for p in rows.get("pairings", []):
            if p["kind"] == "household_contact" and not p.get("end"):
                model.contacts.add((p["member"], p["place"]))
        return model

    # -- trees -----------------------------------------------------------------------------

    def place_ancestors(self, code: str) -> list[str]:
        """The place and every place above it, nearest first."""
        found = [code]
        while (parent := self.places[found[-1]][1]) is not None:
            found.append(parent)
        return found

    def org_ancestors(self, code: str) -> list[str]:
        """The organisation and every organisation above it, nearest first."""
        found = [code]
        while (parent := self.orgs[found[-1]].parent) is not None:
            found.append(parent)
        return found

    def of_kind(self, kind: str, within: str | None = None) -> list[str]:
        """Codes of the places of a kind, optionally only those under (or being) `within`."""
        return sorted(
            code
            for code, (k, _) in self.places.items()
            if k == kind and (within is None or within in self.place_ancestors(code))
        )

    def active(self, kind: str | None = None) -> list[str]:
        """Codes of the active organisations, optionally of one kind."""
        return sorted(
            code for code, o in self.orgs.items() if o.active and (kind is None or o.kind == kind)
        )

    def reporting_targets(self) -> list[str]:
        """Active organisations in-service members may report to (双报到)."""
        return sorted(
            code
            for code, o in self.orgs.items()
            if o.active and o.kind in {"branch", "general_branch", "party_committee"}
        )

    def subtree(self, organisation: str) -> set[str]:
        """The organisation and every organisation under it (closed ones included)."""
        return {o for o in self.orgs if organisation in self.org_ancestors(o)}

    def covered_by(self, organisation: str) -> list[str]:
        """Places an organisation covers now."""
        return sorted(p for o, p in self.covers if o == organisation)

    def contains(self, organisation: str | None, place: str) -> bool:
        """Whether `place` lies in the territory `organisation` covers (true when it covers
        nothing): where an organisation below it may cover (registry.core.containment)."""
        tops = set(self.covered_by(organisation)) if organisation else set()
        return not tops or bool(tops & set(self.place_ancestors(place)))

    def residents(self, household: str) -> list[str]:
        """Members living in a household."""
        return sorted(c for c, m in self.members.items() if m.household == household)

    def attached(self, organisation: str) -> list[str]:
        """Members belonging or reporting to an organisation."""
        return sorted(
            c for c, m in self.members.items() if organisation in (m.organisation, m.reports_to)
        )

    # -- coverage (DESIGN: coverage definitions) -------------------------------------------

    def covered_by_kind(self, place: str, kinds: set[str]) -> bool:
        """An active organisation of one of `kinds` covers the place itself."""
        return any(
            p == place and self.orgs[o].active and self.orgs[o].kind in kinds
            for o, p in self.covers
        )

    def coverage(self, within: str) -> dict[str, Any]:
        """The figures `coverage(scope: within)` must answer for a place scope."""
        estates = self.of_kind("estate", within)
        buildings = self.of_kind("building", within)
        households = self.of_kind("household", within)
        contacted = {h for _, h in self.contacts}
        living = [m for m in self.members.values() if m.household in set(households)]

        def tally(total: list[str], covered: int) -> dict[str, Any]:
            return {"total": len(total), "covered": covered}

        return {
            "estates": tally(estates, sum(self.covered_by_kind(e, ESTATE_COVERING)
                                          for e in estates)),
            "buildings": tally(buildings, sum(self.covered_by_kind(b, {"group"})
                                              for b in buildings)),
            "households": tally(households, len(contacted & set(households))),
            "membersLiving": len(living),
        }  # fmt: skip

    # -- what a scoped caller sees ---------------------------------------------------------

    def territory(self, organisation: str) -> set[str]:
        """Places covered by an organisation of the subtree, and everything under them."""
        subtree = self.subtree(organisation)
        tops = {p for o, p in self.covers if o in subtree}
        return {p for p in self.places if tops & set(self.place_ancestors(p))}

    def visible_members(self, organisation: str) -> set[str]:
        """Members belonging or reporting to the subtree, or living in its territory."""
        subtree = self.subtree(organisation)
        homes = self.territory(organisation)
        return {
            m.code
            for m in self.members.values()
            if m.organisation in subtree or m.reports_to in subtree or m.household in homes
        }
