"""Sign-ins, lockouts and passwords set or changed are in the event log, for admins only,
with the person as actor and nothing secret in them."""

from __future__ import annotations

import json
import re

import pytest
from django.conf import settings
from django.test import Client

from accord.activity.models import Event
from accord.org import services
from accord.org.models import Person
from tests.conftest import PASSWORD, login

LIMIT = settings.AXES_FAILURE_LIMIT


def _sign_in(client: Client, email: str, password: str):
    return client.post("/accounts/login/", {"username": email, "password": password})


def _accounts(org) -> list[Event]:
    return list(Event.objects.filter(org=org, target_type="auth.user").order_by("id"))


def _no_secret(events: list[Event], *secrets: str) -> None:
    for event in events:
        text = json.dumps([event.before, event.after, event.target_label, event.actor_name])
        for secret in secrets:
            assert secret not in text, (event.verb, text)


def _land(client: Client, answer) -> None:
    """Open the page a sign-in sends to: the organization it lands in."""
    assert answer.status_code == 302
    assert client.get(answer["Location"], follow=True).status_code == 200


def test_a_sign_in_is_recorded_with_the_person_as_actor(cast):
    client = Client()
    _land(client, _sign_in(client, cast.member.email, PASSWORD))
    (event,) = _accounts(cast.org)
    assert (event.verb, event.actor, event.target_id) == (
        "signed_in",
        cast.member,
        str(cast.member.user_id),
    )
    assert event.after == {"with": "password"} and event.target_label == cast.member.email
    _no_secret([event], PASSWORD)


def test_admins_see_sign_ins_under_their_kind_and_others_do_not(cast):
    client = Client()
    _land(client, _sign_in(client, cast.member.email, PASSWORD))
    admin = login(cast.admin).get("/o/acme/activity/?type=auth.user").content.decode()
    assert "signed in to" in admin and 'value="auth.user"' in admin
    # "Everything" leaves them out: everyone's sign-ins, every day, would fill it.
    everything = login(cast.admin).get("/o/acme/activity/").content.decode()
    assert "signed in to" not in everything and 'value="auth.user"' in everything
    mine = login(cast.member).get("/o/acme/activity/").content.decode()
    assert "signed in to" not in mine and 'value="auth.user"' not in mine
    by_kind = login(cast.member).get("/o/acme/activity/?type=auth.user").content.decode()
    assert "signed in to" not in by_kind
    # Not on home, even an admin's: everyone's sign-ins would fill its recent activity.
    assert "signed in to" not in login(cast.admin).get("/o/acme/").content.decode()


def test_failed_sign_ins_record_nothing_until_the_lockout_which_is_recorded_once(cast):
    for _ in range(LIMIT - 1):
        _sign_in(Client(), cast.member.email, "wrong password")
    assert _accounts(cast.org) == []
    for _ in range(3):  # the limit, then two more while locked
        _sign_in(Client(), cast.member.email, "wrong password")
    (event,) = _accounts(cast.org)
    assert (event.verb, event.actor, event.actor_display) == ("locked_out", None, "Accord")
    assert event.after == {
        "failed_sign_ins": LIMIT,
        "for_minutes": settings.AXES_COOLOFF_MINUTES,
    }
    _no_secret([event], "wrong password")


def test_a_lockout_of_an_address_nobody_has_records_nothing(cast):
    count = Event.objects.count()
    for _ in range(LIMIT + 1):
        _sign_in(Client(), "nobody@acme.example", "wrong password")
    assert Event.objects.count() == count


