"""Signing in: the field asks for an e-mail address, and any case or surrounding spaces in
it reach the same account."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.test import Client

from tests.conftest import PASSWORD


def sign_in(client: Client, email: str, password: str = PASSWORD):
    return client.post("/accounts/login/", {"username": email, "password": password})


def signed_in_as(client: Client) -> str | None:
    user_id = client.session.get("_auth_user_id")
    return get_user_model().objects.get(pk=user_id).username if user_id else None


def test_the_sign_in_field_is_labelled_email(db):
    page = Client().get("/accounts/login/").content.decode()
    assert '<label for="id_username">Email' in page
    assert "Username" not in page
    assert 'type="email"' in page and 'autocomplete="username"' in page


def test_it_signs_in_whatever_the_case_and_spaces_of_the_address(cast):
    for typed in ("MIA.MEMBER@ACME.EXAMPLE", "  Mia.Member@acme.example  "):
        client = Client()
        response = sign_in(client, typed)
        assert response.status_code == 302, typed
        assert signed_in_as(client) == cast.member.user.username


def test_an_account_stored_with_capitals_signs_in_in_lower_case(cast):
    user = cast.viewer.user
    user.username = "Vic.Viewer@Acme.Example"
    user.save()
    client = Client()
    assert sign_in(client, "vic.viewer@acme.example").status_code == 302
    assert signed_in_as(client) == "Vic.Viewer@Acme.Example"


def test_a_wrong_password_still_fails_with_a_clear_message(cast):
    client = Client()
    response = sign_in(client, "MIA.MEMBER@acme.example", "wrong password")
    assert response.status_code == 200 and signed_in_as(client) is None
    assert "Please enter a correct email and password" in response.content.decode()
