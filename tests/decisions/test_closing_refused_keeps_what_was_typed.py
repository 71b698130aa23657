"""Reversing or superseding a decision from its page, refused for what was typed (a reason
too long, none at all, a replacement not decided): the page again with the form as typed,
its section open and the refusal under the field it names, nothing changed (422), as a
meeting's refused summary comes back."""

from __future__ import annotations

import html
import re

import pytest

from accord.decisions import services
from accord.decisions.models import DecisionStatus
from tests.conftest import login
from tests.decisions.helpers import counts


@pytest.fixture
def decided(cast):
    d = services.create_decision(cast.org, cast.member, "Which database?", approver=cast.leader)
    return services.decide(cast.org, cast.leader, d, outcome="MySQL", rationale="We know it")


def error_under(page: str, field_id: str) -> str:
    """The error said under the field `field_id` of the page ("" when none)."""
    found = re.search(rf'<small class="error" id="{field_id}_error"[^>]*>(.*?)</small>', page, re.S)
    return html.unescape(found.group(1)) if found else ""


def box(page: str, field_id: str) -> str:
    """What the text box `field_id` holds, as the page shows it."""
    found = re.search(rf'<textarea[^>]*id="{field_id}"[^>]*>(.*?)</textarea>', page, re.S)
    assert found, field_id
    return html.unescape(found.group(1)).strip()


def test_a_reason_too_long_comes_back_under_the_reason_box_as_typed(cast, decided):
    typed = "The licence changed; " * 100  # 2,100 characters: more than a reason holds
    before = counts(cast.org)
    resp = login(cast.leader).post(f"/o/acme/decisions/{decided.pk}/reverse/", {"reason": typed})
    assert resp.status_code == 422
    page = resp.content.decode()
    assert box(page, "id_reverse_reason") == typed.strip()
    said = error_under(page, "id_reverse_reason")
    assert said == "Reason is too long (2,099 characters, at most 2,000)."
    # Its section open, the box ready to be shortened.
    assert re.search(r"<details class=\"add\" open><summary>Reverse</summary>", page)
    assert "autofocus" in re.search(r'<textarea[^>]*id="id_reverse_reason"[^>]*>', page)[0]
    assert counts(cast.org) == before
    decided.refresh_from_db()
    assert decided.status == DecisionStatus.DECIDED and decided.reversal_reason == ""


def test_a_reversal_without_a_reason_is_asked_for_one_under_the_box(cast, decided):
    resp = login(cast.leader).post(f"/o/acme/decisions/{decided.pk}/reverse/", {"reason": "  "})
    assert resp.status_code == 422
    page = resp.content.decode()
    assert error_under(page, "id_reverse_reason") == "Say why the decision is reversed."
    decided.refresh_from_db()
    assert decided.status == DecisionStatus.DECIDED


def test_a_reversal_with_a_reason_goes_through(cast, decided):
    resp = login(cast.leader).post(
        f"/o/acme/decisions/{decided.pk}/reverse/", {"reason": "Licence changed"}
    )
    assert resp.status_code == 302
    decided.refresh_from_db()
    assert decided.status == DecisionStatus.REVERSED
    assert decided.reversal_reason == "Licence changed"


def test_a_supersession_refused_keeps_its_reason_and_says_why_beside_the_choice(cast, decided):
    """The form offers decided decisions only; one not decided, sent anyway, is refused
    beside the choice, the reason kept. A reason too long, under the reason box."""
    open_one = services.create_decision(cast.org, cast.member, "Which database now?", cast.leader)
    live = services.create_decision(cast.org, cast.member, "Which database, again?", cast.leader)
    services.decide(cast.org, cast.leader, live, outcome="PostgreSQL")
    client = login(cast.leader)
    url = f"/o/acme/decisions/{decided.pk}/supersede/"
    resp = client.post(url, {"by": open_one.pk, "reason": "Newer"})
    assert resp.status_code == 422
    page = resp.content.decode()
    assert box(page, "id_supersede_reason") == "Newer"
    said = "Choose the decided decision that replaces this one."
    assert error_under(page, "id_supersede_by") == said
    assert error_under(page, "id_supersede_reason") == ""
    assert '<details class="add" open><summary>Supersede by another decision' in page

    resp = client.post(url, {"by": live.pk, "reason": "x" * 2001})
    assert resp.status_code == 422
    page = resp.content.decode()
    assert box(page, "id_supersede_reason") == "x" * 2001
    said = "Reason is too long (2,001 characters, at most 2,000)."
    assert error_under(page, "id_supersede_reason") == said
    assert re.search(rf'<option value="{live.pk}" selected>', page)
    decided.refresh_from_db()
    assert decided.status == DecisionStatus.DECIDED


def test_a_decision_no_longer_decided_is_said_at_the_top(cast, decided):
    """Reversed meanwhile: no form to show it again in, the refusal is said on the page."""
    services.reverse(cast.org, cast.leader, decided, reason="Changed our mind")
    client = login(cast.leader)
    resp = client.post(f"/o/acme/decisions/{decided.pk}/reverse/", {"reason": "Again"})
    assert resp.status_code == 302
    page = client.get(resp.url).content.decode()
    assert "Only a decided decision can be reversed; this one is reversed." in page
