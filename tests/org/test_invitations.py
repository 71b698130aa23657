"""Inviting people: an admin adds someone and Accord e-mails them a link to choose their
password, through the one delivery path (queued by the request, sent by the worker to a
real local SMTP server); a pasted list of people is previewed, refused whole for a line it
cannot read, and added in one go; the people list keeps those who never signed in."""

from __future__ import annotations

import datetime as dt
import re
import time
import zoneinfo

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from accord.activity import delivery
from accord.activity.models import Event, Notification
from accord.core.errors import PermissionDenied, ServiceError
from accord.org import invitations, queries, services, views
from accord.org.models import Membership, Person, Role
from accord.web.templatetags.dates import day, weekday_moment
from tests.api.conftest import send
from tests.conftest import api_client, at, login
from tests.org.test_last_sign_in import sign_in_and_land
from tests.web.test_background_notice import NOTICE, worker_ticked

LINK = re.compile(r"http://\S+/accounts/welcome/\S+/")


def later(minutes: int = 1) -> dt.datetime:
    return timezone.now() + dt.timedelta(minutes=minutes)


def mail_text(message) -> str:
    return message.get_body(("plain",)).get_content()


@pytest.fixture
def no_email(settings, monkeypatch):
    """A server with e-mail left as it comes: no EMAIL_HOST, no EMAIL_BACKEND."""
    monkeypatch.delenv("EMAIL_HOST", raising=False)
    monkeypatch.delenv("EMAIL_BACKEND", raising=False)
    settings.EMAIL_BACKEND = invitations.SMTP_BACKEND
    settings.EMAIL_HOST = "localhost"


def choose_password(link: str, password: str = "Correct-Horse-Battery-42") -> Client:
    """Follow an invitation's link and choose a password, as the invitee's browser does."""
    visitor = Client()
    form = visitor.get(link.split("localhost:8000", 1)[-1], follow=True)
    assert b"Choose your password" in form.content
    done = visitor.post(
        form.request["PATH_INFO"], {"new_password1": password, "new_password2": password}
    )
    assert done.status_code == 302 and done["Location"] == "/o/acme/"
    return visitor


# --- one person --------------------------------------------------------------------------


def test_adding_a_person_emails_them_an_invitation_with_a_working_link(cast, smtp):
    admin = login(cast.admin)
    added = admin.post(
        "/o/acme/people/new/",
        {
            "name": "Nina New",
            "email": "nina@acme.example",
            "role": "member",
            "timezone": "Europe/Berlin",
            "invite": "on",
        },
    )
    assert added.status_code == 302
    nina = Person.objects.get(org=cast.org, email="nina@acme.example")
    assert smtp.messages == []  # the request queues it; the worker sends it
    assert Notification.objects.filter(person=nina, kind="invitation").count() == 1

    assert delivery.deliver(now=later())["sent"] == 1
    [mail] = smtp.messages
    assert mail["X-Rcpt"] == "nina@acme.example"
    assert mail["Subject"].strip() == "Ada Admin invited you to Acme on Accord"
    text = mail_text(mail)
    assert "Ada Admin (ada.admin@acme.example) invited you to Acme" in text
    assert "sign in as nina@acme.example" in text
    invited = Event.objects.for_org(cast.org).for_target("org.person", nina.pk).get(verb="invited")
    expires = dt.datetime.fromisoformat(invited.after["link_expires_at"])
    assert abs(expires - invited.created_at - dt.timedelta(days=3)) < dt.timedelta(minutes=1)
    berlin = weekday_moment(expires.astimezone(zoneinfo.ZoneInfo("Europe/Berlin")))
    assert f"The link works once, within 3 days: until {berlin}, Europe/Berlin time." in text
    link = LINK.search(text).group(0)
    assert 'href="' + link in mail.get_body(("html",)).get_content()

    # The person page tells the admin who invited them, and that it is not yet accepted.
    page = admin.get(f"/o/acme/people/{nina.pk}/").content.decode()
    assert f"Invited by Ada Admin on {day(invited.created_at)}" in page  # the admin's zone: UTC
    assert "Invitation sent, not yet accepted" in page and ">Send again<" in page
    assert "E-mailed to nina@acme.example" in page

    choose_password(link)
    signed_in = Client()  # signs in, and lands in Acme: Acme's sign-in
    answer = signed_in.post(
        "/accounts/login/",
        {"username": "nina@acme.example", "password": "Correct-Horse-Battery-42"},
    )
    assert answer.status_code == 302
    assert signed_in.get(answer["Location"], follow=True).status_code == 200
    page = admin.get(f"/o/acme/people/{nina.pk}/").content.decode()
    assert "Last signed in" in page
    assert "Send again" not in page and "not yet accepted" not in page
    refused = admin.post(f"/o/acme/people/{nina.pk}/invite/", follow=True).content.decode()
    assert "already signs in" in refused
    assert Notification.objects.filter(person=nina, kind="invitation").count() == 1


