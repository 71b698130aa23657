"""The milestones page: leaders create fixed and relative milestones, move them (the
relative ones follow), edit and delete them; bad input changes nothing; other
organizations' milestones are not there."""

from __future__ import annotations

import datetime as dt

from accord.alignment import services as alignment
from accord.alignment.models import Milestone
from tests.conftest import login

URL = "/o/acme/alignment/milestones/"


def test_a_leader_plans_a_release_train_and_moves_it(cast):
    period = alignment.create_period(
        cast.org, None, name="Train 12", kind="release", start="2027-01-04", end="2027-03-28"
    )
    client = login(cast.leader)
    r = client.post(
        URL,
        {"name": "Release 12", "kind": "release", "date": "2027-03-22", "period": period.pk},
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    release = Milestone.objects.get(name="Release 12")
    r = client.post(
        URL,
        {
            "name": "Feature freeze 12",
            "kind": "feature_freeze",
            "anchor": release.pk,
            "offset_weeks": "-4",
            "period": period.pk,
            "teams": [cast.platform.pk],
        },
    )
    assert r.status_code == 302
    freeze = Milestone.objects.get(name="Feature freeze 12")
    assert freeze.date == dt.date(2027, 2, 22) and freeze.offset_days == -28

    page = client.get(URL).content.decode()
    assert "Train 12" in page and "Release 12 -4 weeks" in page and "Platform" in page

    r = client.post(f"{URL}{release.pk}/move/", {"date": "2027-03-29", "version": release.version})
    assert r.status_code == 302
    freeze.refresh_from_db()
    assert freeze.date == dt.date(2027, 3, 1)

    edit = client.get(f"{URL}{freeze.pk}/edit/").content.decode()
    assert 'value="-4"' in edit and "moved" in edit  # its history shows the move

    r = client.post(f"{URL}{release.pk}/delete/")
    assert Milestone.objects.filter(pk=release.pk).exists()  # the freeze rests on it
    client.post(f"{URL}{freeze.pk}/delete/")
    assert not Milestone.objects.filter(pk=freeze.pk).exists()


def test_bad_input_shows_why_and_creates_nothing(cast):
    client = login(cast.leader)
    r = client.post(URL, {"name": "Nothing", "kind": "release"})
    assert r.status_code == 200
    assert "Give a date, or choose the milestone it is relative to." in r.content.decode()
    r = client.post(URL, {"name": "Bad", "kind": "release", "date": "2027-13-45"})
    assert r.status_code == 200
    assert not Milestone.objects.filter(org=cast.org).exists()


def test_members_read_and_other_organizations_stay_out(cast):
    theirs = Milestone.objects.create(org=cast.other_org, name="Globex launch", date="2027-01-04")
    Milestone.objects.create(org=cast.org, name="Acme launch", date="2027-01-04")
    member = login(cast.member)
    page = member.get(URL).content.decode()
    assert "Acme launch" in page and "Globex launch" not in page
    assert "Create milestone" not in page
    assert (
        member.post(URL, {"name": "X", "kind": "release", "date": "2027-01-04"}).status_code == 403
    )
    assert login(cast.leader).get(f"{URL}{theirs.pk}/edit/").status_code == 404
