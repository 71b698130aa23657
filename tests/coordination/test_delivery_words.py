"""A dependency's delivery reads in its history and the feed as its timeline says it: the
team asked marks it delivered, the asking team says it is not delivered yet or confirms
the delivery (it did not deliver anything itself). Other kinds keep their own words."""

from __future__ import annotations

import html as htmllib
import re

from accord.activity import describe
from accord.coordination import services
from tests.conftest import login
from tests.coordination.test_mark_delivered import _late


def _text(response) -> str:
    return re.sub(r"\s+", " ", htmllib.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())))


def test_a_dependencys_delivery_reads_as_who_did_what(world):
    dep = _late(world)
    dep = services.transition(world.org, world.giver, dep, "mark_delivered", note="Shipped.")
    dep = services.transition(
        world.org, world.asker, dep, "not_delivered", note="The refunds are missing."
    )
    dep = services.transition(world.org, world.giver, dep, "mark_delivered", note="Refunds too.")
    services.transition(world.org, world.asker, dep, "confirm_delivery")
    client = login(world.asker)
    feed = _text(client.get(f"/o/{world.org.slug}/activity/"))
    assert f"Asha Asker confirmed the delivery of dependency {dep.title}" in feed
    assert f"Asha Asker marked as not yet delivered dependency {dep.title}" in feed
    assert f"Gil Giver marked as delivered dependency {dep.title}" in feed
    assert "Asha Asker delivered" not in feed and "reopened" not in feed
    page = _text(client.get(f"/o/{world.org.slug}/coordination/d/{dep.pk}/"))
    assert "confirmed the delivery of this dependency" in page
    assert "marked as not yet delivered this dependency" in page
    assert "reopened this dependency" not in page
    assert "Asha Asker delivered" not in page


def test_other_kinds_keep_their_words():
    assert describe.verb_phrase("reopened", "rhythm.meeting") == "reopened"
    assert describe.verb_phrase("reopened", "intelligence.signal") == "reopened"
    assert describe.verb_phrase("marked_delivered", "") == "marked as delivered"
    assert describe.verb_phrase("confidence_set") == "set the confidence of"
