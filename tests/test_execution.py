"""gridreg's executor answers every selection exactly as strawberry's own executor does
(graphql-core's execution), reads strawberry's basic fields on its short path, and never takes
that path for a field that a permission class, a field extension, a resolver or the schema's
configuration guards.

A small schema below has a field of every kind the executor tells apart; a selection runs
under both executors and the answers (data and errors) must be equal, for chosen selections
and for selections hypothesis generates. A subclass of the executor records the fields that
went through graphql-core's field machinery (`execute_field`): the short path was taken for
the others. The registry's own schema is compared the same way on a small registry."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable
from dataclasses import replace
from datetime import date
from enum import Enum, StrEnum
from typing import Any, ClassVar, NewType

import httpx
import pytest
import strawberry
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strawberry import relay
from strawberry.directive import DirectiveLocation
from strawberry.extensions import FieldExtension, SchemaExtension
from strawberry.permission import BasePermission
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema_directive import Location

from graphql import (
    GraphQLField,
    GraphQLNamedType,
    GraphQLSchema,
    Undefined,
    get_named_type,
    is_abstract_type,
    is_leaf_type,
    is_non_null_type,
    parse,
)
from registry.api.execution import KeptPlans, PlainFieldExecutionContext
from registry.api.variables import directives_read_variables, reads_variable
from tests.support import operation
from tests.workbooks import two_communities

# --- A small schema with a field of every kind ------------------------------------------------


class Deny(BasePermission):
    message = "not for you"

    def has_permission(self, source: Any, info: strawberry.Info, **kwargs: Any) -> bool:
        return False


class Allow(BasePermission):
    def has_permission(self, source: Any, info: strawberry.Info, **kwargs: Any) -> bool:
        return True


class Shout(FieldExtension):
    """A field extension that changes the answer."""

    def resolve(self, next_: Any, source: Any, info: strawberry.Info, **kwargs: Any) -> Any:
        return str(next_(source, info, **kwargs)).upper()


@strawberry.schema_directive(locations=[Location.FIELD_DEFINITION])
class Audited:
    """A schema directive: it marks the schema and changes no answer."""

    note: str


@strawberry.enum
class Colour(Enum):
    RED = "red"
    BLUE = "blue"


@strawberry.enum
class Shape(StrEnum):  # as the registry's enums: its members equal their values
    ROUND = "round"
    SQUARE = "square"


Mark = NewType("Mark", str)
SCALARS = {
    Mark: strawberry.scalar(
        name="Mark",
        serialize=lambda value: value or None,  # a custom scalar may serialise to null
        parse_value=str,
    )
}


@strawberry.interface
class Counted:
    total: int


@strawberry.type
class Tally(Counted):
    """An object whose type check is strawberry's own (it implements an interface)."""

    ratio: float | None

    @strawberry.field
    def half(self) -> float:
        if self.total == 4:
            raise ValueError("no half of four")
        return self.total / 2


@strawberry.type
class Keeper:
    """An object with no type check at all."""

    name: str
    shape: Shape | None = None


@strawberry.type
class Picky:
    """An object with a type check of its own, which reads the resolve info."""

    name: str

    @classmethod
    def is_type_of(cls, obj: Any, info: strawberry.Info) -> bool:
        return isinstance(obj, Picky) and info.field_name == "picky"


def _label(root: Any, info: strawberry.Info, times: int = 1) -> str:
    """A resolver given its source as `root`."""
    return f"{root.code}×{times} {info.field_name}"


@strawberry.type
class Box:
    code: str
    colour: Colour
    shape: Shape
    since: date | None
    size: int | None
    tally: Tally
    tags: list[str]
    spare: Tally | None = None
    keeper: Keeper | None = None
    picky: Picky | None = None
    required: str = "set"
    audited: str = strawberry.field(default="audited", directives=[Audited(note="kept")])
    secret: str | None = strawberry.field(default="s3cret", permission_classes=[Deny])
    shown: str | None = strawberry.field(default="shown", permission_classes=[Allow])
    shouted: str = strawberry.field(default="quiet", extensions=[Shout()])
    mark: Mark = Mark("x")
    label: str = strawberry.field(resolver=_label)

    @strawberry.field
    def shout(self) -> str:
        return self.code.upper()

    @strawberry.field
    async def later(self) -> str:
        await asyncio.sleep(0)
        return f"{self.code} later"

    @strawberry.field
    def fails(self) -> str | None:
        raise RuntimeError(f"{self.code} fails")

    @strawberry.field
    async def sulks(self) -> str:
        await asyncio.sleep(0)
        raise RuntimeError(f"{self.code} sulks")


