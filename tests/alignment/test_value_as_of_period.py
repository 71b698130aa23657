"""A key result's value entered "as of" a day is refused before the key result's period
starts (or before its baseline date, when that is earlier), naming that day, on the page,
through the API and MCP's service alike: a 1999 value of a 2026 key result would flatten
its history to a line. And a day typed into a page is read as YYYY-MM-DD only."""

from __future__ import annotations

import datetime as dt
import html as htmllib

import pytest
from django.utils import timezone

from accord.alignment import services as s
from accord.alignment.models import KeyResultValue
from accord.core.errors import ServiceError
from tests.conftest import api_client, login

DAY = dt.timedelta(days=1)


@pytest.fixture
def kr(cast):
    today = timezone.localdate()
    period = s.create_period(
        cast.org, None, name="This quarter", start=today - 20 * DAY, end=today + 70 * DAY
    )
    goal = s.create_objective(
        cast.org, None, title="Reliable platform", period=period, team=cast.platform
    )
    return s.create_key_result(
        cast.org, None, goal, name="Uptime", unit="%", start=99, target=99.9, owner=cast.member
    )


def _count(kr) -> int:
    return KeyResultValue.objects.filter(key_result=kr).count()


def test_a_day_before_the_period_starts_is_refused_naming_it(cast, kr):
    start = kr.objective.period.start
    before = _count(kr)
    with pytest.raises(ServiceError) as refused:
        s.record_key_result_value(cast.org, cast.member, kr, 99.5, as_of=start - DAY)
    assert refused.value.code == "before_start"
    assert f"before {start.isoformat()} (This quarter starts)" in refused.value.message
    assert refused.value.fields == {"as_of": [f"Enter {start.isoformat()} or a later day."]}
    with pytest.raises(ServiceError, match="cannot be dated before"):
        s.record_key_result_value(cast.org, cast.member, kr, 99.5, as_of="1999-01-01")
    assert _count(kr) == before
    # The first day of the period is fine.
    s.record_key_result_value(cast.org, cast.member, kr, 99.5, as_of=start)
    assert _count(kr) == before + 1


def test_a_baseline_date_before_the_period_opens_the_days_from_it(cast, kr):
    baseline = kr.objective.period.start - 10 * DAY
    s.update_key_result(cast.org, cast.member, kr, baseline_date=baseline)
    kr.refresh_from_db()
    s.record_key_result_value(cast.org, cast.member, kr, 99.1, as_of=baseline)
    with pytest.raises(ServiceError, match=f"before {baseline.isoformat()} \\(its baseline date"):
        s.record_key_result_value(cast.org, cast.member, kr, 99.1, as_of=baseline - DAY)


def test_the_page_and_the_api_refuse_it_and_record_nothing(cast, kr):
    start = kr.objective.period.start
    before = _count(kr)
    url = f"/o/acme/alignment/key-results/{kr.pk}/value/"
    r = login(cast.member).post(url, {"value": "99.5", "as_of": "1999-01-01"})
    assert r.status_code == 422
    page = htmllib.unescape(r.content.decode())
    assert f"cannot be dated before {start.isoformat()}" in page
    r = api_client(cast.member).post(
        f"/api/v1/key-results/{kr.pk}/values",
        {"value": 99.5, "as_of": "1999-01-01"},
        content_type="application/json",
    )
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "before_start" and "as_of" in r.json()["error"]["fields"]
    assert _count(kr) == before
    # The key result's page offers no earlier day in its date box.
    shown = login(cast.member).get(f"/o/acme/alignment/key-results/{kr.pk}/").content.decode()
    assert f'min="{start.isoformat()}"' in shown


def test_a_day_typed_month_first_is_refused_not_guessed(cast, kr):
    """12/01/2026 is the first of December to some, the twelfth of January to others."""
    before = _count(kr)
    typed = (timezone.localdate() - DAY).strftime("%m/%d/%Y")
    url = f"/o/acme/alignment/key-results/{kr.pk}/value/"
    r = login(cast.member).post(url, {"value": "99.5", "as_of": typed})
    assert r.status_code == 422
    assert "Enter a valid date as YYYY-MM-DD" in htmllib.unescape(r.content.decode())
    assert _count(kr) == before
    # As a date box sends it.
    iso = (timezone.localdate() - DAY).isoformat()
    assert login(cast.member).post(url, {"value": "99.5", "as_of": iso}).status_code == 302
    assert _count(kr) == before + 1
