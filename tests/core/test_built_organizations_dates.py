"""The demo and the generated organizations (`accord generate`) hold no date outside the
supported years (accord.core.dates): what they build, a person could have entered."""

from __future__ import annotations

from django.apps import apps
from django.db.models import Max, Min

from accord import demo
from accord.core import dates

# The dates a person enters (forms, API, organization files), by model: what the demo and
# the generator write must be what a person could have entered.
ENTERED = {
    "alignment.Period": ("start", "end"),
    "alignment.KeyResult": ("baseline_date",),
    "alignment.KeyResultValue": ("recorded_at",),
    "alignment.Initiative": ("start_date", "target_date", "baseline_target_date"),
    "alignment.Milestone": ("date",),
    "coordination.Dependency": ("need_by", "committed_date", "proposed_date"),
    "decisions.Decision": ("decide_by", "revisit_on", "opened_at", "decided_at"),
    "decisions.ActionItem": ("due_on",),
    "decisions.Issue": ("opened_at",),
    "rhythm.Cadence": ("start_date",),
    "rhythm.Away": ("starts_on", "ends_on"),
}


def _dates_out_of_range(org) -> list[tuple[str, str, object]]:
    """(model, aggregate, value) for every entered date whose earliest or latest value in
    the organization lies outside the supported years (one query per model)."""
    out = []
    for label, columns in ENTERED.items():
        model = apps.get_model(label)
        spans = model._default_manager.filter(org=org).aggregate(
            **{f"{c}__min": Min(c) for c in columns}, **{f"{c}__max": Max(c) for c in columns}
        )
        out += [
            (label, name, value)
            for name, value in spans.items()
            if value is not None and not dates.in_range(value)
        ]
    return out


def test_the_demo_holds_no_date_outside_the_supported_years(db):
    org = demo.load()
    assert _dates_out_of_range(org) == []


def test_the_generated_organizations_hold_no_date_outside_the_supported_years(generated, db):
    for org in generated.values():
        assert _dates_out_of_range(org) == []
