"""The check-in words a key result as its own page does: a level to hold reads "keep above
90 %", not "82 → 90 %" (a target to climb to); and a number typed with the key result's
unit ("2.6 hours") is read as its own page's form reads it, not refused as no number."""

from __future__ import annotations

import html
import re

from accord.alignment import services as alignment
from accord.alignment.models import KeyResult
from accord.rhythm.models import CheckIn
from tests.conftest import login
from tests.rhythm.conftest import check_in_owed, error_beside, rhythm  # noqa: F401 (fixture)


def _label(page: str, kr) -> str:
    found = re.search(rf'<label for="kr_{kr.pk}">(.*?)</label>', page, re.S)
    assert found, f"no field for {kr.name}"
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", found.group(1))).split())


def test_a_level_to_hold_reads_as_its_aim_not_as_a_climb(cast, rhythm):  # noqa: F811
    kr, url = check_in_owed(
        cast, rhythm, name="Customer satisfaction", start=82, target=90, unit="%",
        direction="above",
    )  # fmt: skip
    page = login(cast.member).get(url).content.decode()
    label = _label(page, kr)
    assert "keep above 90 %" in label and "→" not in label
    # A key result to increase still reads from its start to its target.
    nps = alignment.create_key_result(
        cast.org, None, kr.objective, name="NPS", start=20, target=50, owner=cast.member
    )
    page = login(cast.member).get(url).content.decode()
    assert "20 → 50" in _label(page, nps)


def test_a_number_typed_with_its_unit_is_taken(cast, rhythm):  # noqa: F811
    kr, url = check_in_owed(
        cast, rhythm, name="Time to first review", start=8, target=2, unit="hours",
        direction="decrease",
    )  # fmt: skip
    client = login(cast.member)
    r = client.post(url, {"highlights": "Faster", f"kr_{kr.pk}": "2.6 hours"})
    assert r.status_code == 302, error_beside(r.content.decode(), f"kr_{kr.pk}")
    assert KeyResult.objects.get(pk=kr.pk).current == 2.6
    assert CheckIn.objects.get(person=cast.member).updates["key_results"] == {str(kr.pk): "2.6"}
    # Another unit is no number of its.
    r = client.post(url, {"highlights": "Faster", f"kr_{kr.pk}": "2.4 days"})
    assert r.status_code == 422
    assert error_beside(r.content.decode(), f"kr_{kr.pk}") == "“2.4 days” is not a number."
    assert KeyResult.objects.get(pk=kr.pk).current == 2.6
