"""A decision's page says what it concerns: whoever may edit the decision links it there to
an objective, key result, initiative or another decision, and removes a link, through the
services the API uses (each change recorded, a refusal changing nothing); anyone else sees
no controls and is refused."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accord.activity.models import Event
from accord.alignment import services as alignment
from accord.decisions import services
from accord.decisions.models import DecisionLink
from accord.web import pickers
from tests.conftest import api_client, login


def page(d) -> str:
    return f"/o/acme/decisions/{d.pk}/"


def links_section(html: str) -> str:
    section = html[html.index('id="links-h"') :]
    return section[: section.index("</section>")]


def link_from_page(client, d, kind: str, target_id, label: str = ""):
    return client.post(f"{page(d)}links/", {"kind": kind, "target_id": target_id, "label": label})


def test_an_editor_links_the_decision_to_an_initiative_from_its_page(cast, decision, initiative):
    client = login(cast.member)
    section = links_section(client.get(page(decision)).content.decode())
    assert "Not linked to anything." in section and "Link to…" in section
    assert 'href="?link=initiative"' in section
    form = links_section(client.get(f"{page(decision)}?link=initiative").content.decode())
    assert f'action="{page(decision)}links/"' in form and 'name="target_id"' in form
    assert "Pricing page" in form  # among the initiatives to choose from

    answer = link_from_page(client, decision, "initiative", initiative.pk)

    assert answer.status_code == 302 and answer["Location"] == page(decision)
    assert list(decision.links.values_list("target_type", "target_id", "label")) == [
        ("alignment.initiative", initiative.pk, "")
    ]
    event = Event.objects.get(target_id=str(decision.pk), verb="linked")
    assert (event.actor, event.after["label"]) == (cast.member, "Pricing page")
    html = client.get(page(decision)).content.decode()
    section = links_section(html)
    href = f"/o/acme/alignment/initiatives/{initiative.pk}/"
    assert f'<a href="{href}">Pricing page</a>' in section
    assert "Not linked to anything." not in section
    assert "Linked to “Pricing page”." in html
    assert "Remove" in section


def test_an_editor_removes_a_link_from_the_page(cast, decision, initiative):
    services.link(cast.org, cast.member, decision, "alignment.initiative", initiative.pk)
    client = login(cast.member)
    remove = f"{page(decision)}links/remove/"
    assert f'action="{remove}"' in links_section(client.get(page(decision)).content.decode())

    answer = client.post(
        remove, {"target_type": "alignment.initiative", "target_id": initiative.pk}
    )

    assert answer.status_code == 302
    assert not decision.links.exists()
    event = Event.objects.get(target_id=str(decision.pk), verb="unlinked")
    assert event.before["label"] == "Pricing page"
    html = client.get(page(decision)).content.decode()
    assert "Not linked to anything." in links_section(html)
    assert "No longer linked to “Pricing page”." in html
    # Removed already: refused, said so, nothing recorded.
    events = Event.objects.count()
    client.post(remove, {"target_type": "alignment.initiative", "target_id": initiative.pk})
    assert "not linked to that" in client.get(page(decision)).content.decode()
    assert Event.objects.count() == events


def test_another_organizations_initiative_is_refused_and_nothing_changes(cast, decision):
    theirs = alignment.create_initiative(
        cast.other_org, None, team=cast.other_team, title="Their secret plan", owner=cast.outsider
    )
    events = Event.objects.count()
    client = login(cast.member)

    answer = link_from_page(client, decision, "initiative", theirs.pk, "Sneaky")

    assert answer.status_code == 422
    html = answer.content.decode()
    assert "Nothing was linked: No such initiative in Acme; choose one from the list." in html
    assert "No such initiative in Acme; choose one from the list." in links_section(html)
    assert "Their secret plan" not in html
    assert not DecisionLink.objects.exists() and Event.objects.count() == events
    # An id that names nothing, or the decision itself, alike.
    assert link_from_page(client, decision, "initiative", 987654).status_code == 422
    assert link_from_page(client, decision, "decision", decision.pk).status_code == 422
    assert not DecisionLink.objects.exists() and Event.objects.count() == events


def test_linking_the_same_thing_twice_keeps_one_link(cast, decision, initiative):
    client = login(cast.member)
    link_from_page(client, decision, "initiative", initiative.pk)
    events = Event.objects.count()
    answer = link_from_page(client, decision, "initiative", initiative.pk, "Again")
    assert answer.status_code == 302
    assert decision.links.count() == 1 and Event.objects.count() == events
    assert "Already linked" in client.get(page(decision)).content.decode()


def test_the_service_refuses_what_the_page_would_not_offer(cast, decision):
    """The form's choices and the service agree: linking a decision to itself is refused
    by the service too (as the API calls it), changing nothing."""
    from accord.core.errors import ServiceError

    with pytest.raises(ServiceError) as refused:
        services.link(cast.org, cast.member, decision, "decisions.decision", decision.pk)
    assert "itself" in refused.value.message
    assert not decision.links.exists()


def test_a_viewer_or_someone_not_involved_sees_no_controls_and_is_refused(
    cast, decision, initiative
):
    services.link(cast.org, cast.member, decision, "alignment.initiative", initiative.pk)
    outsiders_decision = services.create_decision(
        cast.org, cast.admin, "Admin's own?", approver=cast.admin
    )
    services.link(cast.org, cast.admin, outsiders_decision, "alignment.initiative", initiative.pk)
    events = Event.objects.count()
    for person, d in ((cast.viewer, decision), (cast.member, outsiders_decision)):
        client = login(person)
        section = links_section(client.get(f"{page(d)}?link=initiative").content.decode())
        assert "Pricing page" in section  # the link is shown…
        assert "Link to…" not in section and "<form" not in section  # …with no control
        assert link_from_page(client, d, "objective", initiative.pk).status_code == 403
        remove = {"target_type": "alignment.initiative", "target_id": initiative.pk}
        assert client.post(f"{page(d)}links/remove/", remove).status_code == 403
    assert DecisionLink.objects.count() == 2 and Event.objects.count() == events


def test_the_approver_still_links_a_decided_decision_and_the_api_removes_it(
    cast, decision, initiative
):
    services.decide(cast.org, cast.leader, decision, outcome="Yes", rationale="Simpler")
    client = login(cast.leader)
    assert "Link to…" in links_section(client.get(page(decision)).content.decode())
    assert link_from_page(client, decision, "initiative", initiative.pk).status_code == 302
    api = api_client(cast.leader)
    url = f"/api/v1/decisions/{decision.pk}/links"
    query = f"?target_type=alignment.initiative&target_id={initiative.pk}"
    assert api.delete(url + query).status_code == 204
    assert not decision.links.exists()
    again = api.delete(url + query)
    assert again.status_code == 422 and again.json()["error"]["code"] == "not_linked"
    # Someone who may not edit a decision is refused by the API as by the page.
    admins = services.create_decision(cast.org, cast.admin, "Admin's own?", approver=cast.admin)
    body = {"target_type": "alignment.initiative", "target_id": initiative.pk}
    answer = api_client(cast.member).post(
        f"/api/v1/decisions/{admins.pk}/links", body, content_type="application/json"
    )
    assert answer.status_code == 403 and not admins.links.exists()


def test_the_page_and_its_link_form_read_a_bounded_number_of_rows(
    cast, decision, initiative, monkeypatch
):
    client = login(cast.member)
    urls = [page(decision), f"{page(decision)}?link=initiative", f"{page(decision)}?link=decision"]

    def counts() -> list[int]:
        out = []
        for url in urls:
            client.get(url)  # warm
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200
            out.append(len(ctx))
        return out

    # One of each kind first: their names are read one query per kind.
    first = services.create_decision(cast.org, None, "First?", approver=cast.leader)
    services.link(cast.org, cast.member, decision, "alignment.initiative", initiative.pk)
    services.link(cast.org, cast.member, decision, "decisions.decision", first.pk)
    before = counts()
    for n in range(12):
        more = alignment.create_initiative(
            cast.org, None, team=cast.platform, title=f"Plan {n}", owner=cast.member
        )
        other = services.create_decision(cast.org, None, f"More {n}?", approver=cast.leader)
        services.link(cast.org, cast.member, decision, "alignment.initiative", more.pk)
        services.link(cast.org, cast.member, decision, "decisions.decision", other.pk)
    after = counts()
    assert all(a <= b for a, b in zip(after, before, strict=True)), (before, after)
    # Past the picker's threshold the thing is searched for, never listed whole.
    monkeypatch.setattr(pickers, "PICKER_THRESHOLD", 5)
    form = links_section(client.get(f"{page(decision)}?link=initiative").content.decode())
    form = form[form.index("<form", form.index("Link to…")) :]
    assert "/pick/initiative/" in form and not re.search(r"<option[^>]*>Plan", form)
