"""The alignment forms' owner boxes offer only whom the services accept: an objective's
accountable owner is neither a viewer nor an agent, a key result's or an initiative's owner
is not a viewer (an agent may own work). The choices and the search box agree; the
service's refusal stays the last guard."""

from __future__ import annotations

from accord.alignment.forms import InitiativeForm, KeyResultForm, ObjectiveForm
from accord.org import services as org_services
from tests.conftest import login


def test_owner_boxes_offer_no_viewer_and_the_objectives_no_agent(cast):
    agent = org_services.add_agent(cast.org, None, name="Vic Bot", owner=cast.member)
    client = login(cast.member)
    page = client.get("/o/acme/alignment/objectives/new/").content.decode()
    at = page.index('id="id_owner"')
    assert 'hx-get="/o/acme/pick/accountable/"' in page[at : at + 600]
    page = client.get("/o/acme/alignment/initiatives/new/").content.decode()
    at = page.index('id="id_owner"')
    assert 'hx-get="/o/acme/pick/assignee/"' in page[at : at + 600]
    for form in (
        ObjectiveForm({"owner": cast.viewer.pk}, org=cast.org),
        ObjectiveForm({"owner": agent.pk}, org=cast.org),
        KeyResultForm({"owner": cast.viewer.pk}, org=cast.org),
        InitiativeForm({"owner": cast.viewer.pk}, org=cast.org),
    ):
        assert not form.is_valid() and "owner" in form.errors, type(form).__name__
    for form in (
        ObjectiveForm({"owner": cast.leader.pk}, org=cast.org),
        KeyResultForm({"owner": agent.pk}, org=cast.org),
        InitiativeForm({"owner": agent.pk}, org=cast.org),
    ):
        form.is_valid()
        assert "owner" not in form.errors, (type(form).__name__, form.errors)
