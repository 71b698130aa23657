"""One login serves all of a person's organizations, so it is theirs: an admin of one
organization who adds someone by the address of another organization's login links to it,
but cannot choose its password (by a sign-in link or otherwise) nor lift its lock."""

from __future__ import annotations

import re

import pytest
from django.http import HttpRequest
from django.test import Client

from accord.core.errors import PermissionDenied
from accord.org import services
from accord.org.models import Person
from tests.conftest import PASSWORD, login


@pytest.fixture
def impostor(cast):
    """Globex's admin adds someone by the address Acme's admin signs in with."""
    return services.add_person(
        cast.other_org, cast.outsider, name="Ada Dup", email=cast.admin.email
    )


def test_another_organizations_admin_gets_no_sign_in_link_for_someone_elses_login(cast, impostor):
    user = cast.admin.user
    before = user.password
    page = login(cast.outsider).post(f"/o/globex/people/{impostor.pk}/sign-in-link/", follow=True)
    text = page.content.decode()
    assert page.status_code == 200
    assert "/accounts/welcome/" not in text and 'id="sign-in-link-value"' not in text
    assert "already signs in to Accord" in text and "Only they can change it" in text
    user.refresh_from_db()
    assert user.password == before
    assert Client().login(request=HttpRequest(), username=cast.admin.email, password=PASSWORD)
    # linked, so the person finds Globex among their organizations with their own password
    assert Person.objects.get(pk=impostor.pk).user_id == user.pk


def test_a_login_of_this_organization_alone_still_gets_a_link(cast):
    nina = services.add_person(cast.org, None, name="Nina New", email="nina@acme.example")
    page = login(cast.admin).post(f"/o/acme/people/{nina.pk}/sign-in-link/", follow=True)
    page = page.content.decode()
    assert re.search(r'id="sign-in-link-value"[^>]*value="[^"]*/accounts/welcome/', page)


def test_an_admin_cannot_set_the_password_of_a_login_used_elsewhere(cast, impostor):
    with pytest.raises(PermissionDenied, match="also signs in to another organization"):
        services.give_login(cast.other_org, cast.outsider, impostor, "A-new-Password-42")
    cast.admin.user.refresh_from_db()
    assert cast.admin.user.check_password(PASSWORD)
    # the operator's command (no acting person) still can
    services.give_login(cast.other_org, None, impostor, "A-new-Password-42")
    cast.admin.user.refresh_from_db()
    assert cast.admin.user.check_password("A-new-Password-42")


def test_an_admin_cannot_lift_the_lock_of_a_login_used_elsewhere(cast, impostor):
    services.sign_in_link(cast.other_org, cast.outsider, impostor)  # links it
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
