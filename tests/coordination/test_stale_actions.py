"""An action taken from an older copy of a request's page, after someone else changed it
so that the action no longer applies, is refused with a message saying what happened, by
whom and when (not a 422 page that says nothing), and the note typed is kept."""

from __future__ import annotations

import datetime as dt
import html as htmllib

from accord.coordination import services
from accord.coordination.models import Dependency
from tests.conftest import login


def test_accepting_a_request_cancelled_meanwhile_says_who_cancelled_it(world):
    dep = world.request()
    seen = dep.version
    services.transition(world.org, world.asker, dep, "cancel", note="Not needed")
    r = login(world.giver).post(
        f"/o/acme/coordination/d/{dep.pk}/accept/",
        {
            "provider_initiative": world.warehouse.pk,
            "committed_date": (world.today + dt.timedelta(days=25)).isoformat(),
            "note": "We can do it by then",
            "version": seen,
        },
    )
    assert r.status_code == 422
    page = htmllib.unescape(r.content.decode())
    top = page.split('id="act-h"')[0]
    assert "Not accepted: Asha Asker cancelled this request at" in top
    assert "We can do it by then" in top  # what was typed, not lost
    assert Dependency.objects.get(pk=dep.pk).state == "cancelled"
