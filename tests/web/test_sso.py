"""Sign-in settings and single sign-on, without a browser: who a provider's e-mail address
signs in as, password sign-in switched off, sign-on switched off, a provider that is down."""

from __future__ import annotations

import socket

import pytest
from django.contrib.auth import authenticate
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, RequestFactory

from accord.activity.models import Event
from accord.core.sso import OIDC_BACKEND, PASSWORD_BACKEND, sso_settings
from accord.org import services
from accord.org.models import Person, Role
from tests.conftest import PASSWORD
from tests.sso_provider import PROVIDER_NAME, provider, sign_on


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- who signs in -------------------------------------------------------------------------


def test_an_account_is_found_by_its_address_in_any_case(cast):
    user = services.user_for_provider_email(cast.member.email.upper())
    assert user == cast.member.user


def test_people_added_without_a_login_get_one_linked_on_first_sign_in(cast):
    person = services.add_person(cast.org, cast.admin, name="Lou Later", email="lou@acme.example")
    user = services.user_for_provider_email("Lou@Acme.example", "Lou L.")
    person.refresh_from_db()
    assert person.user == user
    assert user.username == "lou@acme.example"
    assert not user.has_usable_password()
    assert Event.objects.filter(org=cast.org, verb="signed_up").count() == 1


def test_someone_unknown_is_refused_and_nothing_is_created(cast):
    with pytest.raises(services.SignOnRefused, match="No one in Accord signs in as"):
        services.user_for_provider_email("who@nowhere.example", "Who")
    assert not Person.objects.filter(email="who@nowhere.example").exists()


def test_new_people_join_the_configured_organization_as_members(cast):
    user = services.user_for_provider_email("neo@acme.example", "Neo", new_people_org="acme")
    person = Person.objects.get(user=user)
    assert (person.org, person.role, person.name) == (cast.org, Role.MEMBER, "Neo")
    assert not Person.objects.filter(org=cast.other_org, user=user).exists()


def test_a_configured_organization_that_does_not_exist_is_refused(cast):
    with pytest.raises(services.SignOnRefused, match="does not exist"):
        services.user_for_provider_email("neo@acme.example", new_people_org="no-such-org")
    assert not Person.objects.filter(email="neo@acme.example").exists()


def test_a_switched_off_account_is_refused(cast):
    cast.member.user.is_active = False
    cast.member.user.save()
    with pytest.raises(services.SignOnRefused, match="switched off"):
        services.user_for_provider_email(cast.member.email)


def test_a_provider_address_that_is_not_one_is_refused(cast):
    with pytest.raises(services.SignOnRefused, match="not an e-mail address"):
        services.user_for_provider_email("not an address", new_people_org="acme")


# --- settings -----------------------------------------------------------------------------