def boxes(broken: bool = False) -> list[Box]:
    found = [
        Box(code=f"B{i}", colour=Colour.RED if i % 2 else Colour.BLUE,
            shape=Shape.ROUND if i % 2 else Shape.SQUARE,
            since=date(2024, 1, i + 1) if i % 3 else None, size=None if i == 2 else i,
            tally=Tally(total=i, ratio=i / 10 if i else None), tags=[f"t{i}"] * (i % 3),
            spare=Tally(total=i * 2, ratio=None) if i % 2 else None,
            keeper=Keeper(name=f"K{i}", shape=Shape.ROUND) if i % 2 else None,
            picky=Picky(name=f"P{i}") if i % 2 else None)
        for i in range(5)
    ]  # fmt: skip
    if broken:
        found[3].required = None  # type: ignore[assignment]  # a null for a non-null field
        found[4].colour = "purple"  # type: ignore[assignment]  # a value the enum refuses
        found[0].shape = "round"  # type: ignore[assignment]  # a plain value equal to a member
        found[1].spare.total = None  # type: ignore[union-attr]  # null inside a nullable object
        found[2].tally.total = None  # type: ignore[assignment]  # ... inside a non-null one
        found[1].tags = ["x", None]  # type: ignore[list-item]  # a null item
        found[3].keeper = Keeper(name=None)  # type: ignore[arg-type]
        found[4].tally = None  # type: ignore[assignment]  # a null for a non-null object
        found[2].mark = ""  # serialised to null, for a non-null field
    return found


class FragileBox:
    """Stands for a Box, with attributes that raise or hold what their type refuses."""

    colour = ["red"]  # not even hashable
    mark = ""  # its scalar serialises it to null
    since = "2024-01-01"  # a string where a date goes
    size = "big"
    tags = ["a", 1]
    tally = Tally(total=1, ratio=0.5)
    spare = Keeper(name="not a tally")
    keeper = LookupError("an error where a keeper goes")
    picky = Keeper(name="not picky")
    required = audited = "set"
    secret = shown = shouted = "fragile"

    @property
    def code(self) -> str:
        raise ValueError("no code")

    @property
    def shape(self) -> Shape:
        raise AttributeError("no shape")


@strawberry.type
class Crate(relay.Node):
    """A relay node resolving its id as strawberry does by default."""

    key: relay.NodeID[int]
    code: str


class CrateOfItsOwn(Crate):
    """A Crate whose ids are of its own making: strawberry asks the object's own class."""

    @classmethod
    def resolve_id(cls, root: Crate, *, info: strawberry.Info) -> str:  # type: ignore[override]
        return f"own-{root.key}"


@strawberry.type
class OddCrate(relay.Node):
    """A relay node with ids of its own making."""

    key: relay.NodeID[int]

    @classmethod
    def resolve_id(cls, root: OddCrate, *, info: strawberry.Info) -> str:  # type: ignore[override]
        return f"odd-{root.key}"


