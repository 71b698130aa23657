"""Saving a team says what happened in its new name (renamed, moved from where to where);
a session still open after its person was deactivated says so, as signing in does."""

from __future__ import annotations

from django.contrib.messages import get_messages

from accord.org import services
from accord.org.models import Team
from tests.conftest import login


def _edit(client, team, **data):
    team.refresh_from_db()
    form = {
        "name": team.name,
        "parent": team.parent_id or "",
        "description": "",
        "state": team.state,
        "version": team.version,
        **data,
    }
    answer = client.post(f"/o/acme/teams/{team.slug}/edit/", form)
    assert answer.status_code == 302, answer.content.decode()[:2000]
    return [str(m) for m in get_messages(answer.wsgi_request)]


def test_renaming_a_team_says_its_new_name(cast):
    said = _edit(login(cast.leader), cast.platform, name="Web Platform")
    assert said == ["Team Platform is now Web Platform."]
    assert Team.objects.get(pk=cast.platform.pk).name == "Web Platform"


def test_moving_a_team_says_from_where_to_where(cast):
    other = services.create_team(cast.org, None, name="Engineering", parent=cast.root)
    said = _edit(login(cast.leader), cast.platform, parent=other.pk)
    assert said == ["Team Platform saved, moved from Acme to Engineering."]


def test_saving_without_changes_just_says_saved(cast):
    assert _edit(login(cast.leader), cast.platform) == ["Team Platform saved."]


def test_a_session_open_when_its_person_was_deactivated_is_told_so(cast):
    client = login(cast.member)
    assert client.get("/o/acme/").status_code == 200
    services.update_person(cast.org, cast.admin, cast.member, is_active=False)
    page = client.get("/o/acme/teams/")
    assert page.status_code == 403
    text = page.content.decode()
    assert "Your access to Acme was switched off by its admins" in text
    assert "not a member of any organization yet" not in text


def test_another_organization_is_still_not_confirmed_to_exist(cast):
    assert login(cast.member).get("/o/globex/").status_code == 404
