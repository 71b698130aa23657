"""The note of a value an assistant records through MCP is checked as the page's and the
API's are (`require_text`): a control character or a direction override is refused, naming
it, and no value is recorded."""

from __future__ import annotations

import pytest

from accord.alignment import services as alignment
from accord.alignment.models import KeyResultValue
from tests.mcp.test_lead_review import client_of, objective, period, refused  # noqa: F401


@pytest.mark.parametrize("note, said", [("done\x1b[31m", "(\\x1b)"), ("yb \u202e%05", "(U+202E)")])
def test_a_value_note_with_a_control_or_direction_character_is_refused(
    cast,
    objective,  # noqa: F811
    note,
    said,
):
    kr = alignment.create_key_result(
        cast.org, None, objective, name="Builds under ten minutes", start=0, target=200
    )
    before = KeyResultValue.objects.filter(key_result=kr).count()
    text = refused(
        client_of(cast.member), "record_key_result_value", key_result_id=kr.pk, value=20, note=note
    )
    assert "The note contains a" in text and said in text, text
    assert KeyResultValue.objects.filter(key_result=kr).count() == before
