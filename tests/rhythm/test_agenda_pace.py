"""The share of a period gone reads the same on a key result's page and on a live agenda
read at the same moment: both count it as alignment's `pace` does, on the organization's
day (`core.days`, the day the key_results.off_pace signal is evaluated on), whatever the
reader's zone."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from accord.alignment import services as alignment
from accord.org.models import Person
from tests.conftest import at, login
from tests.rhythm.conftest import utc

# Sat 5 Dec 2026, 19:10 UTC: already Sun 6 Dec, 00:40, in Kolkata.
LATE_EVENING = utc(2026, 12, 5, 19, 10)


@pytest.fixture
def objective(cast):
    """Platform's objective in the current Q4 2026 (1 Oct to 31 Dec)."""
    q4 = alignment.create_period(
        cast.org,
        None,
        name="Q4 2026",
        start=dt.date(2026, 10, 1),
        end=dt.date(2026, 12, 31),
        state="active",
        is_current=True,
    )
    return alignment.create_objective(
        cast.org, None, title="Faster checkout", period=q4, team=cast.platform, owner=cast.member
    )


def key_result_page_and_agenda(reader, kr, rhythm) -> tuple[str, str]:
    """The key result's page and the sync's agenda of Mon 7 Dec, read late on 5 Dec (UTC)."""
    client = login(reader)
    with at(LATE_EVENING):
        page = client.get(f"/o/acme/alignment/key-results/{kr.pk}/").content.decode()
        agenda = client.get(
            f"/o/acme/rhythm/cadences/{rhythm.sync.pk}/20261207T090000Z/"
        ).content.decode()
    return page, agenda


def test_the_agenda_and_the_key_results_page_say_the_same_share_gone(cast, rhythm, objective):
    kr = alignment.create_key_result(
        cast.org,
        None,
        objective,
        name="p95 under 300 ms",
        start=0,
        target=10,
        current=1,
        at=utc(2026, 10, 1, 9, 0),  # measured since the period began: paced over all of it
    )
    Person.objects.filter(pk=cast.member.pk).update(timezone="Asia/Kolkata")
    page, agenda = key_result_page_and_agenda(cast.member, kr, rhythm)
    on_page = re.search(r"(\d+)% of Q4 2026 gone", page)
    on_agenda = re.search(r"(\d+)% of Q4 2026 gone", agenda)
    assert on_page and on_agenda
    # Already 6 Dec in Kolkata, but 5 Dec for the organization: 65 of the period's 91 days.
    assert on_page.group(1) == on_agenda.group(1) == "71"


def test_a_key_result_added_mid_period_is_paced_from_then_on_the_agenda_as_on_its_page(
    cast, rhythm, objective
):
    """Added on 1 Dec to Q4 2026, not expected to have come 73% of the way by 6 Dec: the
    agenda and its page count its time from 1 Dec, as the key_results.off_pace signal does."""
    with at(utc(2026, 12, 1, 9, 0)):
        kr = alignment.create_key_result(
            cast.org, None, objective, name="p95 under 300 ms", start=0, target=10
        )
    page, agenda = key_result_page_and_agenda(cast.member, kr, rhythm)
    # 5 Dec in UTC: 4 of the 30 days from 1 Dec to 31 Dec.
    said = "13% of its time gone, from 1 Dec 2026 to the end of Q4 2026"
    assert said in page
    assert "of Q4 2026 gone" not in page
    assert f"0% done, {said}" in agenda  # recorded this week, not behind
