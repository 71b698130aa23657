"""The note of a moved or cancelled meeting and the reason for time off are checked as every
typed text is (`require_text`): a control character or a direction override is refused
with a message naming it, on the page and through the API, and nothing changes; one that
shows nothing is none."""

from __future__ import annotations

import html
import re

import pytest

from accord.rhythm import queries, services
from accord.rhythm.models import Away, OccurrenceException
from tests.conftest import api_client, at, login
from tests.rhythm.conftest import utc

NOW = utc(2026, 12, 6, 12)  # Sunday 6 December 2026, 13:00 in Berlin
BAD = [("Room\x07 B", "(\\x07)"), ("Room \u202eB", "(U+202E)")]


def _text(page: bytes) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.decode())))


@pytest.mark.parametrize("action", ["move", "cancel"])
@pytest.mark.parametrize("note, said", BAD)
def test_a_moved_or_cancelled_meeting_refuses_such_a_note(cast, rhythm, action, note, said):
    sync = rhythm.sync
    with at(NOW):
        occ = queries.occurrence(sync, utc(2026, 12, 14, 9))  # Mon 14 Dec, 10:00 Berlin
        r = login(cast.leader).post(
            f"/o/acme/rhythm/cadences/{sync.pk}/{occ.key}/move/",
            {"action": action, "new_start": "2026-12-15T10:00", "note": note},
            follow=True,
        )
        page = _text(r.content)
        assert "The note contains a" in page and said in page
        assert "Occurrence moved." not in page and "Occurrence cancelled." not in page
        body = {"new_start": "2026-12-15T09:00:00Z", "note": note}
        if action == "cancel":
            body = {"cancel": True, "note": note}
        r = api_client(cast.leader).post(
            f"/api/v1/rhythm/cadences/{sync.pk}/occurrences/{occ.key}/move",
            body,
            content_type="application/json",
        )
        assert r.status_code == 422, r.content
        assert said in r.json()["error"]["message"] and "note" in r.json()["error"]["fields"]
    assert not OccurrenceException.objects.exists()


def test_a_note_that_shows_nothing_is_none(cast, rhythm):
    with at(NOW):
        occ = queries.occurrence(rhythm.sync, utc(2026, 12, 14, 9))
        exc = services.cancel_occurrence(
            cast.org, cast.leader, rhythm.sync, occ.original_start, note="\u200b\u2800"
        )
    assert exc.cancelled and exc.note == ""


@pytest.mark.parametrize(
    "reason, beside",
    [
        ("Leave\x07", "Control characters are not allowed"),
        ("Leave \u202e", "Direction override, embedding and isolate characters are not allowed"),
    ],
)
def test_time_off_refuses_such_a_reason_beside_the_field(cast, reason, beside):
    r = login(cast.member).post(
        "/o/acme/rhythm/settings/",
        {"what": "away", "starts_on": "2026-12-20", "ends_on": "2026-12-24", "reason": reason},
    )
    assert r.status_code == 422
    page = html.unescape(r.content.decode())
    assert "Time off was not saved: see the form below." in page
    form = page[page.index('id="time-off"') :]
    assert beside in form[: form.index("</section>")]  # beside the reason it names
    assert 'id="id_reason_error"' in form
    assert not Away.objects.filter(person=cast.member).exists()


def test_a_reason_that_shows_nothing_is_none(cast):
    r = login(cast.member).post(
        "/o/acme/rhythm/settings/",
        {"what": "away", "starts_on": "2026-12-20", "ends_on": "2026-12-24", "reason": "\u3164"},
    )
    assert r.status_code == 302
    assert Away.objects.get(person=cast.member).reason == ""
