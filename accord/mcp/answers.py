"""What a tool answers: compact readable text plus the same facts as structured content,
both bounded in size.

A result's text, and its structured content serialized as JSON, each stay within
`MAX_CHARS` (16,000 characters). The room is shared between an answer's lists after
measuring them: a short list takes what it needs and leaves the rest to the others, one
item of each list at a time. A list that does not fit is cut, and the answer says so and
how to read on: "… N more: call what_is_at_risk again with only="signals", offset=28"
(structured: `<list>_more` and `<list>_next_offset`), never a page's address, which a
client holding a token cannot open.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from mcp.types import CallToolResult, TextContent

from accord.activity.delivery import site_link

MAX_CHARS = 16_000
"""The bound on a result's text and on its structured content (as JSON), in characters."""

# Room kept for what is measured loosely: the JSON of the keys around each list and the
# "… N more" line's numbers.
_RESERVE = 200


def link(path: str | None) -> str:
    """An absolute address of one of Accord's pages ("" when there is none)."""
    if not path:
        return ""
    return site_link(path) if path.startswith("/") else path


def _size(data: Any) -> int:
    # As `json.dumps` writes it by default (non-ASCII as \uXXXX): the larger measure.
    return len(json.dumps(data, default=str))


@dataclass
class Section:
    """A titled list in an answer: one text line and one dict per item.

    `key` names the list in the structured content (snake_case, stable whatever the
    title says). `offset` is how many items of the whole list come before these (a page
    further on); `next_call` says how to read the items after the ones shown, e.g.
    'what_is_at_risk again with only="signals"': the answer adds ", offset=N"."""

    key: str
    title: str
    lines: list[str] = field(default_factory=list)
    items: list[dict[str, Any]] = field(default_factory=list)
    total: int | None = None  # when the caller already cut the list (e.g. a [:N] query)
    empty: str = "none"
    offset: int = 0
    next_call: str = ""
    note: str = ""  # a last line of its own, e.g. that more were left uncounted

    def add(self, line: str, item: dict[str, Any]) -> None:
        self.lines.append(line)
        self.items.append(item)


def _more_line(s: Section, more: int, shown: int) -> str:
    if s.next_call:
        return f"- … {more} more: call {s.next_call}, offset={s.offset + shown}"
    return f"- … {more} more"


def answer(
    heading: str,
    *,
    data: dict[str, Any] | None = None,
    sections: list[Section] = (),  # type: ignore[assignment]
    footer: str = "",
) -> CallToolResult:
    """Text and structured content from a heading, a dict of facts and titled lists,
    within MAX_CHARS: the lists take turns, one item each, while both the text and the
    structured content have room, so every list shows its first items and what one list
    does not need goes to the others; the rest of each is counted."""
    data = dict(data or {})
    sections = list(sections)
    text_used = len(heading) + (len(footer) + 1 if footer else 0) + _RESERVE
    data_used = _size(data) + _RESERVE
    for s in sections:
        total = s.total if s.total is not None else len(s.items)
        # The title, the "none" or "… N more" line at its longest, and the list's keys.
        text_used += len(s.title) + 4 + len(_more_line(s, total, total)) + len(s.note) + 16
        data_used += 3 * len(s.key) + 60
    kept = [0] * len(sections)
    open_ = [bool(s.items) for s in sections]
    while any(open_):
        for n, s in enumerate(sections):
            if not open_[n]:
                continue
            i = kept[n]
            t = len(s.lines[i]) + 3  # "- " and the newline
            d = _size(s.items[i]) + 2  # ", " between items
            if text_used + t > MAX_CHARS or data_used + d > MAX_CHARS:
                open_[n] = False  # in order: a later, shorter item does not jump the queue
                continue
            text_used += t
            data_used += d
            kept[n] = i + 1
            open_[n] = kept[n] < len(s.items)
    text_parts = [heading]
    for s, shown in zip(sections, kept, strict=True):
        lines = [f"\n{s.title}:"] + [f"- {line}" for line in s.lines[:shown]]
        total = s.total if s.total is not None else len(s.items)
        more = total - s.offset - shown if s.total is not None else total - shown
        if not s.items:
            lines.append(f"- {s.empty}")
        if more > 0:
            lines.append(_more_line(s, more, shown))
        if s.note:
            lines.append(f"- {s.note}")
        data[s.key] = s.items[:shown]
        if s.offset:
            data[f"{s.key}_offset"] = s.offset
        if more > 0:
            data[f"{s.key}_more"] = more
            if s.next_call:
                data[f"{s.key}_next_offset"] = s.offset + shown
        text_parts.append("\n".join(lines))
    if footer:
        text_parts.append(footer)
    text = "\n".join(text_parts)
    if len(text) > MAX_CHARS:  # one long field (a description): cut, and say so
        text = text[: MAX_CHARS - 40] + "\n… (cut at 16,000 characters)"
    return CallToolResult(
        content=[TextContent(type="text", text=text)], structured_content=_clip(data)
    )


def _clip(data: dict[str, Any]) -> dict[str, Any]:
    """Long texts in the structured content cut so the whole stays within MAX_CHARS."""
    if _size(data) <= MAX_CHARS:
        return data
    out: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, str) and len(value) > 2000:
            value = value[:2000] + "…"
        out[key] = value
    if _size(out) > MAX_CHARS:
        out = {k: v for k, v in out.items() if not isinstance(v, list | dict)}
        out["cut"] = "Lists left out to stay within 16,000 characters."
    return out


def refusal(message: str, fields: dict[str, list[str]] | None = None) -> CallToolResult:
    """A tool error (isError): what was wrong, per argument. Nothing was changed."""
    text = message
    if fields:
        text += "\n" + "\n".join(f"- {k}: {' '.join(v)}" for k, v in fields.items())
    return CallToolResult(content=[TextContent(type="text", text=text)], is_error=True)
