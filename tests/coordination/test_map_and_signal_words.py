"""Words a leader follows without knowing how Accord works inside: the map's legend says
what a diamond is in plain words, and a signal's page says what it does to its teams'
health and names its figures without talking of detectors or the API."""

from __future__ import annotations

import html as htmllib

from tests.conftest import login
from tests.intelligence import fixtures_pages as fx


def test_the_maps_legend_says_what_a_diamond_is_plainly(world):
    page = htmllib.unescape(login(world.asker).get("/o/acme/coordination/map/").content.decode())
    assert (
        "a diamond (when showing initiatives): a team that was asked for something and has "
        "not yet named an initiative of its own to deliver it"
    ) in page
    assert "answers yet" not in page


def test_a_signals_page_says_what_it_lowers_and_names_its_figures_plainly(cast):
    signal = fx.signal(cast.org, [cast.platform], kind="load.overloaded")
    html = htmllib.unescape(
        login(cast.admin).get(f"/o/acme/insights/signals/{signal.pk}/").content.decode()
    )
    assert "lowers its teams' health score for " in html
    assert "costs dependencies health" not in html and "costs execution health" not in html
    assert "<summary>The figures this signal was raised on</summary>" in html
    assert "The detector's numbers" not in html and "as the API gives them" not in html
