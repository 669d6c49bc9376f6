"""Validating a whole workbook against itself and the stored registry, before writing anything.

Every problem is collected (sheet, row, column, what is wrong and how to fix it); the checks of
kinds, dates and parents are the shared ones of `registry.core.validation`, so the importer and the
services refuse the same things with the same words.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date

from registry.core.config import RuleThresholds
from registry.core.errors import ErrorCode
from registry.core.kinds import (
    MEMBER_HOLDING_KINDS,
    REPORTING_KINDS,
    Gender,
    MemberStatus,
    OfficeRole,
    OrgKind,
    OrgStatus,
    PlaceKind,
)

# Column widths, so that an over-long cell is a problem, not a database error.
from registry.core.models import (
    CODE_MAX,
    MEMBER_NAME_MAX,
    NAME_MAX,
    PHONE_MAX,
    SKILL_MAX,
    WORKPLACE_MAX,
)
from registry.core.validation import (
    character_problem,
    org_parent_problem,
    place_parent_problem,
)
from registry.importer.checking import Checker
from registry.importer.pairings import PairingRow, validate_pairings
from registry.importer.progress import Tracker
from registry.importer.report import RowProblem
from registry.importer.stored import Stored, Tree
from registry.importer.tasks import SuggestionRow, TaskRow, validate_tasks
from registry.importer.workbook_format import Sheet, split_list

# Cells of long free text, which may hold tabs and line breaks; every other cell is one line.
MULTILINE_COLUMNS = frozenset({("suggestions", "text")})


@dataclass(slots=True)
class NodeRow:
    """A valid row of `places` or `organisations`."""

    row: int
    code: str
    parent: str | None  # None: a root, or (column absent) keep the stored parent
    kind: str
    name: str
    established: date | None = None
    covers: list[str] | None = None  # None: the column is absent, coverage is left alone


@dataclass(slots=True)
class MemberRow:
    row: int
    code: str
    name: str
    status: str
    gender: str | None
    joined: date | None
    organisation: str | None
    workplace: str | None
    household: str | None
    reports_to: str | None
    phone: str | None
    skills: list[str] | None  # None: the column is absent, skills are left alone
    task_capacity: int | None = None  # None: the deployment default
    group: str | None = None  # a Party group (党小组) of the member's organisation


@dataclass(slots=True)
class OfficeRow:
    row: int
    member: str
    organisation: str
    role: str
    start: date
    end: date | None


@dataclass
class Plan:
    """A workbook that passed validation, ready to load."""

    sheets: dict[str, Sheet]
    stored: Stored
    places: list[NodeRow] = field(default_factory=list)
    organisations: list[NodeRow] = field(default_factory=list)
    members: list[MemberRow] = field(default_factory=list)
    offices: list[OfficeRow] = field(default_factory=list)
    pairings: list[PairingRow] = field(default_factory=list)
    tasks: list[TaskRow] = field(default_factory=list)
    suggestions: list[SuggestionRow] = field(default_factory=list)


def validate(
    sheets: dict[str, Sheet], stored: Stored, tracker: Tracker | None = None
) -> tuple[Plan, list[RowProblem]]:
    """Check every row of every sheet; return the plan and every problem found. `tracker`
    shows each sheet's rows being checked."""
    tracker = tracker or Tracker(shown=False)
    problems: list[RowProblem] = []
    plan = Plan(sheets, stored)
    _check_characters(sheets, problems)
    if "places" in sheets:
        plan.places = _tree_rows(
            sheets["places"], stored.places, PlaceKind, place_parent_problem, "place", problems,
            tracker,
        )  # fmt: skip
    place_kinds = _final_kinds(plan.places, stored.places)
    if "organisations" in sheets:
        plan.organisations = _tree_rows(
            sheets["organisations"], stored.organisations, OrgKind, org_parent_problem,
            "organisation", problems, tracker,
        )  # fmt: skip
        _check_covers(sheets["organisations"], plan.organisations, place_kinds, problems)
    org_kinds = _final_kinds(plan.organisations, stored.organisations)
    closed = {
        code: node.status
        for code, node in stored.organisations.by_code.items()
        if node.status != OrgStatus.ACTIVE
    }
    if "members" in sheets:
        departed = {c: m.departed_on for c, m in stored.members.items() if m.departed_on}
        plan.members = _member_rows(
            sheets["members"], place_kinds, org_kinds, _final_parents(plan.organisations,
            stored.organisations), closed, departed, problems, tracker,
        )  # fmt: skip
    if "offices" in sheets:
        member_codes = set(stored.members) | {m.code for m in plan.members}
        plan.offices = _office_rows(
            sheets["offices"], member_codes, org_kinds, problems, tracker
        )
    member_codes = set(stored.members) | {m.code for m in plan.members}
    plan.pairings = validate_pairings(sheets, place_kinds, member_codes, problems, tracker)
    plan.tasks, plan.suggestions = validate_tasks(
        sheets, stored, place_kinds, org_kinds, member_codes, problems, tracker
    )
    return plan, problems


