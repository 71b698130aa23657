"""The accept form says what accepting does: the initiative it needs is marked required,
its choices are the team's own in its priority order with their target dates first, and
its date's hint agrees with the page when the date on the table is the asking team's own."""

from __future__ import annotations

import datetime as dt
import html as htmllib
import re

from accord.alignment import services as alignment
from accord.coordination import services
from accord.web.templatetags.dates import day
from tests.conftest import login
from tests.coordination.conftest import initiative


def _accept_form(world, dep) -> str:
    page = login(world.giver).get(f"/o/acme/coordination/d/{dep.pk}/").content.decode()
    form = re.search(r'<details class="act act--accept".*?</details>', page, re.S).group(0)
    return htmllib.unescape(form)


def _day(world, n: int) -> dt.date:
    return world.today + dt.timedelta(days=n)


def test_the_delivering_initiative_is_marked_required_to_accept(world):
    dep = world.request()
    form = _accept_form(world, dep)
    field = re.search(r'<div class="field"[^>]*provider_initiative-field.*?</div>', form, re.S)
    assert 'Delivered by our initiative <span aria-hidden="true">*</span>' in field.group(0)
    assert re.search(r'<select name="provider_initiative"[^>]* required', field.group(0))
    r = login(world.giver).post(
        f"/o/acme/coordination/d/{dep.pk}/accept/",
        {"committed_date": _day(world, 25).isoformat(), "version": dep.version},
    )
    assert r.status_code == 422 and "Required to accept." in r.content.decode()


def test_the_choices_are_the_teams_own_in_priority_order_each_after_its_target(world):
    zone = initiative(world.org, world.ops, "Zone picking", status="active")
    alignment.move_in_stack(world.org, None, zone, 1)  # above New warehouse
    initiative(world.org, world.ops, "Annual audit", status="proposed")  # not ranked yet
    form = _accept_form(world, world.request())
    options = re.findall(r"<option value=\"\d+\"[^>]*>([^<]*)</option>", form)
    assert options == [
        "no target date · Zone picking",
        f"{day(_day(world, 20))} · New warehouse",
        "no target date · Annual audit",
    ]
    assert "(Operations)" not in form


def test_accepting_the_asking_teams_own_later_date_is_hinted_as_its_page_says(world):
    dep = world.request(need_by=_day(world, 22))
    dep = services.transition(
        world.org,
        world.giver,
        dep,
        "propose",
        provider_initiative=world.warehouse,
        proposed_date=_day(world, 40),
    )
    dep = services.transition(world.org, world.asker, dep, "counter", proposed_date=_day(world, 30))
    form = _accept_form(world, dep)
    assert (
        f"Sales proposes {day(_day(world, 30))}: accepted on that date, its need-by moves "
        f"there from {day(_day(world, 22))}. Any other date after {day(_day(world, 22))} "
        "shows at risk as soon as it is accepted" in form
    )
    assert "a later date shows at risk" not in form


def test_a_request_not_negotiated_keeps_the_need_by_hint(world):
    form = _accept_form(world, world.request(need_by=_day(world, 22)))
    assert f"Sales needs it by {day(_day(world, 22))}; a later date shows at risk" in form
