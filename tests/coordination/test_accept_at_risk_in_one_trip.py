"""Accepting a commitment that will show at risk takes one trip from a team's inbox: the
box to accept anyway comes with the warning the form shows before it is sent, and a form
refused and shown again on the dependency's page still returns to the inbox."""

from __future__ import annotations

import datetime as dt
import html as htmllib
import re

from accord.coordination.models import State
from tests.conftest import login

HX = {"HX-Request": "true"}
BOX = 'type="checkbox" name="accept_at_risk"'


def _inbox_form(client, dep) -> str:
    inbox = client.get("/o/acme/coordination/teams/ops/").content.decode()
    url = re.search(rf'hx-get="(/o/acme/coordination/d/{dep.pk}/accept/[^"]*)"', inbox)
    return client.get(htmllib.unescape(url.group(1)), headers=HX).content.decode()


def test_the_box_to_accept_anyway_is_in_the_form_before_it_is_sent(world):
    dep = world.request(need_by=world.today + dt.timedelta(days=30))
    client = login(world.giver)
    # Nothing at risk with what the form starts with: the box is there, for the page's
    # script and style to show with the warning as the date or the initiative changes.
    form = _inbox_form(client, dep)
    assert BOX in form and " data-ask-live" in form
    assert 'class="notice notice--warn accept-warning" role="status" hidden' in form
    # Ticked before it is sent: accepted at once, back at the request's row in the inbox.
    back = f"/o/acme/coordination/teams/ops/#dep-{dep.pk}"
    assert f'<input type="hidden" name="next" value="{back}">' in form
    r = client.post(
        f"/o/acme/coordination/d/{dep.pk}/accept/",
        {
            "provider_initiative": world.warehouse.pk,  # targets day 20
            "committed_date": (world.today + dt.timedelta(days=10)).isoformat(),
            "accept_at_risk": "on",
            "next": back,
            "version": dep.version,
        },
    )
    assert r.status_code == 302 and r["Location"] == back
    dep.refresh_from_db()
    assert dep.state == State.ACCEPTED


def test_a_form_refused_for_the_risk_returns_to_the_inbox_once_accepted(world):
    dep = world.request(need_by=world.today + dt.timedelta(days=30))
    client = login(world.giver)
    back = f"/o/acme/coordination/teams/ops/#dep-{dep.pk}"
    body = {
        "provider_initiative": world.warehouse.pk,
        "committed_date": (world.today + dt.timedelta(days=10)).isoformat(),
        "next": back,
        "version": dep.version,
    }
    r = client.post(f"/o/acme/coordination/d/{dep.pk}/accept/", body)
    assert r.status_code == 422
    page = r.content.decode()
    accept = re.search(r'<details class="act act--accept".*?</details>', page, re.S).group(0)
    # Asked on the dependency's page, with the box shown (not hidden with a warning the
    # page does not show: the refusal says it beside the date) and the way back kept.
    assert BOX in accept and "data-ask-live" not in accept
    assert f'<input type="hidden" name="next" value="{back}">' in accept
    r = client.post(f"/o/acme/coordination/d/{dep.pk}/accept/", {**body, "accept_at_risk": "on"})
    assert r.status_code == 302 and r["Location"] == back


def test_a_refused_form_keeps_no_address_of_another_site(world):
    dep = world.request(need_by=world.today + dt.timedelta(days=30))
    r = login(world.giver).post(
        f"/o/acme/coordination/d/{dep.pk}/accept/",
        {
            "provider_initiative": world.warehouse.pk,
            "committed_date": (world.today + dt.timedelta(days=10)).isoformat(),
            "next": "https://elsewhere.example/",
            "version": dep.version,
        },
    )
    assert r.status_code == 422
    assert 'name="next"' not in r.content.decode()
