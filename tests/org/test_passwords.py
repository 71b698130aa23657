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
