"""One login serves all of a person's organizations, so it is theirs: an admin of one
organization who adds someone by the address of another organization's login does not
attach them to it (only its holder joins it, with a join link: tests/org/test_join_links.py),
cannot choose its password (by a sign-in link or otherwise) nor lift its lock."""

from __future__ import annotations

import re

import pytest
from django.http import HttpRequest
from django.test import Client

from accord.core.errors import PermissionDenied, ServiceError
from accord.org import services
from accord.org.models import Person
from tests.conftest import PASSWORD, login


@pytest.fixture
def impostor(cast):
    """Globex's admin adds someone by the address Acme's admin signs in with."""
    return services.add_person(
        cast.other_org, cast.outsider, name="Ada Dup", email=cast.admin.email
    )


def test_another_organizations_admin_gets_only_a_join_link_for_someone_elses_login(cast, impostor):
    user = cast.admin.user
    before = user.password
    page = login(cast.outsider).post(f"/o/globex/people/{impostor.pk}/sign-in-link/", follow=True)
    text = page.content.decode()
    assert page.status_code == 200
    # A link, told like any other: nothing says the address is a login already.
    assert re.search(r'id="sign-in-link-value"[^>]*value="[^"]*/accounts/join/', text)
    assert "/accounts/welcome/" not in text
    assert "already signs in" not in text and "another organization" not in text
    user.refresh_from_db()
    assert user.password == before
    assert Client().login(request=HttpRequest(), username=cast.admin.email, password=PASSWORD)
    # Not linked: only the login's holder joins it.
    assert Person.objects.get(pk=impostor.pk).user_id is None


def test_a_login_of_this_organization_alone_still_gets_a_link(cast):
    nina = services.add_person(cast.org, None, name="Nina New", email="nina@acme.example")
    page = login(cast.admin).post(f"/o/acme/people/{nina.pk}/sign-in-link/", follow=True)
    page = page.content.decode()
    assert re.search(r'id="sign-in-link-value"[^>]*value="[^"]*/accounts/welcome/', page)


def test_an_admin_cannot_set_the_password_of_a_login_used_elsewhere(cast, impostor):
    with pytest.raises(ServiceError, match="That address already has an Accord login"):
        services.give_login(cast.other_org, cast.outsider, impostor, "A-new-Password-42")
    assert Person.objects.get(pk=impostor.pk).user_id is None
    cast.admin.user.refresh_from_db()
    assert cast.admin.user.check_password(PASSWORD)
    # the operator's command (no acting person) still can, and links it
    services.give_login(cast.other_org, None, impostor, "A-new-Password-42")
    cast.admin.user.refresh_from_db()
    assert cast.admin.user.check_password("A-new-Password-42")
    # linked now, an admin still cannot change its password
    impostor.refresh_from_db()
    with pytest.raises(PermissionDenied, match="also signs in to another organization"):
        services.give_login(cast.other_org, cast.outsider, impostor, "An-other-Password-42")


def test_an_admin_cannot_lift_the_lock_of_a_login_used_elsewhere(cast, impostor):
    link = services.sign_in_link(cast.other_org, cast.outsider, impostor)
    services.join_with_login(link.split("/")[-2], cast.admin.user)  # its holder joins
    impostor.refresh_from_db()
    with pytest.raises(PermissionDenied, match="an operator lifts its lock"):
        services.unlock_sign_in(cast.other_org, cast.outsider, impostor)


def test_someone_deactivated_is_told_so_when_they_sign_in(cast):
    services.update_person(cast.org, cast.admin, cast.member, is_active=False)
    page = login(cast.member).get("/", follow=True).content.decode()
    assert "Your access to Acme was switched off by its admins" in page
    assert "not a member of any organization yet" not in page


def test_the_time_zones_offered_are_places():
    from accord.org.forms import timezone_choices

    names = {tz for tz, _label in timezone_choices()}
    assert {"Europe/Paris", "America/Chicago", "UTC"} <= names
    assert not names & {"localtime", "Factory", "posixrules"}
