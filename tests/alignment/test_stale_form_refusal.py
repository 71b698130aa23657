"""The refusal of a form opened before someone else saved (any form with a hidden
`version`, here an initiative's): it says which fields changed meanwhile, to what, by whom
and when; keeps what was typed; takes the other change into the fields left alone; and
carries the current version, so that a second Save, once seen, saves."""

from __future__ import annotations

import html as htmllib
import re

from accord.alignment import services as s
from accord.alignment.models import Initiative
from tests.conftest import login


def _version(page: str) -> str:
    return re.search(r'name="version" value="(\d+)"', page).group(1)


def test_a_stale_initiative_save_says_what_changed_and_a_second_save_saves(cast):
    i = s.create_initiative(cast.org, None, team=cast.platform, title="Search")
    url = f"/o/acme/alignment/initiatives/{i.pk}/edit/"
    maya, jonas = login(cast.member), login(cast.leader)
    seen = _version(maya.get(url).content.decode())
    assert _version(jonas.get(url).content.decode()) == seen
    form = {"title": "Search", "team": cast.platform.pk, "progress": 0, "version": seen}
    assert maya.post(url, {**form, "title": "Search everywhere"}).status_code == 302
    refused = jonas.post(url, {**form, "description": "Typed with care", "progress": 40})
    assert refused.status_code != 302  # not saved: the form again
    page = htmllib.unescape(refused.content.decode())
    assert "This initiative was changed by someone else since you opened this form." in page
    assert f"Title is now “Search everywhere” (changed by {cast.member.name} at" in page
    assert "Typed with care" in page and 'value="40"' in page  # the typing kept
    assert 'name="title" value="Search everywhere"' in page  # left alone: the change shown
    now = Initiative.objects.get(pk=i.pk)
    assert _version(page) == str(now.version)  # carried: saving again saves
    again = {**form, "title": "Search everywhere", "description": "Typed with care"}
    assert jonas.post(url, {**again, "progress": 40, "version": _version(page)}).status_code == 302
    now.refresh_from_db()
    assert (now.title, now.description, now.progress) == (
        "Search everywhere",
        "Typed with care",
        40,
    )


def test_a_save_from_ones_own_other_tab_is_not_someone_elses(cast):
    i = s.create_initiative(cast.org, None, team=cast.platform, title="Search")
    url = f"/o/acme/alignment/initiatives/{i.pk}/edit/"
    first, second = login(cast.member), login(cast.member)
    seen = _version(first.get(url).content.decode())
    form = {"title": "Search", "team": cast.platform.pk, "progress": 0, "version": seen}
    assert first.post(url, {**form, "progress": 10}).status_code == 302
    page = htmllib.unescape(second.post(url, {**form, "progress": 20}).content.decode())
    assert "This initiative was changed since you opened this form (by you" in page
    assert "someone else" not in page
    assert "Progress % is now “10” (changed by you at" in page
    assert "what you typed is kept below" in page and 'value="20"' in page


def test_a_stale_milestone_move_says_who_moved_it_to_when(cast):
    from accord.alignment import milestones
    from accord.alignment.models import Milestone

    period = s.create_period(
        cast.org, None, name="Train 12", kind="release", start="2027-01-04", end="2027-03-28"
    )
    client = login(cast.leader)
    url = "/o/acme/alignment/milestones/"
    client.post(
        url, {"name": "Release 12", "kind": "release", "date": "2027-03-22", "period": period.pk}
    )
    release = Milestone.objects.get(name="Release 12")
    seen = release.version
    milestones.move_milestone(cast.org, cast.admin, release, "2027-03-15")
    r = client.post(
        f"{url}{release.pk}/move/", {"date": "2027-03-29", "version": seen}, follow=True
    )
    page = htmllib.unescape(r.content.decode())
    assert "Nothing was saved. This milestone was changed by someone else" in page
    assert f"is now “15 Mar 2027” (changed by {cast.admin.name} at" in page
    assert Milestone.objects.get(pk=release.pk).date.isoformat() == "2027-03-15"