def test_send_again_queues_a_new_invitation_once_a_minute(cast, smtp, monkeypatch):
    nina = services.add_person(cast.org, None, name="Nina New", email="nina@acme.example")
    admin = login(cast.admin)
    page = admin.get(f"/o/acme/people/{nina.pk}/").content.decode()
    assert "has not signed in since being added" in page and ">Send an invitation e-mail<" in page
    answer = admin.post(f"/o/acme/people/{nina.pk}/invite/", follow=True).content.decode()
    assert "Invitation e-mail to nina@acme.example queued" in answer
    again = admin.post(f"/o/acme/people/{nina.pk}/invite/", follow=True).content.decode()
    assert "queued less than a minute ago" in again  # a double click sends one
    assert Notification.objects.filter(person=nina).count() == 1
    monkeypatch.setattr(services, "now", lambda: later(2))  # two minutes on
    admin.post(f"/o/acme/people/{nina.pk}/invite/")
    assert delivery.deliver(now=later(3))["sent"] == 2
    assert [m["X-Rcpt"] for m in smtp.messages] == ["nina@acme.example"] * 2
    choose_password(LINK.search(mail_text(smtp.messages[-1])).group(0))
    invited = Event.objects.for_org(cast.org).for_target("org.person", nina.pk)
    assert invited.filter(verb="invited", actor=cast.admin).count() == 2


def test_someone_whose_address_is_a_login_elsewhere_is_invited_with_a_join_link(cast, smtp):
    """No admin attaches a person to a login that exists: the e-mail carries a join link
    for its holder (tests/org/test_join_links.py), and the admin is told what any
    invitation with a link tells (not whether the address was a login)."""
    otto = services.add_person(cast.org, None, name="Otto", email=cast.outsider.email)
    sent = services.send_invitation(cast.org, cast.admin, otto)
    assert sent["signs_in_with"] == invitations.NEW_PASSWORD and sent["expires_at"]
    otto.refresh_from_db()
    assert otto.user_id is None  # not linked: only the login's holder joins it
    delivery.deliver(now=later())
    text = mail_text(smtp.messages[0])
    assert "already has an Accord login" in text and "/accounts/welcome/" not in text
    assert "http://localhost:8000/accounts/join/" in text


def test_without_email_set_up_the_pages_say_so_and_offer_the_link(cast, no_email):
    assert not invitations.email_configured()
    nina = services.add_person(cast.org, None, name="Nina New", email="nina@acme.example")
    admin = login(cast.admin)
    page = admin.get(f"/o/acme/people/{nina.pk}/").content.decode()
    assert "Accord sends no e-mail here" in page
    assert "Send an invitation e-mail" not in page
    assert "Sign-in link (invite to choose a password)" in page  # the copy-the-link way
    form = admin.get("/o/acme/people/new/").content.decode()
    assert 'name="invite"' not in form and "Accord sends no e-mail here" in form
    bulk = admin.get("/o/acme/people/invite/").content.decode()
    assert 'name="send"' not in bulk and "Accord sends no e-mail here" in bulk
    refused = admin.post(f"/o/acme/people/{nina.pk}/invite/", follow=True).content.decode()
    assert "EMAIL_HOST or EMAIL_BACKEND is not set" in refused
    assert not Notification.objects.exists()


def test_an_invitation_needs_an_address_and_refusing_it_adds_nobody(cast):
    answer = login(cast.admin).post(
        "/o/acme/people/new/",
        {"name": "Nomail", "role": "member", "timezone": "UTC", "invite": "on"},
    )
    assert answer.status_code == 200
    assert "An invitation needs an e-mail address." in answer.content.decode()
    assert not Person.objects.filter(name="Nomail").exists()


# --- a pasted list ------------------------------------------------------------------------


LIST = """Ana Ruiz <ana@acme.example>
bo.chen@acme.example

Cy Diaz, cy@acme.example
# already here
{member}
{outsider}
"""


