"""Ids as they come from forms, URLs and files."""

from __future__ import annotations

# The largest id a database integer holds; anything larger is simply not there.
MAX_ID = 2**63 - 1


def as_id(value: object) -> int | None:
    """An object's id: a whole number from 1 to MAX_ID, else None (a larger one would
    overflow SQLite's integers: it names nothing)."""
    text = str(value).strip() if isinstance(value, int | str) else ""
    if not text.isdigit() or len(text) > 19:
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None
