"""A reopened meeting's rating boxes hold the ratings given; emptying one and finishing
again takes that rating away (a box not sent at all keeps its rating)."""

from __future__ import annotations

import datetime as dt

from accord.rhythm import services
from accord.rhythm.models import Attendance
from tests.conftest import at, login
from tests.rhythm.conftest import rhythm, utc  # noqa: F401 (fixture)

STARTS = utc(2026, 11, 9, 9, 0)  # the weekly sync, Monday 10:00 in Berlin
DURING = STARTS + dt.timedelta(minutes=20)
URL = "/o/acme/rhythm/cadences/{}/20261109T090000Z/"


def test_an_emptied_rating_box_takes_the_rating_away(cast, rhythm):  # noqa: F811
    m = services.open_meeting(cast.org, cast.leader, rhythm.sync, STARTS)
    m = services.start_meeting(cast.org, cast.leader, m, now=STARTS)
    services.finish_meeting(
        cast.org, cast.leader, m, ratings={cast.leader.pk: 8, cast.member.pk: 6}, now=DURING
    )
    client = login(cast.leader)
    url = URL.format(rhythm.sync.pk)
    with at(DURING):
        client.post(url + "reopen/", {"reason": ""})
        # The leader's box emptied; the member's not sent at all.
        r = client.post(
            url + "finish/",
            {"summary": "", f"rating_{cast.leader.pk}": "", f"rating_was_{cast.leader.pk}": "8"},
        )
        assert r.status_code == 302
        minutes = client.get(url).content.decode()
    ratings = dict(Attendance.objects.filter(meeting=m).values_list("person_id", "rating"))
    assert ratings[cast.leader.pk] is None
    assert ratings[cast.member.pk] == 6
    attendance = minutes[minutes.index('id="att-h"') :].split("</section>")[0]
    assert "8/10" not in attendance and "6/10" in attendance


def test_a_rating_given_since_the_page_was_loaded_is_not_taken_away(cast, rhythm):  # noqa: F811
    """The facilitator's form was loaded before the member rated the meeting from their own
    screen: its box for them was empty, and stays empty on Finish. That is no removal: the
    rating they gave is kept. Nor is one changed since the box showed it."""
    m = services.open_meeting(cast.org, cast.leader, rhythm.sync, STARTS)
    m = services.start_meeting(cast.org, cast.leader, m, now=STARTS)
    client = login(cast.leader)
    url = URL.format(rhythm.sync.pk)
    with at(DURING):
        page = client.get(url).content.decode()
        assert f'name="rating_was_{cast.member.pk}" value=""' in page
        services.rate_meeting(cast.org, cast.member, m, "9")
        r = client.post(
            url + "finish/",
            {
                "summary": "",
                f"rating_{cast.member.pk}": "",
                f"rating_was_{cast.member.pk}": "",
                f"rating_{cast.leader.pk}": "7",
                f"rating_was_{cast.leader.pk}": "",
            },
        )
        assert r.status_code == 302
    ratings = dict(Attendance.objects.filter(meeting=m).values_list("person_id", "rating"))
    assert ratings[cast.member.pk] == 9 and ratings[cast.leader.pk] == 7
    with at(DURING):
        client.post(url + "reopen/", {"reason": ""})
        services.rate_meeting(cast.org, cast.member, m, "5")  # after the box showed 9
        client.post(
            url + "finish/",
            {"summary": "", f"rating_{cast.member.pk}": "", f"rating_was_{cast.member.pk}": "9"},
        )
    assert Attendance.objects.get(meeting=m, person=cast.member).rating == 5


def test_a_refused_finish_keeps_what_the_boxes_showed(cast, rhythm):  # noqa: F811
    """Refused (a rating of 11), the page comes back as it was typed, and with the ratings
    its boxes showed: one given meanwhile from the member's own screen, never shown in the
    facilitator's form, is not taken away when they finish after correcting theirs."""
    m = services.open_meeting(cast.org, cast.leader, rhythm.sync, STARTS)
    m = services.start_meeting(cast.org, cast.leader, m, now=STARTS)
    client = login(cast.leader)
    url = URL.format(rhythm.sync.pk)
    with at(DURING):
        services.rate_meeting(cast.org, cast.member, m, "9")
        typed = {
            "summary": "",
            f"rating_{cast.member.pk}": "",
            f"rating_was_{cast.member.pk}": "",
            f"rating_{cast.leader.pk}": "11",
            f"rating_was_{cast.leader.pk}": "",
        }
        again = client.post(url + "finish/", typed)
        assert again.status_code == 422
        page = again.content.decode()
        assert f'name="rating_was_{cast.member.pk}" value=""' in page
        r = client.post(url + "finish/", {**typed, f"rating_{cast.leader.pk}": "7"})
        assert r.status_code == 302
    ratings = dict(Attendance.objects.filter(meeting=m).values_list("person_id", "rating"))
    assert ratings[cast.member.pk] == 9 and ratings[cast.leader.pk] == 7