def pasted(cast) -> str:
    return LIST.format(member=cast.member.email.upper(), outsider=cast.outsider.email)


def preview(client, text: str, **fields):
    data = {"people": text, "role": "member", "role_in_team": "member", "send": "on", **fields}
    return client.post("/o/acme/people/invite/", {"action": "preview", **data}), data


def test_the_preview_names_who_is_added_and_who_is_here_and_changes_nothing(cast):
    before = (Person.objects.count(), Event.objects.count(), Notification.objects.count())
    admin = login(cast.admin)
    assert "Invite people" in admin.get("/o/acme/people/").content.decode()
    answer, _data = preview(admin, pasted(cast))
    assert answer.status_code == 200
    page = answer.content.decode()
    new = page[page.index('class="table invite-new"') : page.index('class="table invite-existing"')]
    assert [m for m in re.findall(r"<td>([^<]+)</td>", new) if "@" in m] == [
        "ana@acme.example",
        "bo.chen@acme.example",
        "cy@acme.example",
        cast.outsider.email,
    ]
    assert 'Bo Chen <span class="muted">(from the address)' in new
    # Otto's address is Globex's login: the admin is not told (he gets a join link).
    assert "Accord login" not in page and "own password" not in page
    assert "Globex" not in page  # nothing of the other organization is shown
    existing = page[page.index('class="table invite-existing"') :]
    assert "Mia Member" in existing
    assert "Add 4 people and e-mail their invitations" in page
    assert (Person.objects.count(), Event.objects.count(), Notification.objects.count()) == before


def test_a_bad_line_refuses_the_whole_list_and_changes_nothing(cast):
    before = (Person.objects.count(), Event.objects.count(), Notification.objects.count())
    text = "Ana Ruiz <ana@acme.example>\nBo Chen bo-at-acme\nCy, cy@acme.example, x\n"
    text += "ana@ACME.example\n"
    admin = login(cast.admin)
    answer, data = preview(admin, text)
    assert answer.status_code == 422
    page = answer.content.decode()
    # A preview adds nobody: it says what is wrong and that nothing changed.
    assert "The list has a problem, so nothing was changed." in page
    assert "Nobody was added" not in page
    assert "Line 2: no e-mail address" in page
    assert "Line 3: one person a line" in page
    assert "Line 4: ana@ACME.example is on line 1 too." in page
    assert "invite-preview" not in page  # nothing to confirm
    # Confirming it anyway (a forged or stale page) is refused just the same.
    forged = invitations.digest(text, "member", "", "member", True)
    confirm = admin.post(
        "/o/acme/people/invite/", {**data, "action": "confirm", "previewed": forged}
    )
    assert confirm.status_code == 422 and "Line 2: no e-mail address" in confirm.content.decode()
    with pytest.raises(ServiceError, match=r"Nobody was added\. Correct these lines: Line 2"):
        services.invite_people(cast.org, cast.admin, text)
    assert (Person.objects.count(), Event.objects.count(), Notification.objects.count()) == before


def test_confirming_adds_everyone_to_the_team_and_queues_their_invitations(cast, smtp):
    admin = login(cast.admin)
    answer, data = preview(admin, pasted(cast), role="viewer", team=cast.platform.pk)
    previewed = re.search(r'name="previewed" value="([^"]+)"', answer.content.decode()).group(1)
    done = admin.post(
        "/o/acme/people/invite/", {**data, "action": "confirm", "previewed": previewed}
    )
    assert done.status_code == 302 and done["Location"] == "/o/acme/people/?signed_in=never"
    listed = admin.get(done["Location"]).content.decode()
    emails = ["ana@acme.example", "bo.chen@acme.example", "cy@acme.example", cast.outsider.email]
    added = Person.objects.filter(org=cast.org, email__in=emails)
    ana, bo, cy, otto = (added.get(email=e) for e in emails)
    assert (
        "4 people added to Acme and to Platform: "
        f'<a href="/o/acme/people/{ana.pk}/">Ana Ruiz</a>, '
        f'<a href="/o/acme/people/{bo.pk}/">Bo Chen</a>, '
        f'<a href="/o/acme/people/{cy.pk}/">Cy Diaz</a> and '
        f'<a href="/o/acme/people/{otto.pk}/">Otto Outsider</a>. '
        "Their invitation e-mails are queued for Accord's worker to send. "
        "1 already here was left as they are."
    ) in listed
    assert sorted(p.name for p in added) == ["Ana Ruiz", "Bo Chen", "Cy Diaz", "Otto Outsider"]
    assert {p.role for p in added} == {Role.VIEWER}
    assert {p.timezone for p in added} == {cast.admin.timezone}
    terms = Membership.objects.filter(team=cast.platform, person__in=added)
    assert sorted(terms.values_list("role", flat=True)) == ["member"] * 4
    assert Person.objects.filter(org=cast.org, email__iexact=cast.member.email).count() == 1
    assert delivery.deliver(now=later())["sent"] == 4
    assert sorted(m["X-Rcpt"] for m in smtp.messages) == sorted(emails)
    ana = next(m for m in smtp.messages if m["X-Rcpt"] == "ana@acme.example")
    choose_password(LINK.search(mail_text(ana)).group(0))
    for name in ("Ana Ruiz", "Bo Chen", "Cy Diaz"):
        assert name in listed


