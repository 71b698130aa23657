"""The team asked (the provider) says it delivered: the dependency stays accepted, stamped
with the day, and waits on the asking team, which confirms it (delivered) or says it is not
delivered yet (with what is missing). From the day it is marked it no longer counts as late
against the provider: not in the lists, figures, blocked initiatives or announcements. Each
side hears of the other's word, in the inbox and by e-mail; the page and the API say it."""

from __future__ import annotations

import datetime as dt
import html as htmllib

import pytest

from accord.activity.models import Event, Notification
from accord.alignment.models import Initiative
from accord.conversation.models import InboxItem
from accord.coordination import queries, services
from accord.coordination.models import Side, State
from accord.core.errors import ServiceError
from accord.web.templatetags.dates import day
from tests.conftest import api_client, login


def _late(world, title="Stock for the spring launch"):
    """Accepted, its committed date passed three days ago (entered as Accord would)."""
    dep = services.create_dependency(
        world.org,
        None,
        requester_initiative=world.launch,
        provider_team=world.ops,
        title=title,
        need_by=world.today - dt.timedelta(days=5),
    )
    return services.transition(
        world.org,
        None,
        dep,
        "accept",
        provider_initiative=world.warehouse,
        committed_date=world.today - dt.timedelta(days=3),
    )


def _news(person) -> list[str]:
    return list(
        InboxItem.objects.filter(person=person, kind="update", done_at__isnull=True)
        .order_by("id")
        .values_list("title", flat=True)
    )


def test_the_provider_marks_it_delivered_and_it_stops_counting_as_late(world):
    dep = _late(world)
    dep = services.transition(world.org, world.giver, dep, "flag_at_risk", note="Customs.")
    assert dep.is_late(world.today)
    assert queries.filtered(world.org, team=world.ops, late=True).exists()
    assert queries.blocked_reasons(world.org, [world.launch.pk])[world.launch.pk]
    assert Initiative.objects.get(pk=world.launch.pk).blocked_from is not None

    dep = services.transition(
        world.org, world.giver, dep, "mark_delivered", note="In the shared drive."
    )
    dep.refresh_from_db()
    # Still the requester's to confirm: accepted, stamped, their move; the flag is gone.
    assert (dep.state, dep.marked_delivered_on, dep.awaiting) == (
        State.ACCEPTED,
        world.today,
        Side.REQUESTER,
    )
    assert dep.flag == "" and dep.said_delivered
    event = Event.objects.for_org(world.org).first()
    assert (event.verb, event.actor, event.after["note"]) == (
        "marked_delivered",
        world.giver,
        "In the shared drive.",
    )
    assert event.after["marked_delivered_on"] == world.today.isoformat()
    feed = login(world.giver).get(f"/o/{world.org.slug}/activity/").content.decode()
    assert "marked as delivered" in feed and "marked delivered" not in feed
    # One rule: not late, not at risk, blocks nothing, never announced late.
    assert not dep.is_late(world.today)
    assert not queries.filtered(world.org, team=world.ops, late=True).exists()
    assert not queries.filtered(world.org, at_risk=True).exists()
    assert queries.decorate([dep])[0].risk_reasons == []
    assert queries.team_summary(world.org, world.ops)["late"] == 0
    assert queries.load_for(world.org, [world.ops.pk])[0]["inbound_late"] == 0
    assert queries.blocked_reasons(world.org, [world.launch.pk]) == {}
    assert Initiative.objects.get(pk=world.launch.pk).blocked_from is None
    assert services.announce_late(world.org) == 0
    # Waiting on the asking team's answer, in its inbox and its scope's figures.
    waiting = queries.filtered(world.org, team=world.sales, only=True, waiting=True)
    assert list(waiting) == [dep]
    assert queries.scope_figures(world.org, world.sales)["waiting"] == 1
    assert not queries.filtered(world.org, team=world.ops, only=True, waiting=True).exists()


