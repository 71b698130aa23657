"""One login in several organizations (a consultant working for two): the switcher and the
chooser say what waits in each and her role there, counted in one query; switching keeps
the page she is on where every organization has it; the front door opens the organization
she last used, across sign-ins; and her time zone and time off, which are each
organization's, are said so, with hers in the others, and can be given to them too."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accord.activity.models import Event
from accord.conversation import services as conversation
from accord.conversation.models import InboxItem
from accord.org import services
from accord.org.middleware import LAST_ORG_COOKIE
from accord.org.models import Person
from accord.rhythm.models import Away
from tests.conftest import PASSWORD, login

SWITCHER = re.compile(r'<details class="switcher">.*?</details>', re.S)


@pytest.fixture
def ada_at_globex(cast) -> Person:
    """Ada, Acme's admin, is also a member of Globex, with the same login."""
    return services.add_person(
        cast.other_org, None, name="Ada at Globex", role="member", user=cast.admin.user
    )


def _unread(org, person, n: int, *, prefix: str = "m") -> None:
    conversation.add_items(
        org,
        [
            InboxItem(org=org, person=person, kind="mention", key=f"{prefix}:{i}", title="Hi")
            for i in range(n)
        ],
    )


def test_the_switcher_says_her_role_and_what_is_unread_in_each_organization(cast, ada_at_globex):
    _unread(cast.other_org, ada_at_globex, 3)
    _unread(cast.org, cast.admin, 1)
    # What is read or done, and what waits for someone else there, is not hers to count.
    read, done = (
        InboxItem(org=cast.other_org, person=ada_at_globex, kind="mention", key=k, title="x")
        for k in ("read", "done")
    )
    read.read_at = done.done_at = timezone.now()
    conversation.add_items(cast.other_org, [read, done])
    _unread(cast.other_org, cast.outsider, 5)
    client = login(cast.admin)
    with CaptureQueriesContext(connection) as ctx:
        page = client.get("/o/acme/teams/").content.decode()
    switcher = SWITCHER.search(page).group(0)
    globex = re.search(r"<li><a [^>]*>Globex .*?</li>", switcher).group(0)
    assert "Member" in globex and "3 unread" in globex
    acme = re.search(r"<li><a [^>]*>Acme .*?</li>", switcher).group(0)
    assert 'aria-current="true"' in acme and "Admin" in acme and "1 unread" in acme
    # The organization's button hints at the others' (3), the inbox link counts Acme's (1).
    summary = re.search(r"<summary>.*?</summary>", switcher, re.S).group(0)
    assert "3 unread in your other organizations" in summary
    assert re.search(r'class="inboxlink"[^>]*data-unread="1"', page)
    # One query reads every organization's count, the inbox link's too.
    inbox_reads = [q for q in ctx.captured_queries if "conversation_inboxitem" in q["sql"]]
    assert len(inbox_reads) == 1, [q["sql"] for q in inbox_reads]


def test_the_chooser_says_her_role_and_what_is_unread_in_each_organization(cast, ada_at_globex):
    _unread(cast.other_org, ada_at_globex, 2)
    page = login(cast.admin).get("/").content.decode()
    assert "Choose an organization" in page
    globex = re.search(r'<li><a href="/o/globex/">Globex</a>.*?</li>', page, re.S).group(0)
    assert "Your role: member" in globex
    assert '<a href="/o/globex/inbox/">2 unread in your inbox</a>' in globex
    acme = re.search(r'<li><a href="/o/acme/">Acme</a>.*?</li>', page, re.S).group(0)
    assert "Your role: admin" in acme and "unread" not in acme


def _switch_to(page: str, slug: str) -> str:
    switcher = SWITCHER.search(page).group(0)
    return re.search(rf'<li><a href="(/o/{slug}/[^"]*)"', switcher).group(1)


def test_switching_keeps_the_page_every_organization_has(cast, ada_at_globex):
    client = login(cast.admin)
    for here, there in [
        ("/o/acme/inbox/", "/o/globex/inbox/"),
        ("/o/acme/rhythm/", "/o/globex/rhythm/"),
        ("/o/acme/rhythm/settings/", "/o/globex/rhythm/settings/"),
        ("/o/acme/decisions/", "/o/globex/decisions/"),
        ("/o/acme/decisions/actions/", "/o/globex/decisions/actions/"),
        ("/o/acme/people/", "/o/globex/people/"),
        # Her own profile opens her profile there.
        (f"/o/acme/people/{cast.admin.pk}/", f"/o/globex/people/{ada_at_globex.pk}/"),
        # A page of something of Acme's: Globex's home.
        (f"/o/acme/people/{cast.member.pk}/", "/o/globex/"),
        ("/o/acme/teams/platform/", "/o/globex/"),
        # A page for admins: she is not one in Globex.
        ("/o/acme/settings/organization/", "/o/globex/"),
    ]:
        page = client.get(here)
        assert page.status_code == 200, here
        assert _switch_to(page.content.decode(), "globex") == there, here
        assert client.get(there).status_code == 200, there


