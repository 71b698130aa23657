"""Adding to the agenda from a meeting whose agenda has no issues section (a stand-up) says
where the issue actually is: on the agenda of the team's next meeting that lists issues,
named with its day, and under this meeting's Issues to solve once it starts."""

from __future__ import annotations

import datetime as dt
import html

from accord.decisions.models import Issue
from accord.rhythm import queries, services
from accord.rhythm.models import Cadence
from tests.conftest import at, login
from tests.rhythm.conftest import existed_since, utc

H = dt.timedelta(hours=1)
THURSDAY = utc(2026, 11, 5, 7)  # Thursday 5 Nov 2026, 08:00 in Berlin
STANDUP = utc(2026, 11, 5, 8, 30)  # that day's stand-up, 09:30 in Berlin


def _standup(cast) -> Cadence:
    cadence = services.create_cadence_from_template(
        cast.org,
        None,
        "daily-standup",
        team=cast.platform,
        timezone_name="Europe/Berlin",
        start_date=dt.date(2026, 10, 1),
        owner=cast.leader,
    )
    existed_since(cast.org)
    return Cadence.objects.get(pk=cadence.pk)


def _page(cadence: Cadence, start: dt.datetime) -> str:
    occ = queries.occurrence(cadence, start)
    return f"/o/acme/rhythm/cadences/{cadence.pk}/{occ.key}/"


def test_added_from_a_stand_up_it_names_the_meeting_whose_agenda_has_it(cast, rhythm):
    standup = _standup(cast)
    assert queries.lists_issues(standup) is None  # the stand-up's template has no Issues
    url = _page(standup, STANDUP)
    client = login(cast.member)
    with at(THURSDAY):
        hint = html.unescape(client.get(url).content.decode())
        assert (
            "Issues of Platform are worked through under Issues to solve once this meeting "
            "starts (its agenda has no issues section) and are on the agenda of Weekly team "
            "sync (Level 10) · Platform on Mon 9 Nov 2026, 09:00." in hint
        )
        r = client.post(url + "agenda/", {"title": "Pager noise", "team": cast.platform.pk})
        assert r.status_code == 302 and r["Location"].endswith("#add-to-agenda")
        said = html.unescape(client.get(r["Location"]).content.decode())
    assert "“Pager noise” is on the agenda:" not in said
    assert (
        "“Pager noise” is raised as an issue for Platform. The agenda of Daily stand-up · "
        "Platform has no issues section: it is on the agenda of Weekly team sync (Level 10) · "
        "Platform on Mon 9 Nov 2026, 09:00, under its issues, and comes up here under Issues "
        "to solve once this meeting starts."
    ) in said
    # And it is there: on the sync's live agenda.
    issue = Issue.objects.get(org=cast.org, title="Pager noise")
    with at(THURSDAY):
        sync = login(cast.member).get(_page(rhythm.sync, utc(2026, 11, 9, 9))).content.decode()
    issues = sync[sync.index('id="section-issues"') :]
    assert f'href="/o/acme/decisions/issues/{issue.pk}/"' in issues


def test_with_no_meeting_listing_issues_it_says_so(cast, rhythm):
    standup = _standup(cast)
    services.update_cadence(cast.org, None, rhythm.sync, is_active=False)
    url = _page(standup, STANDUP)
    client = login(cast.member)
    with at(THURSDAY):
        r = client.post(url + "agenda/", {"title": "Pager noise", "team": cast.platform.pk})
        said = html.unescape(client.get(r["Location"]).content.decode())
    assert (
        "has no issues section, nor does any meeting of its team: it comes up under Issues "
        "to solve once this meeting starts."
    ) in said
