"""What follows a meeting for the people in it, against a real local SMTP server: finishing
it e-mails its minutes (summary, who was there, decisions, action items with their owners,
due dates and states, headlines, notes, a link to them) to everyone in it, present or absent,
but not to whoever finished it, once per person however often it is finished; a kind of
notice each can mute; the finish form says who will get them and the page who got them. A
decision recorded in the meeting informs everyone in it (unless its recorder chooses nobody),
so its "decided" notice reaches them. The minutes tag an action item overdue or done late as
its own page does."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from django.utils import timezone

from accord.activity import delivery
from accord.core.days import org_today
from accord.decisions.models import ActionItem, Decision
from accord.org import services as org_services
from accord.org.models import MembershipRole
from accord.rhythm import queries, services
from accord.rhythm.models import local_day
from accord.web.templatetags.dates import day
from tests.conftest import api_client, login

DAY = dt.timedelta(days=1)


@pytest.fixture
def platform_of_three(cast, rhythm):
    """Platform's weekly sync has three people: Leo (its lead and owner), Mia and Ada."""
    org_services.add_membership(
        cast.org, None, person=cast.admin, team=cast.platform, role=MembershipRole.MEMBER
    )
    return rhythm


@pytest.fixture
def running(cast, platform_of_three):
    """The next weekly sync, started (early) by Leo: everyone marked present."""
    occ = queries.next_occurrence(platform_of_three.sync, timezone.now())
    m = services.open_meeting(cast.org, cast.leader, platform_of_three.sync, occ.original_start)
    return services.start_meeting(cast.org, cast.leader, m, early=True)


def _page_url(m) -> str:
    return f"/o/acme/rhythm/cadences/{m.cadence_id}/{m.key}/"


def minutes_mails(smtp) -> dict[str, object]:
    """The minutes e-mails received, by recipient (one each, or the test fails)."""
    found: dict[str, object] = {}
    for msg in smtp.messages:
        if msg["Subject"].strip().startswith("Minutes: Weekly team sync"):
            assert msg["X-Rcpt"] not in found, f"{msg['X-Rcpt']} got the minutes twice"
            found[msg["X-Rcpt"]] = msg
    return found


def text_of(msg) -> str:
    return msg.get_body(("plain",)).get_content()


def _text(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))).strip()


def _card(page: str, heading_id: str) -> str:
    start = page.rindex("<section", 0, page.index(f'id="{heading_id}"'))
    return page[start : page.index("</section>", start)]


def _success(page: str) -> str:
    """The page's last message of success (one left by an earlier step comes first)."""
    return _text(page.split('class="msg msg--success">')[-1].split("</p>")[0])


# --- 1. the minutes go to everyone in the meeting --------------------------------------------


def test_finishing_emails_the_minutes_to_everyone_in_it_present_or_absent_once(cast, running, smtp):
    m = running
    org, leo = cast.org, cast.leader
    services.set_attendance(org, leo, m, cast.admin, False)  # Ada is away today
    section = m.agenda_snapshot[0]
    services.save_notes(org, leo, m, section["key"], "Builds are green again.")
    services.add_headline(org, leo, m, "We shipped the new billing page")
    services.add_decision(
        org,
        leo,
        m,
        question="Freeze deploys over the holidays?",
        approver=leo,
        outcome="Yes, from 18 Dec",
        rationale="Half the team is away",
        require_rationale=True,
    )
    due = org_today() + 3 * DAY
    services.add_action_item(
        org, leo, m, title="Write the staging runbook", owner=cast.member, due_on=due
    )
    services.finish_meeting(org, leo, m, summary="Release train agreed.")
    delivery.deliver()

    mails = minutes_mails(smtp)
    # Mia, present, and Ada, absent: not Leo, who finished it and has them on the page.
    assert sorted(mails) == sorted([cast.member.email, cast.admin.email])
    ada = mails[cast.admin.email]
    assert ada["Subject"].strip() == f"Minutes: {m}"
    assert str(m).endswith(local_day(m.scheduled_start, m.cadence))
    text = text_of(ada)
    assert text.startswith("Hello Ada,")
    assert "Summary: Release train agreed." in text
    assert "Present: Leo Leader, Mia Member" in text and "Absent: Ada Admin" in text
    assert "- Freeze deploys over the holidays? (decided by Leo Leader: Yes, from 18 Dec)" in text
    assert f"- Write the staging runbook — Mia Member, due {day(due)} (open)" in text
    assert "- We shipped the new billing page (Leo Leader)" in text
    assert f"{section['title']}:\nBuilds are green again." in text.replace("\r\n", "\n")
    assert f"http://localhost:8000{_page_url(m)}" in text
    body = html.unescape(ada.get_body(("html",)).get_content())
    assert "Write the staging runbook" in body and "Open the minutes" in body

    # Reopened, and finished again: nobody is told twice.
    services.reopen_meeting(org, leo, m)
    services.finish_meeting(org, leo, m, summary="Release train agreed, with a date.")
    delivery.deliver()
    assert sorted(minutes_mails(smtp)) == sorted([cast.member.email, cast.admin.email])


