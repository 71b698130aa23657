"""A comment's line in the activity feed and home's Recent activity names whom it
mentions (people and teams), never their ids, and repeats nothing its sentence says."""

from __future__ import annotations

import re

from accord.alignment import services as alignment
from accord.conversation import services as conversation
from tests.conftest import login


def _line(page: str, title: str) -> str:
    """The feed line (its text) about the comment on `title`."""
    for item in re.split(r'<li class="event', page)[1:]:
        item = item.split("</details>")[0]
        if "commented on" in item and title in item:
            return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", item))
    raise AssertionError("no line of the comment")


def test_a_comments_mentions_read_as_names(cast):
    initiative = alignment.create_initiative(
        cast.org, None, team=cast.platform, title="Build the pipeline", owner=cast.member
    )
    conversation.post_comment(
        cast.org, cast.member, initiative, "@leo.leader and @platform, have a look"
    )
    client = login(cast.member)
    for url in ("/o/acme/activity/", "/o/acme/"):
        line = _line(client.get(url).content.decode(), "Build the pipeline")
        assert "Leo Leader" in line, url
        assert "Platform" in line, url
        assert f" {cast.leader.pk}" not in line and f"#{cast.leader.pk}" not in line, url
        assert "Target" not in line, url
