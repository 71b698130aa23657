"""A body with nothing in it is no body, whatever its Content-Type (`JsonParser`): `curl -X
POST -d ''` sends an empty form (application/x-www-form-urlencoded), and some clients an
empty multipart form (Django's test client's `post(url)`, HTTP libraries given no fields),
or a blank line. An operation whose body is optional then runs as without one; one whose
body is required says that it takes a JSON object and changes nothing. A form with fields
is refused with an error saying the body must be JSON; JSON sent under a form's
Content-Type (`curl -d '{…}'` without a header) is read as JSON."""

from __future__ import annotations

import datetime as dt

import pytest

from accord.activity.models import Event
from accord.org.models import Membership, Team, TeamKind
from accord.rhythm import services as rhythm_services
from accord.rhythm.models import Meeting, MeetingStatus
from tests.conftest import api_client, at
from tests.rhythm.conftest import rhythm, utc  # noqa: F401 (fixture)

STARTS = utc(2026, 11, 9, 9, 0)  # the weekly sync, Monday 10:00 in Berlin
DURING = STARTS + dt.timedelta(minutes=20)
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"

# (data, content_type) as a client sends them; None: the test client's default, a
# multipart form without a field ("--BoUnDaRyStRiNg--\r\n").
EMPTY = {
    "form": ("", FORM),
    "multipart": (None, None),
    "blank-form": ("\r\n", FORM),
    "blank-json": (" \n", JSON),
}


@pytest.fixture
def finished(cast, rhythm):  # noqa: F811
    m = rhythm_services.open_meeting(cast.org, cast.leader, rhythm.sync, STARTS)
    m = rhythm_services.start_meeting(cast.org, cast.leader, m, now=STARTS)
    return rhythm_services.finish_meeting(cast.org, cast.leader, m, now=DURING)


def post(client, url: str, data, content_type):
    if content_type is None:
        return client.post(url)  # the test client's empty multipart form
    return client.post(url, data, content_type=content_type)


@pytest.mark.parametrize("body", EMPTY.values(), ids=EMPTY.keys())
def test_retiring_a_team_with_an_empty_body(cast, body):
    r = post(api_client(cast.admin), f"/api/v1/teams/{cast.platform.pk}/retire", *body)
    assert r.status_code == 200, r.content
    assert r.json()["state"] == "retired"
    assert Team.objects.get(pk=cast.platform.pk).state == "retired"


@pytest.mark.parametrize("body", EMPTY.values(), ids=EMPTY.keys())
def test_ending_a_term_with_an_empty_body(cast, body):
    term = Membership.objects.get(person=cast.member, team=cast.platform)
    r = post(api_client(cast.admin), f"/api/v1/memberships/{term.pk}/end", *body)
    assert r.status_code == 200, r.content
    assert r.json()["ended_on"] == dt.date.today().isoformat()


@pytest.mark.parametrize("body", EMPTY.values(), ids=EMPTY.keys())
def test_reopening_a_meeting_with_an_empty_body(cast, finished, body):
    with at(DURING):
        r = post(api_client(cast.leader), f"/api/v1/rhythm/meetings/{finished.pk}/reopen", *body)
    assert r.status_code == 200, r.content
    assert Meeting.objects.get(pk=finished.pk).status == MeetingStatus.RUNNING
    event = Event.objects.get(verb="reopened", target_id=str(finished.pk))
    assert event.after.get("reason", "") == ""


@pytest.mark.parametrize("body", EMPTY.values(), ids=EMPTY.keys())
def test_an_empty_body_where_one_is_required_says_so_and_changes_nothing(cast, body):
    client = api_client(cast.admin)
    kinds, events = TeamKind.objects.count(), Event.objects.count()
    r = post(client, "/api/v1/team-kinds", *body)
    assert r.status_code == 422, r.content
    error = r.json()["error"]
    assert error["fields"] == {
        "request": [
            "This operation takes a JSON object as its body (Content-Type: application/json)."
        ]
    }
    assert "JSON object" in error["message"]
    assert (TeamKind.objects.count(), Event.objects.count()) == (kinds, events)


@pytest.mark.parametrize(
    "body",
    [("retired_on=2026-01-01", FORM), ({"retired_on": "2026-01-01"}, None)],
    ids=["form", "multipart"],
)
def test_a_form_with_fields_is_refused_saying_the_body_must_be_json(cast, body):
    data, content_type = body
    client = api_client(cast.admin)
    url = f"/api/v1/teams/{cast.platform.pk}/retire"
    if content_type is None:
        r = client.post(url, data)  # multipart, with a field
    else:
        r = client.post(url, data, content_type=content_type)
    assert r.status_code == 400, r.content
    assert r.json()["error"] == {
        "code": "bad_request",
        "message": "The request body is a form; this API takes JSON: send a JSON object "
        "with Content-Type: application/json.",
        "fields": {},
    }
    assert Team.objects.get(pk=cast.platform.pk).state != "retired"


def test_json_sent_as_a_form_is_read_as_json(cast):
    """`curl -d '{"retired_on": …}'` without a Content-Type header labels JSON a form."""
    day = dt.date.today() - dt.timedelta(days=3)
    r = api_client(cast.admin).post(
        f"/api/v1/teams/{cast.platform.pk}/retire",
        f'{{"retired_on": "{day.isoformat()}"}}',
        content_type=FORM,
    )
    assert r.status_code == 200, r.content
    assert r.json()["retired_on"] == day.isoformat()


def test_malformed_json_still_says_it_is_not_valid_json(cast):
    r = api_client(cast.admin).post("/api/v1/team-kinds", "{not json", content_type=JSON)
    assert r.status_code == 400
    assert r.json()["error"]["message"] == "The request body is not valid JSON."
    assert not TeamKind.objects.filter(name__startswith="{").exists()