def test_a_meeting_the_system_finishes_is_history_and_emails_nobody(cast, running, smtp):
    """The demo and importers finish meetings that were held long ago: not news."""
    services.finish_meeting(cast.org, None, running, summary="Held in October.")
    delivery.deliver()
    assert minutes_mails(smtp) == {}


def test_minutes_are_a_kind_of_notice_each_person_can_turn_off(cast, running, smtp):
    assert "minutes" in {k.kind for k in delivery.kinds(cast.member)}
    delivery.set_preferences(cast.org, cast.member, cast.member, muted_kinds=["minutes"])
    delivery.set_preferences(cast.org, cast.admin, cast.admin, email=False)
    services.finish_meeting(cast.org, cast.leader, running, summary="Short one.")
    delivery.deliver()
    assert minutes_mails(smtp) == {}
    page = login(cast.member).get("/o/acme/rhythm/settings/").content.decode()
    assert 'name="notified_kinds" value="minutes">' in page  # unticked: not notified
    assert "A meeting&#x27;s minutes, when it is finished" in page


def test_the_finish_form_says_who_gets_the_minutes_and_the_page_who_got_them(cast, running, smtp):
    leo = login(cast.leader)
    url = _page_url(running)
    wrap_up = _text(leo.get(url).content.decode().split('id="finish-h"')[1].split("</form>")[0])
    assert (
        "the minutes (summary, decisions, action items, headlines and notes) are e-mailed to "
        "everyone in this meeting, present or absent: 2 people besides you" in wrap_up
    )
    done = leo.post(url + "finish/", {"summary": "Fine."}, follow=True).content.decode()
    assert _success(done) == (
        "Meeting finished. The minutes are below; they were e-mailed to Ada Admin, Mia Member."
    )
    assert "These minutes were e-mailed to Ada Admin, Mia Member." in _text(done)
    # Reopened and finished again: nobody new to tell, and the message says so.
    leo.post(url + "reopen/")
    again = leo.post(url + "finish/", {"summary": "Fine."}, follow=True).content.decode()
    assert _success(again) == (
        "Meeting finished. The minutes are below; everyone in it had them by e-mail already, "
        "when it was first finished."
    )
    delivery.deliver()
    assert sorted(minutes_mails(smtp)) == sorted([cast.member.email, cast.admin.email])


def test_without_email_set_up_the_minutes_are_kept_and_the_message_says_so(
    cast, running, settings, monkeypatch
):
    monkeypatch.delenv("EMAIL_HOST", raising=False)  # a fresh install's
    monkeypatch.delenv("EMAIL_BACKEND", raising=False)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "localhost"
    leo = login(cast.leader)
    url = _page_url(running)
    wrap_up = leo.get(url).content.decode().split('id="finish-h"')[1].split("</form>")[0]
    assert "The minutes stay on this page: e-mail is not set up here." in _text(wrap_up)
    done = leo.post(url + "finish/", {"summary": "Fine."}, follow=True).content.decode()
    assert _success(done) == (
        "Meeting finished. The minutes are below; they were not e-mailed, as e-mail is not "
        "set up here."
    )


# --- 2. a decision recorded in the meeting informs everyone in it but its approver -------------


