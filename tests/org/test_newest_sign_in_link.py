"""Only the newest link to choose a password works: a new sign-in link (or a new invitation
e-mail) replaces the earlier ones, whose page says a newer link was made; tokens tell their
time in whole seconds, so links of one second all work. Making a link answers with a
redirect: a reload of the page that shows it makes no newer link."""

from __future__ import annotations

import datetime as dt
import re
import time

import pytest
from django.test import Client
from django.utils import timezone

from accord.activity import delivery
from accord.activity.models import Event
from accord.core.errors import ServiceError
from accord.org import services
from accord.org.tokens import sign_in_links
from tests.conftest import login

LINK_VALUE = re.compile(r'id="sign-in-link-value"[^>]*value="([^"]+)"')
MAIL_LINK = re.compile(r"http://\S+/accounts/welcome/\S+/")
REPLACED = "A newer sign-in link was made for you since this one"


def next_second() -> None:
    """Wait for the clock's next whole second: a link made after it is newer in its token."""
    time.sleep(1.001 - time.time() % 1)


def path_of(link: str) -> str:
    return "/accounts/welcome/" + link.split("/accounts/welcome/", 1)[1]


def make_link(admin: Client, person) -> str:
    page = admin.post(f"/o/acme/people/{person.pk}/sign-in-link/", follow=True)
    return LINK_VALUE.search(page.content.decode()).group(1)


def opened(link: str) -> str:
    """The page a link opens, in a browser of its own."""
    return Client().get(path_of(link), follow=True).content.decode()


def open_form(link: str) -> tuple[Client, str]:
    """A browser on the form a link opens, and the form's address."""
    visitor = Client()
    page = visitor.get(path_of(link), follow=True)
    assert "Set my password" in page.content.decode()
    return visitor, page.request["PATH_INFO"]


def choose(form: tuple[Client, str], password: str = "Correct-Horse-Battery-42"):
    visitor, path = form
    return visitor.post(path, {"new_password1": password, "new_password2": password})


def test_a_new_sign_in_link_replaces_the_earlier_one_and_the_newest_works(cast):
    nina = services.add_person(cast.org, None, name="Nina New", email="nina@acme.example")
    admin = login(cast.admin)
    first = make_link(admin, nina)
    next_second()
    shown = admin.post(f"/o/acme/people/{nina.pk}/sign-in-link/", follow=True).content.decode()
    newest = LINK_VALUE.search(shown).group(1)
    assert newest != first
    assert (
        "Any link made for them before (a sign-in link, an invitation e-mail's) no longer works"
        in shown
    )

    page = opened(first)
    assert "This link no longer works" in page and REPLACED in page
    assert "Use the newest link you were sent, or ask an administrator" in page
    assert "Set my password" not in page

    done = choose(open_form(newest))
    assert done.status_code == 302 and done["Location"] == "/o/acme/"
    nina.refresh_from_db()
    assert nina.user.check_password("Correct-Horse-Battery-42")
    # Spent once a password is set: the page says so, not that a newer one was made.
    spent = opened(newest)
    assert "It was used already, or it is too old" in spent and REPLACED not in spent


def test_a_link_opened_before_a_newer_one_was_made_sets_no_password(cast):
    """The form was open (its token kept in the session) when the admin made a new link:
    choosing the password is refused, and the page says why."""
    nina = services.add_person(cast.org, None, name="Nina New", email="nina@acme.example")
    admin = login(cast.admin)
    form = open_form(make_link(admin, nina))
    next_second()
    make_link(admin, nina)
    refused = choose(form)
    assert refused.status_code == 200 and REPLACED in refused.content.decode()
    nina.refresh_from_db()
    assert not nina.user.has_usable_password()


def test_links_made_in_the_same_second_as_the_newest_all_work(cast):
    nina = services.add_person(cast.org, None, name="Nina New", email="nina@acme.example")
    if time.time() % 1 > 0.5:
        next_second()  # room for both links within one second
    first = services.sign_in_link(cast.org, cast.admin, nina).split("/")[-2]
    second = services.sign_in_link(cast.org, cast.admin, nina).split("/")[-2]
    assert first.split("-")[0] == second.split("-")[0]  # one second, as the tokens tell it
    assert Event.objects.filter(verb="sign_in_link_made").count() == 2
    nina.refresh_from_db()
    assert sign_in_links.check_token(nina.user, first)
    assert sign_in_links.check_token(nina.user, second)
    next_second()
    third = services.sign_in_link(cast.org, cast.admin, nina).split("/")[-2]
    assert not sign_in_links.check_token(nina.user, first)
    assert sign_in_links.replaced(nina.user, second)
    assert sign_in_links.check_token(nina.user, third)


