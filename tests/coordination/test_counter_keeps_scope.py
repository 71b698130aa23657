"""A counter-proposal of a date alone keeps the scope on the table: on the page its form
starts with that scope, through the API and the services a scope left out keeps it, and
only an empty one drops it (everything asked). The page and its history say which scope is
proposed now. A requester's own date after its need-by reads as its own, and "Propose
anyway" comes after the date it is about."""

from __future__ import annotations

import datetime as dt
import html as htmllib

import pytest

from accord.activity.models import Event
from accord.coordination import services
from accord.coordination.models import Dependency, State
from accord.core.errors import ServiceError
from accord.web.templatetags.dates import day
from tests.conftest import api_client, login

SCOPE = "Read-only sync first; writes next quarter."


def _days(world, n: int) -> dt.date:
    return world.today + dt.timedelta(days=n)


def _negotiating(world, *, need_by: int = 30) -> Dependency:
    """Operations proposes day 60 and a narrower scope; Sales' turn."""
    dep = world.request(need_by=_days(world, need_by))
    return services.transition(
        world.org,
        world.giver,
        dep,
        "propose",
        provider_initiative=world.warehouse,
        proposed_date=_days(world, 60),
        proposed_scope=SCOPE,
    )


def _last(dep, verb: str) -> Event:
    return Event.objects.for_target("coordination.dependency", dep.pk).filter(verb=verb).last()


def _page(client, dep) -> str:
    return htmllib.unescape(client.get(f"/o/acme/coordination/d/{dep.pk}/").content.decode())


def _counter(client, dep, **fields):
    return client.post(
        f"/o/acme/coordination/d/{dep.pk}/counter/", {"version": dep.version, **fields}
    )


def test_a_date_only_counter_keeps_the_scope_and_accepting_it_commits_to_that_scope(world):
    dep = _negotiating(world)
    dep = services.transition(
        world.org, world.asker, dep, "counter", proposed_date=_days(world, 45), note="Day 45"
    )
    assert (dep.proposed_date, dep.proposed_scope) == (_days(world, 45), SCOPE)
    # The event says what is proposed now, though the scope did not change.
    event = _last(dep, "countered")
    assert event.after["proposed_scope"] == SCOPE and "proposed_scope" not in event.before
    services.transition(world.org, world.giver, dep, "accept")
    dep.refresh_from_db()
    assert dep.state == State.ACCEPTED and dep.description == SCOPE


def test_an_empty_scope_drops_it_and_nothing_new_is_refused(world):
    dep = _negotiating(world)
    with pytest.raises(ServiceError, match="the scope on the table stays unless you change"):
        services.transition(world.org, world.asker, dep, "counter", proposed_scope=SCOPE)
    dep = services.transition(
        world.org, world.asker, dep, "counter", proposed_date=_days(world, 45), proposed_scope=""
    )
    assert dep.proposed_scope == ""
    assert _last(dep, "countered").before["proposed_scope"] == SCOPE


def test_the_counter_form_starts_with_the_scope_and_the_page_says_it_is_kept(world):
    dep = _negotiating(world)
    client = login(world.asker)
    page = client.get(f"/o/acme/coordination/d/{dep.pk}/").content.decode()
    counter = page.split('class="act act--counter"')[1].split("</form>")[0]
    assert f"{htmllib.escape(SCOPE)}</textarea>" in counter
    # Sent as the form starts: a new date, the same scope.
    r = _counter(client, dep, proposed_date=_days(world, 45).isoformat(), proposed_scope=SCOPE)
    assert r.status_code == 302, r.content
    dep.refresh_from_db()
    assert dep.proposed_scope == SCOPE
    page = _page(client, dep)
    facts = page.split('id="facts-h"')[1].split("</dl>")[0]
    assert f"Scope: {SCOPE}" in facts
    timeline = page.split('id="tl-h"')[1].split("</section>")[0]
    assert f"proposes {day(_days(world, 45))}" in timeline
    assert f"· scope: {SCOPE} (kept)" in timeline
    history = page.split('id="history-h"')[1].split("</section>")[0]
    counter_entry = history.split("counter-proposal")[1].split(
        "proposed another date or scope for"
    )[0]
    assert "Proposed scope" in counter_entry and SCOPE in counter_entry
    # A proposal reads as one, not as if the request itself were made ("proposed this").
    assert "proposed another date or scope for" in history
    assert "proposed dependency" not in history


