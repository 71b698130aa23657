"""A webhook of `*` or of an area is not sent what the pages show to nobody but the person
concerned and admins (someone's time off, tokens, delivery preferences, inbox, sign-ins,
other webhooks' addresses): a receiver gets those only by naming them. Against a real
receiver on 127.0.0.1, as the worker sends."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.test import Client
from django.utils import timezone

from accord.activity import delivery
from accord.api import services as tokens
from accord.conversation import services as conversation
from accord.decisions import services as decisions
from accord.hooks import sender, services
from accord.org import services as org
from accord.rhythm import services as rhythm
from tests.conftest import PASSWORD
from tests.hooks.conftest import Receiver

PRIVATE = {
    "activity.deliverypreferences.updated",
    "api.apitoken.created",
    "auth.user.signed_in",
    "org.person.inbox_read",
    "rhythm.away.created",
}


def _the_week_of_mia(cast) -> None:
    """Mia's own settings and reading, her sign-in, and one change everyone may read."""
    today = timezone.localdate()
    rhythm.set_away(
        cast.org, cast.member, cast.member, starts_on=today, ends_on=today + dt.timedelta(days=3)
    )
    tokens.create_token(cast.org, cast.member, "my laptop")
    delivery.set_preferences(cast.org, cast.member, cast.member, chat=False)
    issue = decisions.raise_issue(cast.org, cast.leader, cast.platform, "Flaky tests")
    conversation.post_comment(cast.org, cast.leader, issue, "@mia.member can you look?")
    assert conversation.mark_all_read(cast.org, cast.member) == 1
    client = Client()
    signed_in = client.post(
        "/accounts/login/", {"username": cast.member.email, "password": PASSWORD}
    )
    assert signed_in.status_code == 302
    client.get(signed_in["Location"], follow=True)  # recorded where the sign-in lands
    org.update_team(cast.org, cast.leader, cast.platform, description="Runs the platform")


def test_every_event_leaves_out_personal_and_account_events(cast, receiver, settings):
    settings.OUTBOUND_ALLOW_PRIVATE = True
    _, secret = services.create_webhook(cast.org, cast.admin, url=receiver.url, events=["*"])
    areas = Receiver()
    named = Receiver()
    try:
        _, areas_secret = services.create_webhook(
            cast.org,
            cast.admin,
            url=areas.url,
            events=["rhythm.*", "api.*", "activity.*", "auth.*", "org.*", "hooks.*"],
        )
        _, named_secret = services.create_webhook(
            cast.org,
            cast.admin,
            url=named.url,
            events=["rhythm.away.*", "auth.user.signed_in", "org.person.inbox_read"],
        )
        _the_week_of_mia(cast)
        sender.deliver()
        sent = {b["type"] for b in receiver.verified(secret)}
        by_area = {b["type"] for b in areas.verified(areas_secret)}
        by_name = {b["type"] for b in named.verified(named_secret)}
    finally:
        areas.close()
        named.close()
    # Everyone may read a team's change and an issue: `*` and `org.*` send them.
    assert {"org.team.updated", "decisions.issue.raised"} <= sent
    assert "org.team.updated" in by_area
    # Mia's time off, token, preferences, inbox and sign-in go to neither, nor the other
    # webhooks' addresses (hooks.webhook.created).
    assert not sent & PRIVATE, sent & PRIVATE
    assert not by_area & PRIVATE, by_area & PRIVATE
    assert not {t for t in sent | by_area if t.startswith("hooks.webhook.")}
    # Named, they are sent.
    assert by_name == {"rhythm.away.created", "auth.user.signed_in", "org.person.inbox_read"}


def test_the_webhook_pages_say_which_kinds_go_only_where_named(cast, as_admin):
    page = as_admin.get("/o/acme/settings/webhooks/").content.decode()
    assert "Personal and account events" in page  # the form's help
    assert "only when named" in page  # marked in the list of kinds
    assert page.count("(only when named)") >= 10


def test_the_document_names_every_kind_left_out_of_every_event():
    from accord.hooks import outbox

    text = Path(__file__).resolve().parents[2].joinpath("docs", "webhooks.md").read_text()
    section = text.split("**Personal and account events go only where they are named.**")[1]
    section = section.split("\n\n")[0]
    for kind in sorted(outbox.NAMED_ONLY):
        assert f"`{kind}`" in section, kind
    assert "`org.person.inbox_read`" in section