def _check_characters(sheets: dict[str, Sheet], problems: list[RowProblem]) -> None:
    """A problem for every cell, of any sheet and column, holding a character no text may hold
    (or a tab or line break outside MULTILINE_COLUMNS): the rule of `registry.core.validation`."""
    for sheet in sheets.values():
        # One search per block of cells (a district's households: a fraction of a second, in
        # memory that does not grow with the sheet); its rows are read one by one only when it
        # is suspect.
        if not any(
            character_problem("".join(block), multiline=False) is not None
            for block in _blocks(cell for column in sheet.rows.order
                                 for cell in sheet.rows.column(column))
        ):  # fmt: skip
            continue
        check = Checker(sheet.name, problems)
        for number, cells in sheet.rows:
            for column, cell in cells.items():
                multiline = (sheet.name, column) in MULTILINE_COLUMNS
                if problem := character_problem(cell, multiline=multiline):
                    check.add(number, column, problem)


def _blocks(cells: Iterable[str], size: int = 100_000) -> Iterator[list[str]]:
    block: list[str] = []
    for cell in cells:
        block.append(cell)
        if len(block) == size:
            yield block
            block = []
    yield block


def _final_kinds(rows: list[NodeRow], stored: Tree) -> dict[str, str]:
    """The kind of every code after the import: the workbook's, else the stored one."""
    kinds = {code: node.kind for code, node in stored.by_code.items()}
    kinds.update((r.code, r.kind) for r in rows)
    return kinds


def _final_parents(rows: list[NodeRow], stored: Tree) -> dict[str, str | None]:
    """The parent code of every organisation after the import: the workbook's, else the stored
    one (a sheet without a parent column keeps the stored parents: `_tree_rows`)."""
    parents = {code: stored.parent_code(code) for code in stored.by_code}
    parents.update((r.code, r.parent) for r in rows)
    return parents


