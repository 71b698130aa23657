"""*Forgot your password?*: from the sign-in page, the holder of a login's address gets a
link by e-mail (queued by the worker through the one delivery path, sent to a real local
SMTP server) to choose a new password, which ends every other session of the login. The
answer never says whether an address has a login; the link never reaches an organization's
admin. It is also how the owner of an address takes back a login whose password another
organization's admin chose, and then joins with their join link."""

from __future__ import annotations

import datetime as dt
import json
import re
import time

from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from accord.activity import delivery
from accord.activity.models import Event, Notification
from accord.api import services as api_services
from accord.org import password_resets, services
from accord.org.models import PersonKind
from accord.org.tasks import mail_password_reset
from tests.conftest import PASSWORD, login
from tests.org.test_join_links import EVES, KEIKO, choose_password, make_link, text_of

LINK = re.compile(r"http://\S+/accounts/reset/[^/\s]+/[^/\s]+/")
NEW = "A-Brand-New-Password-42"
TASK = "accord.org.tasks.mail_password_reset"
NEUTRAL = "we've e-mailed it a link to choose a new password; it works once within 3 days."


def later(minutes: int = 1) -> dt.datetime:
    return timezone.now() + dt.timedelta(minutes=minutes)


def ask(address: str, client: Client | None = None):
    """Type `address` into *Forgot your password?*; the answer page."""
    client = client or Client()
    sent = client.post("/accounts/password/forgot/", {"email": address})
    assert sent.status_code == 302 and sent["Location"] == "/accounts/password/forgot/sent/"
    return client.get(sent["Location"])


def queued_addresses() -> list[str]:
    return [r.args_kwargs["args"][0] for r in DBTaskResult.objects.filter(task_path=TASK)]


def work() -> int:
    """What the worker does: run the queued tasks, then send what they queued."""
    for row in DBTaskResult.objects.filter(task_path=TASK):
        mail_password_reset.call(*row.args_kwargs["args"])
        row.delete()
    return delivery.deliver(now=later())["sent"]


def mail_text(message) -> str:
    return message.get_body(("plain",)).get_content()


def reset_link(smtp) -> str:
    [mail] = smtp.messages
    return LINK.search(mail_text(mail)).group(0)


def choose_new(link: str, password: str = NEW, client: Client | None = None):
    client = client or Client()
    form = client.get(link.split("localhost:8000", 1)[-1], follow=True)
    assert "Choose a new password" in text_of(form)
    done = client.post(
        form.request["PATH_INFO"], {"new_password1": password, "new_password2": password}
    )
    return client, done


def password_client(email: str, password: str) -> Client:
    client = Client()
    signed = client.post("/accounts/login/", {"username": email, "password": password})
    assert signed.status_code == 302, "not signed in"
    return client


def signs_in(email: str, password: str) -> bool:
    answer = Client().post("/accounts/login/", {"username": email, "password": password})
    return answer.status_code == 302


# --- the pages ---------------------------------------------------------------------------------


def test_the_sign_in_page_links_to_the_forgot_page(cast, smtp):
    page = Client().get("/accounts/login/").content.decode()
    assert 'href="/accounts/password/forgot/" id="forgot-password">Forgot your password?' in page
    forgot = Client().get("/accounts/password/forgot/")
    assert forgot.status_code == 200
    assert 'name="email"' in forgot.content.decode() and "E-mail me a link" in text_of(forgot)


def test_known_and_unknown_addresses_get_the_same_answer_and_only_a_login_its_mail(cast, smtp):
    known = ask("  MIA.Member@ACME.example ")
    unknown = ask("nobody@acme.example")
    assert known.status_code == unknown.status_code == 200
    assert f"If an Accord login uses mia.member@acme.example, {NEUTRAL}" in text_of(known)
    assert f"If an Accord login uses nobody@acme.example, {NEUTRAL}" in text_of(unknown)
    assert text_of(known).replace("mia.member", "nobody") == text_of(unknown)
    assert "every 15 minutes" in text_of(known)
    # The same work is queued for both; nothing is e-mailed from the request.
    assert queued_addresses() == ["mia.member@acme.example", "nobody@acme.example"]
    assert smtp.messages == [] and not Notification.objects.exists()
    assert work() == 1
    [mail] = smtp.messages
    assert mail["X-Rcpt"] == cast.member.email
    assert mail["Subject"] == "Choose a new password for Accord"
    text = mail_text(mail)
    assert "Accord login mia.member@acme.example" in text and "works once, within 3 days" in text
    assert "Hello," in text and "Mia" not in text  # no name an organization chose
    # The link works: a new password, signed in, landing where a sign-in lands.
    visitor, done = choose_new(reset_link(smtp))
    assert done.status_code == 302 and done["Location"] == "/"
    assert visitor.get("/", follow=True).request["PATH_INFO"] == "/o/acme/"
    assert signs_in(cast.member.email, NEW) and not signs_in(cast.member.email, PASSWORD)


def test_a_malformed_address_is_named_and_nothing_is_queued(cast, smtp):
    page = Client().post("/accounts/password/forgot/", {"email": "not an address"})
    assert page.status_code == 400 and "Enter a valid email address." in text_of(page)
    assert queued_addresses() == []