@strawberry.type
class Query:
    @strawberry.field
    def boxes(self, broken: bool = False) -> list[Box]:
        return boxes(broken)

    @strawberry.field
    def loose(self, broken: bool = False) -> list[Box | None]:
        """Items that may be null (each broken box nulls itself alone), the last one fragile."""
        found: list[Any] = boxes(broken)
        found[0] = None
        found.append(FragileBox())
        return found

    @strawberry.field
    async def later(self) -> list[Box]:
        await asyncio.sleep(0)
        return boxes()

    @strawberry.field
    def edges(self) -> list[Box]:
        """Values at the edges of their scalars: each must answer as graphql-core answers."""
        found = boxes()
        found[0].size = 2**31  # beyond Int
        found[1].size = -(2**31)  # the smallest Int
        found[2].tally.ratio = float("nan")  # not a Float
        found[3].tally.ratio = float("inf")
        found[4].code = True  # type: ignore[assignment]  # a bool where a String goes
        found[1].spare.total = 7.0  # type: ignore[union-attr]  # a whole float in an Int
        return found

    @strawberry.field
    def shared(self) -> list[Box]:
        """One tally in every box, and one failing tally in every other box."""
        found = boxes()
        one, failing = Tally(total=3, ratio=0.3), Tally(total=4, ratio=None)
        for i, box in enumerate(found):
            box.tally = one
            box.spare = failing if i % 2 else one
        return found

    @strawberry.field
    def crates(self) -> list[Crate]:
        return [Crate(key=i, code=f"C{i}") for i in range(3)] + [CrateOfItsOwn(key=3, code="C3")]

    @strawberry.field
    def odd_crates(self) -> list[OddCrate]:
        return [OddCrate(key=i) for i in range(2)]

    @strawberry.field
    def greet(
        self,
        info: strawberry.Info,
        first_name: str | None = None,
        times: int = 1,
        tag: strawberry.ID | None = None,
    ) -> str:
        """Arguments strawberry hands on as they come, by their Python names, and the info."""
        return f"{info.field_name} {info.path.key} {first_name!r} {times!r} {tag!r}"

    @strawberry.field(permission_classes=[Deny])
    def guarded(self, word: str = "x") -> str | None:
        return word

    @strawberry.field
    def tinted(self, colour: Colour = Colour.RED, shape: Shape | None = None) -> str:
        """Arguments strawberry converts (enums)."""
        return f"{colour!r} {shape!r}"

    @strawberry.field
    def refuses(self, word: str) -> str:
        raise ValueError(f"no {word}")



# Roots whose objects are all sound (with `broken`/`odd` left false): the short path reads
# each of these fields there, and graphql-core's machinery is never needed for them (a crate's
# id is not among them: one crate makes its ids its own way).
SOUND_ROOTS = {"boxes", "later", "shared", "crates"}
BASIC = {
    "Box.code", "Box.colour", "Box.shape", "Box.since", "Box.size", "Box.tags", "Box.required",
    "Box.audited", "Box.mark", "Box.tally", "Box.spare", "Box.keeper", "Tally.total",
    "Tally.ratio", "Keeper.name", "Keeper.shape", "Crate.code",
}  # fmt: skip


class Counting(PlainFieldExecutionContext):
    """gridreg's executor, recording each field that goes through graphql-core's machinery,
    and each whose resolver it calls past strawberry's wrapper."""

    full_path: ClassVar[list[str]] = []
    direct: ClassVar[list[str]] = []

    def _called(self, parent_type: Any, details: Any) -> Any:
        called = super()._called(parent_type, details)
        if called is not None:
            Counting.direct.append(f"{parent_type.name}.{details[0].node.name.value}")
        return called

    def execute_field(
        self, parent_type: Any, source: Any, details: Any, path: Any, position: Any
    ) -> Any:
        Counting.full_path.append(f"{parent_type.name}.{details[0].node.name.value}")
        return super().execute_field(parent_type, source, details, path, position)


@strawberry.type
class Label:
    text: str
    shape: Shape | None


@strawberry.type
class Sign:
    """Types of their own for a schema with a default resolver of its own: strawberry keeps
    the default resolver on each field, so types shared with other schemas would share it."""

    text: str
    tags: list[str]
    label: Label | None


@strawberry.type
class SignQuery:
    @strawberry.field
    def signs(self) -> list[Sign]:
        return [
            Sign(text=f"sign {i}", tags=["a"] * i, label=Label(text="label", shape=Shape.ROUND))
            for i in range(3)
        ]


def shouting_getattr(source: Any, name: str) -> Any:
    """A default resolver of the schema's own: strawberry reads every basic field with it."""
    value = getattr(source, name)
    return value.upper() if type(value) is str else value


@strawberry.directive(locations=[DirectiveLocation.FIELD])
def lower(value: str) -> str:
    return value.lower()


def pair(
    query: type = Query, directives: tuple[Any, ...] = (), **config: Any
) -> tuple[strawberry.Schema, strawberry.Schema]:
    """A schema under strawberry's own executor and under gridreg's (counting)."""
    options: dict[str, Any] = {
        "directives": directives,
        "config": StrawberryConfig(scalar_map=SCALARS, **config),
    }
    return (
        strawberry.Schema(query, **options),
        strawberry.Schema(query, execution_context_class=Counting, **options),
    )