def _tree_rows(
    sheet: Sheet,
    stored: Tree,
    kind_enum: type[PlaceKind] | type[OrgKind],
    parent_problem: Callable[..., str | None],
    noun: str,
    problems: list[RowProblem],
    tracker: Tracker,
) -> list[NodeRow]:
    """Rows of a tree sheet: unique codes, known kinds, known parents of the right kind, no loop."""
    check = Checker(sheet.name, problems)
    first_row: dict[str, int] = {}
    rows: list[NodeRow] = []
    with_parent = sheet.has("parent")
    for number, cells in tracker.each(f"checking {sheet.name}", sheet.rows):
        code, name = cells["code"], cells["name"]
        # A row with a usable code and kind takes part in the tree checks whatever else is wrong.
        good = check.text(number, "code", code, CODE_MAX, required=True)
        check.text(number, "name", name, NAME_MAX, required=True)
        if code and code in first_row:
            check.add(number, "code", f"code {code!r} is already used on row {first_row[code]}; "
                      "codes must be unique within a sheet")  # fmt: skip
            good = False
        elif code:
            first_row[code] = number
        kind = check.enum(number, "kind", kind_enum, cells["kind"]) if cells["kind"] else None
        if kind is None and not cells["kind"]:
            check.add(number, "kind", f"kind is empty; write one of: "
                      f"{', '.join(k.value for k in kind_enum)}")  # fmt: skip
        parent = cells.get("parent") or None
        if parent == code and code:
            check.add(number, "parent", f"a {noun} cannot be its own parent")
            good = False
        established = None
        if cells.get("established"):
            established = check.date(number, "established", cells["established"])
        covers = split_list(cells["covers"]) if sheet.has("covers") else None
        if good and kind is not None:
            rows.append(NodeRow(number, code, parent, kind.value, name, established, covers))
    for r in rows:  # an absent column keeps what is stored
        node = stored.by_code.get(r.code)
        if node is not None and not with_parent:
            r.parent = stored.parent_code(r.code)
        if node is not None and not sheet.has("established"):
            r.established = node.established
    in_sheet = {r.code: r for r in rows}
    # A code whose row is bad still exists as far as other rows are concerned: one problem each.
    # (Looked up in both, not copied into one set: a city's sheet holds millions of codes.)
    def known(code: str) -> bool:
        return code in first_row or code in stored.by_code

    def parent_of(code: str) -> str | None:
        if code in in_sheet:
            return in_sheet[code].parent
        return stored.parent_code(code) if code in stored.by_code else None

    def kind_of(code: str) -> str | None:
        if code in in_sheet:
            return in_sheet[code].kind
        node = stored.by_code.get(code)
        return node.kind if node else None

    verdicts: dict[tuple[str, str | None], str | None] = {}
    for r in rows:
        parent = parent_of(r.code)
        if parent is not None and not known(parent):
            check.add(r.row, "parent", f"unknown {noun} code {parent!r}; add a row for it to "
                      f"{sheet.name} or correct the code")  # fmt: skip
            continue
        parent_kind = kind_of(parent) if parent is not None else None
        if parent is not None and parent_kind is None:
            continue  # the parent's own row is bad and reported
        pair = (r.kind, parent_kind)
        if pair not in verdicts:  # a handful of kind pairs, hundreds of thousands of rows
            verdicts[pair] = parent_problem(
                kind_enum(r.kind), kind_enum(parent_kind) if parent_kind else None
            )
        why = verdicts[pair]
        if why:
            column = "kind" if parent is None else "parent"
            check.add(r.row, column, why + (f" ({parent!r})" if parent else ""))
    _check_cycles(rows, parent_of, check, noun)
    _check_stored_children(rows, stored, kind_enum, parent_problem, in_sheet, check)
    return rows


def _check_cycles(
    rows: list[NodeRow], parent_of: Callable[[str], str | None], check: Checker, noun: str
) -> None:
    """Report every row on a loop of parents (the stored tree has none, so each loop passes
    through the workbook)."""
    done: set[str] = set()
    for r in rows:
        trail: list[str] = []
        on_trail: set[str] = set()
        code: str | None = r.code
        while code is not None and code not in done and code not in on_trail:
            trail.append(code)
            on_trail.add(code)
            code = parent_of(code)
        if code is not None and code in on_trail and code not in done:
            loop = trail[trail.index(code) :]
            chain = " → ".join([*loop, code])
            row_of = {x.code: x.row for x in rows}
            for member in loop:
                if member in row_of and member != parent_of(member):
                    check.add(row_of[member], "parent", f"{noun}s would sit inside each other: "
                              f"{chain}; change one of these parents")  # fmt: skip
        # The walk's first code is the row's own: noted only once a row below reaches it, so
        # that the leaves (a city's 7 million households) are never held here.
        done.update(trail[1:])


def _check_stored_children(
    rows: list[NodeRow],
    stored: Tree,
    kind_enum: type[PlaceKind] | type[OrgKind],
    parent_problem: Callable[..., str | None],
    in_sheet: dict[str, NodeRow],
    check: Checker,
) -> None:
    """A stored node whose kind the workbook changes must still fit over its stored children."""
    changed = {
        stored.by_code[r.code].id: r
        for r in rows
        if r.code in stored.by_code and stored.by_code[r.code].kind != r.kind
    }
    if not changed:
        return
    for node in stored.by_code.values():
        if node.parent_id in changed and node.code not in in_sheet:
            parent = changed[node.parent_id]
            why = parent_problem(kind_enum(node.kind), kind_enum(parent.kind))
            if why:
                check.add(parent.row, "kind", f"its stored child {node.code!r}: {why}")