# --- the link ----------------------------------------------------------------------------------


def test_the_new_password_ends_every_other_session_and_spends_the_link(cast, smtp):
    elsewhere = password_client(cast.member.email, PASSWORD)
    assert elsewhere.get("/o/acme/").status_code == 200
    ask(cast.member.email)
    work()
    link = reset_link(smtp)
    # Django's validators judge the new password.
    visitor, weak = choose_new(link, "short")
    assert weak.status_code == 200 and "This password is too short" in text_of(weak)
    visitor, done = choose_new(link, NEW, visitor)
    assert done.status_code == 302
    assert visitor.get("/o/acme/").status_code == 200
    assert elsewhere.get("/o/acme/").status_code == 302  # signed out
    # Recorded as the password changed, in each organization she is active in.
    changed = Event.objects.filter(verb="password_changed", target_type="auth.user")
    assert [(e.org_id, e.actor_id) for e in changed] == [(cast.org.pk, cast.member.pk)]
    # Spent: the link opens on "no longer works".
    again = Client().get(link.split("localhost:8000", 1)[-1], follow=True)
    assert "This link no longer works" in text_of(again) and "Ask for a new one" in text_of(again)
    assert 'name="new_password1"' not in again.content.decode()


def test_the_link_is_refused_once_too_old(cast, smtp, settings):
    settings.PASSWORD_RESET_TIMEOUT = 1
    ask(cast.member.email)
    work()
    link = reset_link(smtp)
    time.sleep(2.1)
    page = Client().get(link.split("localhost:8000", 1)[-1], follow=True)
    assert "This link no longer works" in text_of(page)
    assert signs_in(cast.member.email, PASSWORD)


def test_a_reset_link_is_not_a_sign_in_link_nor_the_reverse(cast, smtp):
    ask(cast.member.email)
    work()
    link = reset_link(smtp)
    as_sign_in_link = link.replace("/accounts/reset/", "/accounts/welcome/")
    page = Client().get(as_sign_in_link.split("localhost:8000", 1)[-1], follow=True)
    assert "This link no longer works" in text_of(page)


# --- who gets it, and how often ------------------------------------------------------------------


def test_one_email_a_login_in_15_minutes_whatever_is_asked(cast, smtp):
    first, second = ask(cast.member.email), ask(cast.member.email.upper())
    assert text_of(first) == text_of(second)
    assert work() == 1
    assert password_resets.mail(cast.member.email, now=later(10)) == 0
    assert password_resets.mail(cast.member.email, now=later(16)) == 1


def test_email_off_or_muted_kinds_do_not_stop_it_and_it_goes_to_the_logins_address(cast, smtp):
    member = cast.member
    every_kind = [k.kind for k in delivery.kinds()]
    delivery.set_preferences(cast.org, member, member, email=False, muted_kinds=every_kind)
    # An admin changed the address the organization keeps for her: the login's is still hers.
    services.update_person(cast.org, cast.admin, member, email="eve@evil.example")
    ask(member.user.username)
    assert work() == 1
    assert [m["X-Rcpt"] for m in smtp.messages] == ["mia.member@acme.example"]


def test_a_login_deactivated_everywhere_an_agent_or_no_login_gets_nothing(cast, smtp):
    services.update_person(cast.org, cast.admin, cast.member, is_active=False)
    # An agent never has a login (its address may be one nobody else signs in with).
    agent = services.add_agent(
        cast.org, cast.admin, name="Bot", owner=cast.leader, email="bot@acme.example"
    )
    assert agent.kind == PersonKind.AGENT and agent.user_id is None
    services.ensure_user("bot@acme.example", PASSWORD)
    services.add_person(cast.org, cast.admin, name="No Login", email="nologin@acme.example")
    addresses = ["mia.member@acme.example", "bot@acme.example"]
    answers = {text_of(ask(a)).replace(a, "ADDRESS") for a in addresses}
    assert len(answers) == 1 and f"If an Accord login uses ADDRESS, {NEUTRAL}" in answers.pop()
    ask("nologin@acme.example")
    assert len(queued_addresses()) == 3
    assert work() == 0 and smtp.messages == [] and not Notification.objects.exists()


def test_without_email_set_up_the_page_says_to_ask_an_admin(cast, settings, monkeypatch):
    monkeypatch.delenv("EMAIL_HOST", raising=False)
    monkeypatch.delenv("EMAIL_BACKEND", raising=False)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "localhost"
    page = Client().get("/accounts/password/forgot/")
    assert "Ask an administrator of your organization for a sign-in link" in text_of(page)
    assert 'name="email"' not in page.content.decode()
    posted = Client().post("/accounts/password/forgot/", {"email": cast.member.email})
    assert posted.status_code == 200 and queued_addresses() == []
    assert password_resets.mail(cast.member.email) == 0
    login_page = text_of(Client().get("/accounts/login/"))
    assert "An admin of your organization makes you a sign-in link" in login_page


