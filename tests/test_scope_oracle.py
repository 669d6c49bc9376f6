"""The scope-leak oracle: nothing outside the caller's community appears in any answer.

Given two communities, CT-BS and CT-GW, tied across their boundary both ways (contacts, hubs,
leader pairings, a group leader, a task leader, a suggestion's listener, homes: see
`tests.workbooks.crossing_communities`), a token scoped to CT-BS asks every root field of the
schema about CT-BS's own objects, selecting every nested field that returns an object (a
Place, an Organisation, a Member and whatever holds them), a bounded number of levels down.
No code, global ID, name or phone of an object outside CT-BS may appear anywhere in the
answers, inside strings and JSON scalars included.

Everything is generated: the root fields and their selections from the schema (an argument
is filled from SAMPLES by the kind `tests.test_scope_matrix.REF_KINDS` gives it, so a new
root field is covered, or fails until its arguments are classified), and what lies outside
from the database, by the rule of the product's scope written out again here:

- the caller sees its organisation's subtree and the territory that subtree covers;
- a member is seen when they belong or report to an organisation seen, or live in the
  territory;
- the places and organisations above the caller's are its context, not someone else's.

A seen member's own home is theirs to show even where it lies outside the territory (an
in-service member reporting to CT-BS may live in CT-GW); nothing else there is.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from sqlalchemy import select
from strawberry.relay import GlobalID

from graphql import (
    GraphQLField,
    GraphQLObjectType,
    get_named_type,
    is_abstract_type,
    is_leaf_type,
    is_list_type,
    is_non_null_type,
)
from registry.api.cost import UNPAGED_LIST_ESTIMATE
from registry.core.config import Settings
from registry.core.models import (
    Coverage,
    Member,
    Office,
    Organisation,
    Place,
    Suggestion,
    Task,
)
from tests.support import Registry
from tests.test_scope_matrix import leaks, schema_cache, value_for
from tests.workbooks import crossing_communities

MINE, THEIRS = "CT-BS", "CT-GW"
TOKEN_SCOPE = f"{MINE}-DW"
# How many levels of objects below a root field the answers are read (a connection and its
# edges are the way to a page, not a level).
DEPTH = 3
# Sample values for arguments naming an object, by the kind REF_KINDS gives them: CT-BS's
# own objects, chosen where the ties cross. "any" and "office" are global IDs, read from the
# database.
SAMPLES: dict[str, list[str]] = {
    "place": [f"{MINE}-E", f"{MINE}-E-B2-U1-02", MINE],
    "org": [f"{MINE}-ZB", f"{MINE}-DW", f"{MINE}-ZB-G1"],
    "member": [f"{MINE}-M1", f"{MINE}-W1", f"{THEIRS}-M3"],
}
# The types SAMPLES name by code.
BY_CODE = ("Place", "Organisation", "Member")
# Lists are read whole: the world is small, and a page's end must not hide a leak.
ROOT_PAGE, NESTED_PAGE = 25, 8


@dataclass
class World:
    """What lies outside the caller's community, and the sample references inside it."""

    markers: set[str] = field(default_factory=set)
    samples: dict[str, list[str]] = field(default_factory=dict)


def gid(type_name: str, row_id: int) -> str:
    return str(GlobalID(type_name, str(row_id)))


def under(path: str, tops: set[str]) -> bool:
    return any(path.startswith(top) for top in tops)


def above(path: str, tops: set[str]) -> bool:
    return any(top.startswith(path) and top != path for top in tops)


