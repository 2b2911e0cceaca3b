"""How a setting's or model parameter's value is written for people: as it is typed and as a
profile file holds it (true/false, null, JSON objects), never Python's True/None/{'a': 1}."""

from __future__ import annotations

import json


def value_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, str):
        return repr(value)  # quoted, so an empty or spaced value is visible
    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        return repr(value)
