"""What a tool answers: compact readable text plus the same facts as structured content,
both bounded in size.

A result's text, and its structured content serialized as JSON, each stay within
`MAX_CHARS` (16,000 characters). A list that does not fit is cut, and the answer says
so: "… N more, see <link>", with `more` and `more_url` in the structured content.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from mcp.types import CallToolResult, TextContent

from accord.activity.delivery import site_link

MAX_CHARS = 16_000
"""The bound on a result's text and on its structured content (as JSON), in characters."""

# Room kept for the closing "… N more" line and the rest of the answer.
_RESERVE = 600


def link(path: str | None) -> str:
    """An absolute address of one of Accord's pages ("" when there is none)."""
    if not path:
        return ""
    return site_link(path) if path.startswith("/") else path


def _size(data: Any) -> int:
    return len(json.dumps(data, default=str, ensure_ascii=False))


@dataclass
class Section:
    """A titled list in an answer: one text line and one dict per item."""

    title: str
    lines: list[str] = field(default_factory=list)
    items: list[dict[str, Any]] = field(default_factory=list)
    more_url: str = ""
    total: int | None = None  # when the caller already cut the list (e.g. a [:N] query)
    empty: str = "none"

    def add(self, line: str, item: dict[str, Any]) -> None:
        self.lines.append(line)
        self.items.append(item)


def answer(
    heading: str,
    *,
    data: dict[str, Any] | None = None,
    sections: list[Section] = (),  # type: ignore[assignment]
    footer: str = "",
) -> CallToolResult:
    """Text and structured content from a heading, a dict of facts and titled lists,
    cut to MAX_CHARS: each section keeps as many items as fit, the rest is counted."""
    data = dict(data or {})
    text_parts = [heading]
    text_used = len(heading) + len(footer) + _RESERVE
    data_used = _size(data) + _RESERVE
    budget_each = max(1, len(sections))
    for i, s in enumerate(sections):
        # What is left is shared between this section and the ones after it.
        text_room = (MAX_CHARS - text_used) // (budget_each - i)
        data_room = (MAX_CHARS - data_used) // (budget_each - i)
        lines = [f"\n{s.title}:"]
        kept: list[dict[str, Any]] = []
        t, d = len(lines[0]), 2
        for line, item in zip(s.lines, s.items, strict=True):
            line = f"- {line}"
            size = _size(item) + 2
            if t + len(line) + 1 > text_room or d + size > data_room:
                break
            lines.append(line)
            kept.append(item)
            t += len(line) + 1
            d += size
        total = s.total if s.total is not None else len(s.items)
        more = total - len(kept)
        if not s.items:
            lines.append(f"- {s.empty}")
        if more > 0:
            where = f", see <{s.more_url}>" if s.more_url else ""
            lines.append(f"- … {more} more{where}")
        key = s.title.lower().replace(" ", "_")
        data[key] = kept
        if more > 0:
            data[f"{key}_more"] = more
            if s.more_url:
                data[f"{key}_more_url"] = s.more_url
        text_parts.append("\n".join(lines))
        text_used += t + 40
        data_used += d + 40
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
        out["cut"] = "Lists left out to stay within 16,000 characters; see the link."
    return out


def refusal(message: str, fields: dict[str, list[str]] | None = None) -> CallToolResult:
    """A tool error (isError): what was wrong, per argument. Nothing was changed."""
    text = message
    if fields:
        text += "\n" + "\n".join(f"- {k}: {' '.join(v)}" for k, v in fields.items())
    return CallToolResult(content=[TextContent(type="text", text=text)], is_error=True)
