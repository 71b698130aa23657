"""Home's "Your work" finishes a small item where it stands: each open action item has the
action items list's Done (its form and endpoint), put in place by htmx with what it did and
its Undo, a whole page without script. An initiative of one's own that its dependencies
block says "blocked" as its page does, read from its stored first blocked day."""

from __future__ import annotations

import datetime as dt
import html as html_lib
import re

from django.utils import timezone

from accord.alignment import services as alignment
from accord.coordination import services as coordination
from accord.decisions import services as decisions
from accord.decisions.models import ActionStatus
from tests.conftest import login
from tests.web.test_your_work import _queries, work_card

TODAY = timezone.localdate()


def _done_forms(card: str) -> dict[str, str]:
    """{the item's title: the Done form's action} in a work card."""
    return {
        html_lib.unescape(title): action
        for action, title in re.findall(
            r'<form method="post" action="([^"]+)"[^>]*>.*?aria-label="Mark “([^”]+)” done"',
            card,
            re.S,
        )
    }


def test_home_finishes_an_action_item_in_place_with_undo(cast):
    item = decisions.create_action_item(
        cast.org, None, "Send the notes", cast.member, due_on=TODAY + dt.timedelta(days=3)
    )
    decisions.create_action_item(cast.org, None, "Book the room", cast.member)
    client = login(cast.member)
    card = work_card(client.get("/o/acme/").content.decode())
    done_url = f"/o/acme/decisions/actions/{item.pk}/complete/"
    assert _done_forms(card)["Send the notes"] == done_url
    # In place: htmx reads home again after the change and puts its action items in place.
    assert f'hx-post="{done_url}" hx-target="#work-items" hx-select="#work-items"' in card
    assert 'name="next" value="/o/acme/#work-items"' in card

    answer = client.post(
        done_url, {"next": "/o/acme/#work-items"}, headers={"HX-Request": "true"}, follow=True
    )
    item.refresh_from_db()
    assert item.status == ActionStatus.DONE
    page = answer.content.decode()
    part = page[page.index('id="work-items"') :]
    part = part[: part.index("</section>")]
    text = " ".join(re.sub(r"<[^>]+>", " ", html_lib.unescape(part)).split())
    assert "Done: Send the notes. Undo" in text
    assert "Book the room" in text and "Send the notes Done" not in text
    # What it did is a status the keyboard lands on, its Undo reopens the item.
    assert 'role="status" tabindex="-1" autofocus' in part
    assert f'action="/o/acme/decisions/actions/{item.pk}/reopen/"' in part
    # Without htmx the page is whole, its message said once (base.html's).
    plain = client.get("/o/acme/").content.decode()
    assert 'id="work-items"' in plain and "work-undo-" not in plain


def test_done_is_offered_only_to_who_may_finish_the_item(cast):
    decisions.create_action_item(cast.org, None, "Renew the certificate", cast.member)
    person_page = f"/o/acme/people/{cast.member.pk}/"
    assert "Renew the certificate" in _done_forms(
        work_card(login(cast.member).get(person_page).content.decode())
    )
    assert "Renew the certificate" in _done_forms(
        work_card(login(cast.leader).get(person_page).content.decode())
    )
    card = work_card(login(cast.viewer).get(person_page).content.decode())
    assert "Renew the certificate" in card and _done_forms(card) == {}


def test_an_initiative_of_my_own_its_dependencies_block_says_blocked(cast):
    mine = alignment.create_initiative(
        cast.org, None, team=cast.platform, title="Card vault", owner=cast.member, status="active"
    )
    alignment.create_initiative(
        cast.org, None, team=cast.platform, title="Runbooks", owner=cast.member, status="active"
    )
    dep = coordination.create_dependency(
        cast.org,
        None,
        requester_initiative=mine,
        provider_team=cast.root,
        title="HSM keys",
        need_by=TODAY + dt.timedelta(days=10),
    )
    client = login(cast.member)
    before = _queries(client, "/o/acme/")
    coordination.transition(cast.org, None, dep, "flag_blocked", note="No hardware yet")
    for url in ("/o/acme/", f"/o/acme/people/{cast.member.pk}/"):
        card = work_card(client.get(url).content.decode())
        rows = dict(re.findall(r">(Card vault|Runbooks)</a>(.*?)</li>", card, re.S))
        assert re.search(
            rf'href="/o/acme/alignment/initiatives/{mine.pk}/#dependencies">blocked</a>',
            rows["Card vault"],
        ), url
        assert ">blocked<" not in rows["Runbooks"]
    # Read off the row already there: no question more.
    assert _queries(client, "/o/acme/") == before