SCHEMAS = {
    "default": pair(),
    "own default resolver": pair(SignQuery, default_resolver=shouting_getattr),
    "query directive": pair(directives=(lower,)),
}
FAST = SCHEMAS["default"][1]

Answer = tuple[Any, list[tuple[str, Any]]]


def _errors(errors: Any) -> list[tuple[str, Any]]:
    """Errors by message and path, in a stable order."""
    return sorted(((e["message"], e.get("path")) for e in errors or []), key=repr)


async def answer_of(schema: strawberry.Schema, query: str) -> Answer:
    """The data and errors of `query`."""
    return _answer(await schema.execute(query))


def _answer(result: Any) -> Answer:
    """An execution result's data and errors."""
    return result.data, _errors([e.formatted for e in result.errors or []])


async def both(query: str, schemas: str = "default") -> tuple[Any, Any]:
    """What strawberry's executor answers to `query`, and what gridreg's does."""
    plain, fast = SCHEMAS[schemas]
    return await answer_of(plain, query), await answer_of(fast, query)


async def settled(work: Awaitable[Any]) -> Any:
    """`work`'s result, once what the executors settle in the background has settled too (an
    error leaves sibling fields to settle): a loop closed before would leave them unawaited."""
    result = await work
    await asyncio.gather(*asyncio.all_tasks() - {asyncio.current_task()}, return_exceptions=True)
    return result


# --- Selections hypothesis generates, for any schema ------------------------------------------

DIRECTIVES = ["", "", "", " @skip(if: true)", " @include(if: false)", " @include(if: true)"]


def _callable(name: str, field: GraphQLField, given: dict[str, str]) -> bool:
    """Whether the field can be selected: each required argument has a default or is given."""
    return name in given or all(
        not is_non_null_type(arg.type) or arg.default_value is not Undefined
        for arg in field.args.values()
    )


@st.composite
def selection(
    draw: st.DrawFn,
    schema: GraphQLSchema,
    type_: GraphQLNamedType,
    depth: int,
    given: dict[str, str] | None = None,
) -> str:
    """A selection set on `type_`: some of its fields, aliased or not, some repeated, under
    @skip/@include, in inline fragments, objects `depth` levels down.
    `given` holds the arguments of fields that need them ("Type.field": "(code: ...)");
    optional Boolean arguments are drawn."""
    given = given or {}
    if is_abstract_type(type_):
        parts = ["__typename"]
        for possible in schema.get_possible_types(type_):  # type: ignore[arg-type]
            if depth > 0 and draw(st.booleans()):
                inner = draw(selection(schema, possible, depth - 1, given))
                parts.append(f"... on {possible.name} {inner}")
        return "{ " + " ".join(parts) + " }"
    fields = [
        (name, field)
        for name, field in type_.fields.items()  # type: ignore[attr-defined]
        if _callable(f"{type_.name}.{name}", field, given)
        and (depth > 0 or is_leaf_type(get_named_type(field.type)))
    ]
    if not fields:
        return "{ __typename }"
    wrappers = ["{}"] * 5 + [f"... on {type_.name} {{{{ {{}} }}}}", "... {{ {} }}"]
    parts = []
    for i, (name, field) in enumerate(
        draw(st.lists(st.sampled_from(fields), min_size=1, max_size=6))
    ):
        arguments = given.get(f"{type_.name}.{name}", "")
        alias = ""
        if draw(st.booleans()):
            # Aliased: its own arguments too (unaliased, the same field with other
            # arguments would conflict).
            alias = f"a{i}: "
            booleans = [
                a for a, arg in field.args.items() if get_named_type(arg.type).name == "Boolean"
            ]
            if booleans and not arguments:
                chosen = draw(st.dictionaries(st.sampled_from(booleans), st.booleans()))
                if chosen:
                    arguments = (
                        "(" + ", ".join(f"{a}: {str(v).lower()}" for a, v in chosen.items()) + ")"
                    )
        inner = get_named_type(field.type)
        sub = "" if is_leaf_type(inner) else draw(selection(schema, inner, depth - 1, given))
        piece = f"{alias}{name}{arguments}{draw(st.sampled_from(DIRECTIVES))} {sub}"
        parts.append(draw(st.sampled_from(wrappers)).format(piece))
    if draw(st.booleans()):
        parts.append("__typename")
    return "{ " + " ".join(parts) + " }"


