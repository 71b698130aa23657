"""The activity page answers "what did this person do, and when": a person chosen through
the search box (never a list of everyone), a range of days, and the kind of object, each
kept by "Load more"; what is not understood is named and left out of the filter."""

from __future__ import annotations

import datetime as dt
import html
import re

from accord.org import services
from tests.conftest import login
from tests.intelligence.world import Clock, controlled

URL = "/o/acme/activity/"


def _changes(cast) -> None:
    """The leader renames Platform on 2 March, the admin retitles the viewer on 9 March,
    the leader describes Acme on 16 March (all at 17:00 UTC)."""
    clock = Clock()
    with controlled(clock):
        clock.at(dt.date(2026, 3, 2))
        services.update_team(cast.org, cast.leader, cast.platform, name="Platform Core")
        clock.at(dt.date(2026, 3, 9))
        services.update_person(cast.org, cast.admin, cast.viewer, title="Board observer")
        clock.at(dt.date(2026, 3, 16))
        services.update_team(cast.org, cast.leader, cast.root, description="Makes anvils")


def test_the_page_offers_a_person_search_box_and_a_range_of_days(cast):
    page = login(cast.member).get(URL).content.decode()
    assert 'name="actor"' in page and "data-picker-input" in page
    assert 'hx-get="/o/acme/pick/person/"' in page  # people are searched as one types
    assert "<option" not in page.split('name="actor"')[1].split("</div>")[0]
    assert 'name="since" type="date"' in page or 'type="date" name="since"' in page
    assert 'name="until"' in page


def test_it_shows_what_one_person_did(cast):
    _changes(cast)
    page = login(cast.member).get(f"{URL}?actor={cast.leader.pk}").content.decode()
    assert "Platform Core" in page and "Makes anvils" in page
    assert "Board observer" not in page
    # The chosen person is shown in the search box, by name.
    assert 'value="Leo Leader"' in page


def test_it_shows_a_range_of_days_both_ends_included(cast):
    _changes(cast)
    client = login(cast.member)
    page = client.get(f"{URL}?since=2026-03-09&until=2026-03-16").content.decode()
    assert "Board observer" in page and "Makes anvils" in page
    assert "Platform Core" not in page
    page = client.get(f"{URL}?until=2026-03-08").content.decode()
    assert "Platform Core" in page and "Board observer" not in page
    both = client.get(f"{URL}?actor={cast.leader.pk}&since=2026-03-03").content.decode()
    assert "Makes anvils" in both and "Platform Core" not in both


def test_load_more_keeps_the_filters(cast):
    for i in range(55):
        services.update_team(cast.org, cast.leader, cast.root, description=f"revision {i}")
    services.update_person(cast.org, cast.admin, cast.viewer, title="Board observer")
    client = login(cast.member)
    today = dt.date.today().isoformat()
    first = client.get(f"{URL}?actor={cast.leader.pk}&since={today}&type=org.team")
    html = first.content.decode()
    (more,) = re.findall(r'hx-get="\?page=2([^"]*)"', html)
    more = more.replace("&amp;", "&")
    assert f"actor={cast.leader.pk}" in more and f"since={today}" in more
    assert "type=org.team" in more
    rest = client.get(f"{URL}?page=2{more}", headers={"HX-Request": "true"}).content.decode()
    assert "revision 0<" in rest.replace("</ins>", "<") and "Board observer" not in rest


def test_what_is_not_understood_is_named_and_left_out(cast):
    _changes(cast)
    client = login(cast.member)
    other = cast.outsider.pk  # a person of another organization
    page = client.get(f"{URL}?actor={other}&since=2026-03-09&until=2026-03-10").content.decode()
    assert "Left out of the filter, not understood: who" in page
    assert "Board observer" in page and "Makes anvils" not in page  # the range still holds
    page = client.get(f"{URL}?since=2026-03-16&until=2026-03-02").content.decode()
    assert "The range ends before it begins." in page
    assert "Makes anvils" in page and "Board observer" not in page  # from the 16th only
    page = client.get(f"{URL}?since=0001-01-01&actor=x").content.decode()
    assert "not understood" in page and "Board observer" in page and "Makes anvils" in page


def _summary(page: str) -> str:
    line = page.split("data-summary")[1].split(">", 1)[1].split("</p>")[0]
    return html.unescape(re.sub(r"<[^>]+>", "", line))


def test_the_line_under_the_filters_names_every_filter_in_force(cast):
    _changes(cast)
    client = login(cast.member)
    query = f"type=org.team&actor={cast.leader.pk}&team=platform&since=2026-03-01&until=2026-03-31"
    line = _summary(client.get(f"{URL}?{query}").content.decode())
    assert line == (
        "Every change in Acme to team items by Leo Leader about Platform Core and the teams"
        " below it, from 1 Mar 2026 to 31 Mar 2026, newest first, fifty at a time."
    ), line
    line = _summary(client.get(f"{URL}?since=2026-03-09").content.decode())
    assert line.startswith("Every change in Acme, from ") and " on, newest first" in line
    line = _summary(client.get(f"{URL}?until=2026-03-09").content.decode())
    assert ", up to " in line
    assert _summary(client.get(URL).content.decode()) == (
        "Every change in Acme, newest first, fifty at a time."
    )


def test_a_filter_nothing_matches_says_so(cast):
    _changes(cast)
    client = login(cast.member)
    page = client.get(f"{URL}?since=2027-01-01").content.decode()
    assert "Nothing matches these filters." in page and 'class="feed"' not in page
    page = client.get(f"{URL}?since=2026-03-01").content.decode()
    assert "Nothing matches these filters." not in page and "Makes anvils" in page


def test_a_kind_not_understood_is_named_and_left_out(cast):
    _changes(cast)
    page = login(cast.member).get(f"{URL}?type=bogus").content.decode()
    assert "Left out of the filter, not understood: kind (No kind “bogus”.)" in page
    assert "Makes anvils" in page and "Nothing matches" not in page
    # Not carried on by its links (the switcher's entry for this organization is this very
    # address, as it was asked for).
    page = re.sub(r'<details class="switcher">.*?</details>', "", page, flags=re.S)
    assert "type=bogus" not in page
