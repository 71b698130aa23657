"""A day a person types into a page is read one way: YYYY-MM-DD, as a date box sends it.
"12/01/2026" is the first of December to some and the twelfth of January to others, so
it is refused with a message saying how to write it, never guessed (accord.core.dates)."""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import pkgutil

import pytest
from django import forms
from django.core.exceptions import ValidationError

import accord
from accord.core import dates


@pytest.mark.parametrize("typed", ["12/01/2026", "12/01/26", "Dec 1 2026", "1 December 2026"])
def test_a_day_written_another_way_is_refused_saying_how(typed):
    with pytest.raises(ValidationError) as refused:
        dates.DateField().clean(typed)
    assert refused.value.messages == ["Enter a valid date as YYYY-MM-DD, for example 2026-03-31."]


@pytest.mark.parametrize("typed", ["2026-12-01", " 2026-12-01 ", "2026-12-1"])
def test_what_a_date_box_sends_is_read(typed):
    assert dates.DateField().clean(typed) == dt.date(2026, 12, 1)


def _forms():
    for info in pkgutil.walk_packages(accord.__path__, "accord."):
        if info.name.rsplit(".", 1)[-1] not in ("forms", "views", "settings_views", "sso"):
            continue
        module = importlib.import_module(info.name)
        for _, form in inspect.getmembers(module, inspect.isclass):
            if issubclass(form, forms.BaseForm) and form.__module__ == module.__name__:
                yield form


def test_every_date_a_page_asks_for_is_read_the_one_way():
    loose = [
        f"{form.__module__}.{form.__name__}.{name}"
        for form in _forms()
        for name, field in form.base_fields.items()
        if isinstance(field, forms.DateField) and not isinstance(field, dates.DateField)
    ]
    assert loose == []
