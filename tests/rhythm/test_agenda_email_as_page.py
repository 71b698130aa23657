"""A meeting's agenda e-mail is its page's live agenda: the action items the cadence's last
meeting agreed and still open come first under its action items (whatever their due
date), as the page lists them, though nobody opened the meeting ahead; and what that
meeting left to carry forward is in it too. Against a real local SMTP server."""

from __future__ import annotations

import datetime as dt

from accord.activity import delivery
from accord.rhythm import notifications, services
from tests.conftest import at
from tests.rhythm.conftest import SECOND
from tests.rhythm.test_agenda_carried_once import _live, _section

HOUR = dt.timedelta(hours=1)


def _agenda_email(cast, smtp, when) -> str:
    """The agenda e-mail of the meeting at `when` to the member, as the worker sends it."""
    sent = when - notifications.AGENDA_BEFORE + dt.timedelta(minutes=1)
    with at(sent):
        notifications.plan_all(sent)
        delivery.deliver(sent)
    [mail] = [
        m
        for m in smtp.messages
        if m["X-Rcpt"] == cast.member.email and m["Subject"].strip().startswith("Agenda:")
    ]
    return mail.get_body(("plain",)).get_content()


def test_the_agenda_emailed_lists_first_what_the_last_meeting_agreed(
    cast, rhythm, smtp, agreed_draft
):
    page = _live(cast, rhythm.sync, SECOND)
    assert "Share the board update draft" in _section(page, "todos")
    text = _agenda_email(cast, smtp, SECOND)
    todos = text.split("- Action items", 1)[1].split("\n- ", 1)[0]
    assert (
        "* Share the board update draft (Mia Member · due 25 Nov 2026 · agreed on 9 Nov 2026)"
        in todos
    )


def test_what_the_last_meeting_left_is_emailed_carried_forward(cast, rhythm, smtp, left_to_carry):
    assert "Book the offsite room" in _live(cast, rhythm.sync, SECOND)
    text = _agenda_email(cast, smtp, SECOND)
    carried = text.split("- Carried forward", 1)[1].split("\n- ", 1)[0]
    assert "* Book the offsite room (Mia Member · no due date · agreed on 9 Nov 2026)" in carried


def test_the_apis_live_agenda_carries_forward_what_the_last_meeting_left(
    cast, rhythm, left_to_carry
):
    """The API's live agenda of the next meeting is the page's: what the last meeting left
    is on it, carried forward."""
    from tests.api.conftest import send
    from tests.conftest import api_client

    with at(SECOND - HOUR):
        nxt = services.open_meeting(cast.org, cast.leader, rhythm.sync, SECOND)
        answer = send(
            api_client(cast.member), "get", f"/api/v1/rhythm/meetings/{nxt.pk}/live-agenda"
        )
    assert answer.status_code == 200
    [carried] = [s for s in answer.json() if s["key"] == "carried"]
    assert [i["title"] for i in carried["items"]] == ["Book the offsite room"]
