"""Writing comments: who may, what is recorded, who is told (once), and bad input."""

from __future__ import annotations

import pytest

from accord.activity.models import Event, Notification
from accord.conversation import services, targets
from accord.conversation.models import Comment, InboxItem
from accord.core.errors import NotFound, PermissionDenied, ServiceError


def test_a_member_comments_and_the_mentioned_person_is_told_once(world):
    org = world.org
    comment = services.post_comment(org, world.member, world.initiative, "Over to @leo.leader")
    event = Event.objects.get(target_type="conversation.comment", target_id=str(comment.pk))
    assert event.verb == "created" and event.actor == world.member
    assert event.after["mentions"] == [world.leader.pk]
    item = InboxItem.objects.get(person=world.leader)
    assert item.kind == "mention" and item.comment == comment
    assert item.link == (
        f"/o/acme/alignment/initiatives/{world.initiative.pk}/"
        f"?comment={comment.pk}#comment-{comment.pk}"
    )
    (mail,) = Notification.objects.filter(kind="mention")
    assert mail.person == world.leader and mail.channel == "email"
    assert mail.link.endswith(item.link)  # the e-mail leads to the same place
    # Editing keeps the mention: nobody is told twice.
    services.edit_comment(org, world.member, comment, "Over to @leo.leader, thanks")
    assert Notification.objects.filter(kind="mention").count() == 1
    assert InboxItem.objects.filter(person=world.leader).count() == 1


def test_an_edit_tells_only_whoever_is_newly_mentioned(world):
    org = world.org
    comment = services.post_comment(org, world.member, world.initiative, "cc @leo.leader")
    services.edit_comment(org, world.member, comment, "cc @leo.leader @ada.admin")
    told = set(Notification.objects.filter(kind="mention").values_list("person_id", flat=True))
    assert told == {world.leader.pk, world.admin.pk}
    assert Notification.objects.filter(kind="mention").count() == 2


def test_mentioning_oneself_tells_nobody(world):
    services.post_comment(world.org, world.member, world.initiative, "note to @mia.member")
    assert not InboxItem.objects.exists()
    assert not Notification.objects.exists()


def test_a_muted_mention_sends_no_mail_but_still_reaches_the_inbox(world):
    from accord.activity import delivery

    delivery.set_preferences(world.org, world.leader, world.leader, muted_kinds=["mention"])
    services.post_comment(world.org, world.member, world.initiative, "@leo.leader look")
    assert not Notification.objects.exists()
    assert InboxItem.objects.filter(person=world.leader).exists()


def test_a_team_mention_posts_to_its_chat_and_reaches_its_leads(world):
    from accord.activity import delivery

    delivery.add_chat_webhook(
        world.org, None, world.platform, url="http://127.0.0.1:9/hook", flavor="slack"
    )
    services.post_comment(world.org, world.member, world.objective, "Heads up @platform")
    (post,) = Notification.objects.filter(channel="chat")
    assert post.webhook.team == world.platform
    assert "Heads up @platform" in post.body_text and post.link in post.body_text
    assert InboxItem.objects.filter(person=world.leader, kind="mention").exists()


def test_a_viewer_may_not_comment(world):
    with pytest.raises(PermissionDenied):
        services.post_comment(world.org, world.viewer, world.initiative, "hello")
    assert (
        not Comment.objects.exists()
        and not Event.objects.filter(target_type="conversation.comment").exists()
    )


def test_only_the_author_or_an_admin_edits_or_deletes(world):
    org = world.org
    comment = services.post_comment(org, world.member, world.initiative, "mine")
    for person in (world.leader, world.viewer):
        with pytest.raises(PermissionDenied):
            services.edit_comment(org, person, comment, "theirs")
        with pytest.raises(PermissionDenied):
            services.delete_comment(org, person, comment)
    comment.refresh_from_db()
    assert comment.body == "mine" and comment.version == 1
    services.edit_comment(org, world.admin, comment, "moderated")
    comment.refresh_from_db()
    assert comment.body == "moderated" and comment.edited_at and comment.version == 2
    services.delete_comment(org, world.member, comment)
    assert not Comment.objects.exists()
    verbs = list(
        Event.objects.filter(target_type="conversation.comment")
        .order_by("id")
        .values_list("verb", flat=True)
    )
    assert verbs == ["created", "updated", "deleted"]


def test_a_stale_edit_is_refused(world):
    comment = services.post_comment(world.org, world.member, world.initiative, "v1")
    services.edit_comment(world.org, world.member, comment, "v2", expected_version=1)
    with pytest.raises(ServiceError) as refused:
        services.edit_comment(world.org, world.member, comment, "v3", expected_version=1)
    assert refused.value.status == 409
    comment.refresh_from_db()
    assert comment.body == "v2"


@pytest.mark.parametrize(
    "body", ["", "   \n ", "x" * (services.MAX_BODY + 1), "nul \x00 here"], ids=repr
)
def test_bad_input_is_refused_and_changes_nothing(world, body):
    before = Event.objects.count()
    with pytest.raises(ServiceError) as refused:
        services.post_comment(world.org, world.member, world.initiative, body)
    assert "body" in refused.value.fields
    assert not Comment.objects.exists() and Event.objects.count() == before


def test_another_organizations_object_cannot_be_commented(world):
    with pytest.raises(NotFound):
        targets.get(world.org, "initiative", 10**12)
    with pytest.raises(NotFound):
        services.post_comment(world.other_org, world.outsider, world.initiative, "hi")
    assert not Comment.objects.exists()


def test_each_kind_of_object_takes_comments(world):
    import datetime as dt

    from django.utils import timezone

    from accord.alignment import services as alignment
    from accord.coordination import services as coordination
    from accord.decisions import services as decisions

    org = world.org
    kr = alignment.create_key_result(org, None, world.objective, name="Latency", target=10)
    dep = coordination.create_dependency(
        org,
        None,
        requester_initiative=world.initiative,
        provider_team=world.root,
        title="Review",
        need_by=timezone.localdate() + dt.timedelta(days=9),
    )
    decision = decisions.create_decision(org, None, "Which cloud?", approver=world.admin)
    issue = decisions.raise_issue(org, None, world.platform, "Flaky builds")
    for obj in (world.objective, kr, world.initiative, dep, decision, issue):
        comment = services.post_comment(org, world.member, obj, f"On {obj}")
        assert comment.target_kind == targets.kind_for(obj).name
        assert targets.comment_path(org, obj, comment.pk).startswith("/o/acme/")
