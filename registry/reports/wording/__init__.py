"""How rules and gaps are worded for a reader, in Chinese (first) and English.

The templates name a violation's figures (`{daysOverdue}`), its organisation (`{org}`) and
member (`{member}`); the console words its views from the same files (console/src/i18n.js
imports them), and the server's workbooks word their columns from them, so a rule reads the
same on screen and in Excel."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from functools import cache
from importlib import resources

LANGUAGES = ("zh", "en")
_FIELD = re.compile(r"\{(\w+)\}")


@cache
def templates(language: str) -> Mapping[str, str]:
    """The templates of one language, by key (`rule.NO_SECRETARY`, `gap.BUILDING_WITHOUT_GROUP`)."""
    if language not in LANGUAGES:
        raise ValueError(f"no wording in {language!r}; there is {', '.join(LANGUAGES)}")
    text = resources.files(__name__).joinpath(f"{language}.json").read_text(encoding="utf-8")
    found: dict[str, str] = json.loads(text)
    return found


def word(key: str, values: Mapping[str, object], language: str = "zh") -> str | None:
    """The template `key` with its fields filled from `values` (missing ones left empty), or
    None when the language has no such template."""
    template = templates(language).get(key)
    if template is None:
        return None
    return _FIELD.sub(lambda m: "" if values.get(m[1]) is None else str(values[m[1]]), template)