def _root_fields(query: str) -> set[str]:
    """The root fields a query selects, fragments seen through."""
    from graphql import parse

    names: set[str] = set()
    pending = list(parse(query).definitions[0].selection_set.selections)  # type: ignore[attr-defined]
    while pending:
        node = pending.pop()
        if getattr(node, "name", None) is not None:
            names.add(node.name.value)
        elif getattr(node, "selection_set", None) is not None:
            pending.extend(node.selection_set.selections)
    return names


# --- The small schema: chosen selections ------------------------------------------------------

QUERIES = [
    "{ boxes { code colour shape since size required tags tally { total ratio } shout } }",
    "{ b: boxes { c: code code size ...F } } fragment F on Box { colour since __typename }",
    "{ boxes { code @skip(if: true) size @include(if: false) colour } }",
    "{ boxes { secret shown shouted audited later fails } }",
    "{ boxes(broken: true) { code required } }",
    "{ boxes(broken: true) { code colour shape tags } }",
    "{ later { code colour tally { total } shout later } }",
    "{ boxes { code spare { total half } tally { ... on Counted { total } half } } }",
    "{ boxes(broken: true) { code spare { total ratio } keeper { name shape } } }",
    "{ boxes(broken: true) { code tally { total } } }",
    "{ boxes { keeper { name shape } picky { name } } }",
    "{ later { spare { half } tally { half } } }",
    "{ loose { code required colour tally { total } } }",
    "{ loose(broken: true) { ... on Box { code } spare { total } keeper { name } picky { name } }}",
    "{ loose { since size tags secret shown shouted keeper { name } } }",
    "{ loose { spare { total } keeper { name } picky { name } } }",
    "{ loose(broken: true) { code tally { total } colour tags } }",
    "{ crates { id code } oddCrates { id } }",
    "{ boxes { code mark } loose { mark } }",
    "{ boxes(broken: true) { mark } }",
    "{ loose { colour } }",
    "{ shared { code tally { total ratio } spare { total half } } }",
    "{ shared { tally { total } again: tally { total ratio } spare { ... on Counted { total } } }}",
    "{ edges { code size colour tally { ratio } spare { total } } }",
    "{ edges { size } }",
    "{ edges { tally { ratio } } }",
]


@pytest.mark.parametrize("query", QUERIES)
async def test_given_a_selection_then_both_executors_answer_alike(query: str) -> None:
    expected, answered = await both(query)
    assert answered == expected


async def test_given_basic_fields_then_they_take_the_short_path_and_guarded_fields_never_do() -> (
    None
):
    Counting.full_path.clear()
    expected, answered = await both(
        "{ __typename boxes { __typename code colour since size required tags tally { total }"
        " spare { half __typename } keeper { name } picky { name } secret shown shouted shout"
        " later } }"
    )
    assert answered == expected
    assert answered[1] == [("not for you", ["boxes", i, "secret"]) for i in range(5)]
    # Resolvers, permission classes, extensions and a type check that reads the resolve info
    # go through graphql-core; every basic field of the five boxes is read directly, and so
    # is every type's name.
    assert Counter(Counting.full_path) == {
        "Query.boxes": 1, "Box.secret": 5, "Box.shown": 5, "Box.shouted": 5, "Box.shout": 5,
        "Box.later": 5, "Box.picky": 5, "Tally.half": 2,
    }  # fmt: skip


async def test_given_resolvers_strawberry_adds_nothing_to_then_they_are_called_directly() -> (
    None
):
    Counting.direct.clear()
    expected, answered = await both(
        '{ greet(firstName: "Ann", times: 2, tag: "t1") again: greet boxes { code label(times: 3)'
        ' bare: label } guarded tinted(colour: BLUE) refuses(word: "x") }'
    )
    assert answered == expected
    assert answered[1] == [("no x", ["refuses"]), ("not for you", ["guarded"])]
    # Enums are converted and permission classes checked by strawberry's own resolver.
    assert set(Counting.direct) == {"Query.greet", "Query.boxes", "Box.label", "Query.refuses"}


async def test_given_a_permission_class_on_a_plain_field_then_the_field_is_denied() -> None:
    expected, answered = await both("{ boxes { code secret } }")
    assert answered == expected
    data, errors = answered
    assert data == {"boxes": [{"code": f"B{i}", "secret": None} for i in range(5)]}
    assert {message for message, _ in errors} == {"not for you"}


