"""Who a signal concerns and who it tells: a team's own WIP overload is that team's alone
(the teams it serves are concerned only by the load of their requests); a blocked
dependency names its need-by and its committed date as such; and the e-mail of a signal a
person raised themselves (flagging a dependency blocked) goes to the team it affects."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from accord.alignment import services as alignment
from accord.coordination import services as coordination
from accord.intelligence import evaluate, notifications
from accord.intelligence.models import Signal
from accord.org import services as org_services
from accord.org.models import MembershipRole, Role
from accord.web.templatetags.dates import day
from tests.conftest import login, make_person
from tests.intelligence.test_detector_thresholds import (
    LEAD,
    MOBILE,
    PLATFORM,
    TODAY,
    dependency,
    found,
    initiative,
    one,
    org,
)


def overloaded_platform(requests: int, people: int = 2):
    """Platform runs two initiatives against a WIP limit of one, and has accepted
    `requests` requests of Mobile's due this month."""
    snap = org(platform_people=people)
    snap.teams[PLATFORM].wip_limit = 1
    snap.initiatives[20] = initiative(20, "Event bus", PLATFORM)
    snap.initiatives[21] = initiative(21, "Secrets vault", PLATFORM)
    app = snap.initiatives[60] = initiative(60, "App launch", MOBILE)
    for n in range(requests):
        snap.dependencies[n + 1] = dependency(
            n + 1, f"Endpoint {n}", app, PLATFORM, provider_init=20, need_by=TODAY
        )
    return snap


def test_a_teams_own_wip_overload_concerns_that_team_alone():
    f = one("load.overloaded", overloaded_platform(requests=1))
    assert f.explanation == "Platform runs 2 initiatives against a limit of 1."
    assert f.team_ids == {PLATFORM}  # not Mobile, whose one request is not the load
    assert f.initiative_ids == set() and f.owner_id == LEAD[PLATFORM]


def test_the_teams_it_serves_are_concerned_when_their_requests_are_the_load():
    f = one("load.overloaded", overloaded_platform(requests=3))
    assert "accepted 3 requests due within the month with 2 people" in f.explanation
    assert f.team_ids == {PLATFORM, MOBILE} and f.initiative_ids == {60}


def test_a_blocked_dependency_says_when_it_is_needed_and_when_it_is_committed():
    snap = org()
    app = snap.initiatives[60] = initiative(60, "App launch", MOBILE)
    need_by, committed = dt.date(2026, 3, 25), dt.date(2026, 3, 30)
    d = snap.dependencies[1] = dependency(1, "Points ledger", app, PLATFORM, need_by=need_by)
    d.committed_date, d.flag = committed, "blocked"
    f = one("dependencies.blocked", snap)
    assert f.explanation == (
        f"Points ledger, which Mobile needs from Platform by {day(need_by)} "
        f"(committed for {day(committed)}), is flagged blocked."
    )
    d.committed_date = None
    (f,) = found("dependencies.blocked", snap)
    assert f.explanation == (
        f"Points ledger, which Mobile needs from Platform by {day(need_by)}, is flagged blocked."
    )


def test_the_e_mail_of_a_block_goes_to_the_team_waiting_not_to_who_flagged_it(cast):
    """Acme (led by Ada) provides; Platform (led by Lara) waits. Ada flags it blocked: the
    signal is Ada's to act on, but Lara is the one to tell."""
    org_ = cast.org
    lara = make_person(org_, "Lara Lead", Role.MEMBER)
    org_services.add_membership(
        org_, None, person=lara, team=cast.platform, role=MembershipRole.LEAD
    )
    org_services.add_membership(
        org_, None, person=cast.admin, team=cast.root, role=MembershipRole.LEAD
    )
    checkout = alignment.create_initiative(
        org_, None, team=cast.platform, title="Checkout", status="active"
    )
    dep = coordination.create_dependency(
        org_,
        lara,
        requester_initiative=checkout,
        provider_team=cast.root,
        title="Payments API",
        need_by=timezone.localdate() + dt.timedelta(days=20),
    )
    coordination.transition(org_, cast.admin, dep, "flag_blocked", note="Vendor is down")
    evaluate.evaluate(org_)
    signal = Signal.objects.get(org=org_, kind="dependencies.blocked")
    assert signal.owner == cast.admin  # the provider's lead acts on it
    assert notifications.recipients(org_, [signal]) == [(lara, signal)]
    # Flagged by the team waiting on it, the provider's lead is the one told.
    coordination.transition(org_, cast.admin, dep, "clear_flag")
    coordination.transition(org_, lara, dep, "flag_blocked", note="Still nothing")
    assert notifications.recipients(org_, [signal]) == [(cast.admin, signal)]


def test_the_activity_feed_says_accord_sent_a_notice_about_the_signal(cast, blocked):
    assert notifications.announce_new_critical(cast.org, [blocked.signal]) == 1
    page = login(cast.admin).get("/o/acme/activity/").content.decode()
    assert "sent a notice about" in page and " told " not in page
