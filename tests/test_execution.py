"""The executor's short path for plain leaf fields answers exactly as graphql-core would."""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Any

import pytest
import strawberry
from strawberry import relay
from strawberry.extensions import SchemaExtension

from registry.api.execution import PlainFieldExecutionContext, prefetched


@strawberry.enum
class Colour(Enum):
    RED = "red"
    BLUE = "blue"


@strawberry.interface
class Counted:
    total: int


@strawberry.type
class Tally(Counted):
    ratio: float | None

    @strawberry.field
    def half(self) -> float:
        if self.total == 4:
            raise ValueError("no half of four")
        return self.total / 2


@strawberry.type
class Box:
    code: str
    colour: Colour
    since: date | None
    size: int | None
    tally: Tally
    spare: Tally | None = None
    required: str = "set"

    @strawberry.field
    def shout(self) -> str:
        return self.code.upper()


def boxes(broken: bool = False) -> list[Box]:
    found = [
        Box(code=f"B{i}", colour=Colour.RED if i % 2 else Colour.BLUE,
            since=date(2024, 1, i + 1) if i % 3 else None, size=None if i == 2 else i,
            tally=Tally(total=i, ratio=i / 10 if i else None),
            spare=Tally(total=i * 2, ratio=None) if i % 2 else None)
        for i in range(5)
    ]  # fmt: skip
    if broken:
        found[3].required = None  # type: ignore[assignment]  # a null for a non-null field
        found[4].colour = "purple"  # type: ignore[assignment]  # a value the enum refuses
        found[1].spare.total = None  # type: ignore[union-attr]  # null inside a nullable object
        found[2].tally.total = None  # type: ignore[assignment]  # ... inside a non-null one
    return found


RESOLVED: list[str] = []  # the prefetched fields whose resolver ran


@strawberry.type
class Shelf:
    """Fields a list query may fetch up front (`ready`), else resolved."""

    code: str
    ready: strawberry.Private[dict[str, Any] | None] = None

    @strawberry.field
    @prefetched
    def label(self, info: strawberry.Info) -> str | None:
        RESOLVED.append("label")
        return f"resolved {self.code}"

    @strawberry.field
    @prefetched
    def tags(self, info: strawberry.Info) -> list[str]:
        RESOLVED.append("tags")
        return ["resolved"]

    @strawberry.field
    @prefetched
    def box(self, info: strawberry.Info) -> Box | None:
        RESOLVED.append("box")
        return boxes()[1]


def shelves(odd: bool = False) -> list[Shelf]:
    found = [
        Shelf(code="S0", ready={"label": "ready", "tags": ["a", "b"], "box": boxes()[2]}),
        Shelf(code="S1", ready={"label": None, "tags": [], "box": None}),
    ]
    if odd:
        found += [
            Shelf(code="S2"),  # nothing fetched: the resolvers answer
            Shelf(code="S3", ready={"tags": [1, 2]}),  # coerced like any String
            Shelf(code="S4", ready={"tags": ["x", None]}),  # a null item in a non-null list
        ]
    return found


@strawberry.type
class Crate(relay.Node):
    """A relay node resolving its id as strawberry does by default."""

    key: relay.NodeID[int]
    code: str


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
        """One tally in every box, and one failing tally in every other box: an object met
        again is answered from its first completion, which must not change any answer."""
        found = boxes()
        one, failing = Tally(total=3, ratio=0.3), Tally(total=4, ratio=None)
        for i, box in enumerate(found):
            box.tally = one
            box.spare = failing if i % 2 else one
        return found

    @strawberry.field
    def crates(self) -> list[Crate]:
        return [Crate(key=i, code=f"C{i}") for i in range(3)]

    @strawberry.field
    def odd_crates(self) -> list[OddCrate]:
        return [OddCrate(key=i) for i in range(2)]

    @strawberry.field
    def shelves(self, odd: bool = False) -> list[Shelf]:
        return shelves(odd)

    @strawberry.field
    async def later(self) -> list[Box]:
        return boxes()

    @strawberry.field
    def loose(self) -> list[Box | None]:
        """Items that may be null: a null, broken boxes (each nulls itself alone) and a value
        of another type (refused by the item's type check)."""
        found: list[Any] = boxes(broken=True)
        found[0] = None
        found.append(Tally(total=1, ratio=None))
        return found


