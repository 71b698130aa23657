"""The committed JSON Schema is the one the validator's field tables describe."""

from __future__ import annotations

import json
from pathlib import Path

from accord.interchange import services

SCHEMA = Path(services.__file__).parent / "schema" / "org.schema.json"
DOCS = Path(services.__file__).resolve().parents[2] / "docs" / "org-format.md"


def test_the_committed_schema_matches_the_validator():
    assert json.loads(SCHEMA.read_text()) == services.json_schema(), (
        "Regenerate accord/interchange/schema/org.schema.json from services.json_schema()."
    )


def test_every_section_and_field_is_documented():
    docs = DOCS.read_text()
    for kind in services.all_kinds():
        assert f"### {kind.section}" in docs
        for f in kind.fields:
            assert f"`{f.name}`" in docs, f"{kind.section}.{f.name} is not in docs/org-format.md"