def test_switching_keeps_an_admin_page_where_she_is_an_admin_too(cast, ada_at_globex):
    services.update_person(cast.other_org, None, ada_at_globex, role="admin")
    page = login(cast.admin).get("/o/acme/settings/organization/").content.decode()
    assert _switch_to(page, "globex") == "/o/globex/settings/organization/"


def _sign_in(client: Client, person) -> None:
    answer = client.post(
        "/accounts/login/", {"username": person.user.username, "password": PASSWORD}
    )
    assert answer.status_code == 302, answer.content.decode()[:500]


def test_the_front_door_opens_the_organization_last_used_after_signing_out_and_in(
    cast, ada_at_globex
):
    client = Client()
    _sign_in(client, cast.admin)
    assert client.get("/").status_code == 200  # the chooser: none used yet
    first = client.get("/o/globex/inbox/")
    assert LAST_ORG_COOKIE in first.cookies
    # Set once, when it changes: not again on the next page of the same organization.
    assert LAST_ORG_COOKIE not in client.get("/o/globex/").cookies
    client.post("/accounts/logout/")
    _sign_in(client, cast.admin)
    answer = client.get("/")
    assert answer.status_code == 302 and answer["Location"] == "/o/globex/"
    client.get("/o/acme/")
    client.post("/accounts/logout/")
    _sign_in(client, cast.admin)
    assert client.get("/")["Location"] == "/o/acme/"


def test_the_organization_remembered_is_the_logins_own(cast, ada_at_globex):
    """Another login in the same browser is not sent where Ada last was, and a cookie
    written by hand is not read."""
    services.add_person(
        cast.other_org, None, name="Leo at Globex", role="member", user=cast.leader.user
    )
    client = Client()
    _sign_in(client, cast.admin)
    client.get("/o/globex/")
    client.post("/accounts/logout/")
    _sign_in(client, cast.leader)
    assert client.get("/").status_code == 200  # Leo chooses: Ada's choice is not his
    client.post("/accounts/logout/")
    client.cookies[LAST_ORG_COOKIE] = f"{cast.admin.user.pk}:globex"  # not signed
    _sign_in(client, cast.admin)
    assert client.get("/").status_code == 200


def test_her_settings_say_her_time_zone_is_each_organizations(cast, ada_at_globex):
    services.update_person(cast.org, cast.admin, cast.admin, timezone="Europe/Berlin")
    client = login(cast.admin)
    page = client.get("/o/acme/rhythm/settings/").content.decode()
    zone = re.search(r'data-testid="my-time-zone">(.*?)</p>', page, re.S).group(1)
    assert zone.startswith("Yours in Acme is <strong>Europe/Berlin</strong>")
    others = re.search(r'data-testid="my-other-time-zones">(.*?)</p>', page, re.S).group(1)
    assert "in Globex, <strong>UTC</strong>" in others
    assert "Use Europe/Berlin in Globex too" in page
    # Someone in one organization reads it as before.
    alone = login(cast.member).get("/o/acme/rhythm/settings/").content.decode()
    assert 'data-testid="my-time-zone">Yours is <strong>UTC</strong>' in alone
    assert "my-other-time-zones" not in alone


def test_her_time_zone_is_given_to_her_other_organizations_and_recorded_in_each(
    cast, ada_at_globex
):
    services.update_person(cast.org, cast.admin, cast.admin, timezone="Europe/Berlin")
    before = Event.objects.filter(org=cast.other_org).count()
    client = login(cast.admin)
    answer = client.post("/o/acme/settings/time-zone/", follow=True)
    assert "Your time zone is Europe/Berlin in Globex too." in answer.content.decode()
    ada_at_globex.refresh_from_db()
    assert ada_at_globex.timezone == "Europe/Berlin"
    event = Event.objects.filter(org=cast.other_org).order_by("-pk").first()
    assert Event.objects.filter(org=cast.other_org).count() == before + 1
    assert event.actor_id == ada_at_globex.pk and event.target_id == str(ada_at_globex.pk)
    assert event.after == {"timezone": "Europe/Berlin"}
    # Again: nothing to change, nothing recorded.
    again = client.post("/o/acme/settings/time-zone/", follow=True).content.decode()
    assert "was Europe/Berlin in your other organizations already" in again
    assert Event.objects.filter(org=cast.other_org).count() == before + 1
    # Asked for with a GET (a link followed): nothing changes.
    assert client.get("/o/acme/settings/time-zone/").status_code == 405


def _add_time_off(client, **extra):
    starts = timezone.localdate() + dt.timedelta(days=10)
    return client.post(
        "/o/acme/rhythm/settings/",
        {
            "what": "away",
            "starts_on": starts.isoformat(),
            "ends_on": (starts + dt.timedelta(days=4)).isoformat(),
            **extra,
        },
        follow=True,
    )


