"""Reopening a finished meeting keeps its summary: the running page's Summary box holds it,
and finishing again with the form as shown (or, through the API, with no summary given)
keeps it; a summary given empty on purpose clears it. The rating boxes hold the ratings
given, so they are seen kept (and finishing as shown keeps them). A reason for reopening can
be given, on the page ("Why (optional)") and in the API's body, and is recorded with the
reopening; a bad one is refused with a clear error and the meeting stays finished."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest

from accord.activity.models import Event
from accord.rhythm import services
from accord.rhythm.models import Meeting, MeetingStatus
from tests.conftest import api_client, at, login
from tests.rhythm.conftest import error_beside, rhythm, utc  # noqa: F401 (fixture)

STARTS = utc(2026, 11, 9, 9, 0)  # the weekly sync, Monday 10:00 in Berlin
DURING = STARTS + dt.timedelta(minutes=20)
URL = "/o/acme/rhythm/cadences/{}/20261109T090000Z/"
SUMMARY = "Agreed the Q1 plan; budget next week."


@pytest.fixture
def finished(cast, rhythm):  # noqa: F811
    m = services.open_meeting(cast.org, cast.leader, rhythm.sync, STARTS)
    m = services.start_meeting(cast.org, cast.leader, m, now=STARTS)
    return services.finish_meeting(
        cast.org, cast.leader, m, ratings={cast.leader.pk: 8}, summary=SUMMARY, now=DURING
    )


def _summary_box(page: str) -> str:
    found = re.search(r'<textarea id="summary" name="summary"[^>]*>([^<]*)</textarea>', page)
    assert found, "no Summary box"
    return html.unescape(found.group(1))


def test_reopened_on_the_page_the_summary_is_in_its_box_and_finishing_keeps_it(
    cast,
    rhythm,  # noqa: F811
    finished,
):
    client = login(cast.leader)
    url = URL.format(rhythm.sync.pk)
    with at(DURING):
        minutes = client.get(url).content.decode()
        assert 'id="reopen-reason"' in minutes and "Why (optional)" in minutes
        page = client.post(url + "reopen/", {"reason": ""}, follow=True).content.decode()
        assert Meeting.objects.get(pk=finished.pk).status == MeetingStatus.RUNNING
        assert _summary_box(page) == SUMMARY
        # Finished again with the form as the page shows it.
        shown = {"summary": _summary_box(page), f"rating_{cast.leader.pk}": "9"}
        assert client.post(url + "finish/", shown).status_code == 302
    m = Meeting.objects.get(pk=finished.pk)
    assert m.status == MeetingStatus.FINISHED and m.summary == SUMMARY


def _rating_box(page: str, person) -> str:
    found = re.search(
        rf'<input id="rating_{person.pk}" name="rating_{person.pk}" value="([^"]*)"', page
    )
    assert found, f"no rating box for {person.name}"
    return html.unescape(found.group(1))


def test_reopened_on_the_page_the_ratings_given_are_in_their_boxes(
    cast,
    rhythm,  # noqa: F811
    finished,
):
    client = login(cast.leader)
    url = URL.format(rhythm.sync.pk)
    with at(DURING):
        page = client.post(url + "reopen/", {"reason": ""}, follow=True).content.decode()
        assert _rating_box(page, cast.leader) == "8"
        # Finished again with the boxes as shown: the rating is the one given.
        shown = {"summary": _summary_box(page), f"rating_{cast.leader.pk}": "8"}
        assert client.post(url + "finish/", shown).status_code == 302
    [rated] = Meeting.objects.get(pk=finished.pk).attendance.filter(rating__isnull=False)
    assert (rated.person_id, rated.rating) == (cast.leader.pk, 8)


def test_through_the_api_a_finish_without_a_summary_keeps_it_and_an_empty_one_clears_it(
    cast,
    rhythm,  # noqa: F811
    finished,
):
    api = api_client(cast.leader)
    base = f"/api/v1/rhythm/meetings/{finished.pk}"
    with at(DURING):
        r = api.generic("POST", base + "/reopen")  # no body at all, as before
        assert r.status_code == 200, r.content
        r = api.post(base + "/finish", {"ratings": {}}, content_type="application/json")
        assert r.status_code == 200, r.content
        assert Meeting.objects.get(pk=finished.pk).summary == SUMMARY
        api.post(base + "/reopen", {}, content_type="application/json")
        r = api.post(base + "/finish", {"summary": ""}, content_type="application/json")
        assert r.status_code == 200, r.content
    assert Meeting.objects.get(pk=finished.pk).summary == ""


def test_a_reason_given_on_the_page_is_recorded(cast, rhythm, finished):  # noqa: F811
    with at(DURING):
        r = login(cast.leader).post(
            URL.format(rhythm.sync.pk) + "reopen/", {"reason": "Forgot Jonas's action item"}
        )
    assert r.status_code == 302
    event = Event.objects.get(verb="reopened", target_id=str(finished.pk))
    assert event.after == {"status": "running", "reason": "Forgot Jonas's action item"}
    # The history says why, and does not say the summary was cleared: it was kept.
    said = {label: (old, new) for label, old, new in event.changes}
    assert said["Reason"] == (None, "Forgot Jonas's action item")
    assert "Summary" not in said


def test_a_reason_given_through_the_api_is_recorded(cast, rhythm, finished):  # noqa: F811
    with at(DURING):
        r = api_client(cast.leader).post(
            f"/api/v1/rhythm/meetings/{finished.pk}/reopen",
            {"reason": "The budget figure was wrong"},
            content_type="application/json",
        )
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "running"
    event = Event.objects.get(verb="reopened", target_id=str(finished.pk))
    assert event.after["reason"] == "The budget figure was wrong"


@pytest.mark.parametrize(
    ("reason", "said"),
    [
        ("Oops\x07", "The reason contains a control character (\\x07); remove it."),
        ("x" * 501, "The reason is too long (501 characters, at most 500)."),
    ],
    ids=["control", "too-long"],
)
def test_a_bad_reason_is_refused_and_the_meeting_stays_finished(
    cast,
    rhythm,  # noqa: F811
    finished,
    reason,
    said,
):
    with at(DURING):
        page = login(cast.leader).post(URL.format(rhythm.sync.pk) + "reopen/", {"reason": reason})
        assert page.status_code == 422
        assert error_beside(page.content.decode(), "reopen-reason") == said
        r = api_client(cast.leader).post(
            f"/api/v1/rhythm/meetings/{finished.pk}/reopen",
            {"reason": reason},
            content_type="application/json",
        )
    assert r.status_code == 422
    assert r.json()["error"]["message"] == said
    m = Meeting.objects.get(pk=finished.pk)
    assert m.status == MeetingStatus.FINISHED and m.summary == SUMMARY and m.ended_at
    assert not Event.objects.filter(verb="reopened").exists()
