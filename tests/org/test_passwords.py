"""Passwords are checked against Django's validators when set and when changed."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from accord.core.errors import ServiceError
from accord.org import services
from tests.conftest import PASSWORD, login


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("short1", "too short"),
        ("password123", "too common"),
        ("8675309123", "entirely numeric"),
    ],
)
def test_a_weak_password_is_refused_when_an_account_is_created(db, password, why):
    with pytest.raises(ServiceError) as exc:
        services.ensure_user("new@acme.example", password, name="New Person")
    assert exc.value.code == "weak_password"
    assert why in exc.value.message
    assert not get_user_model().objects.filter(username="new@acme.example").exists()


def test_a_password_like_the_persons_own_name_is_refused(db):
    with pytest.raises(ServiceError) as exc:
        services.ensure_user("margaret.hamilton@acme.example", "margaret.hamilton", name="M H")
    assert "too similar" in exc.value.message


def test_a_strong_password_is_accepted_and_hashed(db):
    user = services.ensure_user("new@acme.example", "plum orchard 42 lanterns", name="New")
    assert user.check_password("plum orchard 42 lanterns")
    assert not user.password.startswith("plum")


@pytest.mark.parametrize("url", ["/o/acme/password/", "/accounts/password/"])
def test_changing_to_a_weak_password_is_refused_with_the_reason(cast, url):
    client = login(cast.member)
    response = client.post(
        url,
        {"old_password": PASSWORD, "new_password1": "password", "new_password2": "password"},
    )
    assert response.status_code == 200
    assert "This password is too common." in response.content.decode()
    cast.member.user.refresh_from_db()
    assert cast.member.user.check_password(PASSWORD)


def test_changing_to_a_strong_password_works(cast):
    client = login(cast.member)
    new = "quiet harbour 7 kites"
    response = client.post(
        "/o/acme/password/", {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    )
    assert response.status_code == 302
    cast.member.user.refresh_from_db()
    assert cast.member.user.check_password(new)


def test_an_admin_invites_someone_added_without_a_login_by_a_one_time_link(cast):
    """People added in the app have no password: an admin makes a sign-in link on their
    page (shown once); it lets them choose a password once, and then no more."""
    import re

    from django.http import HttpRequest
    from django.test import Client

    from accord.org.models import Person

    nina = services.add_person(cast.org, None, name="Nina New", email="nina@acme.example")
    admin = login(cast.admin)
    page = admin.post(f"/o/acme/people/{nina.pk}/sign-in-link/", follow=True).content.decode()
    link = re.search(r'id="sign-in-link-value"[^>]*value="([^"]+)"', page).group(1)
    assert "/accounts/welcome/" in link
    assert link not in admin.get(f"/o/acme/people/{nina.pk}/").content.decode()  # once
    nina = Person.objects.get(pk=nina.pk)
    assert nina.user is not None and not nina.user.has_usable_password()

    visitor = Client()
    form = visitor.get(link.split("testserver", 1)[-1], follow=True)
    assert b"Choose your password" in form.content
    choose = form.request["PATH_INFO"]
    weak = visitor.post(choose, {"new_password1": "1234", "new_password2": "1234"})
    assert weak.status_code == 200 and b"too short" in weak.content
    chosen = "Correct-Horse-Battery-42"
    done = visitor.post(choose, {"new_password1": chosen, "new_password2": chosen})
    assert done.status_code == 302 and done["Location"] == "/o/acme/"
    assert Client().login(request=HttpRequest(), username="nina@acme.example", password=chosen)
    spent = Client().get(link.split("testserver", 1)[-1], follow=True).content
    assert b"This link no longer works" in spent
    # Only admins make them.
    refused = login(cast.leader).post(f"/o/acme/people/{nina.pk}/sign-in-link/")
    assert refused.status_code == 403


def test_the_address_a_sign_in_link_is_shown_at_opened_again_is_the_person_page(cast):
    """The page with a new sign-in link (or an agent's new token) answers a post at its own
    address; Back, reload or a bookmark opens that address: the person's page, not a blank
    "method not allowed", and no new link."""
    nina = services.add_person(cast.org, None, name="Nina New", email="nina@acme.example")
    agent = services.add_agent(cast.org, cast.admin, owner=cast.admin, name="Release bot")
    admin = login(cast.admin)
    for path, person in (("sign-in-link", nina), ("tokens", agent)):
        again = admin.get(f"/o/acme/people/{person.pk}/{path}/")
        assert again.status_code == 302, path
        assert again["Location"] == f"/o/acme/people/{person.pk}/"
    # A member's visit there (a link they were sent) lands on the page they may see.
    assert login(cast.member).get(f"/o/acme/people/{nina.pk}/sign-in-link/").status_code == 302
    assert login(cast.outsider).get(f"/o/acme/people/{nina.pk}/sign-in-link/").status_code in (
        403,
        404,
    )
    nina.refresh_from_db()
    assert nina.user_id is None  # nothing was made