def test_time_off_is_marked_in_her_other_organizations_too_when_she_asks(cast, ada_at_globex):
    client = login(cast.admin)
    page = client.get("/o/acme/rhythm/settings/").content.decode()
    assert "Your time off in Acme: while away you owe no check-ins in Acme" in page
    assert "Also in Globex" in page
    # Not asked: Acme's only, and Globex's list says she has none there.
    answer = _add_time_off(client).content.decode()
    assert "Time off saved in Acme:" in answer
    assert not Away.objects.filter(person=ada_at_globex).exists()
    elsewhere = re.search(r'data-testid="time-off-elsewhere">(.*?)</ul>', answer, re.S).group(1)
    assert "Globex" in elsewhere and "no time off ahead" in elsewhere
    before = Event.objects.filter(org=cast.other_org, target_type="rhythm.away").count()
    answer = _add_time_off(client, elsewhere="on").content.decode()
    assert "Time off saved in Acme, Globex:" in answer
    (there,) = Away.objects.filter(person=ada_at_globex)
    assert there.org_id == cast.other_org.pk
    assert Away.objects.filter(person=cast.admin).count() == 2
    recorded = Event.objects.filter(org=cast.other_org, target_type="rhythm.away")
    assert recorded.count() == before + 1 and recorded.get().actor_id == ada_at_globex.pk
    elsewhere = re.search(r'data-testid="time-off-elsewhere">(.*?)</ul>', answer, re.S).group(1)
    assert "no time off ahead" not in elsewhere


def test_time_off_refused_here_is_marked_nowhere(cast, ada_at_globex):
    starts = timezone.localdate() + dt.timedelta(days=10)
    answer = login(cast.admin).post(
        "/o/acme/rhythm/settings/",
        {
            "what": "away",
            "starts_on": starts.isoformat(),
            "ends_on": (starts - dt.timedelta(days=2)).isoformat(),
            "elsewhere": "on",
        },
    )
    assert answer.status_code == 422
    assert not Away.objects.filter(person__user=cast.admin.user).exists()


def test_time_off_is_not_offered_where_she_is_a_viewer(cast, ada_at_globex):
    services.update_person(cast.other_org, None, ada_at_globex, role="viewer")
    client = login(cast.admin)
    page = client.get("/o/acme/rhythm/settings/").content.decode()
    assert "Also in Globex" not in page
    assert "Your time off in Acme" in page  # still said to be Acme's
    _add_time_off(client, elsewhere="on")
    assert not Away.objects.filter(person=ada_at_globex).exists()


def test_time_off_together_is_for_one_logins_own_people(cast, ada_at_globex):
    from accord.core.errors import ServiceError
    from accord.rhythm import services as rhythm

    day = timezone.localdate()
    with pytest.raises(ServiceError):
        rhythm.set_own_away([cast.admin, cast.outsider], starts_on=day, ends_on=day)
    assert not Away.objects.exists()


def test_switching_keeps_the_filters_that_mean_the_same_in_the_other_organization(
    cast, ada_at_globex
):
    """A status, a kind, a sort or a search is kept; a team, a person, a period or an
    initiative of Acme's (and what only qualifies one, `only`, `direction`) is not: it
    names nothing of Globex's, or would open Globex's page cut to something else."""
    client = login(cast.admin)
    for here, there in [
        ("/o/acme/inbox/?state=done", "/o/globex/inbox/?state=done"),
        (
            "/o/acme/coordination/list/?team=platform&only=1&direction=outbound&active=1",
            "/o/globex/coordination/list/?active=1",
        ),
        (
            "/o/acme/decisions/?status=proposed&q=budget&team=platform"
            f"&driver={cast.member.pk}&since=2026-01-01",
            "/o/globex/decisions/?status=proposed&q=budget&since=2026-01-01",
        ),
        (
            f"/o/acme/alignment/initiatives/?status=open&sort=-target&owner={cast.member.pk}",
            "/o/globex/alignment/initiatives/?status=open&sort=-target",
        ),
        ("/o/acme/people/?role=admin&team=platform&page=2", "/o/globex/people/?role=admin"),
        ("/o/acme/teams/?parent=acme&depth=2", "/o/globex/teams/"),
        ("/o/acme/rhythm/cadences/?kind=checkin&mine=1", None),
        ("/o/acme/activity/?type=org.team&team=platform", "/o/globex/activity/?type=org.team"),
        ("/o/acme/insights/?scope=all&severity=warning", None),
        (
            f"/o/acme/insights/?scope={cast.root.pk}&severity=warning",
            "/o/globex/insights/?severity=warning",
        ),
    ]:
        there = there or here.replace("/o/acme/", "/o/globex/")
        page = client.get(here)
        assert page.status_code == 200, here
        assert _switch_to(page.content.decode(), "globex").replace("&amp;", "&") == there, here
        assert client.get(there).status_code == 200, there
        # Her own organization's entry is the page as it is, every filter kept.
        assert _switch_to(page.content.decode(), "acme").replace("&amp;", "&") == here, here
