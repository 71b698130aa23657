"""No admin attaches a person to a login that already exists: only its holder does, by
proving they hold it. A person whose address is already an Accord login gets a join link
(from a sign-in link or an invitation e-mail, told to the admin like any other link): its
holder signs in with the login's password (or is signed in as it already) and joins. An
admin of another organization who chose the password of a login of that address gets
nothing of this organization."""

from __future__ import annotations

import datetime as dt
import re
import time

import pytest
from django.conf import settings
from django.http import HttpRequest
from django.test import Client
from django.utils import timezone

from accord.activity import delivery
from accord.activity.models import Event
from accord.core.errors import ServiceError
from accord.org import invitations, services
from accord.org.models import Person
from tests.conftest import PASSWORD, login
from tests.rhythm.servers import smtp  # noqa: F401 (fixture)

LINK_VALUE = re.compile(r'id="sign-in-link-value"[^>]*value="([^"]+)"')
KEIKO = "keiko@acme.example"
KEIKO2 = "kei.two@acme.example"
EVES = "Eve-Chose-This-42"


def text_of(response) -> str:
    words = " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())
    return re.sub(r" ([.,])", r"\1", words)


def make_link(admin: Client, org_slug: str, person) -> tuple[str, str]:
    """The link an admin's page shows once made, and the page."""
    page = admin.post(f"/o/{org_slug}/people/{person.pk}/sign-in-link/", follow=True)
    shown = page.content.decode()
    return LINK_VALUE.search(shown).group(1), shown


def path_of(link: str) -> str:
    return link.split("://", 1)[-1].split("/", 1)[1].join(["/", ""])


def open_link(link: str, client: Client | None = None) -> tuple[Client, object]:
    client = client or Client()
    return client, client.get(path_of(link), follow=True)


def sign_in(client: Client, email: str, password: str):
    return client.post("/accounts/login/", {"username": email, "password": password})


def choose_password(link: str, password: str) -> None:
    visitor, form = open_link(link)
    assert "Set my password" in form.content.decode()
    done = visitor.post(
        form.request["PATH_INFO"], {"new_password1": password, "new_password2": password}
    )
    assert done.status_code == 302


@pytest.fixture
def keiko_elsewhere(cast):
    """Keiko signs in to Globex with her own password; Acme adds her by the same address."""
    user = services.ensure_user(KEIKO, PASSWORD, name="Keiko Tanaka")
    services.add_person(cast.other_org, None, name="Keiko T.", email=KEIKO, user=user)
    keiko = services.add_person(cast.org, cast.admin, name="Keiko Tanaka", email=KEIKO)
    return keiko, user


# --- the attack ------------------------------------------------------------------------------


def test_another_organizations_admin_who_chose_the_password_gets_nothing_here(cast):
    # Eve (Globex's admin) adds someone by Acme's Keiko's address and chooses its password.
    decoy = services.add_person(cast.other_org, cast.outsider, name="Decoy", email=KEIKO)
    eve = login(cast.outsider)
    link, _ = make_link(eve, "globex", decoy)
    choose_password(link, EVES)
    # Later Acme's admin adds the real Keiko and makes her a sign-in link.
    keiko = services.add_person(cast.org, cast.admin, name="Keiko Tanaka", email=KEIKO)
    link, page = make_link(login(cast.admin), "acme", keiko)
    assert "another organization" not in page and "already signs in" not in page
    assert "already has an Accord login" not in page  # the admin is not told
    assert "/accounts/join/" in link
    keiko.refresh_from_db()
    assert keiko.user_id is None
    # Eve signs in with the password she chose: Acme is none of hers.
    thief = Client()
    assert sign_in(thief, KEIKO, EVES).status_code == 302
    assert thief.get("/o/acme/").status_code in (403, 404)
    assert thief.get(f"/o/acme/people/{keiko.pk}/").status_code in (403, 404)
    assert not Person.objects.filter(org=cast.org, user__username__iexact=KEIKO).exists()


