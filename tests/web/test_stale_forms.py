"""A form refused because someone else saved first keeps the version its user had seen, so
saving it again as it stands is refused again instead of undoing the other change."""

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


def test_a_second_save_of_a_stale_person_form_is_refused_again(cast):
    url = f"/o/acme/people/{cast.member.pk}/edit/"
    first, second = login(cast.admin), login(cast.admin)
    seen = _version(first.get(url).content.decode())
    assert _version(second.get(url).content.decode()) == seen
    saved = first.post(url, _person_form(cast.member, title="Senior Analyst", version=seen))
    assert saved.status_code == 302
    stale = _person_form(cast.member, name="Mia Renamed", version=seen)
    refused = second.post(url, stale)
    page = refused.content.decode()
    assert "changed by someone else" in page
    assert _version(page) == seen  # not the newer version: that would let the save through
    again = second.post(url, {**stale, "version": _version(page)}).content.decode()
    assert "changed by someone else" in again
    member = Person.objects.get(pk=cast.member.pk)
    assert (member.title, member.name) == ("Senior Analyst", "Mia Member")


def test_a_second_save_of_a_stale_team_form_is_refused_again(cast):
    url = f"/o/acme/teams/{cast.platform.slug}/edit/"
    first, second = login(cast.admin), login(cast.admin)
    seen = _version(first.get(url).content.decode())
    form = {"name": "Platform", "slug": "platform", "parent": cast.root.pk, "version": seen}
    assert first.post(url, {**form, "name": "Platform Core"}).status_code == 302
    page = second.post(url, {**form, "description": "Ours"}).content.decode()
    assert "changed by someone else" in page and _version(page) == seen
    assert Team.objects.get(pk=cast.platform.pk).name == "Platform Core"


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
