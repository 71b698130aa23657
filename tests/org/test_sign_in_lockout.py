"""Guessing passwords locks sign-in: per account and per address, for a cool-off period,
with a clear message; an admin of the person's organization can unlock them."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from accord.activity.models import Event
from accord.core.errors import NotFound, PermissionDenied
from accord.core.security import sign_in_lock
from accord.org import services
from tests.conftest import PASSWORD, login

LIMIT = settings.AXES_FAILURE_LIMIT


def sign_in(client: Client, email: str, password: str, address: str = "127.0.0.1"):
    return client.post(
        "/accounts/login/", {"username": email, "password": password}, REMOTE_ADDR=address
    )


def fail(email: str, times: int = LIMIT, address: str = "127.0.0.1") -> None:
    for _ in range(times):
        assert sign_in(Client(), email, "wrong password", address).status_code in (200, 429)


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_the_right_password_works_before_the_limit(cast):
    fail(cast.member.email, LIMIT - 1)
    client = Client()
    response = sign_in(client, cast.member.email, PASSWORD)
    assert response.status_code == 302 and signed_in(client)


def test_an_account_is_locked_after_the_failure_limit_and_says_so(cast):
    fail(cast.member.email)
    client = Client()
    response = sign_in(client, cast.member.email, PASSWORD)
    assert response.status_code == 429
    assert not signed_in(client)
    # Retry-After: the cool-off left, in seconds.
    assert 0 < int(response["Retry-After"]) <= settings.AXES_COOLOFF_MINUTES * 60
    text = response.content.decode()
    assert "Sign-in is locked" in text
    assert f"after {LIMIT} failed attempts" in text
    assert f"Try again in {settings.AXES_COOLOFF_MINUTES} minutes" in text
    assert "An admin of your organization can unlock your account" in text
    # The form is still there, with the name filled in.
    assert 'name="password"' in text and cast.member.email in text


def test_the_account_lock_holds_from_another_address_too(cast):
    fail(cast.member.email, address="10.1.1.1")
    client = Client()
    assert sign_in(client, cast.member.email, PASSWORD, "10.2.2.2").status_code == 429
    assert not signed_in(client)


def test_the_account_name_is_counted_whatever_its_case(cast):
    fail(cast.member.email.upper())
    assert sign_in(Client(), cast.member.email, PASSWORD).status_code == 429


def test_one_address_trying_many_accounts_is_locked(cast):
    for i in range(LIMIT):
        fail(f"nobody{i}@acme.example", 1, address="10.3.3.3")
    blocked = Client()
    assert sign_in(blocked, cast.leader.email, PASSWORD, "10.3.3.3").status_code == 429
    other = Client()
    assert sign_in(other, cast.leader.email, PASSWORD, "10.4.4.4").status_code == 302
    assert signed_in(other)


def test_the_lock_ends_after_the_cool_off(cast, monkeypatch):
    fail(cast.member.email)
    assert sign_in(Client(), cast.member.email, PASSWORD).status_code == 429
    from axes.models import AccessAttempt

    # The failures happened longer ago than the cool-off period.
    past = AccessAttempt.objects.first().attempt_time.replace(year=2000)
    AccessAttempt.objects.update(attempt_time=past)
    client = Client()
    assert sign_in(client, cast.member.email, PASSWORD).status_code == 302


def test_an_admin_sees_the_lock_on_the_persons_page_and_unlocks_it(cast):
    fail(cast.member.email)
    admin = login(cast.admin)
    page = admin.get(f"/o/acme/people/{cast.member.pk}/").content.decode()
    assert "Sign-in locked" in page and "Unlock sign-in" in page
    response = admin.post(f"/o/acme/people/{cast.member.pk}/unlock/")
    assert response.status_code == 302
    assert "Sign-in locked" not in admin.get(f"/o/acme/people/{cast.member.pk}/").content.decode()
    event = Event.objects.filter(verb="unlocked").get()
    assert event.actor == cast.admin and event.target_id == str(cast.member.pk)
    assert event.after["sign_in_locked"] is False and event.before["sign_in_locked"] is True
    client = Client()
    assert sign_in(client, cast.member.email, PASSWORD).status_code == 302
    assert signed_in(client)


def test_people_who_are_not_admins_see_no_unlock_and_cannot_unlock(cast):
    fail(cast.member.email)
    leader = login(cast.leader)
    page = leader.get(f"/o/acme/people/{cast.member.pk}/").content.decode()
    assert "Sign-in locked" not in page and "Unlock sign-in" not in page
    assert leader.post(f"/o/acme/people/{cast.member.pk}/unlock/").status_code == 403
    with pytest.raises(PermissionDenied):
        services.unlock_sign_in(cast.org, cast.leader, cast.member)
    assert sign_in_lock(username=cast.member.email) is not None
    assert not Event.objects.filter(verb="unlocked").exists()


def test_another_organizations_admin_cannot_unlock(cast):
    fail(cast.member.email)
    outsider = login(cast.outsider)
    assert outsider.post(f"/o/globex/people/{cast.member.pk}/unlock/").status_code == 404
    assert outsider.post(f"/o/acme/people/{cast.member.pk}/unlock/").status_code == 404
    with pytest.raises(NotFound):
        services.unlock_sign_in(cast.other_org, cast.outsider, cast.member)
    assert sign_in_lock(username=cast.member.email) is not None
    assert sign_in(Client(), cast.member.email, PASSWORD).status_code == 429
    assert not Event.objects.filter(verb="unlocked").exists()


def test_unlocking_only_touches_that_persons_account(cast):
    fail(cast.member.email)
    fail(cast.viewer.email, address="10.5.5.5")
    services.unlock_sign_in(cast.org, cast.admin, cast.member)
    assert sign_in_lock(username=cast.member.email) is None
    assert sign_in_lock(username=cast.viewer.email) is not None


def test_the_person_sees_their_own_lock_but_no_unlock(cast):
    fail(cast.member.email)
    client = login(cast.member)  # a session that outlives the failures
    page = client.get(f"/o/acme/people/{cast.member.pk}/").content.decode()
    assert "Sign-in locked" in page and "Unlock sign-in" not in page


def test_housekeeping_forgets_failures_older_than_the_cool_off(cast):
    from axes.models import AccessAttempt

    from accord.core.tasks import prune_sign_in_attempts

    fail(cast.member.email)
    fail(cast.viewer.email, 1, address="10.6.6.6")
    old = AccessAttempt.objects.get(username=cast.member.email)
    old.attempt_time = old.attempt_time.replace(year=2000)
    old.save()
    assert prune_sign_in_attempts.call() == {"sign_in_attempts": 1}
    assert list(AccessAttempt.objects.values_list("username", flat=True)) == [cast.viewer.email]


def test_a_forwarded_value_that_is_no_address_is_not_trusted(cast, settings):
    settings.ACCORD_PROXY_COUNT = 1
    for _ in range(LIMIT):
        Client().post(
            "/accounts/login/",
            {"username": f"x{_}@acme.example", "password": "wrong"},
            headers={"X-Forwarded-For": "garbage"},
            REMOTE_ADDR="10.7.7.7",
        )
    # Counted against the proxy's address, the only one known.
    assert sign_in(Client(), cast.leader.email, PASSWORD, "10.7.7.7").status_code == 429


def test_signing_in_to_ones_own_account_does_not_reset_the_count(cast):
    # Someone with an account guesses at another's password from the same machine and
    # signs in to their own account between guesses: the guesses still add up.
    for _ in range(LIMIT - 1):
        fail(cast.member.email, 1)
        own = Client()
        assert sign_in(own, cast.viewer.email, PASSWORD).status_code == 302
    fail(cast.member.email, 1)
    assert sign_in(Client(), cast.member.email, PASSWORD, "10.8.8.8").status_code == 429