def test_a_person_added_elsewhere_by_an_admins_address_is_not_attached_to_her_login(cast):
    decoy = services.add_person(cast.other_org, cast.outsider, name="Ada?", email=cast.admin.email)
    _link, page = make_link(login(cast.outsider), "globex", decoy)
    assert "another organization" not in page and "already signs in" not in page
    decoy.refresh_from_db()
    assert decoy.user_id is None
    assert list(Person.objects.filter(user=cast.admin.user)) == [cast.admin]
    assert not Event.objects.filter(org=cast.other_org, verb="login_given").exists()
    # The password of her login is hers still.
    assert Client().login(request=HttpRequest(), username=cast.admin.email, password=PASSWORD)


def test_an_admin_cannot_give_a_password_to_an_address_that_is_a_login(cast, keiko_elsewhere):
    keiko, user = keiko_elsewhere
    with pytest.raises(ServiceError, match="That address already has an Accord login") as e:
        services.give_login(cast.org, cast.admin, keiko, "A-new-Password-42")
    assert "organization" not in e.value.message
    keiko.refresh_from_db()
    user.refresh_from_db()
    assert keiko.user_id is None and user.check_password(PASSWORD)
    assert not Event.objects.filter(org=cast.org, verb__in=["login_given", "password_set"])


# --- the join link -----------------------------------------------------------------------------


def test_the_holder_joins_with_the_logins_password(cast, keiko_elsewhere):
    keiko, user = keiko_elsewhere
    link, _ = make_link(login(cast.admin), "acme", keiko)
    visitor, page = open_link(link)
    assert page.request["PATH_INFO"] == "/accounts/join/open/"  # the token off the address
    assert (
        f"{KEIKO} already has an Accord login. Sign in with its password to join Acme as "
        "Keiko Tanaka." in text_of(page)
    )
    wrong = visitor.post("/accounts/join/open/", {"password": "not her password"})
    assert wrong.status_code == 400 and "That is not the password" in text_of(wrong)
    keiko.refresh_from_db()
    assert keiko.user_id is None and "_auth_user_id" not in visitor.session

    done = visitor.post("/accounts/join/open/", {"password": PASSWORD})
    assert done.status_code == 302 and done["Location"] == "/o/acme/"
    keiko.refresh_from_db()
    assert keiko.user_id == user.pk
    assert visitor.get("/o/acme/").status_code == 200
    keiko.refresh_from_db()
    assert keiko.last_signed_in is not None  # signed in to Acme, where she landed
    joined = Event.objects.for_org(cast.org).for_target("org.person", keiko.pk)
    assert joined.get(verb="login_given").actor_id == keiko.pk
    # The person's history says she joined, not that she gave herself a login.
    history = text_of(login(cast.admin).get(f"/o/acme/people/{keiko.pk}/"))
    assert "Keiko Tanaka joined with their existing Accord login" in history
    assert "gave a login to" not in history

    # Spent: opened again, it says so and changes nothing.
    _, again = open_link(link)
    assert "This link was used already" in text_of(again)


def test_wrong_passwords_count_towards_the_sign_in_lockout(cast, keiko_elsewhere):
    keiko, _user = keiko_elsewhere
    link, _ = make_link(login(cast.admin), "acme", keiko)
    visitor, _page = open_link(link)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        visitor.post("/accounts/join/open/", {"password": "guess"})
    locked = visitor.post("/accounts/join/open/", {"password": PASSWORD})
    assert locked.status_code == 429 and "Sign-in is locked" in locked.content.decode()
    keiko.refresh_from_db()
    assert keiko.user_id is None


