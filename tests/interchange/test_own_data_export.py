"""A person's own data ("Download my data", `GET /api/v1/interchange/export/me`, `accord export
--person`): everything Accord holds about them and nothing of anyone else's, whether or not
they have an address; the command finds them by any of their addresses."""

from __future__ import annotations

import re

import pytest
import yaml
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import Client

from accord import demo
from accord.activity import delivery
from accord.activity.models import Event
from accord.alignment.models import KeyResultValue
from accord.api import services as token_services
from accord.decisions import services as decisions
from accord.interchange import services
from accord.org import services as org_services
from accord.org.models import Person
from accord.rhythm import services as rhythm
from accord.web import services as web_services
from tests.conftest import PASSWORD, api_client


def _exported(client: Client, url: str = "/api/v1/interchange/export/me") -> str:
    response = client.get(url)
    assert response.status_code == 200, response.content
    return b"".join(response.streaming_content).decode()


def _others(cast, *mine) -> list[str]:
    people = (cast.admin, cast.leader, cast.member, cast.viewer, cast.outsider)
    return [p.email for p in people if p not in mine]


def test_an_agents_own_data_names_nobody_else(cast):
    org = cast.org
    agent = org_services.add_agent(org, cast.member, name="Release bot", owner=cast.member)
    decisions.create_action_item(org, cast.member, "Tag the release", agent)
    decisions.create_action_item(org, cast.admin, "Renew the certificates", cast.admin)
    decisions.raise_issue(org, cast.admin, cast.platform, "Flaky deploys", raised_by=cast.admin)
    _, raw = token_services.create_token(org, agent, "reader", scope="read", actor=cast.member)

    text = _exported(Client(headers={"Authorization": f"Bearer {raw}"}))

    # Its owner is named (who is accountable for it); nobody else's address is there.
    for address in _others(cast, cast.member):
        assert address not in text
    data = yaml.safe_load(text)
    assert not {"people", "memberships", "issues", "objectives"} & set(data)
    (profile,) = data["profile"]
    assert (profile["name"], profile["kind"], profile["owner"]) == (
        "Release bot",
        "agent",
        cast.member.email,
    )
    assert [a["title"] for a in data["action_items"]] == ["Tag the release"]
    assert "Renew the certificates" not in text and "Flaky deploys" not in text


def test_someone_without_an_address_gets_their_work_and_teams_and_nobody_elses(cast):
    org = cast.org
    nora = org_services.add_person(org, cast.admin, name="Nora Field")
    org_services.add_membership(org, cast.admin, person=nora, team=cast.platform, allocation=40)
    decisions.raise_issue(org, cast.admin, cast.platform, "Dust in the racks", raised_by=nora)
    decisions.raise_issue(org, cast.admin, cast.platform, "Not Nora's", raised_by=cast.admin)

    text = _exported(api_client(nora))

    for address in _others(cast):
        assert address not in text
    data = yaml.safe_load(text)
    assert not {"people", "memberships", "issues"} & set(data)
    assert data["profile"][0]["name"] == "Nora Field"
    assert data["teams"] == [{"team": "platform", "role": "member", "allocation": 40}]
    assert [(w["kind"], w["title"], w["as"]) for w in data["work"]] == [
        ("issue", "Dust in the racks", "raised by")
    ]
    assert "Not Nora's" not in text


def test_the_command_finds_a_person_by_any_of_their_addresses(cast, tmp_path):
    org = cast.org
    org_services.update_person(org, cast.admin, cast.member, emails=["mia@home.example"])
    out = tmp_path / "mia.yaml"

    call_command("export", "--org", "acme", "--person", "MIA@Home.example", "-o", str(out))

    data = yaml.safe_load(out.read_text())
    assert data["profile"][0]["email"] == cast.member.email
    assert data["profile"][0]["emails"] == ["mia@home.example"]
    assert [p["email"] for p in data["people"]] == [cast.member.email]

    with pytest.raises(CommandError, match=r"No one in Acme has the address nobody@x\.example"):
        call_command("export", "--org", "acme", "--person", "nobody@x.example")
    # Only the one that was written is recorded.
    assert Event.objects.filter(org=org, target_type="interchange.personaldataexport").count() == 1