async def outside_of(registry: Registry, scope_code: str) -> World:
    """Every marker (code, global ID, name, phone) of what lies outside the organisation
    `scope_code` and its territory, read from the database; strings some seen object also
    bears (a building named "1栋" on both sides) are no marker."""
    async with registry.db.read() as session:
        places = list(await session.scalars(select(Place)))
        orgs = list(await session.scalars(select(Organisation)))
        members = list(await session.scalars(select(Member)))
        offices = list(await session.scalars(select(Office)))
        tasks = list(await session.scalars(select(Task)))
        suggestions = list(await session.scalars(select(Suggestion)))
        covered = (await session.execute(select(Coverage.organisation_id, Coverage.place_id)
                                         .where(Coverage.end.is_(None)))).all()  # fmt: skip
    top = next(o.path for o in orgs if o.code == scope_code)
    org_in = {o.id for o in orgs if o.path.startswith(top)}
    org_seen = org_in | {o.id for o in orgs if above(o.path, {top})}
    place_path = {p.id: p.path for p in places}
    territory = {place_path[p] for o, p in covered if o in org_in}
    place_in = {p.id for p in places if under(p.path, territory)}
    place_seen = place_in | {p.id for p in places if above(p.path, territory)}
    member_seen = {
        m.id for m in members
        if m.organisation_id in org_in or m.reports_to_id in org_in or m.household_id in place_in
    }  # fmt: skip
    place_seen |= {m.household_id for m in members if m.id in member_seen and m.household_id}
    task_seen = {t.id for t in tasks if t.organisation_id in org_in}
    suggestion_seen = {s.id for s in suggestions if s.place_id in place_in}

    outside: set[str] = set()
    seen: set[str] = set()
    for rows, kind, visible in (
        (places, "Place", place_seen), (orgs, "Organisation", org_seen),
        (members, "Member", member_seen), (tasks, "Task", task_seen),
    ):  # fmt: skip
        for row in rows:
            names = {row.code, row.name, gid(kind, row.id)} | {getattr(row, "phone", None) or ""}
            (seen if row.id in visible else outside).update(names - {""})
    for office in offices:
        (seen if office.organisation_id in org_seen else outside).add(gid("Office", office.id))
    for s in suggestions:
        (seen if s.id in suggestion_seen else outside).update({s.code, gid("Suggestion", s.id)})
    # One node of each type, where the ties cross.
    own_offices = [gid("Office", o.id) for o in offices if o.organisation_id in org_in]
    node_ids = [
        gid("Place", next(p.id for p in places if p.code == SAMPLES["place"][0])),
        gid("Organisation", next(o.id for o in orgs if o.code == SAMPLES["org"][0])),
        gid("Member", next(m.id for m in members if m.code == SAMPLES["member"][0])),
        *(gid(kind, min(ids)) for kind, ids in (("Task", task_seen),
                                                ("Suggestion", suggestion_seen)) if ids),
        *own_offices[-1:],
    ]  # fmt: skip
    samples = SAMPLES | {"office": own_offices, "any": node_ids, "none": node_ids}
    return World(outside - seen, samples)


# -- generated operations ------------------------------------------------------------------

SETTINGS = Settings.from_env(database_url="sqlite:///unused")
# Room left for the operation around a selection, under the server's limits.
MAX_COST = SETTINGS.max_cost * 9 // 10
MAX_TOKENS = SETTINGS.max_tokens * 9 // 10


# A named fragment: its name, its definition and the definition's length in tokens.
Fragment = tuple[str, str, int]


@dataclass(frozen=True)
class Chunk:
    """A selection set, with its cost per object selected (as `registry.api.cost` reckons
    it), its length in tokens, and the fragments it spreads (theirs too). Each chunk is also
    a named fragment other chunks spread: the selections under a type repeat across a
    document, and the server then parses and validates each of them once."""

    text: str
    cost: int
    tokens: int
    name: str = ""
    on: str = ""
    fragments: frozenset[Fragment] = frozenset()

    def spread(self) -> tuple[str, int, frozenset[Fragment]]:
        """This chunk as a selection set spreading it, with its length and fragments."""
        own = (self.name, f"fragment {self.name} on {self.on} {self.text}", self.tokens + 4)
        return f"{{ ...{self.name} }}", 4, self.fragments | {own}


def length(fragments: frozenset[Fragment]) -> int:
    return sum(tokens for _, _, tokens in fragments)


def objects_per(owner: GraphQLObjectType, field_: GraphQLField) -> int:
    """How many objects the cost reckoning counts for one selection of the field."""
    if "first" in field_.args:
        return NESTED_PAGE
    inner = field_.type.of_type if is_non_null_type(field_.type) else field_.type
    if is_list_type(inner):
        return 1 if owner.name.endswith("Connection") else UNPAGED_LIST_ESTIMATE
    return 1