async def test_given_a_field_extension_on_a_plain_field_then_it_shapes_the_answer() -> None:
    expected, answered = await both("{ boxes { shouted } }")
    assert answered == expected
    assert answered == ({"boxes": [{"shouted": "QUIET"}] * 5}, [])


async def test_given_a_default_resolver_of_the_schemas_own_then_every_basic_field_uses_it() -> None:
    query = "{ signs { text tags label { text shape } } }"
    expected, answered = await both(query, "own default resolver")
    assert answered == expected
    data, _ = answered
    assert data["signs"][1] == {
        "text": "SIGN 1",
        "tags": ["a"],
        "label": {"text": "LABEL", "shape": "ROUND"},
    }


@pytest.mark.parametrize(("field", "message"), [("code", "no code"), ("shape", "no shape")])
async def test_given_an_attribute_that_raises_then_its_error_names_its_field(
    field: str, message: str
) -> None:
    expected, answered = await both(f"{{ loose {{ {field} }} }}")
    assert answered == expected
    data, errors = answered
    assert data["loose"][5] is None  # the fragile box, nulled by its non-null field
    assert errors == [(message, ["loose", 5, field])]


@pytest.mark.parametrize(
    ("schemas", "query"),
    [
        ("query directive", "{ boxes { code @lower shout @lower keeper { name @lower } } }"),
    ],
)
async def test_given_query_directives_then_both_executors_answer_alike(
    schemas: str, query: str
) -> None:
    expected, answered = await both(query, schemas)
    assert answered == expected


async def test_given_a_schema_that_delivers_incrementally_then_the_executor_refuses_it() -> None:
    # It answers whole responses only (the registry's schema has no @defer or @stream).
    schema = strawberry.Schema(
        Query,
        execution_context_class=PlainFieldExecutionContext,
        config=StrawberryConfig(scalar_map=SCALARS, enable_experimental_incremental_execution=True),
    )
    result = await schema.execute("{ boxes { code } }")
    assert result.data is None
    assert result.errors and "incremental execution" in result.errors[0].message


async def test_given_an_extension_that_wraps_resolvers_then_it_still_sees_every_field() -> None:
    seen: list[str] = []

    class SeesEveryField(SchemaExtension):
        def resolve(self, _next: Any, root: Any, info: Any, *args: Any, **kwargs: Any) -> Any:
            seen.append(info.field_name)
            return _next(root, info, *args, **kwargs)

    schema = strawberry.Schema(
        Query,
        extensions=[SeesEveryField],
        execution_context_class=PlainFieldExecutionContext,
        config=StrawberryConfig(scalar_map=SCALARS),
    )
    result = await schema.execute("{ boxes { code size } }")
    assert not result.errors
    assert seen.count("code") == 5 and seen.count("size") == 5


async def test_given_relay_nodes_then_their_ids_are_global_ids_of_their_own_making() -> None:
    from strawberry.relay import GlobalID

    Counting.full_path.clear()
    result = await FAST.execute("{ crates { id } oddCrates { id } }")
    assert not result.errors
    crates = [GlobalID.from_id(c["id"]) for c in result.data["crates"]]
    assert [(g.type_name, g.node_id) for g in crates] == [
        ("Crate", "0"), ("Crate", "1"), ("Crate", "2"), ("Crate", "own-3")
    ]  # fmt: skip
    odd = [GlobalID.from_id(c["id"]) for c in result.data["oddCrates"]]
    assert [(g.type_name, g.node_id) for g in odd] == [("OddCrate", "odd-0"), ("OddCrate", "odd-1")]
    # Crates' ids are read directly; the odd crates' and the crate of its own are resolved.
    assert Counter(Counting.full_path) == {
        "Query.crates": 1, "Query.oddCrates": 1, "OddCrate.id": 2, "Crate.id": 1,
    }  # fmt: skip


