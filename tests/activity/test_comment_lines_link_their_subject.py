"""A feed line of a comment ("Mia Member commented on decision “…”") links the thing
commented on, as every other line links its subject: on the Activity page, a team's
feed and home's recent activity, with no query per line. A thing deleted since is named,
unlinked."""

from __future__ import annotations

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accord.alignment import services as alignment
from accord.conversation import services as conversation
from accord.decisions import services as decisions
from tests.conftest import login


def _line(page: str, words: str) -> str:
    """The feed line (an <li class="event">) saying `words`."""
    for line in re.findall(r'<li class="event[^"]*".*?</li>', page, re.S):
        if words in line:
            return line
    raise AssertionError(f"no feed line says {words!r}")


def _decision(cast, question="Which CI runner?"):
    return decisions.create_decision(
        cast.org, cast.admin, question, cast.leader, teams=[cast.platform]
    )


def test_a_comment_on_a_decision_links_the_decision(cast):
    decision = _decision(cast)
    comment = conversation.post_comment(cast.org, cast.member, decision, "Runner A is cheaper.")
    url = reverse("decisions:decision", kwargs={"org_slug": "acme", "decision_id": decision.pk})
    page = login(cast.viewer).get("/o/acme/activity/").content.decode()
    line = _line(page, "commented on")
    assert f'<a href="{url}">“Which CI runner?”</a>' in line
    # Edited and deleted, the comment's lines link it too.
    conversation.edit_comment(cast.org, cast.member, comment, "Runner B is cheaper.")
    conversation.delete_comment(cast.org, cast.member, comment)
    page = login(cast.viewer).get("/o/acme/activity/").content.decode()
    for words in ("edited a comment on", "deleted a comment on"):
        assert f'<a href="{url}">“Which CI runner?”</a>' in _line(page, words)


def test_the_team_feed_and_home_link_it_too(cast):
    decision = _decision(cast)
    conversation.post_comment(cast.org, cast.leader, decision, "Runner A is cheaper.")
    url = reverse("decisions:decision", kwargs={"org_slug": "acme", "decision_id": decision.pk})
    client = login(cast.member)
    team = client.get("/o/acme/activity/?team=platform").content.decode()
    assert f'<a href="{url}">“Which CI runner?”</a>' in _line(team, "commented on")
    home = client.get("/o/acme/").content.decode()
    assert f'<a href="{url}">“Which CI runner?”</a>' in _line(home, "commented on")


def test_a_deleted_subject_is_named_unlinked(cast):
    initiative = alignment.create_initiative(
        cast.org, None, team=cast.platform, title="Old pipeline", owner=cast.member
    )
    conversation.post_comment(cast.org, cast.member, initiative, "Retire it?")
    alignment.delete_initiative(cast.org, cast.admin, initiative)
    page = login(cast.viewer).get("/o/acme/activity/").content.decode()
    line = _line(page, "commented on")
    assert "“Old pipeline”" in line and '<a href="/o/acme/alignment' not in line
    assert "initiatives/" not in line


def test_comment_lines_cost_no_query_each(cast):
    def feed_queries() -> int:
        client = login(cast.viewer)
        client.get("/o/acme/activity/")  # the session, once
        with CaptureQueriesContext(connection) as sql:
            assert client.get("/o/acme/activity/").status_code == 200
        return len(sql)

    conversation.post_comment(cast.org, cast.member, _decision(cast, "Q0"), "A comment.")
    one = feed_queries()
    for i in range(1, 8):
        conversation.post_comment(cast.org, cast.member, _decision(cast, f"Q{i}"), "A comment.")
    assert feed_queries() == one
