"""A form's errors come together: a date in the past is refused with the other fields'
errors (as an action item's due date is), never after them one at a time, and nobody is
asked to go ahead anyway with a date that is refused anyway."""

from __future__ import annotations

import datetime as dt
import html as htmllib

from accord.alignment import milestones
from accord.web.templatetags.dates import day
from tests.conftest import login

PAST = "The date is in the past; choose today or later."


def _page(r) -> str:
    return htmllib.unescape(r.content.decode())


def test_accepting_with_no_initiative_and_a_past_date_says_both_at_once(world):
    dep = world.request(need_by=world.today + dt.timedelta(days=30))
    yesterday = world.today - dt.timedelta(days=1)
    r = login(world.giver).post(
        f"/o/acme/coordination/d/{dep.pk}/accept/",
        {"committed_date": yesterday.isoformat(), "version": dep.version},
    )
    assert r.status_code == 422
    page = _page(r)
    assert "Required to accept." in page and PAST in page
    assert "tick the box" not in page and 'type="checkbox" name="accept_at_risk"' not in page
    dep.refresh_from_db()
    assert dep.state == "requested"


def test_a_past_date_before_the_initiatives_target_asks_nothing_but_a_new_date(world):
    dep = world.request(need_by=world.today + dt.timedelta(days=30))
    yesterday = world.today - dt.timedelta(days=1)
    r = login(world.giver).post(
        f"/o/acme/coordination/d/{dep.pk}/accept/",
        {
            "provider_initiative": world.warehouse.pk,
            "committed_date": yesterday.isoformat(),
            "version": dep.version,
        },
    )
    assert r.status_code == 422
    page = _page(r)
    assert PAST in page
    assert "tick the box" not in page and 'type="checkbox" name="accept_at_risk"' not in page


def test_proposing_a_past_date_is_refused_in_the_form(world):
    dep = world.request(need_by=world.today + dt.timedelta(days=30))
    r = login(world.giver).post(
        f"/o/acme/coordination/d/{dep.pk}/propose/",
        {
            "provider_initiative": world.warehouse.pk,
            "proposed_date": (world.today - dt.timedelta(days=3)).isoformat(),
            "version": dep.version,
        },
    )
    assert r.status_code == 422
    page = _page(r)
    assert PAST in page and 'type="checkbox" name="propose_at_risk"' not in page


def test_a_new_request_needed_in_the_past_says_so_with_the_missing_title(world):
    r = login(world.asker).post(
        "/o/acme/coordination/new/",
        {
            "requester_initiative": world.launch.pk,
            "provider_team": world.ops.pk,
            "title": "",
            "priority": "medium",
            "need_by": (world.today - dt.timedelta(days=2)).isoformat(),
        },
    )
    page = _page(r)
    assert "This field is required." in page and PAST in page


def test_proposing_after_a_milestones_need_by_still_asks_first(world, cast):
    # Tied to a milestone, the need-by does not move with the proposal: at risk once agreed.
    freeze = milestones.create_milestone(
        world.org, cast.leader, name="Freeze", kind="release", date=world.today + dt.timedelta(30)
    )
    dep = world.request(need_by=None, need_by_milestone=freeze)
    later = world.today + dt.timedelta(days=40)
    body = {
        "provider_initiative": world.warehouse.pk,
        "proposed_date": later.isoformat(),
        "version": dep.version,
    }
    client = login(world.giver)
    r = client.post(f"/o/acme/coordination/d/{dep.pk}/propose/", body)
    assert r.status_code == 422
    assert (
        f"you are proposing {day(later)}, 10 days later, and its need-by follows a milestone: "
        "it would show at risk once agreed." in _page(r)
    )
    r = client.post(f"/o/acme/coordination/d/{dep.pk}/propose/", {**body, "propose_at_risk": "on"})
    assert r.status_code == 302