def test_an_invitation_emails_link_is_replaced_by_a_later_sign_in_link(cast, smtp):
    admin = login(cast.admin)
    admin.post(
        "/o/acme/people/new/",
        {
            "name": "Nina New",
            "email": "nina@acme.example",
            "role": "member",
            "timezone": "UTC",
            "invite": "on",
        },
    )
    nina = cast.org.person_set.get(email="nina@acme.example")
    assert delivery.deliver(now=timezone.now() + dt.timedelta(minutes=1))["sent"] == 1
    emailed = MAIL_LINK.search(smtp.messages[0].get_body(("plain",)).get_content()).group(0)
    open_form(emailed)  # works until a newer link is made
    next_second()
    newest = make_link(admin, nina)

    page = opened(emailed)
    assert REPLACED in page and "Set my password" not in page
    page = admin.get(f"/o/acme/people/{nina.pk}/").content.decode()
    assert "Sign-in link made by Ada Admin" in page and "unless a newer link replaces it" in page
    assert choose(open_form(newest)).status_code == 302


def test_a_new_invitation_email_replaces_an_earlier_sign_in_link(cast, smtp):
    nina = services.add_person(cast.org, None, name="Nina New", email="nina@acme.example")
    admin = login(cast.admin)
    link = make_link(admin, nina)
    next_second()
    services.send_invitation(cast.org, cast.admin, nina)
    assert REPLACED in opened(link)
    delivery.deliver(now=timezone.now() + dt.timedelta(minutes=1))
    emailed = MAIL_LINK.search(smtp.messages[0].get_body(("plain",)).get_content()).group(0)
    assert choose(open_form(emailed)).status_code == 302


def test_an_invitation_refused_after_its_event_replaces_no_link(cast, smtp):
    """The invitation's event is recorded before its link is made; an e-mail then refused
    (they turned e-mail off) undoes it: the earlier link stays the newest."""
    nina = services.add_person(cast.org, None, name="Nina New", email="nina@acme.example")
    link = make_link(login(cast.admin), nina)
    delivery.set_preferences(cast.org, nina, nina, email=False)
    next_second()
    with pytest.raises(ServiceError) as refused:
        services.send_invitation(cast.org, cast.admin, nina)
    assert refused.value.code == "email_off"
    assert not Event.objects.for_org(cast.org).filter(verb="invited").exists()
    assert choose(open_form(link)).status_code == 302


def test_reloading_the_page_of_a_new_link_makes_no_other_link(cast):
    """Making a link answers with a redirect to the person's page, which shows the link
    once: reloading it (a GET) makes no newer link that would replace the one copied."""
    nina = services.add_person(cast.org, None, name="Nina New", email="nina@acme.example")
    admin = login(cast.admin)
    made = admin.post(f"/o/acme/people/{nina.pk}/sign-in-link/")
    assert made.status_code == 302 and made["Location"] == f"/o/acme/people/{nina.pk}/"
    page = admin.get(made["Location"]).content.decode()
    link = LINK_VALUE.search(page).group(1)
    reloaded = admin.get(made["Location"]).content.decode()
    assert 'id="sign-in-link-value"' not in reloaded  # shown once
    assert "Make a new sign-in link" in reloaded
    links = Event.objects.for_org(cast.org).for_target("org.person", nina.pk)
    assert links.filter(verb="sign_in_link_made").count() == 1
    # Another person's page does not show it.
    other = services.add_person(cast.org, None, name="Otto Other", email="otto@acme.example")
    admin.post(f"/o/acme/people/{nina.pk}/sign-in-link/")
    elsewhere = admin.get(f"/o/acme/people/{other.pk}/").content.decode()
    assert 'id="sign-in-link-value"' not in elsewhere
    assert LINK_VALUE.search(admin.get(f"/o/acme/people/{nina.pk}/").content.decode())
    assert "/accounts/welcome/" in link
