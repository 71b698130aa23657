"""A row of dependencies points one way: the team that asks → the team asked, and the
initiative that needs it → the initiative that delivers it (on a phone's card too, the same
row). Its at-risk reason does not repeat the dates its own columns give: "committed after
the need-by date"; the dependency's page says the whole sentence."""

from __future__ import annotations

import datetime as dt
import html as htmllib
import re

from accord.coordination import services
from accord.web.templatetags.dates import day
from tests.conftest import login


def _committed_late(world):
    dep = world.request(title="Pallets", need_by=world.today + dt.timedelta(days=21))
    return services.transition(
        world.org,
        world.giver,
        dep,
        "accept",
        provider_initiative=world.warehouse,
        committed_date=world.today + dt.timedelta(days=35),
    )


def _row(page: str, dep) -> str:
    row = htmllib.unescape(page).split(f'data-anchor="dep-{dep.pk}"')[1].split("</tr>")[0]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip()


def test_the_teams_and_the_initiatives_point_the_same_way(world):
    dep = _committed_late(world)
    page = login(world.asker).get("/o/acme/coordination/?team=").content.decode()
    risky = page.split('id="risk-h"')[1].split("</section>")[0]
    row = _row(risky, dep)
    assert "Spring launch → New warehouse" in row
    assert "←" not in row
    assert "Sales → Operations" in row


def test_the_rows_reason_leaves_the_dates_to_its_columns(world):
    dep = _committed_late(world)
    client = login(world.asker)
    full = f"Committed for {day(dep.committed_date)}, after it is needed ({day(dep.need_by)})."
    for url in ("/o/acme/coordination/?team=", "/o/acme/coordination/list/?team=sales"):
        row = _row(client.get(url).content.decode(), dep)
        assert "At risk Committed after the need-by date." in row, url
        assert "after it is needed" not in row, url
        # The dates are in the row's own columns.
        assert day(dep.need_by) in row and day(dep.committed_date) in row
    detail = htmllib.unescape(client.get(f"/o/acme/coordination/d/{dep.pk}/").content.decode())
    assert f"<li>{full}</li>" in detail
