"""Events are never changed or deleted once written."""

from __future__ import annotations

import pytest
from django.db import transaction

from accord.activity.models import AppendOnlyError, Event


def test_an_event_cannot_be_changed(cast):
    event = Event.objects.for_org(cast.org).first()
    event.verb = "forged"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        Event.objects.filter(pk=event.pk).update(verb="forged")
    with pytest.raises(AppendOnlyError), transaction.atomic():
        Event.objects.bulk_update([event], ["verb"])
    assert Event.objects.get(pk=event.pk).verb != "forged"


def test_an_event_cannot_be_deleted(cast):
    count = Event.objects.count()
    event = Event.objects.for_org(cast.org).first()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        Event.objects.filter(pk=event.pk).delete()
    with pytest.raises(AppendOnlyError):
        Event.objects.all().delete()
    assert Event.objects.count() == count