def test_sign_on_is_off_unless_a_client_id_is_set(monkeypatch):
    monkeypatch.delenv("ACCORD_OIDC_CLIENT_ID", raising=False)
    out = sso_settings([PASSWORD_BACKEND])
    assert out["ACCORD_OIDC_ENABLED"] is False
    assert out["AUTHENTICATION_BACKENDS"] == [PASSWORD_BACKEND]


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"ACCORD_PASSWORD_SIGNIN": "false"}, "nobody could sign in"),
        ({"ACCORD_OIDC_CLIENT_ID": "x"}, "ACCORD_OIDC_CLIENT_SECRET must be set"),
        (
            {"ACCORD_OIDC_CLIENT_ID": "x", "ACCORD_OIDC_CLIENT_SECRET": "y"},
            "needs ACCORD_OIDC_ISSUER",
        ),
        ({"ACCORD_PASSWORD_SIGNIN": "maybe"}, "must be true or false"),
    ],
)
def test_settings_that_cannot_work_stop_start_up(monkeypatch, env, message):
    for name in ("ACCORD_OIDC_CLIENT_ID", "ACCORD_OIDC_ISSUER", "ACCORD_OIDC_DISCOVERY_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ImproperlyConfigured, match=message):
        sso_settings([PASSWORD_BACKEND])


def test_explicit_endpoints_need_no_discovery(monkeypatch):
    env = {
        "ACCORD_OIDC_CLIENT_ID": "x",
        "ACCORD_OIDC_CLIENT_SECRET": "y",
        "ACCORD_OIDC_AUTHORIZATION_ENDPOINT": "https://id.example/auth",
        "ACCORD_OIDC_TOKEN_ENDPOINT": "https://id.example/token",
        "ACCORD_OIDC_USERINFO_ENDPOINT": "https://id.example/userinfo",
        "ACCORD_OIDC_JWKS_URI": "https://id.example/jwks",
        "ACCORD_PASSWORD_SIGNIN": "off",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    out = sso_settings([PASSWORD_BACKEND])
    assert out["ACCORD_OIDC_DISCOVERY_URL"] == ""
    assert out["OIDC_OP_TOKEN_ENDPOINT"] == "https://id.example/token"
    assert out["AUTHENTICATION_BACKENDS"] == [OIDC_BACKEND]  # no password backend


# --- pages --------------------------------------------------------------------------------


def test_with_sign_on_off_its_addresses_are_not_found(cast):
    client = Client()
    assert "Sign in with" not in client.get("/accounts/login/").content.decode()
    assert client.get("/accounts/oidc/authenticate/").status_code == 404
    assert client.get("/accounts/oidc/callback/?code=x&state=y").status_code == 404


def test_with_passwords_off_no_password_signs_in_anywhere(cast, settings, monkeypatch):
    sign_on(settings, monkeypatch, "http://127.0.0.1:9", ACCORD_PASSWORD_SIGNIN="false")
    client = Client()
    page = client.get("/accounts/login/").content.decode()
    assert f"Sign in with {PROVIDER_NAME}" in page
    assert 'name="password"' not in page
    email = cast.admin.email
    response = client.post("/accounts/login/", {"username": email, "password": PASSWORD})
    assert response.status_code == 403
    assert "Password sign-in is off" in response.content.decode()
    response = client.post("/admin/login/", {"username": email, "password": PASSWORD})
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session
    assert client.get(f"/o/{cast.org.slug}/").status_code == 302  # still signed out
    request = RequestFactory().post("/accounts/login/")
    assert authenticate(request, username=cast.admin.user.username, password=PASSWORD) is None


def test_a_provider_that_does_not_answer_gets_a_page_saying_so(cast, settings, monkeypatch):
    sign_on(settings, monkeypatch, f"http://127.0.0.1:{closed_port()}")
    response = Client().get("/accounts/oidc/authenticate/")
    assert response.status_code == 503
    assert f"{PROVIDER_NAME} did not answer" in response.content.decode()


def test_a_provider_that_refuses_sends_back_an_error_shown_as_such(cast, settings, monkeypatch):
    with provider([]) as issuer:
        sign_on(settings, monkeypatch, issuer)
        client = Client()
        start = client.get("/accounts/oidc/authenticate/")
        assert start.status_code == 302 and start["Location"].startswith(issuer)
        state = start["Location"].split("state=")[1].split("&")[0]
        response = client.get(
            f"/accounts/oidc/callback/?error=access_denied&error_description=denied&state={state}"
        )
    assert response.status_code == 403
    assert f"{PROVIDER_NAME} did not sign you in (denied)" in response.content.decode()
    assert "_auth_user_id" not in client.session


# --- the ID token -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("claims", "refusal"),
    [
        ({}, None),
        ({"aud": "someone-else"}, "issued to another client"),
        ({"aud": ["someone-else", "another"]}, "issued to another client"),
        ({"iss": "https://evil.example"}, "another issuer"),
        ({"nonce": "replayed"}, "Nonce"),
    ],
)
def test_an_id_token_for_another_client_or_from_another_issuer_is_refused(
    settings, claims, refusal
):
    """Signed by the provider's own key, but meant for another client, minted by another
    issuer, or for another sign-in: only the one meant for this sign-in is taken."""
    import jwt
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from django.core.exceptions import SuspiciousOperation

    from accord.org.sso import ProviderBackend

    settings.ACCORD_OIDC_DISCOVERY_URL = ""
    settings.ACCORD_OIDC_ISSUER = "https://id.example"
    settings.ACCORD_OIDC_ENDPOINTS = {}
    settings.OIDC_RP_CLIENT_ID = "accord"
    settings.OIDC_RP_SIGN_ALGO = "RS256"
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    backend = ProviderBackend()
    backend.OIDC_RP_IDP_SIGN_KEY = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    payload = {"iss": "https://id.example", "aud": "accord", "sub": "1", "nonce": "n-1"}
    token = jwt.encode({**payload, **claims}, key, algorithm="RS256")
    if refusal is None:
        assert backend.verify_token(token, nonce="n-1")["sub"] == "1"
    else:
        with pytest.raises(SuspiciousOperation, match=refusal):
            backend.verify_token(token, nonce="n-1")


def test_a_verified_address_that_is_someones_other_address_signs_in_as_them(cast):
    services.update_person(cast.org, cast.admin, cast.member, emails=["mia@home.example"])
    assert services.user_for_provider_email("MIA@home.example", "Mia") == cast.member.user
    # A person without a login yet gets one, linked on first sign-in, as with the primary one.
    lou = services.add_person(
        cast.org, cast.admin, name="Lou", email="lou@acme.example", emails=["lou@home.example"]
    )
    user = services.user_for_provider_email("lou@home.example", "Lou")
    lou.refresh_from_db()
    assert lou.user == user
    assert Person.objects.filter(org=cast.org).count() == 5  # the cast and Lou: nobody new