def _check_covers(
    sheet: Sheet, rows: list[NodeRow], place_kinds: dict[str, str], problems: list[RowProblem]
) -> None:
    check = Checker(sheet.name, problems)
    for r in rows:
        for code in r.covers or ():
            if code not in place_kinds:
                check.add(r.row, "covers", f"unknown place code {code!r}; add it to places "
                          "or correct the code")  # fmt: skip


def _member_rows(
    sheet: Sheet,
    place_kinds: dict[str, str],
    org_kinds: dict[str, str],
    org_parents: dict[str, str | None],
    closed: dict[str, str],
    departed: dict[str, date],
    problems: list[RowProblem],
    tracker: Tracker,
) -> list[MemberRow]:
    """The member rows, checked; `departed` are the stored members who left the Party or died
    (by code), whose record is history: a row naming one is refused, never written over."""
    check = Checker(sheet.name, problems)
    first_row: dict[str, int] = {}
    rows: list[MemberRow] = []
    has_skills = sheet.has("skills")
    for number, cells in tracker.each(f"checking {sheet.name}", sheet.rows):
        before = len(problems)
        code, name = cells["code"], cells["name"]
        check.text(number, "code", code, CODE_MAX, required=True)
        check.text(number, "name", name, MEMBER_NAME_MAX, required=True)
        if code in first_row:
            check.add(number, "code", f"code {code!r} is already used on row {first_row[code]}; "
                      "codes must be unique within a sheet")  # fmt: skip
        elif code:
            first_row[code] = number
        if code in departed:
            problems.append(RowProblem(
                sheet.name, number, "code",
                f"{code!r} left the Party or died on {departed[code]}: their record is history "
                "and is not imported over; remove the row",
                ErrorCode.CONFLICT, {"code": code, "on": departed[code]},
            ))  # fmt: skip
        status = None
        if cells["status"]:
            status = check.enum(number, "status", MemberStatus, cells["status"])
        else:
            check.add(number, "status", "status is empty; write full or probationary")
        gender = None
        if cells.get("gender"):
            gender = check.enum(number, "gender", Gender, cells["gender"])
        joined = check.date(number, "joined", cells["joined"]) if cells.get("joined") else None
        if status == MemberStatus.PROBATIONARY and not cells.get("joined"):
            check.add(number, "joined", "a probationary member needs the date they joined "
                      "(YYYY-MM-DD), to know when probation ends")  # fmt: skip
        organisation = cells.get("organisation") or None
        workplace = cells.get("workplace") or None
        if organisation and workplace:
            check.add(number, "workplace", "two formal organisations: a member belongs to exactly "
                      "one; give the organisation, or (in service) only the workplace")  # fmt: skip
        elif not organisation and not workplace:
            check.add(number, "organisation", "a member needs a formal organisation, or, for "
                      "an in-service member, a workplace")  # fmt: skip
        if organisation:
            _check_org(check, number, "organisation", organisation, org_kinds, closed,
                       MEMBER_HOLDING_KINDS, "hold members")  # fmt: skip
        if workplace:
            check.text(number, "workplace", workplace, WORKPLACE_MAX)
        reports_to = cells.get("reports_to") or None
        if reports_to:
            _check_org(check, number, "reports_to", reports_to, org_kinds, closed,
                       REPORTING_KINDS, "take reporting members")  # fmt: skip
        household = cells.get("household") or None
        if household:
            kind = place_kinds.get(household)
            if kind is None:
                check.add(number, "household", f"unknown place code {household!r}; add it to "
                          "places or correct the code")  # fmt: skip
            elif kind != PlaceKind.HOUSEHOLD:
                check.add(number, "household", f"{household!r} is a {kind}, not a household")
        phone = cells.get("phone") or None
        if phone:
            check.text(number, "phone", phone, PHONE_MAX)
        skills = split_list(cells["skills"]) if has_skills else None
        for skill in skills or ():
            check.text(number, "skills", skill, SKILL_MAX)
        capacity = _task_capacity(check, number, cells.get("task_capacity") or "")
        group = cells.get("group") or None
        if group:
            _check_org(check, number, "group", group, org_kinds, closed,
                       frozenset({OrgKind.GROUP}), "hold a member as their group")  # fmt: skip
            if org_kinds.get(group) == OrgKind.GROUP and org_parents.get(group) != organisation:
                check.add(number, "group", f"{group!r} is not a group of the member's own "
                          "organisation; a member joins a group of their own branch (党章 "
                          "第八条)")  # fmt: skip
        if len(problems) == before and status is not None:
            rows.append(
                MemberRow(number, code, name, status.value, gender.value if gender else None,
                          joined, organisation, workplace, household, reports_to, phone, skills,
                          capacity, group)
            )  # fmt: skip
    return rows


