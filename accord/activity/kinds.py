"""Event kinds and the patterns that name them: one syntax and one check for webhook
subscriptions (`accord.hooks.outbox`) and the event log's `kind` filter (`GET /api/v1/events`).

An event's kind is `<app>.<model>.<verb>` (`org.team.created`); `<app>.<model>` is its
object kind (`target_type`). A pattern is one of

    org.team.created   that kind only
    org.team.*         every event about one kind of object (also written `org.team.`)
    coordination.*     every event of an area (app)
    *                  every event

and names an area or object kind that Accord records events about (`object_kinds`), so
that a misspelt one is refused rather than matching nothing. Verbs are open-ended (each
write names its own); `verbs()` lists the ones the activity feed words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from django.apps import apps

from accord.core.errors import ServiceError

_WORD = r"[a-z][a-z0-9_]*"
SYNTAX = re.compile(rf"^(\*|{_WORD}(\.{_WORD})*(\.\*)?)$")
EXAMPLES = "org.team.created, org.team.*, coordination.* or *"


@cache
def object_kinds() -> tuple[str, ...]:
    """Every `app.model` an event can be about, sorted: Accord's models, and the few of
    Django's an event is recorded about (a person's login, `auth.user`)."""
    from accord.activity import describe

    kinds = {
        m._meta.label_lower
        for m in apps.get_models()
        if m.__module__.startswith("accord.") and not m._meta.auto_created
    }
    return tuple(sorted(kinds | set(describe.KINDS)))


def areas() -> tuple[str, ...]:
    """The apps (`coordination`) events are recorded in, sorted."""
    return tuple(sorted({k.split(".")[0] for k in object_kinds()}))


def verbs() -> tuple[str, ...]:
    """The verbs the activity feed words (`accord.activity.describe`), sorted; a write may
    record another (the feed then reads its name)."""
    from accord.activity import describe

    return tuple(sorted(set(describe.VERBS) | {verb for _kind, verb in describe.KIND_VERBS}))


@dataclass(frozen=True)
class Pattern:
    """A checked pattern: `area` (an app) or `object_kind` (`app.model`) or neither
    (`*`), and `verb` for one exact kind."""

    text: str
    area: str = ""
    object_kind: str = ""
    verb: str = ""


def parse(value: str, field: str) -> Pattern:
    """`value` as a Pattern; else a ServiceError naming `field`. `org.team.` is read as
    `org.team.*` (the event log's earlier form)."""
    value = str(value).strip()
    if value.endswith(".") and SYNTAX.match(value + "*"):
        value += "*"
    if not SYNTAX.match(value):
        raise ServiceError(
            f"{value!r} is not an event kind: use e.g. {EXAMPLES}.",
            fields={field: [f"Not an event kind: {value!r}; e.g. {EXAMPLES}."]},
        )
    if value == "*":
        return Pattern(value)
    wildcard = value.endswith(".*")
    parts = value.removesuffix(".*").split(".")
    if len(parts) > 3 or (wildcard and len(parts) > 2) or (not wildcard and len(parts) < 3):
        raise ServiceError(
            f"{value!r} is not an event kind: kinds are <area>.<object>.<verb>; "
            f"use e.g. {EXAMPLES}.",
            fields={field: [f"Not an event kind: {value!r}; e.g. {EXAMPLES}."]},
        )
    stem = ".".join(parts[:2])
    known = areas() if len(parts) == 1 else object_kinds()
    if stem not in known:
        raise ServiceError(
            f"No events are recorded about {stem!r}; kinds look like {EXAMPLES} "
            "(see GET /api/v1/event-kinds).",
            fields={field: [f"Unknown event kind {value!r}."]},
        )
    if len(parts) == 1:
        return Pattern(value, area=stem)
    return Pattern(value, area=parts[0], object_kind=stem, verb="" if wildcard else parts[2])


def matches(patterns: list[str], kind: str) -> bool:
    """Whether an event kind (`coordination.dependency.created`) is one `patterns` asks for:
    the kind itself, a prefix followed by `.*`, or `*`."""
    for p in patterns:
        if p == "*" or p == kind or (p.endswith(".*") and kind.startswith(p[:-1])):
            return True
    return False


SYNTAX_DOC = (
    "<area>.<object>.<verb> (e.g. org.team.created), <area>.<object>.* , <area>.* or * "
    "(the event log takes one kind of object at a time: not <area>.*)"
)


def catalogue() -> dict:
    """What `GET /api/v1/event-kinds` answers and the webhook pages list."""
    from accord.activity import describe

    return {
        "syntax": SYNTAX_DOC,
        "areas": list(areas()),
        "object_kinds": [
            {"kind": k, "label": describe.kind_title(k), "pattern": f"{k}.*"}
            for k in object_kinds()
        ],
        "verbs": list(verbs()),
    }


def doc_table() -> str:
    """The list of object kinds docs/webhooks.md shows, as Markdown: a test
    (tests/hooks/test_event_kinds.py) fails when the document's copy differs; paste this
    output between its `event-kinds` markers when models change."""
    from accord.activity import describe

    rows = ["| pattern | every event about |", "|---|---|"]
    for kind in object_kinds():
        rows.append(f"| `{kind}.*` | {describe.kind_title(kind)} |")
    return "\n".join(rows)


def doc_verbs() -> str:
    """The verbs docs/webhooks.md lists, as Markdown."""
    return ", ".join(f"`{v}`" for v in verbs())
