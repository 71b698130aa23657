"""CSV that spreadsheets open safely: every CSV Accord writes goes through `writer`.

A cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return is run as a formula by
Excel, LibreOffice and Google Sheets (`=HYPERLINK(...)` leaks data when clicked). Such a
text cell is written with a leading apostrophe, which spreadsheets show as plain text.

Round trip: `restore` undoes it, so importing an exported file gives back the original
text. To keep that exact, a text that itself starts with apostrophes followed by one of
those characters (`'=x`) gets one more apostrophe on the way out (`''=x`) and loses one
on the way in. Any other text, and numbers, are written as they are.

    w = writer(stream)
    w.writerow(["=HYPERLINK(1)", 3])   # '=HYPERLINK(1),3
    restore("'=HYPERLINK(1)")          # =HYPERLINK(1)
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from typing import Any

TRIGGERS = "=+-@\t\r"
_ESCAPED = re.compile(r"^'+[=+\-@\t\r]")


def neutralise(value: str) -> str:
    """The text as a cell no spreadsheet runs as a formula."""
    if value and (value[0] in TRIGGERS or _ESCAPED.match(value)):
        return "'" + value
    return value


def restore(value: str) -> str:
    """The text `neutralise` was given (for CSV that Accord reads back)."""
    if _ESCAPED.match(value):
        return value[1:]
    return value


class SafeWriter:
    """`csv.writer` whose text cells are neutralised; other values are written as they are."""

    def __init__(self, stream: Any, **kwargs: Any):
        self._writer = csv.writer(stream, **kwargs)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow(
            [neutralise(cell) if isinstance(cell, str) else cell for cell in row]
        )

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def writer(stream: Any, **kwargs: Any) -> SafeWriter:
    return SafeWriter(stream, **kwargs)