def test_a_list_changed_since_its_preview_is_previewed_again_not_added(cast):
    admin = login(cast.admin)
    answer, data = preview(admin, "ana@acme.example")
    previewed = re.search(r'name="previewed" value="([^"]+)"', answer.content.decode()).group(1)
    changed = {**data, "people": "ana@acme.example\nbo@acme.example"}
    again = admin.post(
        "/o/acme/people/invite/", {**changed, "action": "confirm", "previewed": previewed}
    )
    assert again.status_code == 200
    assert "The list changed since its preview" in again.content.decode()
    assert "Add 2 people" in again.content.decode()
    assert not Person.objects.filter(email__in=["ana@acme.example", "bo@acme.example"]).exists()


def confirm(client, text: str, **fields):
    """Preview `text`, then confirm what the preview showed."""
    answer, data = preview(client, text, **fields)
    previewed = re.search(r'name="previewed" value="([^"]+)"', answer.content.decode()).group(1)
    return client.post(
        "/o/acme/people/invite/", {**data, "action": "confirm", "previewed": previewed}
    )


def test_a_long_list_names_the_first_people_added_and_counts_the_rest(cast, monkeypatch):
    """A pasted list can hold 200 people: the result links the first few by name (escaped
    as names are) and counts the others, who are on the list of those not signed in."""
    monkeypatch.setattr(views, "INVITED_NAMED", 2)
    admin = login(cast.admin)
    text = "Dan O'Neil <dan@acme.example>\nbo@acme.example\ncy@acme.example\nde@acme.example"
    done = confirm(admin, text, send="")
    page = admin.get(done["Location"]).content.decode()
    dan = Person.objects.get(org=cast.org, email="dan@acme.example")
    bo = Person.objects.get(org=cast.org, email="bo@acme.example")
    assert (
        f'4 people added to Acme: <a href="/o/acme/people/{dan.pk}/">Dan O&#x27;Neil</a>, '
        f'<a href="/o/acme/people/{bo.pk}/">Bo</a> and 2 more. '
        "Make each a sign-in link on their page to let them in."
    ) in page
    assert not Notification.objects.exists()


