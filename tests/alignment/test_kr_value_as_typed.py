"""A key result's value as a person types it: a decimal comma and the key result's unit
("99,96 %") are read as the project reads numbers (core.services.read_decimal), and a
refused value sent without htmx comes back in its form as typed, beside its error (422),
rather than a redirect to a page that forgot it."""

from __future__ import annotations

from decimal import Decimal

import pytest

from accord.core.services import read_decimal
from tests.conftest import login


def _url(kr) -> str:
    return f"/o/acme/alignment/key-results/{kr.pk}/value/"


def test_the_unit_may_follow_the_number_read_by_the_one_helper():
    assert read_decimal("99,96 %", "%") == Decimal("99.96")
    assert read_decimal("99.96%", "%") == Decimal("99.96")
    assert read_decimal("120 ms", "ms") == Decimal("120")
    assert not read_decimal("99,96 %").is_finite()  # no unit given: not a number
    assert not read_decimal("%", "%").is_finite()


def test_a_decimal_comma_and_the_percent_sign_are_recorded(cast, availability):
    client = login(cast.member)
    answer = client.post(_url(availability), {"value": "99,96 %", "next": "/x/"})
    assert answer.status_code == 302
    availability.refresh_from_db()
    assert availability.current == pytest.approx(99.96)
    answer = client.post(_url(availability), {"value": "99,97"}, headers={"HX-Request": "1"})
    assert answer.status_code == 200
    availability.refresh_from_db()
    assert availability.current == pytest.approx(99.97)


def test_a_refused_value_without_htmx_comes_back_as_typed(cast, availability):
    client = login(cast.member)
    answer = client.post(
        _url(availability),
        {"value": "99,96 points", "note": "after the failover", "as_of": "2026-01-20"},
    )
    assert answer.status_code == 422
    body = answer.content.decode()
    assert "enter a number in % (you gave &#x27;99,96 points&#x27;)" in body
    assert 'value="99,96 points"' in body and 'aria-invalid="true"' in body
    assert 'value="after the failover"' in body and 'value="2026-01-20"' in body
    assert 'name="record_anyway"' not in body  # not a slip to confirm: a refusal
    availability.refresh_from_db()
    assert availability.current == pytest.approx(99.93)


def test_a_refused_note_keeps_the_value_and_marks_the_note(cast, availability):
    answer = login(cast.member).post(
        _url(availability), {"value": "99.94", "note": "x" * 501, "next": "/x/"}
    )
    assert answer.status_code == 422
    body = answer.content.decode()
    assert "the note is too long (501 characters, at most 500)" in body
    assert 'value="99.94"' in body
    assert 'id="kr-note" name="note" maxlength="500" value="' + "x" * 501 + '" aria-invalid' in body
    availability.refresh_from_db()
    assert availability.current == pytest.approx(99.93)