# --- The small schema: generated selections ---------------------------------------------------


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(sorted(SCHEMAS)), st.data())
def test_given_generated_selections_then_both_executors_answer_alike(
    schemas: str, data: st.DataObject
) -> None:
    plain, _ = SCHEMAS[schemas]
    schema = plain._schema
    query = data.draw(selection(schema, schema.query_type, 3))
    Counting.full_path.clear()
    expected, answered = asyncio.run(settled(both(query, schemas)))
    assert answered == expected, query
    # On sound objects, and with nothing wrapping resolvers, every basic field is read directly.
    if schemas == "default" and _root_fields(query) <= SOUND_ROOTS and "true" not in query:
        assert not BASIC & set(Counting.full_path), query


# --- The registry's schema --------------------------------------------------------------------

# The registry's root fields compared, with arguments on `two_communities()`.
REGISTRY_ROOTS = {
    "members": "(first: 20)",
    "places": "(first: 30)",
    "organisations": "",
    "place": '(code: "A-E")',
    "organisation": '(code: "A-DW")',
    "coverage": '(scope: "S")',
    "rulesReport": '(scope: "S")',
    "orgChart": '(root: "S-DGW", depth: 3)',
    "orgChildren": '(parent: "S-DGW")',
    "orgAncestors": '(of: "A-ZB-G1")',
    "responsibilityChain": '(place: "A-E-B1-U1-01")',
    "singlePointsOfFailure": '(scope: "S")',
    "ifMemberLeaves": '(member: "A-M1")',
    "functionalMembers": '(organisation: "A-DW")',
    "changes": "(first: 20)",
}
SELECTIONS_PER_ROOT = 4
# The operations the benchmark times, as clients send them.
OPERATIONS = [("Members", {"first": 20}), ("OrgChart", {"root": "S-DGW", "depth": 3})]


def registry_queries(schema: GraphQLSchema) -> list[str]:
    """Queries of the registry's schema, a few under each root, the same on every run."""
    found: list[str] = []
    for root, arguments in REGISTRY_ROOTS.items():
        inner = get_named_type(schema.query_type.fields[root].type)  # type: ignore[union-attr]
        subs = st.just("") if is_leaf_type(inner) else selection(schema, inner, 3)
        head = f"{{ {root}{arguments} "

        @settings(
            max_examples=SELECTIONS_PER_ROOT,
            database=None,
            derandomize=True,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(subs.map(lambda sub, head=head: f"{head}{sub} }}"))
        def collect(query: str) -> None:
            found.append(query)

        collect()
    return found


def _body(body: dict[str, Any]) -> tuple[Any, list[tuple[Any, ...]]]:
    """An answer's data, and its errors by message, path and code."""
    errors = [
        (e["message"], e.get("path"), e.get("extensions", {}).get("code"))
        for e in body.get("errors") or []
    ]
    return body.get("data"), sorted(errors, key=repr)


async def test_given_a_registry_then_both_executors_answer_generated_selections_alike(
    registry: Any, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from registry.api.schema import build_schema
    from registry.server.app import create_app

    await registry.load(two_communities())
    api = await registry.client("admin")
    # The same application with strawberry's own executor, served in-process.
    monkeypatch.setattr(
        "registry.api.schema.PlainFieldExecutionContext", StrawberryGraphQLCoreExecutionContext
    )
    # ... resolving every field itself: compiled reads are compared with the resolvers too.
    reference_app = create_app(replace(settings, compiled_reads=False))
    monkeypatch.undo()
    reference = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=reference_app), base_url="http://reference"
    )
    answered = 0
    try:
        queries = [(query, {}) for query in registry_queries(build_schema(settings)._schema)]
        queries += [(operation(name), variables) for name, variables in OPERATIONS]
        for query, variables in queries:
            expected = await reference.post(
                "/graphql",
                json={"query": query, "variables": variables},
                headers={"Authorization": f"Bearer {api.token}"},
            )
            assert expected.status_code == 200, expected.text
            body = await api.post(query, variables)
            assert _body(body) == _body(expected.json()), query
            answered += body.get("data") is not None
    finally:
        await reference.aclose()
        await reference_app.state.db.dispose()
    assert answered >= len(queries) / 2  # most queries found data to compare


# --- An operation run again ------------------------------------------------------------------

