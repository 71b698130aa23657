"""In a leader's "Coming up", the lines of their teams' meetings say whose meetings they
are: several teams' syncs share a title ("Weekly team sync"), and three identical lines
linking to three different series read as one meeting listed three times. The groups'
sub-headings are drawn smaller than their section's heading, and "and N more" says
plainly what its link lists."""

from __future__ import annotations

import datetime as dt
import html as htmllib

from accord.briefings import compose, render, services
from accord.rhythm import services as rhythm
from tests.briefings.test_your_own_week import section, week  # noqa: F401 (fixture)
from tests.briefings.world import WEEK

D = dt.date


def _same_title_in_two_teams(s, clock):
    w = s.w
    clock.at(D(2026, 1, 6), 11)
    for name in ("Platform", "Web"):
        rhythm.create_cadence_from_template(
            w.org, None, "weekly-sync", team=w[name].team, start_date=D(2026, 1, 5),
            owner=w[name].lead, name="Weekly team sync",
        )  # fmt: skip
    clock.at(D(2026, 1, 19), 6)


def test_each_teams_meeting_says_whose_it_is(week, clock):  # noqa: F811
    _same_title_in_two_teams(week, clock)
    w = week.w
    c = services.build_for(w.org, compose.parse_week(WEEK), person=w.admin)
    teams = [it for it in section(c, "coming_up")["items"] if it.get("group") == "teams"]
    syncs = sorted(it["text"] for it in teams if it["text"].startswith("Weekly team sync"))
    assert [t.split(":")[0] for t in syncs] == [
        "Weekly team sync (Platform)",
        "Weekly team sync (Web)",
    ]
    # A title that names its team already says whose it is.
    assert any(it["text"].startswith("Platform sync: ") for it in teams)
    # The reader's own lines need no owner.
    assert all("(" not in it["text"].split(":")[0] for it in section(c, "coming_up")["items"]
               if it.get("group") == "yours" and it["target_type"] == "rhythm.cadence")  # fmt: skip

    text = render.text(c, absolute=False)
    md = render.markdown(c, absolute=False)
    body = htmllib.unescape(render.html(c, absolute=False))
    for rendering in (text, md, body):
        assert "Weekly team sync (Platform): " in rendering
        assert "Weekly team sync (Web): " in rendering

    # Read in another zone, the page keeps whose they are.
    there = render.in_zone(c, "America/Los_Angeles")
    moved = [it["text"] for it in section(there, "coming_up")["items"]]
    assert any(t.startswith("Weekly team sync (Web): ") for t in moved)


def test_the_rest_of_the_meetings_says_what_its_link_lists(week):  # noqa: F811
    w = week.w
    c = services.build_for(w.org, compose.parse_week(WEEK), person=w.admin)
    coming = section(c, "coming_up")
    # A week with more meetings than a section shows: the rest is counted in one line.
    parts = compose._rest(
        w.org, compose.parse_week(WEEK), compose.reader_for_person(w.org, w.admin),
        "coming_up", "", ["meeting"] * 6, ["meeting"] * 8, compose.History(w.org),
    )  # fmt: skip
    shown = {**coming, "more": 6, "more_parts": parts}
    c = {**c, "sections": [shown]}
    text = render.text(c, absolute=False)
    assert "- and 6 more meetings — see every meeting series <" in text
    assert "listed:" not in text and "more: 6 meetings" not in text
    md = render.markdown(c, absolute=False)
    assert "- and [6 more meetings — see every meeting series](" in md
    body = htmllib.unescape(render.html(c, absolute=False))
    assert ">6 more meetings — see every meeting series</a>" in body
    assert "and 6 more:" not in body


def test_a_leaders_rest_of_meetings_links_their_teams_series(week):  # noqa: F811
    w = week.w
    reader = compose.reader_for_person(w.org, w["Web"].lead)
    history = compose.History(w.org)
    slug = history.slugs[reader.scope]
    [part] = compose._rest(
        w.org, compose.parse_week(WEEK), reader, "coming_up", slug, ["meeting"] * 2,
        ["meeting"] * 3, history,
    )  # fmt: skip
    assert part["alone"] == "2 more meetings — see all your teams' meeting series"
    assert part["label"] == "2 meetings (see all your teams' meeting series)"
    assert part["url"].endswith(f"?team={slug}")
