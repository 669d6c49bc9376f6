"""Text that cannot be stored: control characters, lone surrogates and non-characters are refused
from every text input — each mutation's fields with a user error naming the field, each query's
arguments with BAD_INPUT, each workbook cell with a row problem — and nothing is written.
Names, codes and other one-line texts refuse tabs and line breaks too; a suggestion's text and
a change-log message may span lines."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from registry.core.validation import character_problem
from registry.importer import ImportFailed
from tests.support import Registry
from tests.test_import_tasks import with_tasks
from tests.workbooks import two_communities
from tests.write_world import WORLD, mutate

# NUL, BS, ESC, DEL, a C1 control (NEL), and non-characters of the first and last planes.
UNSTORABLE = ["\x00", "\x08", "\x1b", "\x7f", "\x85", "\ufffe", "\U0010ffff"]

TASK = {
    "code": "T9", "kind": "OTHER", "name": "楼道清理", "organisation": "PA", "places": ["MX"],
    "start": "2026-01-01", "end": "2026-01-31",
}  # fmt: skip


def writes(bad: str) -> list[tuple[str, dict[str, Any], str]]:
    """(operation, input, the field to blame): a text input of every kind, holding `bad`."""
    return [
        ("CreatePlace", {"code": "N1", "kind": "ESTATE", "name": f"新{bad}小区", "parent": "CA"},
         "name"),
        ("CreatePlace", {"code": f"N{bad}1", "kind": "ESTATE", "name": "新小区", "parent": "CA"},
         "code"),
        ("CreatePlace", {"code": "N1", "kind": "ESTATE", "name": "新小区", "parent": f"CA{bad}"},
         "parent"),
        ("UpdateMember", {"member": "M6", "workplace": f"重庆{bad}港务集团"}, "workplace"),
        ("UpdateMember", {"member": "M2", "phone": f"138{bad}00000002"}, "phone"),
        ("UpdateMember", {"member": "M2", "skills": ["law", f"medi{bad}cal"]}, "skills"),
        ("CreateSuggestion", {"place": "MX-1-101", "category": "PARKING", "text": f"停车{bad}难"},
         "text"),
        ("DissolveOrganisation", {"organisation": "G2", "approvedBy": "BR2",
                                  "message": f"并入{bad}支部"}, "message"),
        ("CreateTask", {**TASK, "name": f"楼道{bad}清理"}, "name"),
    ]  # fmt: skip


@pytest.mark.parametrize("bad", UNSTORABLE, ids=lambda c: f"U+{ord(c):04X}")
async def test_every_text_of_a_write_refuses_an_unstorable_character_by_name(
    registry: Registry, bad: str
) -> None:
    # Given a registry
    await registry.load(WORLD)
    api = await registry.client("admin")
    before = await registry.snapshot()

    # When each kind of text input holds the character, then the field is named, nothing written
    for name, input, field in writes(bad):
        payload = await mutate(api, name, input)
        assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [(field, "INVALID")], (
            name,
            payload,
        )
        assert f"U+{ord(bad):04X}" in payload["userErrors"][0]["message"]
    assert await registry.snapshot() == before


async def test_names_and_codes_are_one_line_but_a_suggestion_may_span_lines(
    registry: Registry,
) -> None:
    await registry.load(WORLD)
    api = await registry.client("admin")

    for broken in ("新\n小区", "新\t小区", "新\r\n小区", "新\u2028小区"):
        place = {"code": "N1", "kind": "ESTATE", "name": broken, "parent": "CA"}
        refused = await mutate(api, "CreatePlace", place)
        assert [(e["field"], e["code"]) for e in refused["userErrors"]] == [("name", "INVALID")]
    task = await mutate(api, "CreateTask", {**TASK, "code": "T\n9"})
    assert [e["field"] for e in task["userErrors"]] == ["code"]

    text = "地下车库积水：\n1. 排水泵坏了\n2. 灯不亮"
    raised = await mutate(
        api, "CreateSuggestion", {"place": "MX-1-101", "category": "PARKING", "text": text}
    )
    assert raised["userErrors"] == []
    assert raised["suggestion"]["text"] == text


@pytest.mark.parametrize("bad", ["\x00", "\x7f", "\ufffe"], ids=lambda c: f"U+{ord(c):04X}")
async def test_a_query_argument_with_an_unstorable_character_is_bad_input(
    registry: Registry, bad: str
) -> None:
    # Given a registry, a lookup, a filter and a written-in argument holding the character
    await registry.load(two_communities())
    api = await registry.client("viewer", scope="S-DGW")
    escaped = f"\\u{ord(bad):04x}" if ord(bad) <= 0xFFFF else bad
    asked = [
        ("query($c: String) { place(code: $c) { code } }", {"c": f"A{bad}"}),
        ("query($f: PlaceFilter) { places(filter: $f) { totalCount } }", {"f": {"name": bad}}),
        ("query($f: MemberFilter) { members(filter: $f) { totalCount } }", {"f": {"skill": bad}}),
        (f'{{ organisation(code: "A-DW{escaped}") {{ code }} }}', {}),
    ]
    for query, variables in asked:
        # When it is asked, then it is refused as the caller's mistake, not as a failure
        body = await api.post(query, variables)
        assert [e["extensions"]["code"] for e in body["errors"]] == ["BAD_INPUT"], body
        assert body["data"] is None


@pytest.mark.parametrize("bad", ["\x00", "\x07", "\x7f", "\x9b"], ids=lambda c: f"U+{ord(c):04X}")
async def test_a_workbook_cell_with_an_unstorable_character_is_a_row_problem(
    registry: Registry, bad: str
) -> None:
    # Given a workbook with the character in a name, a phone, a parent code and a skill
    rows = two_communities()
    rows["places"][1]["name"] = f"A{bad}社区"
    rows["members"][0]["phone"] = f"1380000{bad}6501"
    rows["organisations"][1]["parent"] = f"S-DGW{bad}"
    rows["members"][1]["skills"] = f"law;it{bad}"

    # When it is imported, then each such cell is reported and nothing is written
    with pytest.raises(ImportFailed) as failed:
        await registry.load(rows)
    blamed = {(p.sheet, p.row, p.column) for p in failed.value.problems if "U+" in p.message}
    assert blamed == {
        ("places", 3, "name"),
        ("members", 2, "phone"),
        ("organisations", 3, "parent"),
        ("members", 3, "skills"),
    }
    assert await registry.count("place") == 0


async def test_a_workbook_name_is_one_line_but_a_suggestion_may_span_lines(
    registry: Registry,
) -> None:
    rows = two_communities()
    rows["places"][1]["name"] = "A\n社区"
    with pytest.raises(ImportFailed) as failed:
        await registry.load(rows)
    assert [(p.sheet, p.row, p.column) for p in failed.value.problems] == [("places", 3, "name")]

    workbook = with_tasks()
    workbook["suggestions"][0]["text"] = "停车难：\n晚上没有车位"
    await registry.load(workbook)
    api = await registry.client("admin")
    found = await api("{ suggestions(first: 5) { nodes { code text } } }")
    assert {"code": "S1", "text": "停车难：\n晚上没有车位"} in found["suggestions"]["nodes"]


def test_the_character_rule_names_what_cannot_be_stored() -> None:
    # Lone surrogates cannot reach the API (JSON decoding refuses them) but can reach Python.
    for bad in ["\ud800", "\udfff", "\ufdd0", "\U0001fffe", *UNSTORABLE]:
        assert character_problem(f"名{bad}字", multiline=True), repr(bad)
    # Rare characters of names live in the higher planes (CJK extension B: 𠀀, 𪚥).
    for fine in [
        "张三",
        "O'Brien-Smith",
        "😀",
        "\ue000",
        "a\tb\nc",
        "\U00020000",
        "𪚥",
        "\U0001fffd",
    ]:
        assert character_problem(fine, multiline=True) is None, repr(fine)
    assert character_problem("a\tb", multiline=False)


@pytest.mark.parametrize("label", ["保税\x00商圈", "保税\t商圈", "保税\n商圈", "长" * 201])
async def test_a_token_label_is_held_to_the_same_rules(
    registry: Registry, database_url: str, capsys: pytest.CaptureFixture[str], label: str
) -> None:
    from registry.cli.main import main

    # When an admin creates a token with such a label, then none is created, saying why
    argv = ["--database", database_url, "token", "create", "--role", "admin", "--label", label]
    assert await asyncio.to_thread(main, argv) == 1  # the CLI runs its own event loop
    assert "label" in capsys.readouterr().err
    assert await registry.count("api_token") == 0