def nested_args(owner: str, name: str, field_: GraphQLField) -> str:
    """Arguments of a nested field: pages read whole. A nested field needing an object named
    would need a sample here: none does yet, and the oracle fails until it is given one."""
    assert not any(
        is_non_null_type(a.type) and a.default_value is None for a in field_.args.values()
    ), f"{owner}.{name} needs an argument: give the oracle a sample for it"
    return f"(first: {NESTED_PAGE})" if "first" in field_.args else ""


def _set(
    type_name: str, depth: int, times: int, index: int, parts: list[str], cost: int,
    tokens: int, fragments: frozenset[Fragment],
) -> Chunk:  # fmt: skip
    name = f"{type_name}_{depth}_{times}_{index}"
    return Chunk("{ " + " ".join(parts) + " }", cost, tokens + 2, name, type_name, fragments)


@cache
def chunks(type_name: str, depth: int, times: int) -> tuple[Chunk, ...]:
    """Selection sets covering every field of the type, objects `depth` levels down, as few
    as fit the server's limits when the type is selected `times` objects over."""
    named = schema_cache().get_type(type_name)
    if not isinstance(named, GraphQLObjectType):  # an interface: each concrete type
        each = [(t.name, c) for t in schema_cache().get_possible_types(named)  # type: ignore[arg-type]
                for c in chunks(t.name, depth, times)]  # fmt: skip
        return tuple(
            _set(
                type_name,
                depth,
                times,
                i,
                ["__typename", f"... on {t} {c.text}"],
                c.cost,
                c.tokens + 4,
                c.fragments,
            )  # fmt: skip
            for i, (t, c) in enumerate(each)
        )
    leaves, entries = ["__typename"], []
    for name, field_ in named.fields.items():
        inner = get_named_type(field_.type)
        if is_leaf_type(inner):
            if not any(is_non_null_type(a.type) and a.default_value is None
                       for a in field_.args.values()):  # fmt: skip
                leaves.append(name)
        elif depth > 0:
            call = f"{name}{nested_args(named.name, name, field_)}"
            count = objects_per(named, field_)
            # A connection and its edges are the way to a page, not a level of objects.
            below = depth if inner.name.endswith(("Connection", "Edge")) else depth - 1
            for c in within_cost(inner.name, below, times * count):
                text, tokens, fragments = c.spread()
                entries.append((f"{call} {text}", count * (1 + c.cost), tokens + 6, fragments))
    found: list[Chunk] = []
    parts, cost, tokens, fragments = leaves, 0, len(leaves), frozenset[Fragment]()
    for text, entry_cost, entry_tokens, entry_fragments in entries:  # as few sets as fit
        more = length(entry_fragments - fragments)
        if len(parts) > 1 and (
            times * (cost + entry_cost) > MAX_COST
            or tokens + length(fragments) + entry_tokens + more > MAX_TOKENS
        ):
            found.append(_set(type_name, depth, times, len(found), parts, cost, tokens, fragments))
            parts, cost, tokens, fragments = ["__typename"], 0, 1, frozenset()
        parts, cost, tokens = parts + [text], cost + entry_cost, tokens + entry_tokens
        fragments |= entry_fragments
    return (*found, _set(type_name, depth, times, len(found), parts, cost, tokens, fragments))


def within_cost(type_name: str, depth: int, times: int) -> tuple[Chunk, ...]:
    """`chunks` of the type, read less deep where lists nested in lists cost more objects
    than one request may ask for."""
    for level in range(depth, -1, -1):
        found = chunks(type_name, level, times)
        if all(times * (1 + c.cost) <= MAX_COST for c in found):
            break
    return found


def root_variables(root: str, field_: GraphQLField, samples: dict[str, str]) -> dict[str, Any]:
    """A root field's arguments, naming the samples; lists read whole."""
    variables: dict[str, Any] = {}
    for name, arg in field_.args.items():
        value = ROOT_PAGE if name == "first" else value_for(arg.type, root, name, samples)
        if value is not None:
            variables[name] = value
    return variables


