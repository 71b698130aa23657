"""An action item's own page: where it came from, its state, who may change it, an edit
that keeps follow-through exact, comments, history; linked from the lists and signals."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accord.conversation import services as conversation
from accord.core.errors import ServiceError
from accord.decisions import queries, services
from accord.decisions.models import ActionItem
from accord.intelligence.queries import resolve_links
from tests.conftest import login


@pytest.fixture
def item(cast):
    decision = services.create_decision(cast.org, cast.leader, "Which guide format?", cast.admin)
    return services.create_action_item(
        cast.org,
        cast.leader,
        "Publish the guide",
        cast.member,
        team=cast.platform,
        due_on=timezone.localdate() + dt.timedelta(days=3),
        source_type="decisions.decision",
        source_id=decision.pk,
        # Recorded a week ago: an edit may date it back to any day since (not before).
        created_at=timezone.now() - dt.timedelta(days=7),
    )


def url(item) -> str:
    return f"/o/acme/decisions/actions/{item.pk}/"


def test_the_page_says_what_it_is_where_it_came_from_and_links_from_the_list(cast, item):
    page = login(cast.member).get(url(item)).content.decode()
    assert "Publish the guide" in page and "Mia Member" in page and "Platform" in page
    assert 'href="/o/acme/decisions/' in page and "Which guide format?" in page
    assert "Mark done" in page and "Edit" in page
    listed = login(cast.member).get("/o/acme/decisions/actions/").content.decode()
    assert f'href="{url(item)}"' in listed


def test_the_owner_edits_it_and_follow_through_stays_exact(cast, item):
    client = login(cast.member)
    past = timezone.localdate() - dt.timedelta(days=2)
    answer = client.post(
        url(item),
        {
            "title": "Publish the short guide",
            "owner": cast.member.pk,
            "due_on": past.isoformat(),
            "team": cast.platform.pk,
            "version": item.version,
        },
    )
    assert answer.status_code == 302
    item.refresh_from_db()
    assert (item.title, item.due_on, item.version) == ("Publish the short guide", past, 2)
    stored = queries.follow_through(cast.org, team=cast.platform, days=30)
    counted = queries.counted_follow_through(cast.org, team=cast.platform, days=30)
    assert stored == counted and stored.overdue == 1
    page = client.get(url(item)).content.decode()
    assert "overdue" in page and "Publish the short guide" in page  # and in its history


def test_a_stale_edit_is_refused_and_changes_nothing(cast, item):
    client = login(cast.member)
    services.update_action_item(cast.org, cast.leader, item, title="Publish it")
    answer = client.post(
        url(item),
        {"title": "Mine", "owner": cast.member.pk, "team": cast.platform.pk, "version": 1},
    )
    assert answer.status_code == 422 and "changed" in answer.content.decode().lower()
    assert ActionItem.objects.get(pk=item.pk).title == "Publish it"


def test_bad_input_is_shown_on_the_form_and_changes_nothing(cast, item):
    answer = login(cast.member).post(
        url(item), {"title": "", "owner": cast.member.pk, "version": item.version}
    )
    assert answer.status_code == 422 and "This field is required" in answer.content.decode()
    assert ActionItem.objects.get(pk=item.pk).title == "Publish the guide"


def test_who_may_not_change_it_sees_no_form_and_is_refused(cast, item):
    page = login(cast.viewer).get(url(item))
    assert page.status_code == 200 and "Mark done" not in page.content.decode()
    refused = login(cast.viewer).post(
        url(item), {"title": "Mine", "owner": cast.viewer.pk, "version": item.version}
    )
    assert refused.status_code == 403
    assert ActionItem.objects.get(pk=item.pk).title == "Publish the guide"


def test_another_organizations_item_is_not_found(cast, item):
    assert login(cast.outsider).get(f"/o/globex/decisions/actions/{item.pk}/").status_code == 404


def test_people_comment_on_it_and_signals_link_to_it(cast, item):
    conversation.post_comment(cast.org, cast.leader, item, "Use the short format.")
    page = login(cast.member).get(url(item)).content.decode()
    assert "Use the short format." in page
    [linked] = resolve_links(
        cast.org, [{"target_type": "decisions.actionitem", "target_id": item.pk}]
    )
    assert linked["url"] == url(item)


def test_an_edit_cannot_date_it_before_it_was_recorded(cast, item):
    recorded = timezone.localdate(item.created_at)
    before = recorded - dt.timedelta(days=1)
    answer = login(cast.member).post(
        url(item),
        {
            "title": "Publish the guide",
            "owner": cast.member.pk,
            "due_on": before.isoformat(),
            "team": cast.platform.pk,
            "version": item.version,
        },
    )
    page = answer.content.decode()
    assert answer.status_code == 422 and "It was recorded on" in page
    assert ActionItem.objects.get(pk=item.pk).due_on != before
    # The service refuses it too (the API and every other edge go through it).
    with pytest.raises(ServiceError) as exc:
        services.update_action_item(cast.org, cast.member, item, due_on=before)
    assert "before the action item was recorded" in exc.value.message
    assert "due_on" in exc.value.fields
    # The day it was recorded, though past, is still allowed (agreed so).
    services.update_action_item(cast.org, cast.member, item, due_on=recorded)
    assert ActionItem.objects.get(pk=item.pk).due_on == recorded
