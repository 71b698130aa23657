"""What a typed text may hold (`require_text`, every service's one check, whose refusal the
pages show beside the field and the API as a 422): a text of characters that show nothing
is empty, a control character other than a tab or a line break is refused, and so is a
direction override, embedding or isolate in a title or a name."""

from __future__ import annotations

import json

import pytest

from accord.api import services as tokens
from accord.conversation import services as conversation
from accord.core.errors import ServiceError
from accord.core.services import require_long_text, require_text
from accord.org import services as org_services
from accord.org.models import Team
from tests.conftest import api_client, login

# Each shows nothing: zero-width space, non-joiner and joiner, the byte-order mark, the
# Hangul fillers, the blank Braille pattern, a line separator, and controls alone.
SHOWS_NOTHING = [
    "\u200b",
    "\u200c",
    "\u200d",
    "\ufeff",
    "\u3164",
    "\u2800",
    "\u115f\u1160",
    "\uffa0",
    " \u200b\u2028\u00a0 ",
    "\ufe0f",
    "\x07\x1b",
]
DIRECTIONS = [
    "\u202a",
    "\u202b",
    "\u202c",
    "\u202d",
    "\u202e",
    "\u2066",
    "\u2067",
    "\u2068",
    "\u2069",
]


@pytest.mark.parametrize("value", SHOWS_NOTHING)
def test_a_text_that_shows_nothing_is_empty(value):
    with pytest.raises(ServiceError) as refused:
        require_text(value, "title")
    assert refused.value.message.startswith("Title is required")
    assert refused.value.fields == {"title": ["Required."]}
    assert require_text(value, "note", required=False) == ""
    assert require_long_text(value, "description") == ""


@pytest.mark.parametrize(
    "value", ["\x07\x1b[31mAlert", "Bell\x07", "Esc\x1b[0m", "C1\x85x", "Del\x7f"]
)
def test_a_control_character_is_refused_naming_it(value):
    with pytest.raises(ServiceError, match="contains a control character") as refused:
        require_text(value, "title")
    assert "Control characters are not allowed" in refused.value.fields["title"][0]
    with pytest.raises(ServiceError, match="contains a control character"):
        require_long_text(value, "description")


@pytest.mark.parametrize("mark", DIRECTIONS)
def test_a_direction_control_is_refused_in_a_title_naming_it(mark):
    with pytest.raises(ServiceError) as refused:
        require_text(f"Cut costs {mark}%05 yb kcab tegdub", "title")
    assert f"(U+{ord(mark):04X})" in refused.value.message
    assert "text-direction control" in refused.value.message
    assert "title" in refused.value.fields


def test_what_shows_is_kept_as_typed():
    for value in (
        "🚀🚀",
        "!!!",
        "👩\u200d👩\u200d👧 family day",  # joined emoji: the joiners are part of it
        "❤\ufe0f",
        "خفض التكاليف (2026)",
        "Budget \u200f(RTL mark)",  # a mark changes no order: kept
        "Tabs\tstay",
    ):
        assert require_text(value, "title") == value
    assert require_text("  Lines\r\nstay \u200b ", "body", max_length=500) == "Lines\r\nstay \u200b"
    # A long text, paragraphs of mixed scripts pasted from elsewhere, may hold them.
    mixed = "\u202bمرحبا\u202c world"  # noqa: RUF001
    assert require_long_text(mixed, "description") == mixed


def test_a_team_named_with_nothing_that_shows_is_refused_by_page_and_api(cast):
    before = Team.objects.filter(org=cast.org).count()
    page = login(cast.admin).post("/o/acme/teams/new/", {"name": "\u200b", "slug": ""})
    assert page.status_code in (200, 422)
    assert "Name is required" in page.content.decode()
    r = api_client(cast.admin).post(
        "/api/v1/teams", json.dumps({"name": "\u3164"}), content_type="application/json"
    )
    assert r.status_code == 422 and "name" in r.json()["error"]["fields"]
    r = api_client(cast.admin).post(
        "/api/v1/teams",
        json.dumps({"name": "Ops \u202eevil"}),
        content_type="application/json",
    )
    assert r.status_code == 422 and "U+202E" in r.json()["error"]["message"]
    assert Team.objects.filter(org=cast.org).count() == before
    # Names of symbols only still make a team (its address falls back to item-N).
    assert org_services.create_team(cast.org, cast.admin, name="🚀🚀").slug.startswith("item")


def test_a_token_name_and_a_comment_of_nothing_that_shows_are_refused(cast):
    import datetime as dt

    from accord.alignment import services as alignment
    from accord.conversation.models import Comment

    with pytest.raises(ServiceError, match="Name is required"):
        tokens.create_token(cast.org, cast.admin, "\ufeff")
    period = alignment.create_period(
        cast.org, None, name="Q1", start=dt.date(2026, 1, 1), end=dt.date(2026, 3, 31)
    )
    goal = alignment.create_objective(
        cast.org, None, title="Faster checkout", period=period, team=cast.platform
    )
    with pytest.raises(ServiceError, match="Comment is required"):
        conversation.post_comment(cast.org, cast.admin, goal, "\u2800\u200b")
    with pytest.raises(ServiceError, match="control character"):
        conversation.post_comment(cast.org, cast.admin, goal, "see \x1b[31mthis")
    assert not Comment.objects.filter(org=cast.org).exists()