def test_a_decision_recorded_in_the_meeting_is_told_to_everyone_in_it(cast, running, smtp):
    url = _page_url(running)
    leo = login(cast.leader)
    form = leo.get(url).content.decode().split('id="decisions-h"')[1].split("</form>")[0]
    assert "Everyone in this meeting, present or absent" in form
    leo.post(
        url + "decision/",
        {
            "question": "Freeze deploys over the holidays?",
            "approver": cast.leader.pk,
            "outcome": "Yes",
            "rationale": "Half the team is away",
        },
    )
    d = Decision.objects.get(question="Freeze deploys over the holidays?")
    assert {p.name for p in d.informed.all()} == {"Mia Member", "Ada Admin"}
    # The recorder may choose otherwise: nobody.
    leo.post(
        url + "decision/",
        {
            "question": "Rename the build farm?",
            "approver": cast.leader.pk,
            "outcome": "Yes",
            "rationale": "Nobody knows what 'bf2' is",
            "inform": "nobody",
        },
    )
    quiet = Decision.objects.get(question="Rename the build farm?")
    assert quiet.status == "decided" and not quiet.informed.exists()
    delivery.deliver()
    decided = sorted(m["X-Rcpt"] for m in smtp.messages if m["Subject"].startswith("Decided: "))
    # Everyone but Leo, who decided it; the quiet one to nobody.
    assert decided == sorted([cast.member.email, cast.admin.email])
    assert all("Freeze deploys" in m["Subject"] for m in smtp.messages if "Decided" in m["Subject"])


def test_through_the_api_the_meetings_people_are_informed_unless_others_are_named(cast, running):
    api = api_client(cast.leader)
    path = f"/api/v1/rhythm/meetings/{running.pk}/decisions"
    r = api.post(
        path, {"question": "Move the retro?", "approver_id": cast.leader.pk}, "application/json"
    )
    assert r.status_code == 201, r.content
    informed = Decision.objects.get(pk=r.json()["id"]).informed.all()
    assert {p.name for p in informed} == {"Mia Member", "Ada Admin"}
    r = api.post(
        path,
        {
            "question": "Buy a second build farm?",
            "approver_id": cast.leader.pk,
            "informed_ids": [cast.member.pk],
        },
        "application/json",
    )
    assert [p.name for p in Decision.objects.get(pk=r.json()["id"]).informed.all()] == [
        "Mia Member"
    ]
    r = api.post(
        path,
        {"question": "Who pays?", "approver_id": cast.leader.pk, "informed_ids": [999999]},
        "application/json",
    )
    assert r.status_code == 422 and not Decision.objects.filter(question="Who pays?").exists()


def test_an_issue_solved_in_the_meeting_informs_everyone_in_it(cast, running):
    issue = services.add_to_agenda(
        cast.org, cast.member, running.cadence, cast.platform, "Flaky integration tests"
    )
    services.work_issue(
        cast.org,
        cast.leader,
        running,
        issue,
        "solve",
        outcome="Quarantine them",
        rationale="They block every merge",
    )
    issue.refresh_from_db()
    informed = Decision.objects.get(pk=issue.decision_id).informed.all()
    assert {p.name for p in informed} == {"Mia Member", "Ada Admin"}


# --- 3. the minutes tag action items as their pages do ---------------------------------------


def test_the_minutes_tag_an_overdue_item_and_one_done_late_as_the_items_pages_do(cast, running):
    org, leo, today = cast.org, cast.leader, org_today()
    late = services.add_action_item(
        org, leo, running, title="Write the runbook", owner=cast.member, due_on=today
    )
    slow = services.add_action_item(
        org, leo, running, title="Rotate the keys", owner=cast.member, due_on=today
    )
    services.add_action_item(
        org, leo, running, title="Book the offsite", owner=cast.member, due_on=today + DAY
    )
    services.finish_meeting(org, leo, running)
    # A week on: one still open past its date, one done two days after it.
    ActionItem.objects.filter(pk=late.pk).update(due_on=today - 7 * DAY)
    ActionItem.objects.filter(pk=slow.pk).update(
        due_on=today - 7 * DAY, status="done", done_at=timezone.now() - 5 * DAY
    )
    page = login(cast.member).get(_page_url(running)).content.decode()
    lines = {
        _text(li).split(" — ")[0]: li
        for li in re.findall(r"<li>(.*?)</li>", _card(page, "actions-h"), re.S)
    }
    assert '<span class="tag tag--bad">overdue</span>' in lines["overdue Write the runbook"]
    assert '<span class="tag tag--warn">done late</span>' in lines["done late Rotate the keys"]
    assert '<span class="tag">open</span>' in lines["open Book the offsite"]
    # The same tag as on the item's own page.
    detail = login(cast.member).get(f"/o/acme/decisions/actions/{slow.pk}/").content.decode()
    assert '<span class="tag tag--warn">done late</span>' in detail
