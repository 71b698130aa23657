"""Signing in with a real OpenID Connect provider (oidc-provider-mock on 127.0.0.1),
through Chromium: the whole round trip, an unverified or unknown e-mail refused, new
people joining the configured organization, and password sign-in switched off."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from accord.org.models import Person, Role
from tests.sso_provider import PROVIDER_NAME, provider, sign_on, user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WAIT = 20_000  # each step is three servers' round trip (Accord, provider, Accord again)


def sign_in_as(page, sub: str) -> None:
    """On the provider's page: sign in as this subject (predefined, or typed)."""
    expect(page.get_by_role("heading", name="Authorize Client")).to_be_visible(timeout=WAIT)
    predefined = page.get_by_role("button", name=sub, exact=True)
    if predefined.count():
        predefined.click()
    else:
        page.get_by_placeholder("sub").fill(sub)
        page.get_by_role("button", name="Authorize").click()


def test_people_sign_in_with_the_provider_by_verified_email_only(
    page, live_server, cast, settings, monkeypatch, shot
):
    users = [
        user("mia", cast.member.email.upper(), name="Mia M."),
        user("unverified", cast.leader.email, verified=False),
        user("stranger", "stranger@elsewhere.example"),
    ]
    page.set_default_timeout(WAIT)
    with provider(users) as issuer:
        sign_on(settings, monkeypatch, issuer)
        # The first page a fresh server renders loads all of Accord: a long first wait.
        page.goto("/accounts/login/?next=/o/acme/people/", timeout=90_000)
        button = page.get_by_role("link", name=f"Sign in with {PROVIDER_NAME}")
        expect(button).to_be_visible(timeout=WAIT)
        expect(page.get_by_label("Password")).to_be_visible(timeout=WAIT)  # both ways are offered
        shot(page, "sign-in-desktop")
        page.set_viewport_size({"width": 390, "height": 844})
        expect(button).to_be_visible(timeout=WAIT)
        shot(page, "sign-in-phone")
        page.set_viewport_size({"width": 1280, "height": 900})

        button.click()
        sign_in_as(page, "mia")
        # Back in Accord, signed in as the person with that address, where she was going.
        expect(page).to_have_url(re.compile(r"/o/acme/people/$"), timeout=WAIT)
        expect(page.locator("details.usermenu summary")).to_contain_text("Mia Member", timeout=WAIT)
        page.locator("details.usermenu summary").click()
        page.get_by_role("button", name="Sign out").click()
        expect(page).to_have_url(re.compile(r"/accounts/login/"), timeout=WAIT)

        # The provider has not verified the leader's address: refused, and said why.
        page.get_by_role("link", name=f"Sign in with {PROVIDER_NAME}").click()
        sign_in_as(page, "unverified")
        refusal = page.locator("#sign-on-refused")
        expect(refusal).to_contain_text("has not verified your e-mail address", timeout=WAIT)
        expect(refusal).to_contain_text(cast.leader.email, timeout=WAIT)
        shot(page, "unverified")
        expect(page.locator("details.usermenu")).to_have_count(0)

        # Someone the provider knows but Accord does not: refused, nobody is created.
        page.goto("/accounts/login/")
        page.get_by_role("link", name=f"Sign in with {PROVIDER_NAME}").click()
        sign_in_as(page, "stranger")
        expect(page.locator("#sign-on-refused")).to_contain_text(
            "No one in Accord signs in as stranger@elsewhere.example", timeout=WAIT
        )
        assert not Person.objects.filter(email="stranger@elsewhere.example").exists()

        # A subject typed at the provider has an e-mail claim but no verification.
        page.goto("/accounts/login/")
        page.get_by_role("link", name=f"Sign in with {PROVIDER_NAME}").click()
        sign_in_as(page, cast.admin.email)
        expect(page.locator("#sign-on-refused")).to_contain_text("has not verified", timeout=WAIT)


def test_with_passwords_off_new_people_join_the_configured_organization(
    page, live_server, cast, settings, monkeypatch, shot
):
    newcomer = "nina.new@acme.example"
    page.set_default_timeout(WAIT)
    with provider([user("nina", newcomer, name="Nina New")]) as issuer:
        sign_on(
            settings,
            monkeypatch,
            issuer,
            ACCORD_PASSWORD_SIGNIN="false",
            ACCORD_OIDC_NEW_PEOPLE_ORG=cast.org.slug,
        )
        page.goto("/accounts/login/", timeout=90_000)
        button = page.get_by_role("link", name=f"Sign in with {PROVIDER_NAME}")
        expect(button).to_be_visible(timeout=WAIT)
        expect(page.get_by_label("Password")).to_have_count(0)
        shot(page, "sso-only")

        # The password form's address refuses a password sent to it anyway.
        response = page.request.post(
            "/accounts/login/",
            form={"username": cast.admin.email, "password": "correct horse battery staple"},
            headers={"Referer": f"{live_server.url}/accounts/login/"},
            fail_on_status_code=False,
        )
        assert response.status in (403,)
        page.goto("/admin/login/")
        expect(page.locator("#sign-on-refused")).to_contain_text(
            "Password sign-in is switched off", timeout=WAIT
        )

        page.goto("/accounts/login/")
        page.get_by_role("link", name=f"Sign in with {PROVIDER_NAME}").click()
        sign_in_as(page, "nina")
        expect(page.locator("details.usermenu summary")).to_contain_text("Nina New", timeout=WAIT)
        expect(page).to_have_url(re.compile(r"/o/acme/$"), timeout=WAIT)
        # An account without a password is offered no password to change.
        page.locator("details.usermenu summary").click()
        expect(page.get_by_role("button", name="Sign out")).to_be_visible()
        expect(page.get_by_role("link", name="Change password")).to_have_count(0)
        person = Person.objects.get(org=cast.org, email=newcomer)
        assert (person.name, person.role, person.user.username) == (
            "Nina New",
            Role.MEMBER,
            newcomer,
        )
        assert not person.user.has_usable_password()
