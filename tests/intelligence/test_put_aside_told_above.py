"""A signal put aside by its own team is accountable: a lead who dismisses a signal about
their team (or snoozes it for weeks) has the leads of the team above told, in their inbox
and by e-mail, with the reason and a link; a head above sees the dismissed signals of the
teams below on Insights, with who, when and why, and can reopen them. Nobody is told when
the person is above the team themselves, and nothing crosses organizations."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accord.activity import delivery
from accord.activity.models import Notification
from accord.conversation.models import InboxItem, InboxKind
from accord.intelligence import services
from accord.intelligence.models import SignalState
from accord.intelligence.notifications import PUT_ASIDE
from accord.org import services as org_services
from accord.org.models import Membership, MembershipRole, Role
from tests.conftest import login, make_person
from tests.intelligence import fixtures_pages as fx
from tests.intelligence.test_duplicates import pair  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db

URL = "/o/acme/insights/"
REASON = "Half the open items are from the offsite we cancelled"


@pytest.fixture
def dept(cast):
    """Acme (led by the admin) > Engineering (Hana, its head) > Payments (Jonas leads it,
    Pia is in it), and Acme > Sales (Sam leads it); a Payments signal, open."""
    org = cast.org
    eng = org_services.create_team(org, None, name="Engineering", slug="eng", parent=cast.root)
    payments = org_services.create_team(org, None, name="Payments", slug="payments", parent=eng)
    sales = org_services.create_team(org, None, name="Sales", slug="sales", parent=cast.root)
    hana = make_person(org, "Hana Head", Role.MEMBER)
    jonas = make_person(org, "Jonas Lead", Role.MEMBER)
    pia = make_person(org, "Pia Peer", Role.LEADER)  # may act on any signal; not a lead
    sam = make_person(org, "Sam Sales", Role.MEMBER)
    for person, team, role in (
        (cast.admin, cast.root, MembershipRole.LEAD),
        (hana, eng, MembershipRole.LEAD),
        (jonas, payments, MembershipRole.LEAD),
        (pia, payments, MembershipRole.MEMBER),
        (sam, sales, MembershipRole.LEAD),
    ):
        org_services.add_membership(org, None, person=person, team=team, role=role)
    fx.health(org, [cast.root, eng, payments, sales], timezone.localdate(), score=70)
    cast.eng, cast.payments, cast.sales = eng, payments, sales
    cast.hana, cast.jonas, cast.pia, cast.sam = hana, jonas, pia, sam
    cast.signal = fx.signal(org, [payments], title="Payments follows through on 17%")
    return cast


def told(org, person=None):
    """The put-aside notices queued (e-mails) and inbox items, of `person` or anyone's."""
    mails = Notification.objects.filter(org=org, kind=PUT_ASIDE, channel="email")
    items = InboxItem.objects.filter(org=org, kind=InboxKind.SIGNAL)
    if person is not None:
        mails, items = mails.filter(person=person), items.filter(person=person)
    return list(mails), list(items)


def signal_path(s) -> str:
    return f"{URL}signals/{s.pk}/"


# --- who is told ---------------------------------------------------------------------------


def test_a_lead_dismissing_their_teams_signal_tells_the_head_above_with_reason_and_link(dept):
    s = services.dismiss(dept.org, dept.jonas, dept.signal, REASON)
    assert s.state == SignalState.DISMISSED
    [mail], [item] = told(dept.org)
    # The head of the team above, not the dismisser, not the top's lead further up.
    assert mail.person == dept.hana and item.person == dept.hana
    assert mail.subject == (
        "Jonas Lead dismissed a signal about Payments: Payments follows through on 17%"
    )
    assert f"Their reason: {REASON}" in mail.body_text
    assert "You lead Engineering, above Payments." in mail.body_text
    assert mail.link == delivery.site_link(signal_path(s))
    assert item.link == signal_path(s) and item.actor == dept.jonas
    assert REASON in item.title and item.title.startswith("Jonas Lead dismissed")
    assert item.target_type == "intelligence.signal" and item.target_id == s.pk


