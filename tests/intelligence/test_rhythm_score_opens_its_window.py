"""A team's rhythm score counts its check-ins of the health window (the last 8 weeks);
the link Insights gives beside what the score lost to late check-ins opens the team's
rhythm page over the same 8 weeks, which says so, and counts the same check-ins: one
missed six weeks ago is there as it is in the score. The page's own default (4 weeks)
leaves it out, and says it shows 4 weeks."""

from __future__ import annotations

import datetime as dt
import html as html_lib
import re

from accord.intelligence import evaluate, snapshot
from accord.intelligence.health import WINDOW_WEEKS
from accord.intelligence.models import HealthScore
from accord.org import services as org_services
from accord.rhythm import scorecard
from tests.conftest import login
from tests.intelligence.world import build_org, check_in

D = dt.date
FRIDAYS = [D(2026, 1, 9) + dt.timedelta(weeks=n) for n in range(10)]  # 9 Jan to 13 Mar
MISSED = D(2026, 1, 30)  # six weeks and two days before the day of the score
TODAY = D(2026, 3, 15)


def _cells(page: str, cadence: str) -> str:
    """The text of the row of `cadence` in the page's cadences table."""
    row = page[page.index(f">{cadence}</a>") :]
    return html_lib.unescape(re.sub(r"<[^>]+>", "", row[: row.index("</tr>")]))


def test_the_rhythm_link_of_a_score_opens_the_weeks_it_counts(db, clock):
    w = build_org("beat", {"Web": 2})
    web = w["Web"]
    for friday in FRIDAYS:
        clock.at(friday, 10)
        check_in(w.org, web.checkin, [web.lead] if friday == MISSED else web.people, clock)
    clock.at(TODAY, 17)
    evaluate.evaluate(w.org)
    # The score: the 8 Fridays from 23 Jan on, two people each; one of 16 not on time.
    assert evaluate.measures(snapshot.load(w.org))[web.team.pk]["late_checkin_share"] == 1 / 16
    score = HealthScore.objects.get(team=web.team, date=TODAY)
    assert [i["reason"] for i in score.explanation["rhythm"]] == ["6% of check-ins not on time"]

    w.admin.user = org_services.ensure_user("admin@beat.example", None)
    w.admin.save(update_fields=["user"])
    client = login(w.admin)
    insights = client.get(
        "/o/beat/insights/", {"scope": web.team.pk, "dimension": "rhythm"}
    ).content.decode()
    [link] = re.findall(r'<a href="([^"]+)">6% of check-ins not on time</a>', insights)
    link = html_lib.unescape(link)
    assert link == f"/o/beat/rhythm/teams/{web.team.slug}/?weeks={WINDOW_WEEKS}"

    assert WINDOW_WEEKS in scorecard.WEEKS  # a window the rhythm page offers
    page = client.get(link).content.decode()
    assert 'data-testid="weeks-shown">8 weeks<' in page
    assert f'<a href="?weeks={WINDOW_WEEKS}" aria-current="true">8 weeks</a>' in page
    # The same 16 check-ins, the one missed six weeks ago among them.
    assert "94% on time (15 of 16; 0 late, 1 missed)" in _cells(page, web.checkin.name)

    # The page's default is its 4 weeks, and it says so: the miss is not in them.
    default = client.get(f"/o/beat/rhythm/teams/{web.team.slug}/").content.decode()
    assert 'data-testid="weeks-shown">4 weeks<' in default
    assert "100% on time (8 of 8; 0 late, 0 missed)" in _cells(default, web.checkin.name)
    # 13 weeks: every Friday since the cadence began.
    longer = client.get(f"/o/beat/rhythm/teams/{web.team.slug}/?weeks=13").content.decode()
    assert "(19 of 20; 0 late, 1 missed)" in _cells(longer, web.checkin.name)
    # A window the page does not offer is its default.
    odd = client.get(f"/o/beat/rhythm/teams/{web.team.slug}/?weeks=52").content.decode()
    assert 'data-testid="weeks-shown">4 weeks<' in odd