def _task_capacity(check: Checker, number: int, raw: str) -> int | None:
    """A member's own task capacity: empty means the deployment default."""
    raw = raw.strip()
    if not raw:
        return None
    low, high = RuleThresholds.task_capacity_min, RuleThresholds.task_capacity_max
    if raw.isdigit() and low <= int(raw) <= high:
        return int(raw)
    check.add(number, "task_capacity", f"{raw!r} is not a whole number from {low} to {high} "
              "(tasks the member may hold at once); leave it empty for the default")  # fmt: skip
    return None


def _check_org(
    check: Checker,
    number: int,
    column: str,
    code: str,
    org_kinds: dict[str, str],
    closed: dict[str, str],
    allowed: frozenset[OrgKind],
    what: str,
) -> None:
    kind = org_kinds.get(code)
    if kind is None:
        check.add(number, column, f"unknown organisation code {code!r}; add it to "
                  "organisations or correct the code")  # fmt: skip
    elif kind not in allowed:
        names = ", ".join(sorted(k.value for k in allowed))
        check.add(number, column, f"{code!r} is a {kind}, which cannot {what}; "
                  f"use a {names}")  # fmt: skip
    elif code in closed:
        check.add(number, column, f"organisation {code!r} is {closed[code]}; use the "
                  "organisation that took over its members")  # fmt: skip


def _office_rows(
    sheet: Sheet,
    member_codes: set[str],
    org_kinds: dict[str, str],
    problems: list[RowProblem],
    tracker: Tracker,
) -> list[OfficeRow]:
    check = Checker(sheet.name, problems)
    first_row: dict[tuple[str, str, str, date], int] = {}
    rows: list[OfficeRow] = []
    for number, cells in tracker.each(f"checking {sheet.name}", sheet.rows):
        before = len(problems)
        member, organisation = cells["member"], cells["organisation"]
        if not member:
            check.add(number, "member", "member is empty; write the member's code")
        elif member not in member_codes:
            check.add(number, "member", f"unknown member code {member!r}; add it to members "
                      "or correct the code")  # fmt: skip
        if not organisation:
            check.add(number, "organisation", "organisation is empty; write its code")
        elif organisation not in org_kinds:
            check.add(number, "organisation", f"unknown organisation code {organisation!r}; "
                      "add it to organisations or correct the code")  # fmt: skip
        role = None
        if cells["role"]:
            role = check.enum(number, "role", OfficeRole, cells["role"])
        else:
            check.add(number, "role", "role is empty; write one of: "
                      f"{', '.join(r.value for r in OfficeRole)}")  # fmt: skip
        start = None
        if cells["start"]:
            start = check.date(number, "start", cells["start"])
        else:
            check.add(number, "start", "start is empty; write the date the term began")
        end = check.date(number, "end", cells["end"]) if cells.get("end") else None
        if start and end and end < start:
            check.add(number, "end", f"the term ends ({end}) before it starts ({start})")
        if role and start:
            key = (member, organisation, role.value, start)
            if key in first_row:
                check.add(number, None, f"the same office term is already on row "
                          f"{first_row[key]}")  # fmt: skip
            else:
                first_row[key] = number
        if len(problems) == before and role and start:
            rows.append(OfficeRow(number, member, organisation, role.value, start, end))
    return rows
