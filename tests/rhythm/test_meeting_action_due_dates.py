"""An action item added in a meeting is due today or later, as one added on the action
items' page: the same check refuses a date in the past."""

from __future__ import annotations

from django.utils import timezone

from accord.decisions.models import ActionItem
from tests.conftest import login
from tests.rhythm.conftest import error_beside


def test_an_action_item_due_in_the_past_is_refused(cast, started_sync):
    client = login(cast.leader)
    typed = {"title": "Fix the cache", "owner": cast.member.pk, "due_on": "2024-01-01"}
    response = client.post(started_sync + "action/", typed)
    assert response.status_code == 422
    page = response.content.decode()
    assert "Give the action item a due date from today on." in page
    assert error_beside(page, "id_due_on") == "The date is in the past; choose today or later."
    assert 'value="Fix the cache"' in page and 'value="2024-01-01"' in page
    assert not ActionItem.objects.exists()
    today = timezone.localdate()
    client.post(started_sync + "action/", {**typed, "due_on": today.isoformat()})
    assert ActionItem.objects.get().due_on == today