def test_changing_ones_password_is_recorded(cast):
    new = "quiet harbour 7 kites"
    response = login(cast.member).post(
        "/o/acme/password/", {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    )
    assert response.status_code == 302
    (event,) = _accounts(cast.org)
    assert (event.verb, event.actor) == ("password_changed", cast.member)
    _no_secret([event], new, PASSWORD)
    assert "pbkdf2" not in json.dumps(event.after)


def test_a_password_set_through_a_sign_in_link_is_recorded_as_the_persons(cast):
    nina = services.add_person(cast.org, None, name="Nina New", email="nina@acme.example")
    page = login(cast.admin).post(f"/o/acme/people/{nina.pk}/sign-in-link/", follow=True)
    page = page.content.decode()
    link = re.search(r'id="sign-in-link-value"[^>]*value="([^"]+)"', page).group(1)
    visitor = Client()
    form = visitor.get(link.split("testserver", 1)[-1], follow=True)
    chosen = "Correct-Horse-Battery-42"
    done = visitor.post(
        form.request["PATH_INFO"], {"new_password1": chosen, "new_password2": chosen}
    )
    assert done.status_code == 302
    (event,) = [e for e in _accounts(cast.org) if e.verb == "password_changed"]
    assert event.actor.pk == nina.pk and event.actor_name == "Nina New"
    _no_secret(_accounts(cast.org), chosen, link.rsplit("/", 2)[-2])
    _land(visitor, _sign_in(visitor, "nina@acme.example", chosen))
    assert [e.verb for e in _accounts(cast.org)][-1] == "signed_in"


def test_a_password_an_admin_gives_is_their_event_not_the_persons(cast):
    nina = services.add_person(cast.org, None, name="Nina New", email="nina@acme.example")
    services.give_login(cast.org, cast.admin, nina, "Correct-Horse-Battery-42")
    nina.refresh_from_db()
    services.give_login(cast.org, cast.admin, nina, "Another-Horse-Battery-43")
    assert _accounts(cast.org) == []  # org.person's login_given / password_set say it
    assert Event.objects.filter(org=cast.org, verb="password_set", actor=cast.admin).exists()


def test_a_sign_in_is_recorded_only_in_the_organizations_it_opens(cast):
    """Globex's admins do not learn when Mia used Acme, nor Acme's when she used Globex:
    each sign-in is an event of each organization she opens after it, once."""
    services.add_person(
        cast.other_org, None, name="Mia Member", email=cast.member.email, user=cast.member.user
    )
    client = Client()
    answer = _sign_in(client, cast.member.email, PASSWORD)
    assert answer.status_code == 302
    assert _accounts(cast.org) == [] and _accounts(cast.other_org) == []  # not yet known
    assert client.get("/").status_code == 200  # the chooser: neither yet
    assert client.get("/o/acme/decisions/").status_code == 200
    assert [e.verb for e in _accounts(cast.org)] == ["signed_in"]
    client.get("/o/acme/")
    assert [e.verb for e in _accounts(cast.org)] == ["signed_in"]  # once
    assert _accounts(cast.other_org) == []  # not opened
    client.get("/o/globex/")  # switched to: signed in to Globex too, as its pages say
    client.get("/o/globex/inbox/")
    client.get("/o/acme/")
    assert [e.verb for e in _accounts(cast.other_org)] == ["signed_in"]
    assert [e.verb for e in _accounts(cast.org)] == ["signed_in"]
    mia = Person.objects.get(org=cast.other_org, user=cast.member.user)
    assert mia.last_signed_in == _accounts(cast.other_org)[0].created_at
    # Signed in again, sent to a page of Globex's: Globex's sign-in, not Acme's.
    client.post("/accounts/logout/")
    answer = client.post(
        "/accounts/login/?next=/o/globex/inbox/",
        {"username": cast.member.email, "password": PASSWORD, "next": "/o/globex/inbox/"},
    )
    assert answer["Location"] == "/o/globex/inbox/"
    _land(client, answer)
    assert [e.verb for e in _accounts(cast.other_org)] == ["signed_in"] * 2
    assert [e.verb for e in _accounts(cast.org)] == ["signed_in"]
    client.get("/o/acme/")
    assert [e.verb for e in _accounts(cast.org)] == ["signed_in"] * 2


@pytest.mark.django_db(transaction=True)
def test_a_sign_in_is_recorded_on_a_page_outside_any_tests_transaction(cast):
    """Served as a browser is, each write in a transaction of its own (not a test's)."""
    client = Client()
    _land(client, _sign_in(client, cast.member.email, PASSWORD))
    assert [e.verb for e in _accounts(cast.org)] == ["signed_in"]
