"""A comment refused (empty, too long) says "Comment", not the field's name "Body", and
comes back in its box as typed, to put right: nothing is lost, nothing is posted, and the
box to post a comment twice is not offered for it."""

from __future__ import annotations

import html as htmllib

from accord.conversation import services
from accord.conversation.models import Comment
from accord.decisions import services as decisions
from tests.conftest import login


def test_a_refused_comment_says_comment_and_keeps_what_was_typed(world):
    item = decisions.create_action_item(
        world.org, world.member, "Write the memo", owner=world.member
    )
    member = login(world.member)
    post = {"target": "action_item", "target_id": item.pk}

    blank = member.post("/o/acme/comments/new/", post | {"body": "   "}, follow=True)
    assert "Comment is required." in htmllib.unescape(blank.content.decode())

    long = "A long note. " * 773 + "x"  # 10,050 characters
    assert len(long) == 10_050
    r = member.post("/o/acme/comments/new/", post | {"body": long}, follow=True)
    page = htmllib.unescape(r.content.decode())
    assert r.redirect_chain[-1][0].endswith(f"/decisions/actions/{item.pk}/#comments")
    assert f"Comment is too long (10,050 characters, at most {services.MAX_BODY:,})" in page
    assert f">{long}</textarea>" in page  # kept, as typed
    # Said beside the box too (the page opens at it), and the box is marked.
    beside = f'<small class="error" id="comment-error-action_item-{item.pk}">Comment is too long'
    assert beside in page and 'aria-invalid="true">' in page
    assert "Post it again" not in page  # not a second click: nothing to post again
    assert not Comment.objects.exists()
    # Shown once: the next visit is an empty box again.
    later = member.get(f"/o/acme/decisions/actions/{item.pk}/").content.decode()
    assert long not in htmllib.unescape(later)
