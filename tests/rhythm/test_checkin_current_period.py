"""A check-in offers the key results and objectives of the current period only: a closed
period's are a frozen record, a period still in planning has not begun."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from accord.activity.models import Event
from accord.alignment import services as alignment
from accord.alignment.models import KeyResultValue
from accord.core.errors import ServiceError
from accord.decisions.models import Issue
from accord.rhythm import links, queries, services
from accord.rhythm.models import CheckIn
from tests.conftest import login
from tests.rhythm.conftest import DUE


@pytest.fixture
def quarters(cast):
    org, me = cast.org, cast.member

    def period(name, start, end, **kw):
        return alignment.create_period(org, None, name=name, start=start, end=end, **kw)

    q3 = period("Q3", dt.date(2026, 7, 1), dt.date(2026, 9, 30), state="active")
    q4 = period("Q4", dt.date(2026, 10, 1), dt.date(2026, 12, 31), state="active")
    q1 = period("Q1 next", dt.date(2027, 1, 1), dt.date(2027, 3, 31))
    year = period("2026", dt.date(2026, 1, 1), dt.date(2026, 12, 31), kind="year", state="active")
    alignment.set_current_period(org, None, q4)
    made = {}
    for p in (q3, q4, q1, year):
        o = alignment.create_objective(
            org, None, title=f"Objective {p.name}", period=p, team=cast.platform, owner=me
        )
        made[p.name] = (
            o,
            alignment.create_key_result(org, None, o, name=f"KR {p.name}", target=10, owner=me),
        )
    alignment.close_period(org, None, q3)
    return made


def test_only_the_current_periods_key_results_and_objectives_are_offered(cast, quarters):
    owned = links.owned_alignment(cast.org, cast.member)
    assert [kr.name for kr in owned["key_results"]] == ["KR 2026", "KR Q4"]
    assert [o.title for o in owned["objectives"]] == ["Objective 2026", "Objective Q4"]


def test_the_form_leaves_out_the_closed_period_and_its_submission_goes_through(
    cast, rhythm, quarters
):
    services.update_cadence(cast.org, None, rhythm.checkin, window_opens_hours=8 * 24)
    occ = queries.next_occurrence(rhythm.checkin, timezone.now())
    url = f"/o/acme/rhythm/cadences/{rhythm.checkin.pk}/{occ.key}/checkin/"
    client = login(cast.member)
    page = client.get(url).content.decode()
    _, closed_kr = quarters["Q3"]
    _, kr = quarters["Q4"]
    assert "KR Q4" in page and f'name="kr_{kr.pk}"' in page
    assert "KR Q3" not in page and f'name="kr_{closed_kr.pk}"' not in page
    assert "KR Q1 next" not in page
    form = {"highlights": "Moved", f"kr_{kr.pk}": "4", f"kr_{closed_kr.pk}": "9"}
    assert client.post(url, form).status_code == 302
    kr.refresh_from_db()
    closed_kr.refresh_from_db()
    assert kr.current == 4 and closed_kr.current == 0
    assert CheckIn.objects.get(person=cast.member).highlights == "Moved"


def test_a_closed_periods_key_result_sent_anyway_is_refused_by_name_and_changes_nothing(
    cast, rhythm, quarters
):
    _, closed_kr = quarters["Q3"]
    _, kr = quarters["Q4"]
    events, values = Event.objects.count(), KeyResultValue.objects.count()
    with pytest.raises(ServiceError) as exc:
        services.submit_checkin(
            cast.org,
            cast.member,
            rhythm.checkin,
            DUE,
            key_results={kr.pk: 5, closed_kr.pk: 9},
            now=DUE,
        )
    assert exc.value.code == "period_closed"
    assert "Q3 is closed" in exc.value.message
    assert exc.value.fields == {"key_results": [f"Closed period: {closed_kr.pk}."]}
    kr.refresh_from_db()
    assert kr.current == 0
    assert (Event.objects.count(), KeyResultValue.objects.count()) == (events, values)
    assert not CheckIn.objects.exists()


def test_the_form_writes_a_key_results_numbers_as_people_do(cast, rhythm, quarters):
    """13.9, not the stored 13.9000; the value in the field is the stored one, unrounded."""
    services.update_cadence(cast.org, None, rhythm.checkin, window_opens_hours=8 * 24)
    _, kr = quarters["Q4"]
    alignment.update_key_result(cast.org, None, kr, start=Decimal("2.5"), target=Decimal("15.60"))
    alignment.record_key_result_value(cast.org, None, kr, Decimal("13.9125"))
    occ = queries.next_occurrence(rhythm.checkin, timezone.now())
    url = f"/o/acme/rhythm/cadences/{rhythm.checkin.pk}/{occ.key}/checkin/"
    page = login(cast.member).get(url).content.decode()
    assert "2.5 → 15.6" in page
    assert f'name="kr_{kr.pk}" type="text" inputmode="decimal" value="13.9125"' in page
    alignment.record_key_result_value(cast.org, None, kr, Decimal("1200"))
    page = login(cast.member).get(url).content.decode()
    assert f'name="kr_{kr.pk}" type="text" inputmode="decimal" value="1200"' in page


def test_a_refused_check_in_shows_again_what_was_typed(cast, rhythm, quarters):
    services.update_cadence(cast.org, None, rhythm.checkin, window_opens_hours=8 * 24)
    occ = queries.next_occurrence(rhythm.checkin, timezone.now())
    url = f"/o/acme/rhythm/cadences/{rhythm.checkin.pk}/{occ.key}/checkin/"
    _, kr = quarters["Q4"]
    client = login(cast.member)
    # Raising a blocker without naming the team is refused: nothing typed is lost.
    form = {"highlights": "Shipped", "blockers": "Waiting on data", "raise_blocker": "1",
            f"kr_{kr.pk}": "9,97"}  # fmt: skip
    response = client.post(url, form)
    assert response.status_code == 422  # refused, as every refused form answers
    page = response.content.decode()
    assert "To raise a blocker as an issue, describe it and name the team." in page
    assert f'name="kr_{kr.pk}" type="text" inputmode="decimal" value="9,97"' in page
    assert ">Shipped</textarea>" in page and ">Waiting on data</textarea>" in page
    assert not CheckIn.objects.filter(person=cast.member).exists()
    del form["raise_blocker"]
    assert client.post(url, form).status_code == 302
    kr.refresh_from_db()
    assert kr.current == 9.97  # a decimal comma, read as meant


def test_a_refused_check_in_keeps_the_team_named_as_the_blocker(cast, rhythm, quarters):
    services.update_cadence(cast.org, None, rhythm.checkin, window_opens_hours=8 * 24)
    occ = queries.next_occurrence(rhythm.checkin, timezone.now())
    url = f"/o/acme/rhythm/cadences/{rhythm.checkin.pk}/{occ.key}/checkin/"
    _, kr = quarters["Q4"]
    client = login(cast.member)
    form = {"blockers": "Waiting on data", "blocker_team": cast.root.pk, "raise_blocker": "1",
            f"kr_{kr.pk}": "ninety-nine"}  # fmt: skip
    page = client.post(url, form).content.decode()
    assert f'name="kr_{kr.pk}" type="text" inputmode="decimal" value="ninety-nine"' in page
    assert f'name="blocker_team" value="{cast.root.pk}" data-picker-value' in page
    assert f'placeholder="Type to search…" value="{cast.root.name}"' in page
    assert not CheckIn.objects.filter(person=cast.member).exists()
    # Sent again with the number put right, the blocker is raised for that team.
    assert client.post(url, {**form, f"kr_{kr.pk}": "9"}).status_code == 302
    assert CheckIn.objects.get(person=cast.member).blocker_team == cast.root
    assert Issue.objects.get().team == cast.root
