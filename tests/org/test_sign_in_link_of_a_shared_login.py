"""Someone who joined with the Accord login they already had (a consultant in two
organizations) signs in with its own password: an admin's page offers no sign-in link for
them (there is none to make), says how they sign in and how they get back in when they lost
the password, and a link asked for all the same is refused, recording nothing."""

from __future__ import annotations

import pytest

from accord.activity.models import Event
from accord.core.errors import ServiceError
from accord.org import invitations, services
from tests.conftest import login
from tests.org.test_join_links import text_of


@pytest.fixture
def consultant(cast):
    """Acme's Mia also works for Globex, with the same login."""
    return services.add_person(
        cast.other_org, None, name="Mia Member", email=cast.member.email, user=cast.member.user
    )


def page_of(cast, consultant) -> str:
    """The text of the person's page as Globex's admin reads it; it offers no link."""
    page = login(cast.outsider).get(f"/o/globex/people/{consultant.pk}/")
    assert f"/people/{consultant.pk}/sign-in-link/" not in page.content.decode()
    return text_of(page)


def test_the_page_says_how_they_sign_in_instead_of_offering_a_link(cast, consultant):
    page = page_of(cast, consultant)
    assert "Sign-in link (a new password)" not in page
    assert "choose their password once" not in page
    assert (
        "Mia Member signs in with the password of their own Accord login, which no admin here "
        "chooses: there is no sign-in link to make for them. If they lost it, “Forgot your "
        "password?” on the sign-in page e-mails them a link to choose a new one."
    ) in page


def test_without_email_it_says_who_sets_a_new_password(cast, consultant, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
    assert not invitations.email_configured()
    page = page_of(cast, consultant)
    assert "Sign-in link (a new password)" not in page
    assert "If they lost it, someone who runs Accord sets a new one (`accord password`)." in page


def test_a_link_asked_for_all_the_same_is_refused_and_nothing_is_recorded(cast, consultant):
    events = Event.objects.count()
    with pytest.raises(ServiceError, match="signs in with the password of their own Accord"):
        services.sign_in_link(cast.other_org, cast.outsider, consultant)
    answer = login(cast.outsider).post(
        f"/o/globex/people/{consultant.pk}/sign-in-link/", follow=True
    )
    shown = text_of(answer)
    assert answer.status_code == 200 and 'id="sign-in-link-value"' not in answer.content.decode()
    assert "there is no sign-in link to make for them" in shown
    assert "choose their password once" not in shown
    assert Event.objects.count() == events


def test_someone_of_this_organization_alone_still_gets_the_button(cast):
    page = login(cast.admin).get(f"/o/acme/people/{cast.member.pk}/").content.decode()
    assert f"/people/{cast.member.pk}/sign-in-link/" in page
    assert "there is no sign-in link to make" not in page
