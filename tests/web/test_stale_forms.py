"""A form refused because someone else saved first says what changed, shows the other
change in the fields its user left alone and carries the version now (`web.stale`): saving
it again as it stands then saves, without undoing the other change."""

from __future__ import annotations

import re

from accord.org.models import Person, Team
from tests.conftest import login


def _version(page: str) -> str:
    return re.search(r'name="version" value="(\d+)"', page).group(1)


def _person_form(person, **changes):
    data = {
        "name": person.name,
        "email": person.email,
        "title": person.title,
        "timezone": person.timezone,
        "role": person.role,
        "is_active": "on",
    }
    return {**data, **changes}


def test_a_second_save_of_a_stale_person_form_saves_without_undoing_the_other(cast):
    url = f"/o/acme/people/{cast.member.pk}/edit/"
    first, second = login(cast.admin), login(cast.admin)
    seen = _version(first.get(url).content.decode())
    assert _version(second.get(url).content.decode()) == seen
    saved = first.post(url, _person_form(cast.member, title="Senior Analyst", version=seen))
    assert saved.status_code == 302
    stale = _person_form(cast.member, name="Mia Renamed", version=seen)
    refused = second.post(url, stale)
    page = refused.content.decode()
    assert "changed since you opened this form (by you" in page
    assert "Senior Analyst" in page and 'value="Mia Renamed"' in page
    member = Person.objects.get(pk=cast.member.pk)
    assert (member.title, member.name) == ("Senior Analyst", "Mia Member")
    assert _version(page) == str(member.version)  # the version now: a second save saves
    again = {**stale, "title": "Senior Analyst", "version": _version(page)}  # as shown
    assert second.post(url, again).status_code == 302
    member.refresh_from_db()
    assert (member.title, member.name) == ("Senior Analyst", "Mia Renamed")


def test_a_second_save_of_a_stale_team_form_saves_without_undoing_the_other(cast):
    url = f"/o/acme/teams/{cast.platform.slug}/edit/"
    first, second = login(cast.admin), login(cast.admin)
    seen = _version(first.get(url).content.decode())
    form = {"name": "Platform", "slug": "platform", "parent": cast.root.pk, "version": seen}
    assert first.post(url, {**form, "name": "Platform Core"}).status_code == 302
    page = second.post(url, {**form, "description": "Ours"}).content.decode()
    assert "changed since you opened this form (by you" in page
    assert 'name="name" value="Platform Core"' in page  # left alone: the change shown
    team = Team.objects.get(pk=cast.platform.pk)
    assert team.name == "Platform Core" and _version(page) == str(team.version)
    again = {**form, "name": "Platform Core", "description": "Ours", "version": _version(page)}
    assert second.post(url, again).status_code == 302
    team.refresh_from_db()
    assert (team.name, team.description) == ("Platform Core", "Ours")


def test_choosing_the_team_itself_as_its_parent_is_refused_and_keeps_the_choice(cast):
    """The parent picker offers every team; choosing the team itself is refused beside the
    field, and the choice stays, so saving again does not make a second top-level team."""
    url = f"/o/acme/teams/{cast.platform.slug}/edit/"
    client = login(cast.admin)
    seen = _version(client.get(url).content.decode())
    form = {"name": "Platform", "parent": cast.platform.pk, "version": seen}
    page = client.post(url, form).content.decode()
    assert "A team cannot sit under itself" in page
    # the form comes back with the choice made, not an empty parent
    assert f'name="parent" value="{cast.platform.pk}"' in page
    again = client.post(url, form).content.decode()
    assert "A team cannot sit under itself" in again
    assert Team.objects.get(pk=cast.platform.pk).parent_id == cast.root.pk
