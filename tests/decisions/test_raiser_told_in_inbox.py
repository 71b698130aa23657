"""Whoever raised an issue finds in their inbox that it was solved, dropped or decided on,
e-mail or not; and the message after solving or dropping an issue ends with one full stop."""

from __future__ import annotations

from accord.conversation.models import InboxItem, InboxKind
from accord.decisions import services
from accord.org import services as org_services
from accord.org.invitations import email_configured
from accord.org.models import MembershipRole
from tests.conftest import login


def _lead_platform(cast):
    org_services.add_membership(
        cast.org, None, person=cast.leader, team=cast.platform, role=MembershipRole.LEAD
    )


def test_the_raiser_finds_it_solved_in_their_inbox_without_email(cast, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"  # none set up
    _lead_platform(cast)
    assert not email_configured()
    issue = services.raise_issue(cast.org, cast.member, cast.platform, "Webhook retries fail")
    services.solve_issue(cast.org, cast.leader, issue, "Backed off exponentially")
    [item] = InboxItem.objects.filter(person=cast.member)
    assert item.kind == InboxKind.RAISED and item.done_at is None and item.read_at is None
    assert item.title == "Solved by Leo Leader: Webhook retries fail"
    assert item.link == f"/o/acme/decisions/issues/{issue.pk}/"
    page = login(cast.member).get("/o/acme/inbox/").content.decode()
    assert "Solved by Leo Leader: Webhook retries fail" in page
    assert "Issue you raised" in page
    # Opening it leads to the issue.
    opened = login(cast.member).post(f"/o/acme/inbox/{item.pk}/open/")
    assert opened.status_code == 302 and opened["Location"] == item.link


def test_the_raiser_finds_it_dropped_or_decided_on_and_not_what_they_did(cast):
    _lead_platform(cast)
    dropped = services.raise_issue(cast.org, cast.member, cast.platform, "Slow laptops")
    services.drop_issue(cast.org, cast.leader, dropped, "New laptops came")
    decided = services.raise_issue(cast.org, cast.member, cast.platform, "Flaky tests")
    d = services.create_decision(
        cast.org,
        cast.leader,
        "Quarantine flaky tests?",
        approver=cast.leader,
        links=[("decisions.issue", decided.pk, "")],
    )
    services.decide(cast.org, cast.leader, d, outcome="Yes", rationale="Trust")
    own = services.raise_issue(cast.org, cast.member, cast.platform, "Cold office")
    services.solve_issue(cast.org, cast.member, own, "Heating fixed")
    titles = sorted(InboxItem.objects.filter(person=cast.member).values_list("title", flat=True))
    assert titles == ["Decided on your issue: Flaky tests", "Dropped by Leo Leader: Slow laptops"]
    # Escalated after: its team's leads are done with it, but its raiser's notice stays.
    services.escalate_issue(cast.org, cast.leader, decided, "Needs the whole organization")
    told = InboxItem.objects.get(person=cast.member, title="Decided on your issue: Flaky tests")
    assert told.done_at is None


def test_solving_a_title_ending_with_a_full_stop_says_one(cast):
    _lead_platform(cast)
    issue = services.raise_issue(cast.org, cast.member, cast.platform, "Retry the webhook.")
    page = (
        login(cast.leader)
        .post(
            f"/o/acme/decisions/issues/{issue.pk}/solve/",
            {"resolution": "Done"},
            follow=True,
        )
        .content.decode()
    )
    assert "Solved: Retry the webhook." in page
    assert "webhook.." not in page
