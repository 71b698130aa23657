"""A briefing's "Coming up" lists the reader's own meetings and what falls due to them
first, then their teams': each group under its own sub-heading, so that two runs of dates
do not read as one jumbled calendar. On the page, in the e-mail (HTML and text) and in the
command's Markdown alike; a team's briefing, which has no reader of its own, has none."""

from __future__ import annotations

import html as htmllib

from accord.briefings import compose, render, services
from tests.briefings.test_your_own_week import section, week  # noqa: F401 (fixture)
from tests.briefings.world import WEEK, signed_in


def _coming(text: str) -> str:
    return text.split("Coming up (times in ")[1]


def test_the_readers_own_then_their_teams_under_sub_headings(week):  # noqa: F811
    w = week.w
    c = services.build_for(w.org, compose.parse_week(WEEK), person=w.admin)
    items = section(c, "coming_up")["items"]
    groups = [it["group"] for it in items]
    assert groups[:2] == ["yours", "yours"] and groups[-1] == "teams"
    assert groups == sorted(groups, key=["yours", "teams"].index)
    first_teams = next(it["text"] for it in items if it["group"] == "teams")

    text = _coming(render.text(c, absolute=False))
    assert "\nYours:\n- Decision “" in text
    assert f"\nYour teams':\n- {first_teams}" in text
    assert text.index("Yours:") < text.index("Leadership sync") < text.index("Your teams':")

    md = _coming(render.markdown(c, absolute=False))
    assert "\n### Yours\n\n- [Decision" in md and "\n### Your teams'\n\n- " in md

    body = htmllib.unescape(render.html(c, absolute=False))
    coming = body.split('data-section="coming_up"')[1].split("</section>")[0]
    assert '<h3 class="briefing-group">Yours</h3>' in coming
    assert coming.index("Leadership sync") < coming.index(
        '<h3 class="briefing-group">Your teams\'</h3>'
    )
    # Other sections have no sub-headings.
    assert body.count('class="briefing-group"') == 2


def test_the_page_says_the_same(week):  # noqa: F811
    w = week.w
    sent = services.send_to_person(w.org, w.admin, compose.parse_week(WEEK), email=False)
    page = signed_in(w.admin).get(f"/o/brief/briefings/{sent.pk}/").content.decode()
    coming = htmllib.unescape(page).split('data-section="coming_up"')[1].split("</section>")[0]
    assert coming.index("Yours</h3>") < coming.index("Your teams'</h3>")


def test_a_teams_briefing_has_no_sub_headings(week):  # noqa: F811
    w = week.w
    c = services.build_for(w.org, compose.parse_week(WEEK), team=w.root)
    assert section(c, "coming_up")["items"]
    assert "Yours" not in render.text(c, absolute=False)
    assert 'class="briefing-group"' not in render.html(c, absolute=False)