def test_one_notice_per_dismissal_and_reopening_closes_it(dept):
    services.dismiss(dept.org, dept.jonas, dept.signal, REASON)
    services.dismiss(dept.org, dept.jonas, dept.signal, REASON)  # the same: nothing new
    assert [len(x) for x in told(dept.org)] == [1, 1]
    s = services.reopen(dept.org, dept.hana, dept.signal)
    assert s.state == SignalState.OPEN
    [item] = told(dept.org, dept.hana)[1]
    assert item.done_at is not None  # nothing left to look at
    services.dismiss(dept.org, dept.jonas, s, "Still the offsite")
    mails, items = told(dept.org, dept.hana)
    assert len(mails) == len(items) == 2  # a second dismissal is news again
    assert "Still the offsite" in max(mails, key=lambda m: m.pk).body_text


def test_a_member_of_the_team_who_may_act_tells_its_lead_above_too(dept):
    services.dismiss(dept.org, dept.pia, dept.signal, REASON)
    [mail], [item] = told(dept.org)
    assert mail.person == item.person == dept.hana


@pytest.mark.parametrize("who", ["hana", "admin", "leader"])
def test_nobody_is_told_when_someone_above_the_team_or_outside_it_dismisses(dept, who):
    # Hana heads Engineering, the admin leads the top; the leader is of no team of it.
    services.dismiss(dept.org, getattr(dept, who), dept.signal, REASON)
    assert told(dept.org) == ([], [])


def test_without_a_lead_right_above_the_nearest_lead_further_up_is_told(dept):
    org_services.remove_membership(
        dept.org, None, Membership.objects.get(team=dept.eng, person=dept.hana)
    )
    services.dismiss(dept.org, dept.jonas, dept.signal, REASON)
    [mail], [item] = told(dept.org)
    assert mail.person == item.person == dept.admin  # leads Acme, above Engineering
    assert "You lead Acme, above Payments." in mail.body_text


def test_a_top_teams_signal_tells_the_admins_and_leaders_who_lead_no_team(dept):
    rita = make_person(dept.org, "Rita Root", Role.MEMBER)
    org_services.add_membership(
        dept.org, None, person=rita, team=dept.root, role=MembershipRole.LEAD
    )
    s = fx.signal(dept.org, [dept.root], title="Acme misses its rhythm")
    services.dismiss(dept.org, rita, s, REASON)
    mails, items = told(dept.org)
    # Pia, a leader of the organization who leads no team, too; Hana leads Engineering.
    everyone = {dept.admin, dept.leader, dept.pia}
    assert {m.person for m in mails} == {i.person for i in items} == everyone
    assert all(m.org == dept.org for m in mails)  # never Globex's admin
    assert told(dept.other_org, dept.outsider) == ([], [])


def test_a_snooze_of_weeks_tells_the_head_above_and_a_short_one_nobody(dept):
    today = timezone.localdate()
    services.snooze(dept.org, dept.jonas, dept.signal, today + dt.timedelta(days=7))
    assert told(dept.org) == ([], [])
    until = today + dt.timedelta(days=services.SNOOZE_TOLD_AFTER_DAYS + 30)
    services.snooze(dept.org, dept.jonas, dept.signal, until)
    [mail], [item] = told(dept.org)
    assert mail.person == item.person == dept.hana
    assert mail.subject.startswith("Jonas Lead snoozed until ")
    assert "it still costs health" in mail.body_text
    assert mail.link == delivery.site_link(signal_path(dept.signal))


def test_who_muted_it_gets_no_e_mail_but_the_inbox_item(dept):
    delivery.set_preferences(dept.org, dept.hana, dept.hana, muted_kinds=[PUT_ASIDE])
    services.dismiss(dept.org, dept.jonas, dept.signal, REASON)
    mails, items = told(dept.org, dept.hana)
    assert mails == [] and len(items) == 1


def test_the_dismiss_form_says_who_will_be_told(dept):
    html = login(dept.jonas).get(signal_path(dept.signal)).content.decode()
    assert "Hana Head, above your team, is told, with your reason." in html
    html = login(dept.hana).get(signal_path(dept.signal)).content.decode()
    assert "told, with your reason" not in html


# --- what the head sees on Insights ---------------------------------------------------------


def dismissed_section(html: str) -> str:
    start = html.index('id="dismissed"')
    return html[start : html.index("</section>", start)]


