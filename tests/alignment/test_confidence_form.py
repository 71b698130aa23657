"""Recording an objective's confidence: a refused number comes back with the note as
typed and the error beside the confidence; nothing is recorded."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accord.alignment.models import ConfidenceUpdate
from tests.conftest import login


@pytest.mark.parametrize("typed", ["0", "11", "", "seven"])
def test_a_refused_confidence_keeps_the_note(cast, plan, typed):
    o = plan.platform_obj
    url = reverse(
        "alignment:objective_confidence", kwargs={"org_slug": "acme", "objective_id": o.pk}
    )
    r = login(cast.member).post(url, {"confidence": typed, "note": "Vendor slipped a week"})
    assert r.status_code == 422
    body = r.content.decode()
    assert 'value="Vendor slipped a week"' in body
    field = body.split('for="id_confidence"')[1].split('<div class="field')[0]
    assert "A whole number from 1 to 10." in field and 'aria-invalid="true"' in field
    if typed:
        assert f'value="{typed}"' in field
    # The page's own address, not the POST-only one, for its refreshes and links.
    page = reverse("alignment:objective", kwargs={"org_slug": "acme", "objective_id": o.pk})
    assert f'hx-get="{page}"' in body and f'data-page-path="{page}"' in body
    assert not ConfidenceUpdate.objects.filter(objective=o).exists()
    o.refresh_from_db()
    assert o.confidence is None


def test_a_confidence_in_range_is_recorded_with_its_note(cast, plan):
    o = plan.platform_obj
    url = reverse(
        "alignment:objective_confidence", kwargs={"org_slug": "acme", "objective_id": o.pk}
    )
    r = login(cast.member).post(url, {"confidence": "7", "note": "Vendor back on track"})
    assert r.status_code == 302
    assert ConfidenceUpdate.objects.get(objective=o).note == "Vendor back on track"
