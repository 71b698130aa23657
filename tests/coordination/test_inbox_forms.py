"""A team's inbox shows each request's buttons; a form is fetched when its button is opened,
so a full inbox costs no more than the requests themselves."""

from __future__ import annotations

import datetime as dt
import html as htmllib
import re

from accord.coordination import services
from tests.conftest import login
from tests.coordination.conftest import initiative

HX = {"HX-Request": "true"}


def _fetch_urls(html: str, dep) -> dict[str, str]:
    """action -> the address the inbox fetches its form from."""
    found = re.findall(rf'hx-get="(/o/acme/coordination/d/{dep.pk}/(\w+)/[^"]*)"', html)
    return {action: htmllib.unescape(url) for url, action in found}


def test_the_inbox_renders_buttons_and_no_forms(world):
    deps = [world.request(title=f"Request {n}") for n in range(3)]
    for n in range(8):  # initiatives each accept form would list
        initiative(world.org, world.ops, f"Ops plan {n}")
    html = login(world.giver).get("/o/acme/coordination/teams/ops/").content.decode()
    assert "<select" not in html and 'name="committed_date"' not in html
    assert html.count("Ops plan 0") == 1  # in "Ready to work on" only, not per form
    for dep in deps:
        assert set(_fetch_urls(html, dep)) == {"accept", "propose", "decline"}
        # Without scripts, each button leads to the dependency's page and its forms.
        assert f'href="/o/acme/coordination/d/{dep.pk}/#act-h">Accept on the' in html


def test_an_opened_button_fetches_its_form_which_returns_to_the_inbox(world):
    dep = world.request()
    initiative(world.org, world.ops, "Ops plan")
    client = login(world.giver)
    urls = _fetch_urls(client.get("/o/acme/coordination/teams/ops/").content.decode(), dep)
    part = client.get(urls["accept"], headers=HX)
    assert part.status_code == 200
    form = part.content.decode()
    assert form.startswith("<form") and "<html" not in form  # a fragment, not a page
    assert f'action="/o/acme/coordination/d/{dep.pk}/accept/"' in form
    # Back to the inbox, at the request's row (focus and the message land there).
    back = f"/o/acme/coordination/teams/ops/#dep-{dep.pk}"
    assert f'<input type="hidden" name="next" value="{back}">' in form
    assert f'<input type="hidden" name="version" value="{dep.version}">' in form
    assert "New warehouse" in form and "Ops plan" in form
    decline = client.get(urls["decline"], headers=HX).content.decode()
    assert 'name="note"' in decline and "<select" not in decline

    r = client.post(
        f"/o/acme/coordination/d/{dep.pk}/decline/",
        {"note": "No capacity", "version": dep.version, "next": "/o/acme/coordination/teams/ops/"},
    )
    assert r.status_code == 302 and r["Location"] == "/o/acme/coordination/teams/ops/"
    dep.refresh_from_db()
    assert dep.state == "declined"


def test_a_form_fetched_after_someone_else_acted_says_so(world):
    dep = world.request()
    client = login(world.giver)
    urls = _fetch_urls(client.get("/o/acme/coordination/teams/ops/").content.decode(), dep)
    services.transition(
        world.org,
        world.giver,
        dep,
        "accept",
        provider_initiative=world.warehouse,
        committed_date=world.today + dt.timedelta(days=25),
    )
    part = client.get(urls["decline"], headers=HX).content.decode()
    assert "<form" not in part
    assert "Decline is not open to you now: it is accepted, waiting on the provider." in part
    assert f'href="/o/acme/coordination/d/{dep.pk}/"' in part


def test_only_those_who_may_act_get_a_form(world):
    dep = world.request()
    url = f"/o/acme/coordination/d/{dep.pk}/accept/"
    part = login(world.asker).get(url, headers=HX).content.decode()  # the other side
    assert "<form" not in part and "Accept is not open to you now" in part
    part = login(world.bystander).get(url, headers=HX).content.decode()
    assert "<form" not in part
    assert "Only members of Sales or Operations, leads of a team above" in part
    part = login(world.viewer).get(url, headers=HX).content.decode()
    assert "<form" not in part and "You are a viewer" in part
    dep.refresh_from_db()
    assert dep.state == "requested"


def test_the_form_address_opened_directly_leads_to_the_dependency(world):
    dep = world.request()
    r = login(world.giver).get(f"/o/acme/coordination/d/{dep.pk}/accept/")
    assert r.status_code == 302
    assert r["Location"] == f"/o/acme/coordination/d/{dep.pk}/#act-h"


def test_a_fetched_form_returns_only_within_the_site(world):
    dep = world.request()
    client = login(world.giver)
    url = f"/o/acme/coordination/d/{dep.pk}/decline/?next=https://elsewhere.example/"
    part = client.get(url, headers=HX).content.decode()
    assert "<form" in part and 'name="next"' not in part


def test_the_propose_form_marks_the_delivering_initiative_required(world):
    dep = world.request()
    client = login(world.giver)
    urls = _fetch_urls(client.get("/o/acme/coordination/teams/ops/").content.decode(), dep)
    form = client.get(urls["propose"], headers=HX).content.decode()
    label = re.search(r"<label[^>]*>Delivered by our initiative(.*?)</label>", form)
    assert label and '<span aria-hidden="true">*</span>' in label.group(1)
    assert re.search(r'<select name="provider_initiative"[^>]*\brequired\b', form)
    # Sent without one, it says so and changes nothing.
    r = client.post(
        f"/o/acme/coordination/d/{dep.pk}/propose/",
        {"proposed_date": (world.today + dt.timedelta(days=40)).isoformat()},
    )
    assert r.status_code == 422 and "This field is required" in r.content.decode()
    dep.refresh_from_db()
    assert dep.state == "requested"
