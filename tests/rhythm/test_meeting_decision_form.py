"""A meeting's "Record a decision": the form says that, without an outcome, the decision is
recorded as an open question, and once recorded the message says which it became and links
to it, so that no one records it again thinking nothing happened."""

from __future__ import annotations

from accord.decisions.models import Decision
from tests.conftest import login


def _messages(page: str) -> str:
    return "".join(part.split("</p>")[0] for part in page.split('class="msg msg--success">')[1:])


def test_the_form_says_no_outcome_is_an_open_question(cast, started_sync):
    page = login(cast.leader).get(started_sync).content.decode()
    form = page.split('id="decisions-h"')[1].split("</form>")[0]
    assert (
        "Left empty, the decision is recorded as an open question for its approver to decide."
        in form
    )


def test_recorded_decisions_are_linked_and_said_open_or_decided(cast, started_sync):
    client = login(cast.leader)
    open_q = client.post(
        started_sync + "decision/",
        {"question": "Move the release day?", "approver": cast.leader.pk},
        follow=True,
    )
    d = Decision.objects.get(question="Move the release day?")
    assert d.status == "open"
    said = _messages(open_q.content.decode())
    assert said == (
        f'Decision <a href="/o/acme/decisions/{d.pk}/">“Move the release day?”</a> recorded as '
        "an open question for you to decide: no outcome was written."
    )
    others = client.post(
        started_sync + "decision/",
        {"question": "Buy a build farm?", "approver": cast.admin.pk},
        follow=True,
    )
    assert "as an open question for Ada Admin to decide" in _messages(others.content.decode())
    decided = client.post(
        started_sync + "decision/",
        {
            "question": "Which database?",
            "approver": cast.leader.pk,
            "outcome": "Postgres",
            "rationale": "We know it well",
        },
        follow=True,
    )
    d = Decision.objects.get(question="Which database?")
    assert _messages(decided.content.decode()) == (
        f'Decision <a href="/o/acme/decisions/{d.pk}/">“Which database?”</a> recorded (decided).'
    )