def test_signed_in_as_that_login_one_button_joins(cast, keiko_elsewhere):
    keiko, user = keiko_elsewhere
    link, _ = make_link(login(cast.admin), "acme", keiko)
    other = login(cast.member)
    _, page = open_link(link, other)
    assert f"but you are signed in as {cast.member.email}" in text_of(page)
    assert other.post("/accounts/join/open/").status_code == 400
    keiko.refresh_from_db()
    assert keiko.user_id is None

    holder = Client()
    holder.force_login(user)
    user.refresh_from_db()
    last_login = user.last_login
    _, page = open_link(link, holder)
    assert "Join Acme" in text_of(page) and 'name="password"' not in page.content.decode()
    done = holder.post("/accounts/join/open/")
    assert done.status_code == 302 and done["Location"] == "/o/acme/"
    keiko.refresh_from_db()
    assert keiko.user_id == user.pk
    # Her session signs in to Acme as she lands there: Acme's sign-in, not Globex's.
    assert holder.get("/o/acme/").status_code == 200
    keiko.refresh_from_db()
    (signed_in,) = Event.objects.for_org(cast.org).filter(verb="signed_in")
    assert (signed_in.actor_id, signed_in.created_at) == (keiko.pk, keiko.last_signed_in)
    assert not Event.objects.for_org(cast.other_org).filter(verb="signed_in").exists()
    assert Person.objects.get(org=cast.other_org, user=user).last_signed_in is None
    user.refresh_from_db()
    assert user.last_login == last_login  # the login's own, as Django keeps it


def test_a_newer_link_replaces_the_older(cast, keiko_elsewhere):
    keiko, _user = keiko_elsewhere
    admin = login(cast.admin)
    first, _ = make_link(admin, "acme", keiko)
    newest, _ = make_link(admin, "acme", keiko)
    visitor, page = open_link(first)
    assert "A newer link was made for you since this one" in text_of(page)
    assert visitor.post("/accounts/join/open/", {"password": PASSWORD}).status_code == 410
    keiko.refresh_from_db()
    assert keiko.user_id is None
    visitor, _page = open_link(newest)
    assert visitor.post("/accounts/join/open/", {"password": PASSWORD}).status_code == 302


def test_an_expired_join_link_is_refused(cast, keiko_elsewhere, settings):
    keiko, _user = keiko_elsewhere
    settings.PASSWORD_RESET_TIMEOUT = 1
    link, _ = make_link(login(cast.admin), "acme", keiko)
    time.sleep(2.1)
    visitor, page = open_link(link)
    assert "This link is too old" in text_of(page)
    assert visitor.post("/accounts/join/open/", {"password": PASSWORD}).status_code == 410
    keiko.refresh_from_db()
    assert keiko.user_id is None


def test_a_forged_or_other_persons_link_is_refused(cast, keiko_elsewhere):
    keiko, _user = keiko_elsewhere
    link, _ = make_link(login(cast.admin), "acme", keiko)
    token = path_of(link).split("/")[3]
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    _, page = open_link(f"http://x/accounts/join/{forged}/")
    assert "not a working join link" in text_of(page)


def test_an_invitation_to_an_address_that_is_a_login_carries_a_join_link(
    cast,
    keiko_elsewhere,
    smtp,  # noqa: F811
):
    keiko, user = keiko_elsewhere
    sent = services.send_invitation(cast.org, cast.admin, keiko)
    # The admin is told (and the history records) what any invitation with a link says.
    assert sent["signs_in_with"] == invitations.NEW_PASSWORD and sent["expires_at"]
    keiko.refresh_from_db()
    assert keiko.user_id is None
    delivery.deliver(now=timezone.now() + dt.timedelta(minutes=1))
    text = smtp.messages[0].get_body(("plain",)).get_content()
    assert "sign in with your existing Accord password" in text
    assert "/accounts/welcome/" not in text
    link = re.search(r"http://\S+/accounts/join/\S+/", text).group(0)
    visitor, _page = open_link(link)
    assert visitor.post("/accounts/join/open/", {"password": PASSWORD})["Location"] == "/o/acme/"
    keiko.refresh_from_db()
    assert keiko.user_id == user.pk