@cache
def root_documents(
    kind: str, root: str, names: tuple[str, ...], only: str | None = None, depth: int = DEPTH
) -> list[str]:
    """The operations reading everything under one root field given these arguments (the
    selections depend on nothing else: nested fields name no object); for a field returning
    an interface, `only` names the concrete type of the object asked for, since the other
    types' fragments cannot apply to it. The server's own limits judge each: one it refuses
    fails the oracle (`Asked.check`)."""
    field_ = root_fields(kind)[root]
    declared = ", ".join(f"${n}: {field_.args[n].type}" for n in names)
    call = f"{root}({', '.join(f'{n}: ${n}' for n in names)})" if names else root
    head = f"{kind} Oracle({declared})" if declared else f"{kind} Oracle"
    inner = get_named_type(field_.type)
    if is_leaf_type(inner):
        return [f"{head} {{ {call} }}"]
    times = ROOT_PAGE if "first" in names else objects_per(root_type(kind), field_)
    return [
        " ".join([f"{head} {{ {call} {text} }}", *sorted(d for _, d, _ in c.fragments)])
        for c in within_cost(only or inner.name, depth, times)
        for text in [f"{{ __typename ... on {only} {c.text} }}" if only else c.text]
    ]


def root_type(kind: str) -> GraphQLObjectType:
    schema = schema_cache()
    found = schema.query_type if kind == "query" else schema.mutation_type
    assert found is not None
    return found


def root_fields(kind: str) -> dict[str, GraphQLField]:
    return root_type(kind).fields


class _Looked(dict[str, list[str]]):
    """Samples that note which kinds an argument looked for."""

    def __init__(self, samples: dict[str, list[str]]) -> None:
        super().__init__(samples)
        self.kinds: set[str] = set()

    def __contains__(self, kind: object) -> bool:
        self.kinds.add(str(kind))
        return super().__contains__(kind)

    def __getitem__(self, kind: str) -> list[str]:
        self.kinds.add(kind)
        return super().__getitem__(kind)


def sample_sets(world: World, root: str, field_: GraphQLField) -> list[dict[str, str]]:
    """Each sample of the kinds the field's arguments name (inputs' fields included) tried
    once; a field taking any node's ID tries every one of CT-BS's."""
    looked = _Looked({k: v for k, v in world.samples.items() if v})
    for name, arg in field_.args.items():
        value_for(arg.type, root, name, looked)  # type: ignore[arg-type]
    width = max((len(v) for k, v in looked.items() if k in looked.kinds), default=1)
    return [{k: v[i % len(v)] for k, v in looked.items()} for i in range(width)]


def variable_sets(world: World, root: str, field_: GraphQLField) -> list[dict[str, Any]]:
    """The arguments of each request asking the root field, each set once: the samples in
    turn; where an optional `id` is another way to name what a code or filter names, each
    way alone, the ID one with IDs of the type the field returns."""
    schema = schema_cache()
    returns = get_named_type(field_.type).name
    nodes = {t.name for t in schema.get_possible_types(schema.get_type("Node"))}  # type: ignore[arg-type]
    optional_id = "id" in field_.args and not is_non_null_type(field_.args["id"].type)
    found: dict[str, dict[str, Any]] = {}
    for samples in sample_sets(world, root, field_):
        variables = root_variables(root, field_, samples)
        ways = [variables]
        if optional_id and "id" in variables and set(variables) - {"id", "first"}:
            by_id = {k: v for k, v in variables.items() if k in ("id", "first")}
            ways = [{k: v for k, v in variables.items() if k != "id"}]
            if returns not in nodes or GlobalID.from_id(by_id["id"]).type_name == returns:
                ways.append(by_id)
        for way in ways:
            found.setdefault(json.dumps(way, sort_keys=True), way)
    return list(found.values())


def depth_of(field_: GraphQLField, variables: dict[str, Any]) -> int:
    """How many levels down a request reads: a lookup by ID of a place, organisation or
    member reads one, since the same object is read DEPTH levels down by its code (SAMPLES
    and the first IDs of `World.samples["any"]` name the same objects) through the same
    resolvers; what only the lookup by ID does happens at its root."""
    named = get_named_type(field_.type).name
    if set(variables) != {"id"} or named not in ("Node", *BY_CODE):
        return DEPTH
    return 1 if GlobalID.from_id(variables["id"]).type_name in BY_CODE else DEPTH


