"""Running a check-in round: whoever answers for it reminds those not in yet (each at most
once a round, through the delivery path of the scheduled reminders, recorded as theirs),
and before the window opens the check-in form is read-only and says when it opens."""

from __future__ import annotations

import datetime as dt

import pytest

from accord.activity import delivery
from accord.activity.models import Event, Notification
from accord.core.errors import PermissionDenied, ServiceError
from accord.rhythm import notifications, queries, services
from tests.conftest import at, login
from tests.rhythm.conftest import DUE

H = dt.timedelta(hours=1)
OPENS = DUE - 48 * H  # Wed 4 Nov 2026, 15:00 UTC
IN_WINDOW = OPENS + 2 * H


def _emails(**kw):
    return Notification.objects.filter(channel="email", **kw)


@pytest.fixture
def round_url(rhythm):
    occ = queries.occurrence(rhythm.checkin, DUE)
    return f"/o/acme/rhythm/cadences/{rhythm.checkin.pk}/{occ.key}/checkins/"


def test_the_owner_reminds_those_not_in_yet_once_a_round(cast, rhythm):
    cast.member.timezone = "America/New_York"
    cast.member.save()
    services.submit_checkin(cast.org, cast.leader, rhythm.checkin, DUE, now=OPENS + H)
    done = services.remind_not_in_yet(cast.org, cast.leader, rhythm.checkin, DUE, now=IN_WINDOW)
    assert done == {"reminded": 1, "already": 0}
    (mail,) = _emails()
    assert mail.person == cast.member
    assert mail.subject == "Reminder: your check-in for Weekly team check-in · Platform " + (
        "(due Fri 6 Nov 2026, 10:00)"
    )
    # In Mia's own time, as the subject: 10:00 in New York is 15:00 UTC.
    assert "Leo Leader reminds you" in mail.body_text
    assert "It is due Fri 6 Nov 2026, 10:00 (America/New_York)." in mail.body_text
    (event,) = Event.objects.filter(verb="reminded")
    assert (event.actor, event.target_id, event.after["reminded"]) == (
        cast.leader,
        str(rhythm.checkin.pk),
        1,
    )
    # Asked again in the round: nobody is told twice, nothing more is recorded.
    again = services.remind_not_in_yet(
        cast.org, cast.leader, rhythm.checkin, DUE, now=IN_WINDOW + H
    )
    assert again == {"reminded": 0, "already": 1}
    assert _emails().count() == 1 and Event.objects.filter(verb="reminded").count() == 1


def test_late_in_the_window_it_says_until_when_it_can_still_be_given(cast, rhythm):
    services.remind_not_in_yet(cast.org, cast.leader, rhythm.checkin, DUE, now=DUE + H)
    mail = _emails(person=cast.member).get()
    assert "It was due Fri 6 Nov 2026, 15:00 (UTC) and can still be given late, until" in (
        mail.body_text
    )


def test_who_is_away_or_muted_the_cadence_is_not_reminded_and_chat_names_the_rest(
    cast, rhythm, good_hook
):
    delivery.add_chat_webhook(cast.org, None, cast.platform, url=good_hook.url, flavor="slack")
    services.set_muted_cadences(cast.org, cast.leader, cast.leader, [rhythm.checkin])
    done = services.remind_not_in_yet(cast.org, cast.leader, rhythm.checkin, DUE, now=IN_WINDOW)
    assert done["reminded"] == 1
    assert [n.person for n in _emails()] == [cast.member]
    (post,) = Notification.objects.filter(channel="chat")
    assert "Still to check in: Mia Member" in post.body_text and "Leo" not in post.body_text
    assert post.subject.endswith("(due Fri 6 Nov 2026, 16:00 Europe/Berlin)")  # a zone named
    Notification.objects.all().delete()
    services.set_away(
        cast.org, None, cast.member, starts_on=dt.date(2026, 11, 6), ends_on=dt.date(2026, 11, 6)
    )
    services.remind_not_in_yet(
        cast.org, cast.leader, rhythm.checkin, DUE, now=IN_WINDOW + dt.timedelta(hours=3)
    )
    assert not Notification.objects.exists()  # Mia is away that day, Leo muted it


@pytest.mark.parametrize(
    "now, code",
    [(OPENS - H, "window_not_open"), (DUE + 25 * H, "window_closed")],
)
def test_outside_the_window_it_is_refused_and_changes_nothing(cast, rhythm, now, code):
    with pytest.raises(ServiceError) as exc:
        services.remind_not_in_yet(cast.org, cast.leader, rhythm.checkin, DUE, now=now)
    assert exc.value.code == code
    assert not Notification.objects.exists() and not Event.objects.filter(verb="reminded")