def test_someone_else_here_already_signing_in_with_that_login_blocks_the_join(cast):
    user = services.ensure_user(KEIKO, PASSWORD, name="Keiko")
    keiko = services.add_person(cast.org, cast.admin, name="Keiko Tanaka", email=KEIKO)
    link, _ = make_link(login(cast.admin), "acme", keiko)
    # Meanwhile someone of Acme was given that login (by an operator, say).
    services.add_person(cast.org, None, name="Keiko Two", email="k2@acme.example", user=user)
    visitor, _page = open_link(link)
    refused = visitor.post("/accounts/join/open/", {"password": PASSWORD})
    assert refused.status_code == 400 and "already signs in to Acme as Keiko Two" in text_of(
        refused
    )
    keiko.refresh_from_db()
    assert keiko.user_id is None


def test_once_joined_a_new_link_leaves_the_password_to_its_holder(cast, keiko_elsewhere):
    """Her login is Globex's too now: Acme's admin makes her no link (she signs in with
    her own password), never one to a page that chooses it."""
    keiko, user = keiko_elsewhere
    link = services.sign_in_link(cast.org, cast.admin, keiko)
    services.join_with_login(link.split("/")[-2], user)
    page = login(cast.admin).post(f"/o/acme/people/{keiko.pk}/sign-in-link/", follow=True)
    assert LINK_VALUE.search(page.content.decode()) is None
    assert "signs in with the password of their own Accord login" in text_of(page)
    assert "another organization" not in text_of(page)
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_joining_signed_in_by_the_provider_retires_a_password_an_outsider_chose(
    cast, settings, monkeypatch
):
    """Eve (Globex's admin) chose the password of Keiko's address's login through a decoy.
    Keiko, signed in by the provider before Acme added her, joins Acme with the join link:
    the provider proved the address, so Eve's password stops working before Keiko joins, and
    Keiko's own session stays. Signed in with the password instead, nothing is retired (the
    password was proven)."""
    from accord.core.sso import OIDC_BACKEND, PASSWORD_BACKEND
    from tests.sso_provider import provider, sign_on

    decoy = services.add_person(cast.other_org, cast.outsider, name="Decoy", email=KEIKO)
    link, _ = make_link(login(cast.outsider), "globex", decoy)
    choose_password(link, EVES)
    user = Person.objects.get(pk=decoy.pk).user
    keiko = services.add_person(cast.org, cast.admin, name="Keiko Tanaka", email=KEIKO)
    link, _ = make_link(login(cast.admin), "acme", keiko)
    holder = Client()
    with provider([]) as issuer:  # single sign-on on, as it is where this happens
        sign_on(settings, monkeypatch, issuer)
        holder.force_login(user, backend=OIDC_BACKEND)
        open_link(link, holder)
        done = holder.post("/accounts/join/open/")
        assert done.status_code == 302 and done["Location"] == "/o/acme/"
        assert holder.get("/o/acme/").status_code == 200  # her session stays
    # Acme's first sign-in of hers, as she signed in: by the provider.
    (signed_in,) = Event.objects.for_org(cast.org).filter(verb="signed_in")
    assert signed_in.actor_id == keiko.pk and signed_in.after == {"with": "single sign-on"}
    user.refresh_from_db()
    assert not user.has_usable_password()
    assert sign_in(Client(), KEIKO, EVES).status_code != 302

    # Signed in with a password, which proves it: it is kept.
    other = services.add_person(cast.other_org, cast.outsider, name="Decoy 2", email=KEIKO2)
    link, _ = make_link(login(cast.outsider), "globex", other)
    choose_password(link, EVES)
    second = Person.objects.get(pk=other.pk).user
    mine = services.add_person(cast.org, cast.admin, name="Kei Two", email=KEIKO2)
    link, _ = make_link(login(cast.admin), "acme", mine)
    holder = Client()
    holder.force_login(second, backend=PASSWORD_BACKEND)
    open_link(link, holder)
    assert holder.post("/accounts/join/open/").status_code == 302
    second.refresh_from_db()
    assert second.has_usable_password()
