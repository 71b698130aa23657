"""A check-in through MCP asks of a key result's value that looks like a slip as the
record-a-value tool does: refused (code unusual_value), saying how to confirm it, with
nothing of the check-in recorded; with `confirm`, recorded."""

from __future__ import annotations

from accord.alignment.models import KeyResult
from accord.rhythm.models import CheckIn
from tests.mcp.test_lead_review import client_of, ok, refused
from tests.rhythm.conftest import check_in_owed, rhythm  # noqa: F401 (fixture)


def test_a_check_in_with_a_slip_is_refused_until_confirmed(cast, rhythm):  # noqa: F811
    kr, _ = check_in_owed(
        cast, rhythm, name="Customer satisfaction", start=82, target=90, unit="%",
        direction="above",
    )  # fmt: skip
    client = client_of(cast.member)
    given = {"cadence_id": rhythm.checkin.pk, "key_results": {str(kr.pk): 150}}
    text = refused(client, "submit_check_in", **given, highlights="Busy")
    assert "150 % is outside 0 to 100 % for Customer satisfaction" in text, text
    assert "call again with confirm=true to record it" in text, text
    assert "tick the box" not in text, text  # a tool has no box, here or under the field
    assert not CheckIn.objects.filter(person=cast.member).exists()
    assert KeyResult.objects.get(pk=kr.pk).current == 82
    ok(client, "submit_check_in", **given, highlights="Busy", confirm=True)
    assert KeyResult.objects.get(pk=kr.pk).current == 150
    assert CheckIn.objects.get(person=cast.member).highlights == "Busy"