# What one execution owns: `again` gives each request its own.
OWN_STATE = {
    "context_value", "variable_values", "collected_errors", "async_helpers",
    "pending_incremental_futures", "background_futures",
}  # fmt: skip
# What executions of one operation share: the operation, its set-up, and its kept plans.
SHARED_STATE = {
    "schema", "fragment_definitions", "fragments", "root_value", "operation", "field_resolver",
    "type_resolver", "subscribe_field_resolver", "enable_early_execution", "hide_suggestions",
    "abort_signal", "hooks", "middleware_manager", "error_propagation", "is_awaitable",
    "is_async_iterable", "async_work_finished_hook_task", "_relevant_sub_fields",
    "_stream_usages", "operation_extensions", "_short_path", "_kept", "_plans", "_lists", "_calls",
}  # fmt: skip


def _executor(query: str, kept: KeptPlans, context: Any) -> PlainFieldExecutionContext:
    schema = FAST._schema
    executor = PlainFieldExecutionContext.build(
        schema, parse(query), context_value=context, kept=kept
    )
    assert isinstance(executor, PlainFieldExecutionContext)
    return executor


def test_given_an_operation_run_again_then_each_execution_owns_its_state() -> None:
    """An executor copied for another request (`again`) shares the operation's set-up and
    plans, and nothing an execution changes. The attributes are listed by name, so that a
    graphql-core which adds one fails here until it is placed on one side or the other."""
    kept = KeptPlans()
    first = _executor("{ boxes { code } }", kept, context="first")
    one, two = first.again("one", first.variable_values), first.again("two", {})
    assert vars(one).keys() == vars(first).keys() == OWN_STATE | SHARED_STATE
    for name in SHARED_STATE:
        assert getattr(one, name) is getattr(first, name), name
    for name in OWN_STATE - {"variable_values"}:
        assert getattr(one, name) is not getattr(two, name), name
        assert getattr(one, name) is not getattr(first, name), name
    assert (one.context_value, two.context_value) == ("one", "two")
    assert one.async_helpers.gather.__self__ is one
    assert one._relevant_sub_fields is kept.sub_fields and one._plans is kept.plans


async def test_given_an_operation_run_again_then_each_answer_is_its_own() -> None:
    """The same operation answered by three executors of one set-up, one after the other and
    at once: each answer is what a fresh executor gives, errors included."""
    query = "{ __typename boxes(broken: true) { __typename code required tally { total } } }"
    expected = await answer_of(SCHEMAS["default"][0], query)
    kept = KeptPlans()
    first = _executor(query, kept, context=None)
    answers = [_answer(await _settled_result(first.execute_operation()))]
    answers += [
        _answer(result)
        for result in await asyncio.gather(
            *(_settled_result(first.again(None, first.variable_values).execute_operation())
              for _ in range(2))
        )
    ]  # fmt: skip
    assert answers == [expected] * 3
    assert kept.root is not None  # collected once, by the first


async def _settled_result(result: Any) -> Any:
    return await result if isinstance(result, Awaitable) else result


@pytest.mark.parametrize(
    ("query", "written_out"),
    [
        ('{ f(a: 1, b: "x", c: [1, 2], d: {e: [{g: 1}]}) }', True),
        ("{ f }", True),
        ("query($v: Int) { f(a: $v) }", False),
        ("query($v: Int) { f(c: [1, $v]) }", False),
        ("query($v: Int) { f(d: {e: [{g: $v}]}) }", False),
    ],
)
def test_given_a_field_then_its_arguments_are_written_out_only_without_a_variable(
    query: str, written_out: bool
) -> None:
    """Arguments written out are coerced once per kept operation; any variable, however deep in
    a list or an input object, makes them the request's own."""
    node = parse(query).definitions[0].selection_set.selections[0]  # type: ignore[attr-defined]
    assert any(map(reads_variable, node.arguments or ())) is not written_out


@pytest.mark.parametrize(
    ("query", "fixed"),
    [
        ('query($v: Int) { f(a: $v) @skip(if: true) g @include(if: false) }', True),
        ("query($v: Boolean!) { f @skip(if: $v) }", False),
        ("query($v: Boolean!) { ...F } fragment F on Query { g { ... @include(if: $v) { h } } }",
         False),
    ],
)
def test_given_a_document_then_its_fields_are_fixed_unless_a_directive_reads_a_variable(
    query: str, fixed: bool
) -> None:
    """A prepared query keeps its plans only when what it selects cannot change with its
    variables: a variable read by a directive, anywhere, can change it; one in an argument
    cannot."""
    assert directives_read_variables(parse(query)) is not fixed