def test_emptying_the_scope_on_the_page_drops_it_plainly(world):
    dep = _negotiating(world)
    client = login(world.asker)
    r = _counter(client, dep, proposed_date=_days(world, 45).isoformat(), proposed_scope="")
    assert r.status_code == 302, r.content
    dep.refresh_from_db()
    assert dep.proposed_scope == ""
    page = _page(client, dep)
    assert "Scope: everything asked" in page.split('id="facts-h"')[1].split("</dl>")[0]
    assert f"scope: everything asked, no longer “{SCOPE}”" in page


def test_a_post_without_the_scope_field_keeps_it(world):
    dep = _negotiating(world)
    r = _counter(login(world.asker), dep, proposed_date=_days(world, 45).isoformat())
    assert r.status_code == 302, r.content
    dep.refresh_from_db()
    assert dep.proposed_scope == SCOPE


def test_the_api_keeps_a_scope_left_out_and_drops_an_empty_one(world):
    client = api_client(world.asker)
    dep = _negotiating(world)
    url = f"/api/v1/dependencies/{dep.pk}/counter"
    r = client.post(
        url, {"proposed_date": _days(world, 45).isoformat()}, content_type="application/json"
    )
    assert r.status_code == 200, r.content
    assert r.json()["proposed_scope"] == SCOPE
    services.transition(world.org, world.giver, dep, "propose", proposed_date=_days(world, 50))
    dep.refresh_from_db()
    assert dep.proposed_scope == SCOPE  # the provider's date alone keeps it too
    r = client.post(
        url,
        {"proposed_date": _days(world, 45).isoformat(), "proposed_scope": ""},
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    assert r.json()["proposed_scope"] == ""
    schema = client.get("/api/v1/openapi.json").json()
    field = schema["components"]["schemas"]["TransitionIn"]["properties"]["proposed_scope"]
    assert "the scope now on the table is kept" in field["description"]


def test_the_requesters_own_later_date_reads_as_its_own(world):
    dep = _negotiating(world, need_by=30)
    dep = services.transition(
        world.org, world.asker, dep, "counter", proposed_date=_days(world, 45)
    )
    facts = _page(login(world.giver), dep).split('id="facts-h"')[1].split("</dl>")[0]
    assert "after Sales needs it" not in facts
    assert (
        f"15 days after the need-by date ({day(_days(world, 30))}): the need-by moves to it "
        "if Operations accepts" in facts
    )


def test_propose_anyway_comes_after_the_date_it_is_about(world):
    # Before the delivering initiative's target (day 20): at risk once agreed, so asked.
    dep = world.request(need_by=_days(world, 22))
    r = login(world.giver).post(
        f"/o/acme/coordination/d/{dep.pk}/propose/",
        {
            "provider_initiative": world.warehouse.pk,
            "proposed_date": _days(world, 15).isoformat(),
            "version": dep.version,
        },
    )
    assert r.status_code == 422
    form = htmllib.unescape(r.content.decode()).split('class="act act--propose"')[1]
    date, box = form.index('name="proposed_date"'), form.index('name="propose_at_risk"')
    assert date < box < form.index('name="proposed_scope"')
    assert (
        f"{day(_days(world, 15))} is before New warehouse's target date "
        f"({day(_days(world, 20))}): the dependency would show at risk as soon as it is "
        "agreed." in form
    )


def test_the_providers_inbox_shows_the_scope_of_the_counter_it_may_accept(world):
    dep = _negotiating(world)
    services.transition(world.org, world.asker, dep, "counter", proposed_date=_days(world, 45))
    inbox = htmllib.unescape(
        login(world.giver).get("/o/acme/coordination/teams/ops/").content.decode()
    )
    assert f"counter-proposal: {day(_days(world, 45))} — {SCOPE}" in inbox
