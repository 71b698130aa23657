"""From a decision's page its editor links it to a dependency, a meeting, a check-in or an
issue too (every kind the API takes), each chosen with the project's picker of its kind:
named as a person knows it, searched for within the organization only, a few matches at
a time however many there are."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from accord.activity.models import Event
from accord.alignment import services as alignment
from accord.coordination import services as coordination
from accord.decisions import services
from accord.decisions.models import DecisionLink
from accord.org import services as org_services
from accord.rhythm import services as rhythm_services
from accord.web import pickers
from tests.conftest import login
from tests.rhythm.conftest import DUE, rhythm, utc  # noqa: F401 (fixture)

MONDAY = utc(2026, 11, 9, 9)  # a weekly sync: Monday 10:00 in Berlin


@pytest.fixture
def decision(cast):
    return services.create_decision(
        cast.org, cast.member, "Do we keep list prices?", approver=cast.leader
    )


def dependency_of(org, requester, provider, title: str, owner):
    work = alignment.create_initiative(org, None, team=requester, title="Pricing", owner=owner)
    return coordination.create_dependency(
        org,
        None,
        requester_initiative=work,
        provider_team=provider,
        title=title,
        need_by=timezone.localdate() + dt.timedelta(days=30),
    )


@pytest.fixture
def dependency(cast):
    return dependency_of(cast.org, cast.platform, cast.root, "Price feed", cast.member)


@pytest.fixture
def meeting(cast, rhythm):  # noqa: F811
    m = rhythm_services.open_meeting(cast.org, cast.leader, rhythm.sync, MONDAY)
    return rhythm_services.start_meeting(cast.org, cast.leader, m, now=MONDAY)


@pytest.fixture
def checkin(cast, rhythm):  # noqa: F811
    return rhythm_services.submit_checkin(
        cast.org, cast.member, rhythm.checkin, DUE, highlights="Shipped",
        now=DUE - dt.timedelta(hours=1),
    )  # fmt: skip


@pytest.fixture
def issue(cast):
    return services.raise_issue(cast.org, cast.member, cast.platform, "Prices differ by region")


def page(d) -> str:
    return f"/o/acme/decisions/{d.pk}/"


def links_section(html: str) -> str:
    section = html[html.index('id="links-h"') :]
    return section[: section.index("</section>")]


def link_from_page(client, d, kind: str, target_id):
    return client.post(f"{page(d)}links/", {"kind": kind, "target_id": target_id, "label": ""})


# (URL key, target type, the fixture, the name the page gives it, its page's address)
KINDS = {
    "dependency": (
        "coordination.dependency",
        lambda t: "Platform → Acme: Price feed",
        lambda t: f"/o/acme/coordination/d/{t.pk}/",
    ),
    "meeting": (
        "rhythm.meeting",
        lambda t: f"{t.cadence.name} · 9 Nov 2026",
        lambda t: f"/o/acme/rhythm/cadences/{t.cadence_id}/20261109T090000Z/",
    ),
    "check-in": (
        "rhythm.checkin",
        lambda t: f"Mia Member · {t.cadence.name} · 6 Nov 2026",
        lambda t: (
            f"/o/acme/rhythm/cadences/{t.cadence_id}/20261106T150000Z/checkins/"
            f"#checkin-{t.person_id}"
        ),
    ),
    "issue": (
        "decisions.issue",
        lambda t: "Prices differ by region (Platform · open)",
        lambda t: f"/o/acme/decisions/issues/{t.pk}/",
    ),
}


@pytest.mark.parametrize("kind", list(KINDS))
def test_an_editor_links_the_decision_to_each_kind_from_its_page(cast, decision, kind, request):
    target_type, name, address = KINDS[kind]
    target = request.getfixturevalue({"check-in": "checkin"}.get(kind, kind))
    client = login(cast.member)
    section = links_section(client.get(page(decision)).content.decode())
    assert f'href="?link={kind}"' in section  # offered among what it may concern
    form = links_section(client.get(f"{page(decision)}?link={kind}").content.decode())
    # Among the choices, named as a person knows it.
    assert re.search(rf'<option value="{target.pk}"[^>]*>{re.escape(name(target))}</option>', form)

    answer = link_from_page(client, decision, kind, target.pk)

    assert answer.status_code == 302 and answer["Location"] == page(decision)
    assert list(decision.links.values_list("target_type", "target_id")) == [
        (target_type, target.pk)
    ]
    event = Event.objects.get(target_id=str(decision.pk), verb="linked")
    assert event.after["label"] == str(target)
    html = client.get(page(decision)).content.decode()
    assert f"Linked to “{target}”." in html
    kind_tag = {"check-in": "check-in"}.get(kind, kind)
    assert (
        f'<span class="tag">{kind_tag}</span> <a href="{address(target)}">{target}</a>'
        in links_section(html)
    )
    assert client.get(address(target).split("#")[0]).status_code == 200


def test_a_meeting_shows_the_decision_linked_to_it_from_the_decisions_page(cast, decision, meeting):
    url = f"/o/acme/rhythm/cadences/{meeting.cadence_id}/{meeting.key}/"
    client = login(cast.member)
    decisions_h = 'id="decisions-h"'
    before = client.get(url).content.decode()
    assert "Do we keep list prices?" not in before[before.index(decisions_h) :]

    link_from_page(client, decision, "meeting", meeting.pk)

    after = client.get(url).content.decode()
    assert "Do we keep list prices?" in after[after.index(decisions_h) :]


@pytest.mark.parametrize("kind", ["dependency", "meeting"])
def test_another_organizations_dependency_or_meeting_is_refused_and_nothing_changes(
    cast, decision, kind
):
    if kind == "dependency":
        other = org_services.create_team(cast.other_org, None, name="Globex Ops", slug="ops")
        theirs = dependency_of(
            cast.other_org, cast.other_team, other, "Their secret feed", cast.outsider
        )
        noun = "dependency"
    else:
        cadence = rhythm_services.create_cadence_from_template(
            cast.other_org,
            None,
            "weekly-sync",
            team=cast.other_team,
            timezone_name="Europe/Berlin",
            start_date=dt.date(2026, 10, 1),
            owner=cast.outsider,
        )
        cadence.name = "Their secret sync"
        cadence.save()
        theirs = rhythm_services.open_meeting(cast.other_org, None, cadence, MONDAY)
        noun = "meeting"
    events = Event.objects.count()
    client = login(cast.member)

    answer = link_from_page(client, decision, kind, theirs.pk)

    assert answer.status_code == 422
    html = answer.content.decode()
    assert f"Nothing was linked: No such {noun} in Acme; choose one from the list." in html
    assert f"No such {noun} in Acme; choose one from the list." in links_section(html)
    assert "Their secret" not in html
    assert not DecisionLink.objects.exists() and Event.objects.count() == events
    # Nor is it found by searching from Acme.
    found = client.get(f"/o/acme/pick/{kind}/", {"q": "secret"})
    assert found.status_code == 200 and b"Their secret" not in found.content


def test_each_kind_is_searched_by_its_name_a_few_at_a_time(
    cast, dependency, meeting, checkin, issue, monkeypatch
):
    client = login(cast.member)

    def matches(kind, q) -> list[str]:
        html = client.get(f"/o/acme/pick/{kind}/", {"q": q}).content.decode()
        return re.findall(r'role="option"[^>]*aria-label="([^"]*)"', html)

    assert matches("dependency", "price feed") == ["Platform → Acme: Price feed"]
    assert matches("dependency", "acme") == ["Platform → Acme: Price feed"]  # a team's name
    assert matches("meeting", meeting.cadence.name[:6]) == [str(meeting)]
    assert matches("checkin", "mia member") == [str(checkin)]
    assert matches("issue", "differ") == ["Prices differ by region (Platform)"]
    assert matches("meeting", "nothing like it") == []
    # Never more than a few, however many match.
    for n in range(pickers.SEARCH_LIMIT + 3):
        services.raise_issue(cast.org, cast.member, cast.platform, f"Prices differ {n}")
    assert len(matches("issue", "differ")) == pickers.SEARCH_LIMIT
    # Past the picker's threshold the form is a search box, never a list of them all.
    monkeypatch.setattr(pickers, "PICKER_THRESHOLD", 5)
    d = services.create_decision(cast.org, cast.member, "Which region?", approver=cast.leader)
    form = links_section(client.get(f"{page(d)}?link=issue").content.decode())
    assert "/pick/issue/" in form and "<option" not in form


def test_the_issue_choices_show_their_state_and_a_refusal_says_the_fields_words(cast, decision):
    kept = services.raise_issue(cast.org, cast.member, cast.platform, "Prices differ by region")
    gone = services.raise_issue(cast.org, cast.member, cast.platform, "Prices differ by day")
    services.drop_issue(cast.org, cast.member, gone, "Not true")
    client = login(cast.member)
    html = client.get(f"{page(decision)}?link=issue").content.decode()
    assert f'value="{kept.pk}">Prices differ by region (Platform · open)</option>' in html
    assert f'value="{gone.pk}">Prices differ by day (Platform · dropped)</option>' in html

    answer = link_from_page(client, decision, "issue", "")
    assert answer.status_code == 422
    assert "Nothing was linked: Choose an issue." in answer.content.decode()
    assert not DecisionLink.objects.exists()
