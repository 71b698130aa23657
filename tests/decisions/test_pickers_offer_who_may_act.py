"""The decisions forms' people pickers offer only whom the services accept there: no viewer
as a decision's approver or as the owner of an action item or an issue (a viewer changes
nothing, so the services refuse them), in the choices and in the search box alike; the
service's refusal stays the last guard. Contributors and the informed may be anyone."""

from __future__ import annotations

from accord.decisions import services
from accord.decisions.forms import ActionItemForm, DecisionForm, IssueEditForm
from accord.org import services as org_services
from tests.conftest import login


def _matches(client, kind: str, q: str) -> str:
    return client.get(f"/o/acme/pick/{kind}/", {"q": q}).content.decode()


def test_the_approver_box_offers_no_viewer_and_no_agent(cast):
    agent = org_services.add_agent(cast.org, None, name="Vic Bot", owner=cast.member)
    client = login(cast.member)
    page = client.get("/o/acme/decisions/new/").content.decode()
    approver = page[page.index('for="id_approver"') :].split('<div class="field')[0]
    assert 'hx-get="/o/acme/pick/accountable/"' in approver
    found = _matches(client, "accountable", "Vic")
    assert "Vic Viewer" not in found and agent.name not in found
    assert "Leo Leader" in _matches(client, "accountable", "Leo")
    # Contributors and the informed: anyone, a viewer too (the service takes them).
    assert "Vic Viewer" in _matches(client, "person", "Vic")
    assert 'hx-get="/o/acme/pick/person/"' in page.split('for="id_informed"')[1]


def test_the_forms_refuse_a_viewer_they_do_not_offer(cast):
    decision = DecisionForm({"question": "Who?", "approver": cast.viewer.pk}, org=cast.org)
    assert not decision.is_valid() and "approver" in decision.errors
    assert DecisionForm({"question": "Who?", "approver": cast.leader.pk}, org=cast.org).is_valid()
    item = ActionItemForm({"title": "Call", "owner": cast.viewer.pk}, org=cast.org)
    assert not item.is_valid() and "owner" in item.errors
    issue = IssueEditForm(
        {"title": "Slow", "severity": "medium", "owner": cast.viewer.pk}, org=cast.org
    )
    assert not issue.is_valid() and "owner" in issue.errors


def test_the_owner_boxes_offer_no_viewer_but_agents_may_own_work(cast):
    agent = org_services.add_agent(cast.org, None, name="Vic Bot", owner=cast.member)
    issue = services.raise_issue(cast.org, cast.member, cast.platform, "Slow builds")
    client = login(cast.member)
    for url, box in (
        ("/o/acme/decisions/actions/", 'id="id_owner"'),
        (f"/o/acme/decisions/issues/{issue.pk}/", 'id="id_edit_owner"'),
    ):
        page = client.get(url).content.decode()
        at = page.index(box)
        assert 'hx-get="/o/acme/pick/assignee/"' in page[at : at + 600], url
    found = _matches(client, "assignee", "Vic")
    assert "Vic Viewer" not in found and agent.name in found


def test_what_a_record_already_holds_may_stay(cast):
    """An issue owned by someone made a viewer since: its page shows them and saves its
    other changes (they stay until someone chooses another owner)."""
    from accord.org.models import Person, Role

    issue = services.raise_issue(cast.org, cast.member, cast.platform, "Slow builds")
    services.set_issue_owner(cast.org, cast.member, issue, cast.leader)
    Person.objects.filter(pk=cast.leader.pk).update(role=Role.VIEWER)
    client = login(cast.member)
    url = f"/o/acme/decisions/issues/{issue.pk}/"
    assert 'value="Leo Leader"' in client.get(url).content.decode()
    answer = client.post(
        url + "edit/",
        {"title": "Slow builds, again", "severity": "high", "owner": cast.leader.pk, "rank": ""},
    )
    assert answer.status_code == 302
    issue.refresh_from_db()
    assert (issue.title, issue.owner_id) == ("Slow builds, again", cast.leader.pk)


def test_a_viewer_does_not_drive_a_decision(cast):
    """The driver works on the decision: the box offers no viewer and the service refuses
    one (a file entering what was, with no one acting, may still name one)."""
    import pytest

    from accord.core.errors import ServiceError

    page = login(cast.member).get("/o/acme/decisions/new/").content.decode()
    at = page.index('id="id_driver"')
    assert 'hx-get="/o/acme/pick/assignee/"' in page[at : at + 600]
    form = DecisionForm(
        {"question": "Who?", "approver": cast.leader.pk, "driver": cast.viewer.pk}, org=cast.org
    )
    assert not form.is_valid() and "driver" in form.errors
    with pytest.raises(ServiceError) as refused:
        services.create_decision(cast.org, cast.member, "Who?", cast.leader, driver=cast.viewer)
    assert "driver" in refused.value.fields
    imported = services.create_decision(cast.org, None, "Who?", cast.leader, driver=cast.viewer)
    assert imported.driver == cast.viewer