def test_the_requester_confirms_it_or_says_it_is_not_delivered_yet(world):
    dep = services.transition(world.org, world.giver, _late(world), "mark_delivered")
    # Not yet: only with what is missing, and then it is late again, the provider's move.
    with pytest.raises(ServiceError) as exc:
        services.transition(world.org, world.asker, dep, "not_delivered", note=" ")
    assert "note" in exc.value.fields
    dep.refresh_from_db()
    assert dep.marked_delivered_on == world.today
    dep = services.transition(
        world.org, world.asker, dep, "not_delivered", note="The refunds are missing."
    )
    dep.refresh_from_db()
    assert (dep.state, dep.marked_delivered_on, dep.awaiting) == (
        State.ACCEPTED,
        None,
        Side.PROVIDER,
    )
    event = Event.objects.for_org(world.org).first()
    assert (event.verb, event.actor) == ("reopened", world.asker)
    assert event.after["note"] == "The refunds are missing."
    assert dep.is_late(world.today) and services.announce_late(world.org) == 1
    # Marked again, and confirmed: delivered, closed.
    dep = services.transition(world.org, world.giver, dep, "mark_delivered")
    dep = services.transition(world.org, world.asker, dep, "confirm_delivery")
    assert dep.state == State.DELIVERED and dep.closed_at is not None


def test_once_marked_the_provider_neither_proposes_nor_flags_nor_marks_again(world):
    dep = services.transition(world.org, world.giver, _late(world), "mark_delivered")
    for action, args in (
        ("propose", {"proposed_date": world.today + dt.timedelta(days=9)}),
        ("flag_blocked", {"note": "Stuck"}),
        ("mark_delivered", {}),
    ):
        with pytest.raises(ServiceError) as exc:
            services.transition(world.org, world.giver, dep, action, **args)
        assert exc.value.code == "illegal_transition"
        said = f"Operations said it was delivered on {day(world.today)}"
        assert said in exc.value.message, exc.value.message
        assert "Allowed now: confirm_delivery, not_delivered, cancel" in exc.value.message
    # And the requester cannot say "not yet" of what nobody said was delivered.
    other = _late(world, title="Pallets")
    with pytest.raises(ServiceError) as exc:
        services.transition(world.org, world.asker, other, "not_delivered", note="No")
    assert "Operations has not said it was delivered" in exc.value.message


def test_each_side_hears_the_others_word(world):
    dep = _late(world)
    services.transition(world.org, world.giver, dep, "mark_delivered", note="Shipped Monday")
    said = "Operations says it was delivered: Stock for the spring launch. Note: Shipped Monday"
    assert _news(world.asker) == [said]  # the requesting team's lead, who asked
    assert _news(world.giver) == []  # not who acted
    mail = Notification.objects.filter(channel="email", person=world.asker).latest("id")
    assert mail.kind == "dependency_answered"
    assert mail.subject == "Operations says it was delivered: Stock for the spring launch"
    services.transition(world.org, world.asker, dep, "not_delivered", note="Half of it")
    not_yet = "Sales says it is not delivered yet: Stock for the spring launch. Note: Half of it"
    assert _news(world.giver) == [not_yet]  # the provider's lead
    mail = Notification.objects.filter(channel="email", person=world.giver).latest("id")
    assert mail.subject == "Sales says it is not delivered yet: Stock for the spring launch"


def test_the_page_offers_each_side_its_move_and_says_who_waits(world):
    dep = _late(world)
    url = f"/o/acme/coordination/d/{dep.pk}/"
    giver, asker = login(world.giver), login(world.asker)
    page = htmllib.unescape(giver.get(url).content.decode())
    assert "Mark delivered" in page and "act--mark_delivered" in page
    r = giver.post(f"{url}mark_delivered/", {"note": "", "version": dep.version})
    assert r.status_code == 302
    page = htmllib.unescape(giver.get(r["Location"]).content.decode())
    says = f"Operations says it was delivered on {day(world.today)}; waiting for Sales to confirm."
    assert "Marked delivered: “Stock for the spring launch”." in page
    assert says in page
    assert "act--mark_delivered" not in page and "act--propose" not in page
    assert 'tag--bad">Late' not in page
    assert "said it was delivered" in page.split('id="tl-h"')[1]  # the timeline

    page = htmllib.unescape(asker.get(url).content.decode())
    assert says in page
    assert "act--confirm_delivery" in page and "act--not_delivered" in page
    # The asking team's inbox has it, with its two answers.
    inbox = asker.get("/o/acme/coordination/teams/sales/").content.decode()
    inbox = htmllib.unescape(inbox.split('id="inbox-h"')[1].split("</section>")[0])
    assert "Stock for the spring launch" in inbox and says.removesuffix(".") in inbox
    assert "Confirm delivery" in inbox and "Not delivered yet" in inbox

    # "Not yet" without saying what is missing: a clear error, nothing changed.
    dep.refresh_from_db()
    events = Event.objects.count()
    r = asker.post(f"{url}not_delivered/", {"note": "", "version": dep.version})
    assert r.status_code == 422
    assert "This field is required." in r.content.decode()
    dep.refresh_from_db()
    assert dep.marked_delivered_on == world.today and Event.objects.count() == events
    r = asker.post(f"{url}not_delivered/", {"note": "Half of it", "version": dep.version})
    assert r.status_code == 302
    page = htmllib.unescape(giver.get(url).content.decode())
    assert says not in page and "act--mark_delivered" in page and 'tag--bad">Late' in page


