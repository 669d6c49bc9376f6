"""The template workbook organisers fill in: every sheet of the workbook format with its
columns, and example rows that import as they stand (a small sub-district, 示例街道, with one
of everything), so a person sees each column filled the way the importer reads it."""

from __future__ import annotations

from registry.importer.workbook_format import COLUMNS

_E = "EX-C1-E1"  # the example estate
EXAMPLES: dict[str, list[tuple[str, ...]]] = {
    "places": [
        ("EX", "", "subdistrict", "示例街道"),
        ("EX-C1", "EX", "community", "示例社区"),
        (_E, "EX-C1", "estate", "示例小区"),
        (f"{_E}-B01", _E, "building", "1栋"),
        (f"{_E}-B01-U1", f"{_E}-B01", "unit", "1单元"),
        (f"{_E}-B01-U1-101", f"{_E}-B01-U1", "household", "101"),
        (f"{_E}-B01-U1-102", f"{_E}-B01-U1", "household", "102"),
    ],
    "organisations": [
        ("EX-DGW", "", "working_committee", "示例街道党工委", "EX", "2020-01-01"),
        ("EX-C1-DW", "EX-DGW", "party_committee", "示例社区党委", "EX-C1", "2020-03-01"),
        (f"{_E}-ZB", "EX-C1-DW", "branch", "示例小区党支部", _E, "2021-05-01"),
        (f"{_E}-ZB-G01", f"{_E}-ZB", "group", "示例小区1栋党小组", f"{_E}-B01", "2021-06-01"),
    ],
    "members": [
        ("EX-M001", "张三", "male", "full", "2008-07-01", f"{_E}-ZB", "",
         f"{_E}-B01-U1-101", "", "13800000001", "law;publicity", "2", f"{_E}-ZB-G01"),
        ("EX-M002", "李四", "female", "probationary", "2026-01-15", f"{_E}-ZB", "",
         f"{_E}-B01-U1-102", "", "", "elderly_care", "", f"{_E}-ZB-G01"),
        ("EX-M003", "王五", "male", "full", "2015-05-04", "", "示例科技有限公司",
         f"{_E}-B01-U1-102", "EX-C1-DW", "", "", "", ""),
    ],  # fmt: skip
    "offices": [
        ("EX-M001", f"{_E}-ZB", "secretary", "2023-01-01", ""),
        ("EX-M001", f"{_E}-ZB-G01", "group_leader", "2023-01-01", ""),
    ],
    "pairings": [
        ("EX-M001", "household_contact", f"{_E}-B01-U1-102", "2024-01-01", ""),
    ],
    "tasks": [
        (f"{_E}-RH", "door_to_door_visits", "示例小区进家入户走访", "EX-C1-DW", _E, "4",
         "mediation:1", "2026-03-01", "2026-03-31", "planned", ""),
    ],  # fmt: skip
    "suggestions": [
        (f"{_E}-S01", f"{_E}-B01", "parking", "希望规划停车位", "EX-M001", "2026-03-05",
         "open", "", "", f"{_E}-RH"),
    ],  # fmt: skip
}


def template_sheets() -> list[tuple[str, tuple[str, ...], list[tuple[str, ...]]]]:
    """Each sheet of the format, in loading order: its name, columns and example rows."""
    return [(sheet, columns, EXAMPLES[sheet]) for sheet, columns in COLUMNS.items()]
