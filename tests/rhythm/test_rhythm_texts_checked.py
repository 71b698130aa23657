"""The texts rhythm keeps are checked as every text is (`require_text`): a finished
meeting's summary, a reopen reason and a measurable's unit holding a NUL or another control
character, or too long, are refused with a clear error and change nothing; nothing is cut
short without a word."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from accord.activity.models import Event
from accord.core.errors import ServiceError
from accord.rhythm import services
from accord.rhythm.models import Attendance, Measurable, Meeting, MeetingStatus
from tests.conftest import api_client, at, login
from tests.rhythm.conftest import error_beside, rhythm, utc  # noqa: F401 (fixture)

STARTS = utc(2026, 11, 9, 9, 0)  # the weekly sync, Monday 10:00 in Berlin
DURING = STARTS + dt.timedelta(minutes=20)
URL = "/o/acme/rhythm/cadences/{}/20261109T090000Z/"


@pytest.fixture
def running(cast, rhythm):  # noqa: F811
    m = services.open_meeting(cast.org, cast.leader, rhythm.sync, STARTS)
    return services.start_meeting(cast.org, cast.leader, m, now=STARTS)


def _finish(cast, rhythm, summary):  # noqa: F811
    with at(DURING):
        return login(cast.leader).post(
            URL.format(rhythm.sync.pk) + "finish/",
            {f"rating_{cast.leader.pk}": "8", "summary": summary},
        )


@pytest.mark.parametrize(
    ("summary", "said"),
    [
        ("Good\x00one", "The summary contains a NUL character (\\x00)."),
        ("Good\x07one", "The summary contains a control character (\\x07); remove it."),
        ("x" * 10_001, "The summary is too long (10,001 characters, at most 10,000)."),
    ],
    ids=["nul", "control", "too-long"],
)
def test_a_summary_refused_leaves_the_meeting_running(cast, rhythm, running, summary, said):  # noqa: F811
    response = _finish(cast, rhythm, summary)
    assert response.status_code == 422
    page = response.content.decode()
    assert error_beside(page, "summary") == said
    m = Meeting.objects.get(pk=running.pk)
    assert m.status == MeetingStatus.RUNNING and m.summary == "" and m.ended_at is None
    assert not Attendance.objects.filter(meeting=m, rating__isnull=False).exists()
    assert not Event.objects.filter(verb="finished", target_id=m.pk).exists()


def test_a_summary_of_the_limit_or_none_finishes(cast, rhythm, running):  # noqa: F811
    assert _finish(cast, rhythm, "  " + "x" * 10_000 + "\n").status_code == 302
    m = Meeting.objects.get(pk=running.pk)
    assert m.status == MeetingStatus.FINISHED and m.summary == "x" * 10_000
    services.reopen_meeting(cast.org, cast.leader, m)
    assert _finish(cast, rhythm, "").status_code == 302
    assert Meeting.objects.get(pk=running.pk).summary == ""


def test_the_api_refuses_a_summary_with_a_control_character(cast, rhythm, running):  # noqa: F811
    with at(DURING):
        r = api_client(cast.leader).post(
            f"/api/v1/rhythm/meetings/{running.pk}/finish",
            {"summary": "Good\x1b[2Jone"},
            content_type="application/json",
        )
    assert r.status_code in (400, 422)
    assert "The summary contains a control character" in r.json()["error"]["message"]
    assert Meeting.objects.get(pk=running.pk).status == MeetingStatus.RUNNING


def test_a_reopen_reason_refused_changes_nothing(cast, rhythm, running):  # noqa: F811
    with at(DURING):
        response = login(cast.leader).post(
            URL.format(rhythm.sync.pk) + "reopen/", {"reason": "Oops\x00"}, follow=True
        )
    assert "The reason contains a NUL character (\\x00)." in response.content.decode()
    m = Meeting.objects.get(pk=running.pk)
    assert m.status == MeetingStatus.RUNNING and m.agenda_snapshot
    with pytest.raises(ServiceError, match=r"The reason is too long \(501 characters"):
        services.reopen_meeting(cast.org, cast.leader, m, reason="x" * 501)
    assert Meeting.objects.get(pk=running.pk).status == MeetingStatus.RUNNING
    assert not Event.objects.filter(verb="reopened").exists()


def test_a_unit_with_a_control_character_is_refused(cast, rhythm):  # noqa: F811
    signups = services.create_measurable(
        cast.org, cast.leader, team=cast.platform, name="Signups", goal_rule="at_least",
        goal_low=100, unit="people",
    )  # fmt: skip
    url = reverse(
        "rhythm:measurable_edit",
        kwargs={"org_slug": "acme", "team_slug": "platform", "measurable_id": signups.pk},
    )
    refused = login(cast.leader).post(
        url,
        {"name": "Signups", "goal_rule": "at_least", "goal_low": "100", "unit": "k\x1b[31m",
         "version": signups.version},
    )  # fmt: skip
    assert refused.status_code == 422
    assert error_beside(refused.content.decode(), "id_unit") == (
        "Control characters are not allowed (tabs and line breaks are)."
    )
    assert Measurable.objects.get(pk=signups.pk).unit == "people"
    client = api_client(cast.leader)
    r = client.post(
        "/api/v1/rhythm/measurables",
        {"team_id": cast.platform.pk, "name": "NPS", "goal_rule": "at_least", "goal_low": 30,
         "unit": "pts\x07"},
        content_type="application/json",
    )  # fmt: skip
    assert r.status_code in (400, 422)
    assert "The unit contains a control character (\\x07)" in r.json()["error"]["message"]
    assert not Measurable.objects.filter(name="NPS").exists()
