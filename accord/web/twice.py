"""A form's answer to a write its person has just made (`accord.core.twice`): a new issue,
decision, action item, objective, key result or initiative identical to one the same person
made within `twice.WINDOW` is taken for a second click (Back, then submit again): refused,
the form offering a box to make it anyway. The twin is found by the query the services
refuse it with (each app's `queries.twin_*`); ticked, the view asks them for it again."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms


def again_field(what: str) -> forms.BooleanField:
    """The box a form shows once it refused a twin: hidden until then."""
    return forms.BooleanField(
        required=False, widget=forms.HiddenInput, label=f"Make it anyway: a second {what}"
    )


def refuse_twin(
    form: forms.Form, data: dict, field: str, twin: Any, said: Callable[[Any], str]
) -> None:
    """Refuse what the form makes when its person made the same within `twice.WINDOW`:
    `twin` (what `queries.twin_*` found, or None), said by `said(twin)` on `field`, with
    the box to make it anyway. The box's value is the form's question, not the object's:
    it leaves `data` for `form.again` (the service's `again`)."""
    form.again = bool(data.pop("again", False))
    if twin is not None and form.person is not None and not form.again:
        form.fields["again"].widget = forms.CheckboxInput()
        form.add_error(field, said(twin))