def test_queued_invitations_are_not_called_sent_and_a_missing_worker_is_told_at_once(
    cast, smtp, monkeypatch
):
    """Invitation e-mails wait for Accord's worker: the result and the person's page say
    they are queued until the e-mail went, and the admin who queued them hears at once
    that no worker runs (other pages say so once they are overdue)."""
    admin = login(cast.admin)
    done = confirm(admin, "Ana Ruiz <ana@acme.example>")
    # A fragment fetched in between (the next page of a feed) does not use up the notice.
    fragment = admin.get("/o/acme/activity/?page=1", HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200 and NOTICE not in fragment.content.decode()
    result = admin.get(done["Location"]).content.decode()
    assert "The invitation e-mail is queued for Accord's worker to send." in result
    assert "on the way" not in result
    assert NOTICE in result and "Background work is not running." in result
    assert NOTICE not in admin.get("/o/acme/people/").content.decode()  # nothing overdue yet
    ana = Person.objects.get(org=cast.org, email="ana@acme.example")
    page = admin.get(f"/o/acme/people/{ana.pk}/").content.decode()
    assert "Invitation queued, not sent yet." in page and "Invitation sent" not in page
    assert "Waiting for Accord's worker to e-mail it to ana@acme.example." in page
    # Sending again, or adding one person with an invitation, tells the same.
    monkeypatch.setattr(services, "now", lambda: later(2))  # past the double-click guard
    for answer in (
        admin.post(f"/o/acme/people/{ana.pk}/invite/", follow=True),
        admin.post(
            "/o/acme/people/new/",
            {"name": "Bo", "email": "bo@acme.example", "role": "member", "timezone": "UTC"}
            | {"invite": "on"},
            follow=True,
        ),
    ):
        html = answer.content.decode()
        assert "queued for Accord&#x27;s worker to send" in html and NOTICE in html
        assert "on its way" not in html
    assert delivery.deliver(now=later(3))["sent"] == 3
    page = admin.get(f"/o/acme/people/{ana.pk}/").content.decode()
    assert "Invitation sent, not yet accepted." in page
    # While a worker runs, nothing is said.
    worker_ticked(time.time())
    done = confirm(admin, "cy@acme.example")
    assert NOTICE not in admin.get(done["Location"]).content.decode()


def test_the_history_of_an_invitation_and_of_the_organization_reads_as_their_pages_do(cast):
    """A person's History names how they sign in, and the organization's its address, as
    the pages call them, not by the values and field names stored."""
    nina = services.add_person(cast.org, None, name="Nina New", email="nina@acme.example")
    services.send_invitation(cast.org, cast.admin, nina)
    admin = login(cast.admin)
    page = admin.get(f"/o/acme/people/{nina.pk}/").content.decode()
    said = '<span class="changes__field">Signs in with</span>: <ins>{}</ins>'
    assert said.format("a password they choose with the invitation&#x27;s link") in page
    assert "new_password" not in page
    settings_page = admin.get("/o/acme/settings/organization/").content.decode()
    assert '<span class="changes__field">Address</span>: <ins>acme</ins>' in settings_page
    assert "Slug" not in settings_page
    # The organization's lists call theirs a short name.
    kind = services.add_team_kind(cast.org, cast.admin, name="Chapter", slug="chapter")
    event = Event.objects.for_org(cast.org).for_target("org.teamkind", kind.pk).get()
    assert ("Short name", None, "chapter") in event.changes


def test_the_role_in_a_team_is_asked_only_with_a_team(cast):
    """Without a team, the role in it is no question: not marked required, and a list is
    added without it; with a team and no role given, they are its members."""
    admin = login(cast.admin)
    form = admin.get("/o/acme/people/invite/").content.decode()
    assert re.search(r'for="id_role_in_team">Role in the team</label>', form)
    role = r'for="id_role">Organization role <span aria-hidden="true">\*</span></label>'
    assert re.search(role, form)
    answer, _data = preview(admin, "ana@acme.example", role_in_team="")
    assert answer.status_code == 200 and "Add 1 person" in answer.content.decode()
    done = confirm(admin, "bo@acme.example", role_in_team="", team=cast.platform.pk)
    assert done.status_code == 302
    bo = Person.objects.get(org=cast.org, email="bo@acme.example")
    assert Membership.objects.get(person=bo, team=cast.platform).role == "member"


@pytest.mark.parametrize(
    "line,read",
    [
        ("Ada Lovelace <ada@example.com>", ("Ada Lovelace", "ada@example.com")),
        ('"Lovelace, Ada" <ada@example.com>,', ("Lovelace, Ada", "ada@example.com")),
        ("<ada@example.com>", ("Ada", "ada@example.com")),
        ("ada.lovelace@example.com", ("Ada Lovelace", "ada.lovelace@example.com")),
        ("Ada Lovelace, ada@example.com", ("Ada Lovelace", "ada@example.com")),
        ("ada@example.com, Ada Lovelace", ("Ada Lovelace", "ada@example.com")),
        ("Ada Lovelace\tada@example.com", ("Ada Lovelace", "ada@example.com")),
        ("Ada Lovelace; ada@example.com", ("Ada Lovelace", "ada@example.com")),
    ],
)
def test_each_way_of_writing_a_person_is_read(line, read):
    [found], errors = invitations.parse(f"\n  {line}  \n")
    assert errors == [] and (found.name, found.email, found.number) == (*read, 2)


def test_a_list_longer_than_the_limit_is_refused_at_the_first_line_too_many():
    text = "\n".join(f"p{i}@example.com" for i in range(invitations.MAX_LINES + 5))
    lines, errors = invitations.parse(text)
    assert len(lines) == invitations.MAX_LINES
    assert errors == [
        (invitations.MAX_LINES + 1, "at most 200 people at a time; invite the rest next.")
    ]


# --- who never signed in -------------------------------------------------------------------


def names(page: str) -> list[str]:
    """The people a page of the people list shows, in order."""
    rows = page[page.index('id="people-rows"') :]
    return re.findall(r'<td><a href="/o/acme/people/\d+/">([^<]+)</a>', rows)


def test_the_people_list_keeps_those_who_never_signed_in(cast, monkeypatch):
    nina = services.add_person(cast.org, None, name="Nina New", email="nina@acme.example")
    services.add_person(cast.org, None, name="Nils Nobody")
    services.add_agent(cast.org, cast.admin, owner=cast.admin, name="Release bot")
    # Added here after signing in elsewhere: not signed in here yet.
    otto = services.add_person(cast.org, None, name="Otto", email=cast.outsider.email)
    with at(timezone.now() - dt.timedelta(days=3)):
        sign_in_and_land(cast.outsider.email)  # to Globex, his organization then
    # His join link (his address is a login already), used by him: linked to his login.
    joining = services.sign_in_link(cast.org, cast.admin, otto)
    services.join_with_login(joining.split("/")[-2], cast.outsider.user)
    sign_in_and_land(cast.outsider.email, "/o/globex/")  # Globex's sign-in, not Acme's
    for person in (cast.admin, cast.leader, cast.member, cast.viewer):
        sign_in_and_land(person.email)  # signs in to Acme
    services.send_invitation(cast.org, cast.admin, nina)

    admin = login(cast.admin)
    page = admin.get("/o/acme/people/?signed_in=never").content.decode()
    assert names(page) == ["Nils Nobody", "Nina New", "Otto"]
    assert "People who have not signed in" in page
    invited = Event.objects.for_org(cast.org).for_target("org.person", nina.pk).get(verb="invited")
    assert f"invited {day(invited.created_at)}" in page
    everyone = admin.get("/o/acme/people/").content.decode()
    assert "Last sign-in" in everyone and "just now" in everyone

    # Paginated as the list is, the filter kept from page to page.
    monkeypatch.setattr(queries, "LIST_PAGE", 2)
    first = admin.get("/o/acme/people/?signed_in=never").content.decode()
    assert "?page=2&amp;signed_in=never" in first
    second = admin.get("/o/acme/people/?page=2&signed_in=never").content.decode()
    assert ">Otto<" in second and "Page 2 of 2" in second

    # Sign-ins are for admins: a member's list neither filters by them nor shows them.
    member = login(cast.member).get("/o/acme/people/?signed_in=never").content.decode()
    # The organization switcher opens the same address elsewhere: not an offer of the filter.
    member = re.sub(r'<details class="switcher">.*?</details>', "", member, flags=re.S)
    assert "Mia Member" in member and "Last sign-in" not in member
    assert "signed_in=never" not in member and "Never signed in" not in member

    api = send(api_client(cast.admin), "get", "/api/v1/people?never_signed_in=true").json()
    assert [p["name"] for p in api["items"]] == ["Nils Nobody", "Nina New", "Otto"]
    refused = send(api_client(cast.member), "get", "/api/v1/people?never_signed_in=true")
    assert refused.status_code == 403


# --- who may -------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["leader", "member", "viewer"])
def test_only_admins_invite(cast, who):
    nina = services.add_person(cast.org, None, name="Nina New", email="nina@acme.example")
    person = getattr(cast, who)
    client = login(person)
    assert client.get("/o/acme/people/invite/").status_code == 403
    preview_answer, _data = preview(client, "ana@acme.example")
    assert preview_answer.status_code == 403
    assert client.post(f"/o/acme/people/{nina.pk}/invite/").status_code == 403
    assert (
        "Send an invitation e-mail" not in client.get(f"/o/acme/people/{nina.pk}/").content.decode()
    )
    with pytest.raises(PermissionDenied):
        services.send_invitation(cast.org, person, nina)
    with pytest.raises(PermissionDenied):
        services.invite_people(cast.org, person, "ana@acme.example")
    api = api_client(person)
    assert send(api, "post", f"/api/v1/people/{nina.pk}/invite").status_code == 403
    assert not Notification.objects.exists()
    assert not Person.objects.filter(email="ana@acme.example").exists()
    # Another organization's admin cannot invite Acme's people.
    outsider = api_client(cast.outsider)
    assert send(outsider, "post", f"/api/v1/people/{nina.pk}/invite").status_code == 404


def test_the_api_adds_and_invites_one_person_a_call(cast, smtp, monkeypatch):
    client = api_client(cast.admin)
    created = send(
        client,
        "post",
        "/api/v1/people",
        {"name": "Nia New", "email": "nia@acme.example", "invite": True},
    )
    assert created.status_code == 201
    nia = created.json()["id"]
    again = send(client, "post", f"/api/v1/people/{nia}/invite")
    assert again.status_code == 422 and again.json()["error"]["code"] == "just_invited"
    moved = later(2)
    monkeypatch.setattr(services, "now", lambda: moved)  # two minutes on
    sent = send(client, "post", f"/api/v1/people/{nia}/invite")
    assert sent.status_code == 200
    body = sent.json()
    assert (body["person_id"], body["email"], body["signs_in_with"]) == (
        nia,
        "nia@acme.example",
        "new_password",
    )
    expires = dt.datetime.fromisoformat(body["expires_at"])
    assert abs(expires - (moved + invitations.expiry())) < dt.timedelta(seconds=1)
    assert delivery.deliver(now=later(3))["sent"] == 2
    taken = send(
        client,
        "post",
        "/api/v1/people",
        {"name": "Mia", "email": cast.member.email, "invite": True},
    )
    assert taken.status_code == 409
    agent = send(
        client,
        "post",
        "/api/v1/people",
        {"name": "Bot", "kind": "agent", "owner_id": cast.admin.pk, "invite": True},
    )
    assert agent.status_code == 422 and agent.json()["error"]["fields"]["invite"]
    assert not Person.objects.filter(name="Bot").exists()
    assert get_user_model().objects.filter(username="nia@acme.example").exists()


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_a_sign_in_link_made_is_the_invitation_the_page_tells_of(cast, no_email):
    """A sign-in link is an invitation made by hand: shown once, then the person's page
    says who made it, when, and until when it works, or that it stopped working (make a
    new one); the people list says so too, and the person's history reads it."""
    from accord.web.templatetags.dates import moment

    nina = services.add_person(cast.org, None, name="Nina New", email="nina@acme.example")
    admin = login(cast.admin)
    shown = admin.post(f"/o/acme/people/{nina.pk}/sign-in-link/", follow=True).content.decode()
    assert 'id="sign-in-link-value"' in shown
    made = (
        Event.objects.for_org(cast.org)
        .for_target("org.person", nina.pk)
        .get(verb="sign_in_link_made")
    )
    page = admin.get(f"/o/acme/people/{nina.pk}/").content.decode()
    card = _text(page.split('id="invitation"')[1].split("</section>")[0])
    assert f"Sign-in link made by Ada Admin on {day(made.created_at)};" in card, card
    expires = dt.datetime.fromisoformat(made.after["link_expires_at"])
    assert abs(expires - made.created_at - dt.timedelta(days=3)) < dt.timedelta(minutes=1)
    assert (
        f"Sign-in link made by Ada Admin on {day(made.created_at)}; "
        f"it works until {moment(expires)}, unless a newer link replaces it." in card
    ), card
    assert "has not signed in since being added" not in card
    assert "Accord sends no e-mail here" not in card  # it says Accord did not send it
    assert "Make a new sign-in link" in card and 'id="sign-in-link-value"' not in page
    history = _text(page.split('id="history')[1])
    assert (
        f"Ada Admin made a sign-in link for this person Login : nina@acme.example "
        f"Link works until : {moment(expires)}" in history
    ), history
    listed = admin.get("/o/acme/people/?signed_in=never").content.decode()
    assert f"sign-in link made {day(made.created_at)}" in listed

    # Days later (a link recorded before events said when it stops): it no longer works.
    old = made.created_at - dt.timedelta(days=4)
    Event._base_manager.filter(pk=made.pk).update(created_at=old, after={"login": nina.email})
    page = admin.get(f"/o/acme/people/{nina.pk}/").content.decode()
    card = page.split('id="invitation"')[1].split("</section>")[0]
    stopped = moment(old + dt.timedelta(days=3))
    assert f"it stopped working on {stopped}</strong>: make a new one." in card, card
    assert "Accord sends no e-mail here" in card and "Make a new sign-in link" in card
