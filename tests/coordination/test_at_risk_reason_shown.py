"""Why a dependency is at risk is written in its row, under "At risk" (its first reason;
its page lists them all), not in a tooltip that the keyboard, a touch screen and a screen
reader cannot reach."""

from __future__ import annotations

import datetime as dt
import html as htmllib

from accord.alignment.models import Initiative
from accord.coordination import queries, services
from accord.coordination.models import Dependency
from tests.conftest import login

URL = "/o/acme/coordination/"


def _at_risk(world):
    dep = world.request(need_by=world.today + dt.timedelta(days=30), title="Pallets")
    return services.transition(
        world.org, world.giver, dep, "flag_at_risk", note="The forklift is broken."
    )


def test_the_overviews_at_risk_row_says_why(world):
    dep = _at_risk(world)
    page = login(world.asker).get(URL + "?team=").content.decode()
    section = page.split('id="risk-h"')[1].split("</section>")[0]
    row = section.split(f'data-anchor="dep-{dep.pk}"')[1].split("</tr>")[0]
    assert '<span class="tag tag--warn">At risk</span>' in row
    assert '<small class="risk-why">The forklift is broken.</small>' in row
    assert "title=" not in row.split("At risk")[0].rsplit("<span", 1)[1]


def test_the_dependency_page_lists_every_reason_once(world):
    dep = _at_risk(world)
    page = htmllib.unescape(login(world.asker).get(URL + f"d/{dep.pk}/").content.decode())
    assert "<strong>At risk:</strong><ul><li>The forklift is broken.</li></ul>" in page
    assert 'class="risk-why"' not in page


def test_more_reasons_than_one_are_counted_toward_its_page(world):
    dep = world.request(need_by=world.today + dt.timedelta(days=20), title="Racks")
    services.transition(
        world.org,
        world.giver,
        dep,
        "accept",
        provider_initiative=world.warehouse,
        committed_date=world.today + dt.timedelta(days=15),
    )
    Initiative.objects.filter(pk=world.warehouse.pk).update(status="paused")
    dep.refresh_from_db()
    services.transition(world.org, world.giver, dep, "flag_at_risk", note="Short of staff.")
    (decorated,) = queries.decorate([Dependency.objects.get(pk=dep.pk)])
    more = len(decorated.risk_reasons) - 1
    assert more >= 1
    page = htmllib.unescape(login(world.asker).get(URL + "?team=").content.decode())
    row = page.split(f'data-anchor="dep-{dep.pk}"')[1].split("</tr>")[0]
    assert (
        f'Short of staff. <span class="risk-why__more">(and {more} more reason'
        f"{'s' if more > 1 else ''} on its page)"
    ) in row