def test_the_api_takes_the_same_actions(world):
    dep = _late(world)
    giver, asker = api_client(world.giver), api_client(world.asker)
    got = giver.get(f"/api/v1/dependencies/{dep.pk}").json()
    assert "mark_delivered" in got["allowed_actions"] and got["late"]
    assert got["marked_delivered_on"] is None
    r = asker.post(
        f"/api/v1/dependencies/{dep.pk}/mark_delivered", {}, content_type="application/json"
    )
    assert r.status_code == 403  # the provider's word only
    r = giver.post(
        f"/api/v1/dependencies/{dep.pk}/mark_delivered",
        {"note": "Done"},
        content_type="application/json",
        headers={"If-Match": f'"{dep.version}"'},
    )
    assert r.status_code == 200, r.content
    out = r.json()
    assert out["state"] == "accepted" and out["awaiting"] == "requester"
    assert out["marked_delivered_on"] == world.today.isoformat()
    assert not out["late"] and not out["at_risk"]
    assert out["allowed_actions"] == ["confirm_delivery", "not_delivered", "cancel"]
    late = asker.get("/api/v1/dependencies", {"late": "true"}).json()
    assert late["items"] == []
    r = asker.post(
        f"/api/v1/dependencies/{dep.pk}/not_delivered", {}, content_type="application/json"
    )
    assert r.status_code == 422 and "note" in r.json()["error"]["fields"]
    r = asker.post(
        f"/api/v1/dependencies/{dep.pk}/not_delivered",
        {"note": "Half of it"},
        content_type="application/json",
    )
    assert r.json()["marked_delivered_on"] is None and r.json()["late"]


def test_one_entered_as_it_stands_elsewhere_keeps_its_providers_word(world):
    """`record_dependency` (an organization file, an export read back) takes the day its
    provider said it was delivered, on an accepted one only."""
    args = {
        "requester_initiative": world.launch,
        "provider_team": world.ops,
        "need_by": world.today - dt.timedelta(days=9),
        "provider_initiative": world.warehouse,
        "marked_delivered_on": world.today - dt.timedelta(days=2),
    }
    said = services.record_dependency(world.org, None, title="Said", state="accepted", **args)
    assert said.said_delivered and said.awaiting == Side.REQUESTER
    assert not said.is_late(world.today)
    done = services.record_dependency(world.org, None, title="Done", state="delivered", **args)
    assert done.marked_delivered_on is None


def test_said_delivered_travels_in_the_organization_file(world):
    from accord.coordination.models import Dependency
    from accord.interchange import services as interchange
    from accord.org.models import Organization

    dep = services.transition(world.org, world.giver, _late(world), "mark_delivered")
    text = interchange.export_text(world.org)
    assert f"marked_delivered_on: '{world.today.isoformat()}'" in text
    outcome = interchange.apply_file(text, org_slug="copy")
    assert outcome.ok, outcome.report.as_text()
    copy = Dependency.objects.get(org=Organization.objects.get(slug="copy"), title=dep.title)
    assert (copy.state, copy.marked_delivered_on) == (State.ACCEPTED, world.today)


def test_the_timeline_does_not_call_it_late_once_said_delivered(world):
    from accord.alignment import timeline

    dep = _late(world)
    assert "late" in timeline.describe_dependency(dep, world.today)
    dep = services.transition(world.org, world.giver, dep, "mark_delivered")
    dep.refresh_from_db()
    assert timeline.describe_dependency(dep, world.today) == "Accepted"


def test_cancelling_ones_own_request_is_offered_but_never_the_page_s_main_button(world):
    """The asking team's first move on a new request is Cancel: offered, but quiet, not the
    solid button that reads as what to do next."""
    dep = services.create_dependency(
        world.org,
        None,
        requester_initiative=world.launch,
        provider_team=world.ops,
        title="Shelf labels",
        need_by=world.today + dt.timedelta(days=20),
    )
    page = login(world.asker).get(f"/o/acme/coordination/d/{dep.pk}/").content.decode()
    cancel = page.split('class="act act--cancel"')[1].split("</summary>")[0]
    assert '<summary class="button button--quiet">' in cancel
    assert '<summary class="button">' not in page.split('id="act-h"')[1].split("</section>")[0]