class SeesEveryField(SchemaExtension):
    seen: list[str] = []

    def resolve(self, _next: Any, root: Any, info: Any, *args: Any, **kwargs: Any) -> Any:
        SeesEveryField.seen.append(info.field_name)
        return _next(root, info, *args, **kwargs)


PLAIN = strawberry.Schema(Query)
FAST = strawberry.Schema(Query, execution_context_class=PlainFieldExecutionContext)

QUERIES = [
    "{ boxes { code colour since size required tally { total ratio } shout } }",
    "{ b: boxes { c: code code size ...F } } fragment F on Box { colour since __typename }",
    "query($no: Boolean!) { boxes { code @skip(if: $no) size @include(if: $no) colour } }",
    "{ boxes(broken: true) { code required } }",
    "{ boxes(broken: true) { code colour } }",
    "{ later { code colour tally { total } shout } }",
    "{ boxes { code spare { total half } tally { ... on Counted { total } half } } }",
    "{ boxes(broken: true) { code spare { total ratio } } }",
    "{ boxes(broken: true) { code tally { total } } }",
    "{ later { spare { half } tally { half } } }",
    "{ shelves { code label tags box { code tally { total } shout } } }",
    "{ shelves(odd: true) { code label tags box { code colour } } }",
    "{ crates { id code } oddCrates { id } }",
    "{ shared { code tally { total ratio } spare { total half } } }",
    "{ shared { tally { total } again: tally { total ratio } spare { ... on Counted { total } } }}",
    "{ edges { code size colour tally { ratio } spare { total } } }",
    "{ edges { size } }",
    "{ edges { tally { ratio } } }",
    "{ edges { code colour spare { total } } }",
    "{ loose { code required colour tally { total } } }",
    "{ loose { ... on Box { code } spare { total } } }",
]


def answer(result: Any) -> tuple[Any, list[tuple[str, Any]]]:
    errors = sorted((e.message, e.path) for e in result.errors or [])
    return result.data, errors


@pytest.mark.parametrize("query", QUERIES)
async def test_given_any_selection_then_the_short_path_answers_as_graphql_core(query: str) -> None:
    variables = {"no": True}
    expected = answer(await PLAIN.execute(query, variable_values=variables))
    assert answer(await FAST.execute(query, variable_values=variables)) == expected


async def test_given_a_null_for_a_non_null_leaf_then_the_error_names_the_field() -> None:
    data, errors = answer(await FAST.execute("{ boxes(broken: true) { code required } }"))
    assert data is None
    assert [path for _, path in errors] == [["boxes", 3, "required"]]


async def test_given_an_extension_that_wraps_resolvers_then_it_still_sees_every_field() -> None:
    schema = strawberry.Schema(
        Query, extensions=[SeesEveryField], execution_context_class=PlainFieldExecutionContext
    )
    SeesEveryField.seen.clear()
    result = await schema.execute("{ boxes { code size } }")
    assert not result.errors
    assert SeesEveryField.seen.count("code") == 5 and SeesEveryField.seen.count("size") == 5


async def test_given_answers_fetched_up_front_then_no_resolver_runs_for_them() -> None:
    RESOLVED.clear()
    result = await FAST.execute("{ shelves { label tags box { code } } }")
    assert not result.errors
    assert result.data == {
        "shelves": [
            {"label": "ready", "tags": ["a", "b"], "box": {"code": "B2"}},
            {"label": None, "tags": [], "box": None},
        ]
    }
    assert RESOLVED == []
    await FAST.execute("{ shelves(odd: true) { code label } }")
    assert RESOLVED == ["label"] * 3  # S2 fetched nothing, S3 and S4 no label


async def test_given_relay_nodes_then_their_ids_are_global_ids_of_their_own_making() -> None:
    from strawberry.relay import GlobalID

    result = await FAST.execute("{ crates { id } oddCrates { id } }")
    assert not result.errors
    crates = [GlobalID.from_id(c["id"]) for c in result.data["crates"]]
    assert [(g.type_name, g.node_id) for g in crates] == [("Crate", str(i)) for i in range(3)]
    odd = [GlobalID.from_id(c["id"]) for c in result.data["oddCrates"]]
    assert [(g.type_name, g.node_id) for g in odd] == [("OddCrate", "odd-0"), ("OddCrate", "odd-1")]
