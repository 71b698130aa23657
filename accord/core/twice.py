"""A write its person has just made already (Back, then submit again; a second click; an
API or MCP call retried). The create services of issues, decisions, action items, comments,
key-result values, objectives, key results and initiatives find the same one made by the
same person within WINDOW and refuse it (`accord.core.errors.Duplicate`, code "duplicate")
unless asked to make it again (`again=True`); a second request for the same thing is
refused whoever asked it, whenever (`coordination`). The forms ask first, with the same
query (each app's `queries`), and offer a box to make it anyway (`accord.web.twice`)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

WINDOW = dt.timedelta(minutes=10)


def since() -> dt.datetime:
    """The moment from which the same write by the same person is taken for a second click."""
    return timezone.now() - WINDOW


def again_doc(what: str, rule: str = "") -> str:
    """What the API's `again` says, on each create operation that takes it."""
    rule = rule or (
        f"the same {what} made by you within the last {WINDOW.seconds // 60} minutes, still open,"
    )
    return (
        f"Make it even if you made it a moment ago. Without it, {rule} is refused as a "
        "retried call or a second click: 422 with code `duplicate`, the existing one named "
        "in the message and its id in `existing_id`."
    )
