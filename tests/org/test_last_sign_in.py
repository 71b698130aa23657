"""An organization's admins see when someone last signed in to it (the first page of it a new
session opened), never when their login was last used in another organization: one login can
be a person in several."""

from __future__ import annotations

import datetime as dt
import importlib
import re

from django.apps import apps
from django.test import Client
from django.utils import timezone

from accord.activity.models import Event
from accord.interchange.personal import export_person
from accord.org import invitations, services
from accord.org.models import Person
from accord.web.templatetags.dates import when
from tests.conftest import PASSWORD, at, login

backfill = importlib.import_module("accord.org.migrations.0015_person_last_signed_in")


def sign_in_and_land(email: str, next_path: str = "", password: str = PASSWORD) -> Client:
    """Sign in through the sign-in page, as a browser does, and open the page it sends to:
    the organization it lands in records the sign-in."""
    client = Client()
    url, data = "/accounts/login/", {"username": email, "password": password}
    if next_path:
        url, data["next"] = f"{url}?next={next_path}", next_path
    answer = client.post(url, data)
    assert answer.status_code == 302, answer.content.decode()
    assert client.get(answer["Location"], follow=True).status_code == 200
    return client


def row_of(page: str, person: Person) -> str:
    """The people list's row of `person`."""
    found = re.search(rf'<tr[^>]*>(?:(?!</tr>).)*?/people/{person.pk}/".*?</tr>', page, re.S)
    assert found, person.name
    return found.group(0)


def _mia_in_globex(cast) -> Person:
    """Mia, Acme's member, is a person of Globex too, with the same login."""
    return services.add_person(
        cast.other_org, None, name="Mia Member", email=cast.member.email, user=cast.member.user
    )


def test_a_sign_in_to_one_organization_is_not_another_ones(cast):
    mia_globex = _mia_in_globex(cast)
    sign_in_and_land(cast.member.email, "/o/acme/")
    mia, mia_globex = (Person.objects.get(pk=p.pk) for p in (cast.member, mia_globex))
    assert mia.last_signed_in is not None and mia_globex.last_signed_in is None
    assert mia.user.last_login is not None  # the login's, as Django keeps it

    # Acme's admins see it.
    acme = login(cast.admin)
    assert "just now" in row_of(acme.get("/o/acme/people/").content.decode(), mia)
    page = acme.get(f"/o/acme/people/{mia.pk}/").content.decode()
    assert "Last signed in" in page
    assert invitations.state_of(cast.org, mia).accepted

    # Globex's do not: she has not signed in to Globex since it added her.
    globex = login(cast.outsider)
    row = row_of(globex.get("/o/globex/people/").content.decode(), mia_globex)
    assert "never" in row and "just now" not in row
    never = globex.get("/o/globex/people/?signed_in=never").content.decode()
    assert f"/people/{mia_globex.pk}/" in never
    page = globex.get(f"/o/globex/people/{mia_globex.pk}/").content.decode()
    assert "has not signed in since being added" in page and "Last signed in" not in page
    assert not invitations.state_of(cast.other_org, mia_globex).accepted
    # Her own data, downloaded from each, says the same.
    assert "last_sign_in:" in "".join(export_person(mia))
    assert "last_sign_in" not in "".join(export_person(mia_globex))


def test_each_organization_keeps_its_own_last_sign_in(cast):
    mia_globex = _mia_in_globex(cast)
    earlier = timezone.now() - dt.timedelta(days=2)
    with at(earlier):
        sign_in_and_land(cast.member.email, "/o/globex/")
    sign_in_and_land(cast.member.email, "/o/acme/decisions/")
    mia, mia_globex = (Person.objects.get(pk=p.pk) for p in (cast.member, mia_globex))
    assert mia_globex.last_signed_in == earlier
    assert mia.last_signed_in > earlier + dt.timedelta(days=1)
    # Each is the moment of that organization's sign-in event, and nowhere else's.
    for person in (mia, mia_globex):
        (event,) = Event.objects.for_org(person.org).filter(verb="signed_in")
        assert (event.actor_id, event.created_at) == (person.pk, person.last_signed_in)

    row = row_of(login(cast.outsider).get("/o/globex/people/").content.decode(), mia_globex)
    assert when(earlier) in row and "just now" not in row
    row = row_of(login(cast.admin).get("/o/acme/people/").content.decode(), mia)
    assert "just now" in row


def test_the_backfill_takes_each_persons_latest_sign_in_to_their_own_organization(
    cast, django_assert_max_num_queries
):
    mia_globex = _mia_in_globex(cast)
    now = timezone.now()
    for days_ago, path in ((5, "/o/acme/"), (3, "/o/globex/"), (1, "/o/acme/")):
        with at(now - dt.timedelta(days=days_ago)):
            sign_in_and_land(cast.member.email, path)
    # Before sign-ins were one organization's events, one was recorded in each at once:
    # it tells neither organization that Mia used it.
    with at(now - dt.timedelta(hours=2)):
        for person in (cast.member, mia_globex):
            Event.objects.create(
                org=person.org,
                actor=person,
                verb="signed_in",
                target_type="auth.user",
                target_id=str(person.user_id),
                target_label=person.email,
            )
    # A login of one organization only: its last sign-in there is the organization's,
    # from before there were sign-in events too; one from before they were added is none.
    User = type(cast.admin.user)
    User.objects.filter(pk=cast.admin.user_id).update(last_login=now - dt.timedelta(days=40))
    Person.objects.filter(pk=cast.admin.pk).update(created_at=now - dt.timedelta(days=100))
    User.objects.filter(pk=cast.leader.user_id).update(last_login=now - dt.timedelta(days=9))
    Person.objects.filter(pk=cast.leader.pk).update(created_at=now - dt.timedelta(days=8))
    User.objects.filter(pk=cast.viewer.user_id).update(last_login=None)
    Person.objects.update(last_signed_in=None)  # as before the field was there

    with django_assert_max_num_queries(3):  # the people, the sign-ins, one write
        backfill.fill_last_signed_in(apps)
    got = dict(Person.objects.values_list("pk", "last_signed_in"))
    assert got[cast.member.pk] == now - dt.timedelta(days=1)
    assert got[mia_globex.pk] == now - dt.timedelta(days=3)
    assert got[cast.admin.pk] == now - dt.timedelta(days=40)
    assert got[cast.leader.pk] is None and got[cast.viewer.pk] is None
    assert backfill.fill_last_signed_in(apps) == 0  # run again: nothing left to fill


def test_forgetting_someone_forgets_when_they_signed_in(cast):
    sign_in_and_land(cast.viewer.email)
    viewer = Person.objects.get(pk=cast.viewer.pk)
    assert viewer.last_signed_in is not None
    viewer = services.update_person(cast.org, cast.admin, viewer, is_active=False)
    services.forget_person(cast.org, cast.admin, viewer)
    viewer.refresh_from_db()
    assert viewer.user_id is None and viewer.last_signed_in is None