def test_with_password_sign_in_off_there_is_no_reset(cast, smtp, settings):
    settings.ACCORD_PASSWORD_SIGNIN = False
    assert "forgot-password" not in Client().get("/accounts/login/").content.decode()
    for path in ["/accounts/password/forgot/", "/accounts/password/forgot/sent/"]:
        page = Client().get(path)
        assert page.status_code == 403 and "Password sign-in is off" in text_of(page)
    posted = Client().post("/accounts/password/forgot/", {"email": cast.member.email})
    assert posted.status_code == 403 and queued_addresses() == []
    assert password_resets.mail(cast.member.email) == 0


# --- squatting -------------------------------------------------------------------------------


def test_the_owner_takes_back_a_squatted_login_and_joins_with_it(cast, smtp):
    # Eve, Globex's admin, adds Acme's Keiko's address and chooses its password.
    decoy = services.add_person(cast.other_org, cast.outsider, name="Decoy", email=KEIKO)
    eve = login(cast.outsider)
    link, _ = make_link(eve, "globex", decoy)
    choose_password(link, EVES)
    squatter = password_client(KEIKO, EVES)
    api_services.create_token(cast.other_org, decoy, "eve's way back in")
    # Acme invites the real Keiko: her link is a join link asking for that password.
    keiko = services.add_person(cast.org, cast.admin, name="Keiko Tanaka", email=KEIKO)
    services.send_invitation(cast.org, cast.admin, keiko)
    assert delivery.deliver(now=later())["sent"] == 1
    join_link = re.search(r"http://\S+/accounts/join/\S+/", mail_text(smtp.messages[0])).group(0)
    smtp.messages.clear()
    # Keiko asks for a new password by e-mail and chooses one.
    ask(KEIKO)
    assert work() == 1
    owner, done = choose_new(reset_link(smtp))
    assert done.status_code == 302
    # What a password's holder could have made is counted for her to revoke.
    landed = text_of(owner.get(done["Location"], follow=True))
    assert "This login has 1 API token in Globex: revoke any you did not make" in landed
    # Eve's password and session are gone.
    assert not signs_in(KEIKO, EVES)
    assert squatter.get("/o/globex/").status_code == 302
    # Keiko opens her join link in another browser and gives her new password: joined.
    visitor = Client()
    visitor.get(join_link.split("localhost:8000", 1)[-1], follow=True)
    joined = visitor.post("/accounts/join/open/", {"password": NEW})
    assert joined.status_code == 302 and joined["Location"] == "/o/acme/"
    keiko.refresh_from_db()
    assert keiko.user == get_user_model().objects.get(username=KEIKO)
    assert visitor.get("/o/acme/").status_code == 200
    # Now the login is shared, Globex's admin can no longer give it a password-choosing link.
    refused = text_of(eve.post(f"/o/globex/people/{decoy.pk}/sign-in-link/", follow=True))
    assert "there is no sign-in link to make for them" in refused


def test_the_link_is_nowhere_an_admin_or_member_reads(cast, smtp):
    admin, member = login(cast.admin), login(cast.member)  # before: a sign-in spends a link
    ask(cast.admin.email)
    for task in DBTaskResult.objects.filter(task_path=TASK):
        mail_password_reset.call(*task.args_kwargs["args"])
    row = Notification.objects.get()
    token = LINK.search(row.body_text).group(0).rstrip("/").rsplit("/", 1)[-1]
    pages = [
        "/o/acme/activity/",
        "/o/acme/activity/?kind=auth.user",
        f"/o/acme/people/{cast.admin.pk}/",
        "/o/acme/people/",
        "/o/acme/",
        "/o/acme/rhythm/settings/",
    ]

    def nowhere() -> None:
        for client in (admin, member):
            for path in pages:
                assert token not in client.get(path).content.decode(), path
        assert token not in json.dumps(
            list(Event.objects.values("before", "after", "target_label"))
        )

    nowhere()
    assert delivery.deliver(now=later())["sent"] == 1
    _owner, done = choose_new(reset_link(smtp))
    assert done.status_code == 302
    nowhere()
    # Once sent, the delivery row keeps nothing of the message.
    row.refresh_from_db()
    assert (row.body_text, row.body_html, row.link) == ("", "", "")
    assert Event.objects.filter(verb="password_changed", target_label=cast.admin.email).exists()


def test_the_form_cannot_fill_the_task_queue(cast, smtp):
    """One address asked again within 15 minutes queues nothing more; one client queues at
    most ASKS_AN_HOUR asks in the hour. The answer is the same every time."""
    client = Client()
    first = ask(cast.member.email, client)
    again = ask(cast.member.email, client)
    assert text_of(first) == text_of(again)
    assert queued_addresses() == [cast.member.email]
    for i in range(password_resets.ASKS_AN_HOUR + 5):
        ask(f"someone{i}@nowhere.example", client)
    # Every ask counts towards the hour's, the repeated one too: ten asks, nine queued.
    assert len(queued_addresses()) == password_resets.ASKS_AN_HOUR - 1
    # Another client is not held back by the first one's asks.
    other = Client(REMOTE_ADDR="203.0.113.9")
    ask("someone.else@nowhere.example", other)
    assert queued_addresses()[-1] == "someone.else@nowhere.example"