def test_ones_own_data_holds_ones_settings_sign_ins_and_tokens_but_no_secret(cast, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    org, mia = cast.org, cast.member
    browser = Client()
    signed_in = browser.post("/accounts/login/", {"username": mia.email, "password": PASSWORD})
    assert signed_in.status_code == 302
    token, raw = token_services.create_token(org, mia, "laptop")
    feed, secret = rhythm.create_feed(org, mia, person=mia)
    delivery.set_preferences(org, mia, mia, chat=False)
    web_services.save_view(org, mia, name="Late ones", path="/o/acme/actions/", query="late=1")
    decisions.create_action_item(org, cast.admin, "Send the figures", mia)  # in Mia's inbox
    with transaction.atomic():
        delivery.notify(
            org, kind="issue_closed", key="t:1", subject="Dust solved", text="…", people=[mia]
        )

    text = _exported(browser, "/o/acme/interchange/my-data.yaml")

    for value in (raw, token.digest, secret, feed.digest):
        assert value not in text
    data = yaml.safe_load(text)
    # Names, scopes and dates (the prefix that tells tokens apart is in the events' labels).
    assert [(t["name"], t["scope"]) for t in data["api_tokens"]] == [("laptop", "member")]
    assert len(data["calendar_feeds"]) == 1 and "created_at" in data["calendar_feeds"][0]
    assert data["delivery_preferences"] == [
        {"email": True, "chat": False, "agenda_emails": "weekly"}
    ]
    assert data["saved_views"][0]["name"] == "Late ones"
    assert "auth.user.signed_in" in [e["kind"] for e in data["events"]]
    assert any("Send the figures" in i["title"] for i in data["inbox"])
    assert sorted((n["subject"], n["channel"]) for n in data["notifications"]) == [
        ("Ada Admin gave you an action item: Send the figures", "email"),
        ("Dust solved", "email"),
    ]


def test_a_leads_own_data_holds_what_they_recorded_and_attended(db):
    org = demo.load()
    jonas = Person.objects.get(org=org, email="jonas.mensah@northwind.example")

    data = yaml.safe_load("".join(services.export_person(jonas)))

    for section in (
        "key_result_values",
        "confidence_updates",
        "rank_changes",
        "dependencies_requested",
        "meeting_attendance",
        "briefings",
        "events",
    ):
        assert data.get(section), section
    first = KeyResultValue.objects.filter(recorded_by=jonas).order_by("recorded_at", "id")[0]
    assert data["key_result_values"][0]["value"] == first.value
    assert len(data["events"]) == Event.objects.filter(org=org, actor=jonas).count()

    maya = Person.objects.get(org=org, email="maya.chen@northwind.example")
    about_maya = yaml.safe_load("".join(services.export_person(maya)))
    assert about_maya["signals_about_you"]


@pytest.fixture
def two_peoples_work(cast):
    """Mia and Leo each own, drive, join and lead things; some of them both."""
    from accord.alignment import services as alignment

    org, mia, leo = cast.org, cast.member, cast.leader
    org_services.add_membership(org, None, person=leo, team=cast.root, role="lead")
    period = alignment.create_period(
        org, None, name="Q1", start="2026-01-01", end="2026-03-31", is_current=True
    )
    for person, title in ((mia, "Mia's checkout"), (leo, "Leo's billing")):
        objective = alignment.create_objective(
            org, None, title=title, period=period, team=cast.platform, owner=person
        )
        alignment.create_key_result(
            org, None, objective, name=f"{title} KR", target=5, owner=person
        )
        alignment.create_initiative(
            org, None, team=cast.platform, title=f"{title} work", owner=person
        )
        decisions.create_decision(org, None, f"{title}: buy or build?", person, driver=person)
        decisions.raise_issue(org, person, cast.platform, f"{title} is flaky", raised_by=person)
    decisions.create_decision(
        org, None, "Shared question", leo, driver=leo, contributors=[mia], informed=[cast.admin]
    )
    return mia, leo


def test_ones_own_data_holds_nothing_of_another_persons(cast, two_peoples_work):
    mia, _leo = two_peoples_work
    text = "".join(services.export_person(Person.objects.get(pk=mia.pk)))
    data = yaml.safe_load(text)
    assert [o["title"] for o in data["objectives"]] == ["Mia's checkout"]
    assert [k["name"] for k in data["key_results"]] == ["Mia's checkout KR"]
    assert [i["title"] for i in data["initiatives"]] == ["Mia's checkout work"]
    assert [i["title"] for i in data["issues"]] == ["Mia's checkout is flaky"]
    # Hers, and the one she contributes to (which names its approver: whose decision it is).
    assert [d["question"] for d in data["decisions"]] == [
        "Mia's checkout: buy or build?",
        "Shared question",
    ]
    assert [p["email"] for p in data["people"]] == [mia.email]
    assert {m["person"] for m in data["memberships"]} == {mia.email}
    assert "Leo's billing" not in text
    assert "acme" not in {m["team"] for m in data["memberships"]}  # Leo's team, not hers


def test_ones_own_data_reads_only_their_rows(cast, two_peoples_work):
    """Each table of things that name people is read for this person's rows only, never the
    organization's whole export kept in part: the cost is that person's, whatever the size
    of the organization."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    mia = Person.objects.get(pk=two_peoples_work[0].pk)
    # Their id or address, or the ids of what their rows refer to (a key result's objective,
    # a decision's contributors).
    theirs = re.compile(rf"""(= |IN \(){mia.pk}\b|'{re.escape(mia.email)}'|id" IN \(\d""")
    tables = (
        "org_person",
        "org_membership",
        "org_teamlink",
        "alignment_objective",
        "alignment_keyresult",
        "alignment_initiative",
        "rhythm_cadence",
        "decisions_decision",
        "decisions_issue",
    )
    with CaptureQueriesContext(connection) as queries:
        "".join(services.export_person(mia))
    for query in queries.captured_queries:
        sql = query["sql"]
        read = sql.split(" FROM ", 1)[1].split()[0].strip('"') if " FROM " in sql else ""
        if read in tables:
            assert theirs.search(sql.split(" WHERE ", 1)[-1]), sql