def test_the_head_sees_the_dismissed_signal_below_with_who_when_why_and_reopens_it(dept):
    services.dismiss(dept.org, dept.jonas, dept.signal, REASON)
    client = login(dept.hana)
    html = client.get(URL, {"scope": dept.eng.pk}).content.decode()
    # One click from the heat-map.
    assert 'href="#dismissed">1 signal dismissed in Engineering' in html
    section = dismissed_section(html)
    assert "Payments follows through on 17%" in section
    assert "Dismissed by Jonas Lead on " in section and REASON in section
    assert 'value="reopen"' in section
    response = client.post(
        signal_path(dept.signal),
        {"action": "reopen", "next": f"{URL}?scope={dept.eng.pk}#dismissed"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"{URL}?scope={dept.eng.pk}#dismissed"
    dept.signal.refresh_from_db()
    assert dept.signal.state == SignalState.OPEN and dept.signal.state_changed_by == dept.hana
    assert 'id="dismissed"' not in client.get(URL, {"scope": dept.eng.pk}).content.decode()


def test_the_team_panel_links_to_its_dismissed_signals(dept):
    services.dismiss(dept.org, dept.jonas, dept.signal, REASON)
    html = login(dept.hana).get(f"{URL}teams/{dept.eng.pk}/panel/").content.decode()
    assert f'href="{URL}?scope={dept.eng.pk}#dismissed">1 dismissed signal of Engineering' in html


def test_the_dismissed_list_is_a_page_of_them_latest_first(dept):
    for k in range(12):
        s = fx.signal(dept.org, [dept.payments], title=f"Put aside {k:02d}")
        services.dismiss(dept.org, dept.jonas, s, f"Reason {k}")
    html = login(dept.hana).get(URL, {"scope": dept.eng.pk}).content.decode()
    assert "10+ signals dismissed in Engineering" in html
    section = dismissed_section(html)
    assert section.count('class="sig__head"') == 10
    assert section.index("Put aside 11") < section.index("Put aside 10")
    assert "Put aside 01" not in section
    assert f"?scope={dept.eng.pk}&amp;state=dismissed#signals" in section
    # The full list, a filter away, says the same of each.
    listed = login(dept.hana).get(URL, {"scope": dept.eng.pk, "state": "dismissed"})
    assert "Dismissed by Jonas Lead on " in listed.content.decode()


def test_someone_who_may_not_act_on_it_sees_it_without_a_reopen_button(dept):
    services.dismiss(dept.org, dept.jonas, dept.signal, REASON)
    section = dismissed_section(login(dept.sam).get(URL, {"scope": dept.eng.pk}).content.decode())
    assert "Payments follows through on 17%" in section and 'value="reopen"' not in section


def test_another_organization_sees_nothing_of_it(dept):
    services.dismiss(dept.org, dept.jonas, dept.signal, REASON)
    theirs = fx.signal(dept.other_org, [dept.other_team], title="Globex labs signal")
    services.dismiss(dept.other_org, dept.outsider, theirs, "Theirs")
    outsider = login(dept.outsider)
    assert outsider.get(URL, {"scope": dept.eng.pk}).status_code == 404
    assert outsider.get(signal_path(dept.signal)).status_code == 404
    assert outsider.post(signal_path(dept.signal), {"action": "reopen"}).status_code == 404
    dept.signal.refresh_from_db()
    assert dept.signal.state == SignalState.DISMISSED
    html = login(dept.admin).get(URL, {"scope": "all"}).content.decode()
    section = dismissed_section(html)
    assert "Payments follows through on 17%" in section and "Globex" not in section


# --- a verdict on likely duplicate work ----------------------------------------------------


def test_not_a_duplicate_is_told_above_and_linking_the_pair_is_not(cast, pair):  # noqa: F811
    from accord.alignment.detectors import KIND
    from accord.intelligence import duplicate_services
    from accord.intelligence.models import Signal

    _a, _b, lead = pair  # Pat leads Payments, right below Acme, which has no lead
    s = Signal.objects.get(org=cast.org, kind=KIND)
    duplicate_services.judge(cast.org, lead, s, "related")  # acts on it: nobody told
    assert told(cast.org) == ([], [])
    services.reopen(cast.org, lead, s)
    duplicate_services.judge(cast.org, lead, s, "not_duplicate")
    mails, items = told(cast.org)
    assert {m.person for m in mails} == {i.person for i in items} == {cast.admin, cast.leader}
    assert "Their reason: Not a duplicate (Pat Lead)." in mails[0].body_text
