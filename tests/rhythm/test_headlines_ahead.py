"""A headline shared during the week, before the meeting: from the meeting's page or the
cadence's, it is on the meeting's live agenda (and the agenda sent before it), frozen with
it when the meeting starts. The meeting is opened for it, as on first use; refused, nothing
is kept."""

from __future__ import annotations

import datetime as dt
import html

import pytest

from accord.activity.models import Event
from accord.core.errors import PermissionDenied, ServiceError
from accord.org.models import Role
from accord.rhythm import agenda, notifications, queries, services
from accord.rhythm.models import Headline, Meeting, MeetingStatus
from tests.conftest import at, login, make_person
from tests.rhythm.conftest import utc

SYNC = utc(2026, 11, 9, 9)  # Monday 9 Nov 2026, 10:00 in Berlin: the weekly sync
WEDNESDAY = utc(2026, 11, 4, 12)  # the week before: the next sync is Monday's
H = dt.timedelta(hours=1)


def _url(cadence, start=SYNC) -> str:
    return f"/o/acme/rhythm/cadences/{cadence.pk}/{queries.occurrence(cadence, start).key}/"


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _section(page: str, key: str) -> str:
    """The agenda section `key` as the page shows it."""
    start = page.index(f'id="section-{key}"')
    return page[start : page.index("</li>\n", page.index("</ul>", start))]


def test_a_member_shares_a_headline_ahead_and_it_is_on_the_meetings_agenda(cast, rhythm):
    url = _url(rhythm.sync)
    client = login(cast.member)
    with at(WEDNESDAY):
        page = _text(client.get(url))
        assert 'href="#share-headline"' in page and 'id="share-headline"' in page
        assert "shared now, it is on its agenda under “Headlines”" in page
        r = client.post(url + "headline/", {"text": "Billing is live in Canada"}, follow=True)
    assert r.redirect_chain[0][0].endswith("#section-headlines")
    # The meeting is opened for it (created on first use), not started.
    meeting = Meeting.objects.get(cadence=rhythm.sync, occurrence_start=SYNC)
    assert meeting.status == MeetingStatus.PLANNED
    headline = Headline.objects.get(meeting=meeting)
    assert (headline.text, headline.author) == ("Billing is live in Canada", cast.member)
    event = Event.objects.for_target("rhythm.headline", headline.pk).get()
    assert (event.verb, event.actor) == ("created", cast.member)
    page = _text(r)
    assert "Headline shared: it is on this meeting's agenda, under “Headlines”." in page
    assert "Live agenda" in page
    shown = _section(page, "headlines")
    assert "Billing is live in Canada" in shown and "shared for this meeting by Mia Member" in shown
    # When the meeting starts, it is read out: on the frozen agenda, and among its headlines.
    started = services.start_meeting(cast.org, cast.leader, meeting, now=SYNC)
    [section] = [s for s in started.agenda_snapshot if s["key"] == "headlines"]
    assert [i["title"] for i in section["items"]] == ["Billing is live in Canada"]
    with at(SYNC + H):
        page = _text(client.get(url))
    assert "Billing is live in Canada" in _section(page, "headlines")
    assert "Billing is live in Canada" in page[page.index('id="headlines-h"') :]


def test_the_cadence_page_shares_a_headline_for_the_next_meeting(cast, rhythm):
    client = login(cast.member)
    with at(WEDNESDAY):
        page = _text(client.get(f"/o/acme/rhythm/cadences/{rhythm.sync.pk}/"))
        form = page[page.index('id="next-headline"') :]
        # Monday's sync: the next one, on this cadence's page.
        assert f'action="{_url(rhythm.sync)}headline/"' in form[: form.index("</section>")]
        r = client.post(_url(rhythm.sync) + "headline/", {"text": "New on-call rota"}, follow=True)
    assert "New on-call rota" in _section(_text(r), "headlines")
    assert Headline.objects.get(text="New on-call rota").meeting.occurrence_start == SYNC


def test_an_agenda_without_headlines_gains_them_when_some_are_shared_ahead(cast, rhythm):
    standup = services.create_cadence_from_template(
        cast.org,
        None,
        "daily-standup",
        team=cast.platform,
        timezone_name="Europe/Berlin",
        start_date=dt.date(2026, 10, 1),
    )
    start = utc(2026, 11, 5, 8, 30)  # Thursday's stand-up, 9:30 in Berlin
    meeting = services.open_meeting(cast.org, cast.member, standup, start)
    with at(WEDNESDAY):
        before = agenda.build(cast.org, standup, meeting)
        services.share_headline(cast.org, cast.member, standup, start, "Staging is back")
        after = agenda.build(cast.org, standup, meeting)
    assert "Headlines" not in [s["title"] for s in before]
    [added] = [s for s in after if s["title"] == "Headlines"]
    assert [i["title"] for i in added["items"]] == ["Staging is back"]
    # Another occurrence's agenda does not list it.
    other = services.open_meeting(cast.org, cast.member, standup, start + dt.timedelta(days=1))
    with at(WEDNESDAY):
        assert "Headlines" not in [s["title"] for s in agenda.build(cast.org, standup, other)]


def test_the_agenda_sent_before_the_meeting_lists_the_headlines_shared_for_it(cast, rhythm):
    with at(WEDNESDAY):
        services.share_headline(cast.org, cast.member, rhythm.sync, SYNC, "Two new hires")
    occ = queries.occurrence(rhythm.sync, SYNC)
    moment = notifications.Moment("agenda", rhythm.sync, occ, SYNC - 2 * H)
    with at(SYNC - 2 * H):
        sent = notifications._agenda_preview(cast.org, moment, SYNC - 2 * H)
    [section] = [s for s in sent if s["key"] == "headlines"]
    assert [i["title"] for i in section["items"]] == ["Two new hires"]


def test_a_headline_is_refused_to_non_participants_and_after_the_minutes(cast, rhythm):
    outsider = make_person(cast.org, "Olu Outsider", Role.MEMBER)  # in no team of the sync
    with pytest.raises(PermissionDenied):
        services.share_headline(cast.org, outsider, rhythm.sync, SYNC, "Not mine to share")
    r = login(outsider).post(_url(rhythm.sync) + "headline/", {"text": "Not mine to share"})
    assert r.status_code == 403
    # Refused, nothing is kept: not the headline, not a meeting opened for it.
    assert not Meeting.objects.filter(cadence=rhythm.sync).exists()
    assert not Headline.objects.exists()
    with pytest.raises(ServiceError) as refused:
        services.share_headline(cast.org, cast.member, rhythm.checkin, utc(2026, 11, 6, 15), "x")
    assert refused.value.code == "not_a_meeting"
    meeting = services.open_meeting(cast.org, cast.leader, rhythm.sync, SYNC)
    services.start_meeting(cast.org, cast.leader, meeting, now=SYNC)
    services.finish_meeting(cast.org, cast.leader, meeting, now=SYNC + H)
    with pytest.raises(ServiceError) as refused:
        services.share_headline(cast.org, cast.member, rhythm.sync, SYNC, "Too late")
    assert refused.value.code == "not_running"
    assert not Headline.objects.exists()