def test_only_who_answers_for_the_round_reminds(cast, rhythm, round_url):
    with pytest.raises(PermissionDenied):
        services.remind_not_in_yet(cast.org, cast.member, rhythm.checkin, DUE, now=IN_WINDOW)
    with pytest.raises(ServiceError) as exc:
        services.remind_not_in_yet(cast.org, cast.leader, rhythm.sync, DUE, now=IN_WINDOW)
    assert exc.value.code == "not_checkin"
    with at(IN_WINDOW):
        member = login(cast.member)
        assert "Remind those not in yet" not in member.get(round_url).content.decode()
        assert member.post(round_url + "remind/").status_code == 403
    assert not Notification.objects.exists() and not Event.objects.filter(verb="reminded")


def test_the_round_page_offers_it_once_the_window_is_open(cast, rhythm, round_url):
    client = login(cast.leader)
    with at(OPENS - H):
        page = client.get(round_url).content.decode()
        assert "Remind those not in yet" not in page
        assert "The window opens Wed 4 Nov 2026, 15:00; reminders can be sent from then." in page
    with at(IN_WINDOW):
        assert "Remind those not in yet" in client.get(round_url).content.decode()
        r = client.post(round_url + "remind/", follow=True)
        # Leo, who asks, is not in yet either: he is not reminded by his own asking.
        assert "Reminders queued for 1 person not in yet." in r.content.decode()
    assert [m.person for m in _emails()] == [cast.member]


def test_scheduled_reminders_give_the_time_in_the_recipients_zone(cast, rhythm):
    cast.member.timezone = "America/New_York"
    cast.member.save()
    notifications.plan(cast.org, OPENS + dt.timedelta(minutes=5))
    mail = _emails(person=cast.member).get()
    assert "It is due Fri 6 Nov 2026, 10:00 (America/New_York)." in mail.body_text


def test_before_the_window_opens_the_form_is_read_only_and_says_when(cast, rhythm):
    occ = queries.occurrence(rhythm.checkin, DUE)
    url = f"/o/acme/rhythm/cadences/{rhythm.checkin.pk}/{occ.key}/checkin/"
    client = login(cast.member)
    early = DUE - dt.timedelta(days=6)  # the round before closed then: it may be given early
    with at(early - H):
        page = client.get(url).content.decode()
        assert '<fieldset class="plain" disabled>' in page
        assert "Submit check-in" not in page
        # Said first, above the form, plainly.
        said = page.index("You can check in from Sat 31 Oct 2026, 15:00 (UTC)")
        assert said < page.index('<form method="post" class="checkin')
        # A post all the same is refused and changes nothing.
        assert client.post(url, {"highlights": "Early"}).status_code == 422
    with at(IN_WINDOW):
        page = client.get(url).content.decode()
        assert "Submit check-in" in page and '<fieldset class="plain" disabled>' not in page


def test_the_api_reminds_and_refuses_as_the_page(cast, rhythm):
    from tests.conftest import api_client

    occ = queries.occurrence(rhythm.checkin, DUE)
    url = f"/api/v1/rhythm/cadences/{rhythm.checkin.pk}/occurrences/{occ.key}/remind"
    with at(OPENS - H):
        r = api_client(cast.leader).post(url)
        assert r.status_code == 422 and r.json()["error"]["code"] == "window_not_open"
    with at(IN_WINDOW):
        assert api_client(cast.member).post(url).status_code == 403
        r = api_client(cast.leader).post(url)
        assert (r.status_code, r.json()) == (200, {"reminded": 1, "already": 0})
        assert api_client(cast.leader).post(url).json() == {"reminded": 0, "already": 1}


def test_reminding_a_larger_round_takes_no_more_queries(cast, rhythm):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accord.org import services as org_services
    from accord.org.models import MembershipRole
    from accord.rhythm.models import Cadence
    from tests.conftest import make_person
    from tests.rhythm.conftest import existed_since

    def add(first, last):
        for n in range(first, last):
            p = make_person(cast.org, f"Extra Person{n}", "member")
            p.timezone = ("Europe/Berlin", "Asia/Kolkata")[n % 2]
            p.save()
            org_services.add_membership(
                cast.org, None, person=p, team=cast.platform, role=MembershipRole.MEMBER
            )
        existed_since(cast.org)

    def remind(round_due):
        cadence = Cadence.objects.get(pk=rhythm.checkin.pk)
        with CaptureQueriesContext(connection) as q:
            done = services.remind_not_in_yet(
                cast.org, cast.leader, cadence, round_due, now=round_due - 40 * H
            )
        return done["reminded"], len(q)

    add(0, 2)
    few, queries_few = remind(DUE)
    add(2, 12)
    many, queries_many = remind(DUE + dt.timedelta(days=7))
    assert (few, many) == (3, 13)  # all but Leo, who asks
    assert queries_many == queries_few  # one e-mail per time zone, not per person
