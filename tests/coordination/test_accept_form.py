"""The accept form warns when the committed date falls before the delivering initiative's
target (the dependency would be at risk from the start) and asks to confirm; an open
form has one button to accept."""

from __future__ import annotations

import datetime as dt
import html as htmllib
import re

from accord.activity.models import Event
from tests.conftest import login


def _post(client, world, dep, days, **extra):
    return client.post(
        f"/o/acme/coordination/d/{dep.pk}/accept/",
        {
            "provider_initiative": world.warehouse.pk,
            "committed_date": (world.today + dt.timedelta(days=days)).isoformat(),
            "version": dep.version,
            **extra,
        },
    )


def test_a_commitment_before_the_initiatives_target_is_refused_until_confirmed(world):
    dep = world.request()  # the warehouse targets today + 20
    client = login(world.giver)
    events = Event.objects.count()
    r = _post(client, world, dep, 10)
    assert r.status_code == 422
    html = htmllib.unescape(r.content.decode())
    target = (world.today + dt.timedelta(days=20)).strftime("%-d %b %Y")
    assert f"is before New warehouse's target date ({target})" in html
    assert "would show at risk as soon as it is accepted" in html
    assert 'type="checkbox" name="accept_at_risk"' in html
    dep.refresh_from_db()
    assert dep.state == "requested" and Event.objects.count() == events

    r = _post(client, world, dep, 10, accept_at_risk="on")
    assert r.status_code == 302
    dep.refresh_from_db()
    assert dep.state == "accepted"
    page = client.get(f"/o/acme/coordination/d/{dep.pk}/").content.decode()
    assert "At risk" in page


def test_a_commitment_on_or_after_the_target_is_accepted_without_a_warning(world):
    dep = world.request()
    r = _post(login(world.giver), world, dep, 20)
    assert r.status_code == 302
    dep.refresh_from_db()
    assert dep.state == "accepted"


def test_the_form_shows_the_target_dates_and_warns_before_it_is_sent(world):
    dep = world.request(need_by=world.today + dt.timedelta(days=5))
    dep.provider_initiative = world.warehouse  # as after a proposal
    dep.save()
    target = (world.today + dt.timedelta(days=20)).strftime("%-d %b %Y")
    client = login(world.giver)
    # On the dependency's page, and as a team's inbox fetches it when Accept is opened.
    inbox = client.get("/o/acme/coordination/teams/ops/").content.decode()
    fetch = re.search(rf'hx-get="(/o/acme/coordination/d/{dep.pk}/accept/[^"]*)"', inbox)
    for url, headers in (
        (f"/o/acme/coordination/d/{dep.pk}/", {}),
        (htmllib.unescape(fetch.group(1)), {"HX-Request": "true"}),
    ):
        raw = client.get(url, headers=headers).content.decode()
        html = htmllib.unescape(raw)
        assert f"{target} · New warehouse" in html, url
        assert "the dependency would show at risk as soon as it is accepted" in html, url
        assert f'data-targets="{{&quot;{world.warehouse.pk}&quot;' in raw, url  # for the script


def test_an_open_action_form_has_one_button_of_its_name(world):
    dep = world.request()
    html = login(world.giver).get(f"/o/acme/coordination/d/{dep.pk}/").content.decode()
    accept = re.search(r'<details class="act act--accept".*?</details>', html, re.S).group(0)
    summary = re.search(r"<summary.*?</summary>", accept, re.S).group(0)
    # Closed, the summary reads "Accept"; open, it reads "Close" (the CSS hides the other):
    # the only "Accept" button of an open form is the form's own.
    assert '<span class="act__open">Accept</span>' in summary
    assert '<span class="act__close">Close' in summary
    assert accept.count('<button type="submit" class="button">Accept</button>') == 1


def test_accepting_says_what_was_done_and_the_timeline_dates_read_as_everywhere(world):
    dep = world.request()
    client = login(world.giver)
    r = _post(client, world, dep, 25)
    assert r.status_code == 302
    page = client.get(r["Location"]).content.decode()
    assert f"Accepted “{dep.title}”." in htmllib.unescape(page)
    timeline = page.split('id="tl-h"')[1].split("</section>")[0]
    committed = (world.today + dt.timedelta(days=25)).strftime("%-d %b %Y")
    assert f"committed {committed}" in timeline
    assert not re.search(r"\d{4}-\d{2}-\d{2}(?!T)", re.sub(r'datetime="[^"]*"', "", timeline))