def asked_type(field_: GraphQLField, variables: dict[str, Any]) -> str | None:
    """The concrete type a field returning an interface is asked for, read off its ID."""
    if not is_abstract_type(get_named_type(field_.type)):
        return None
    return GlobalID.from_id(variables["id"]).type_name


# Codes saying the oracle's own operation was at fault (beyond a limit, malformed) or the
# server was: an answer with one of them read nothing.
REFUSED_OPERATION = {"INTERNAL", "BAD_INPUT", "LIMIT_EXCEEDED", "GRAPHQL_VALIDATION_FAILED"}


@dataclass
class Asked:
    count: int = 0
    leaks: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def check(self) -> None:
        """No leak; and no uncoded error, nor one of REFUSED_OPERATION, which is a failure of
        its own (known: a statement too deep for SQLite's parser is answered by the resolvers
        instead)."""
        assert not self.leaks, "\n".join(self.leaks)
        assert not self.errors, "operations refused or failing:\n" + "\n".join(self.errors[:5])


async def ask_everything(registry: Registry, world: World, kind: str, role: str) -> Asked:
    """Every root field of `kind` asked by a CT-BS token of `role`: how many requests, and
    what went wrong (a marker of what lies outside; an uncoded or INTERNAL error)."""
    api = await registry.client(role, scope=TOKEN_SCOPE)
    roots = root_fields(kind)
    asked = Asked()
    for root, field_ in roots.items():
        for variables in variable_sets(world, root, field_):
            only, depth = asked_type(field_, variables), depth_of(field_, variables)
            for document in root_documents(kind, root, tuple(variables), only, depth):
                body = await api.post(document, variables)
                asked.count += 1
                codes = {e.get("extensions", {}).get("code") for e in body.get("errors") or []}
                if codes & REFUSED_OPERATION or None in codes:
                    asked.errors.append(f"{root}{variables}: {body['errors']}\n  {document}")
                if found := leaks(body.get("data"), world.markers):
                    asked.leaks.append(f"{root}{variables} shows {sorted(found)}\n  {document}")
    return asked


async def test_no_answer_to_a_community_shows_anything_outside_it(registry: Registry) -> None:
    """Given two communities tied across their boundary, when a viewer of CT-BS asks every
    root query about CT-BS's own objects, reading every object field three levels down,
    then no code, ID, name or phone of anything outside CT-BS appears in any answer."""
    await registry.load(crossing_communities(MINE, THEIRS))
    world = await outside_of(registry, TOKEN_SCOPE)
    assert {f"{THEIRS}-E-B1-U1-02", f"{THEIRS}-M1", f"{THEIRS}-DW"} <= world.markers
    assert f"{THEIRS}-M3" not in world.markers  # lives in CT-BS

    asked = await ask_everything(registry, world, "query", "viewer")

    assert asked.count > 2 * len(root_fields("query"))
    asked.check()


async def test_no_answer_to_a_community_organiser_shows_anything_outside_it(
    registry: Registry,
) -> None:
    """The same for every mutation, asked by an organiser of CT-BS: planners, proposals and
    applies included, whatever they write or refuse."""
    await registry.load(crossing_communities(MINE, THEIRS))
    world = await outside_of(registry, TOKEN_SCOPE)

    asked = await ask_everything(registry, world, "mutation", "organiser")

    assert asked.count > len(root_fields("mutation"))
    asked.check()


async def test_the_oracle_reads_deep_into_its_own_community(registry: Registry) -> None:
    """The oracle would pass vacuously if its answers were empty: they hold CT-BS's objects,
    several levels down, and the crossing ties' own ends."""
    await registry.load(crossing_communities(MINE, THEIRS))
    world = await outside_of(registry, TOKEN_SCOPE)
    api = await registry.client("viewer", scope=TOKEN_SCOPE)
    field_ = root_fields("query")["ifMemberLeaves"]
    samples = sample_sets(world, "ifMemberLeaves", field_)[0]
    text = ""
    variables = root_variables("ifMemberLeaves", field_, samples)
    for document in root_documents("query", "ifMemberLeaves", tuple(variables)):
        text += json.dumps(await api(document, variables), ensure_ascii=False)
    assert f"{MINE}-E-B1-U1-01" in text and f"{MINE}-DW" in text
