"""Two people take notes in the same section of a running meeting: each box sends the text
it was loaded from, and what the other saved meanwhile is merged, never overwritten."""

from __future__ import annotations

import pytest

from accord.rhythm import queries, services
from accord.rhythm.merge import merge3
from accord.rhythm.models import Meeting
from tests.conftest import login
from tests.rhythm.conftest import utc

FIRST = utc(2026, 11, 9, 9)  # Monday 10:00 Berlin


@pytest.fixture
def running(cast, rhythm):
    m = services.open_meeting(cast.org, cast.leader, rhythm.sync, FIRST)
    return services.start_meeting(cast.org, cast.leader, m, now=FIRST)


@pytest.fixture
def notes_url(rhythm):
    occ = queries.occurrence(rhythm.sync, FIRST)
    return f"/o/acme/rhythm/cadences/{rhythm.sync.pk}/{occ.key}/notes/"


def test_two_people_typing_in_one_section_both_keep_their_notes(cast, running, notes_url):
    leader, member = login(cast.leader), login(cast.member)
    hx = {"HX-Request": "true"}
    # Both loaded the page with the section empty; the member saves first.
    first = member.post(
        notes_url, {"section": "issues", "text": "Mia: CI is slow", "base": ""}, headers=hx
    )
    assert first.status_code == 200 and "merged" not in first.content.decode()
    second = leader.post(
        notes_url,
        {"section": "issues", "text": "Leo: hire a contractor\r\nLeo: by Friday", "base": ""},
        headers=hx,
    )
    stored = Meeting.objects.get(pk=running.pk).notes["issues"]
    assert stored == "Mia: CI is slow\nLeo: hire a contractor\nLeo: by Friday"
    said = second.content.decode()
    assert "merged with notes others saved meanwhile" in said
    assert "<span hidden data-notes>Mia: CI is slow\nLeo: hire a contractor" in said
    # The member, on a page loaded before the leader's save, edits her own line.
    member.post(
        notes_url,
        {"section": "issues", "text": "Mia: CI is slow (20 min)", "base": "Mia: CI is slow"},
    )
    stored = Meeting.objects.get(pk=running.pk).notes["issues"]
    assert stored == "Mia: CI is slow (20 min)\nLeo: hire a contractor\nLeo: by Friday"


def test_notes_carried_by_another_form_merge_too(cast, running, notes_url):
    services.save_notes(cast.org, cast.member, running, "issues", "Mia's line")
    finish = notes_url.replace("/notes/", "/attendance/")
    login(cast.leader).post(
        finish,
        {"present": [cast.leader.pk], "notes:issues": "Leo's line", "base:issues": ""},
    )
    assert Meeting.objects.get(pk=running.pk).notes["issues"] == "Mia's line\nLeo's line"


def test_the_page_can_ask_for_the_notes_as_stored(cast, running, notes_url):
    services.save_notes(cast.org, cast.member, running, "issues", "Saved by Mia")
    page = login(cast.leader).get(notes_url.replace("/notes/", "/"))
    assert 'data-notes-live="' + notes_url + 'live/"' in page.content.decode()
    assert '<input type="hidden" name="base" value="Saved by Mia">' in page.content.decode()
    live = login(cast.viewer).get(notes_url + "live/").json()
    # Who saved each section last, for the page to say whose notes it shows ("you": the asker).
    assert live == {
        "running": True,
        "notes": {"issues": "Saved by Mia"},
        "by": {"issues": "Mia Member"},
    }
    assert login(cast.member).get(notes_url + "live/").json()["by"] == {"issues": "you"}
    assert login(cast.outsider).get(notes_url + "live/").status_code == 404


def test_without_a_base_the_text_replaces_the_notes_as_before(cast, running):
    services.save_notes(cast.org, cast.member, running, "issues", "old")
    m = services.save_notes(cast.org, cast.leader, running, "issues", "new")
    assert m.notes["issues"] == "new"


@pytest.mark.parametrize(
    ("base", "mine", "theirs", "merged"),
    [
        ("", "J", "H", "H\nJ"),
        ("a\nb\nc", "A\nb\nc", "a\nb\nC", "A\nb\nC"),  # different lines: both changes
        ("a\nb\nc", "a\nX\nc", "a\nY\nc", "a\nY\nX\nc"),  # the same line: both kept
        ("a\nb", "a", "a\nb\nH", "a\nH"),  # a line deleted, one added elsewhere
        ("a\nb", "a\nb", "a\nb\nH", "a\nb\nH"),  # mine unchanged: theirs
        ("a\r\nb", "a\r\nb\r\nJ", "a\nb", "a\nb\nJ"),  # line endings do not matter
        # One replaced a line where the other added one before it: the line stays gone.
        ("a\nb\nc", "a\nY\nb\nc", "a\nX\nc", "a\nX\nY\nc"),
    ],
)
def test_three_way_merge_of_lines(base, mine, theirs, merged):
    assert merge3(base, mine, theirs) == merged
