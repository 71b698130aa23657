"""What a message is about is said once in each version of it: the plain-text e-mail and
the HTML one both carry its headline (a mention says on which initiative; a briefing names
its week), and a Microsoft Teams card shows it as its title, not again in its text."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from accord.activity import delivery
from accord.activity.models import Notification
from accord.alignment import services as alignment
from accord.briefings import compose
from accord.briefings import services as briefings
from accord.conversation import services as conversation
from tests.rhythm.servers import good_hook, smtp  # noqa: F401  (fixtures)


def sent_to(smtp, person):  # noqa: F811
    [message] = [m for m in smtp.messages if m["X-Rcpt"] == person.email]
    plain = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    return message["Subject"].strip(), plain, html


def test_a_mentions_plain_e_mail_says_where_as_its_html_does(cast, smtp):  # noqa: F811
    checkout = alignment.create_initiative(cast.org, None, team=cast.platform, title="Checkout")
    conversation.post_comment(cast.org, cast.admin, checkout, "@mia.member can you look?")
    delivery.deliver(now=timezone.now() + dt.timedelta(minutes=1))
    subject, plain, html = sent_to(smtp, cast.member)
    assert "Checkout" in subject
    assert f"\n{subject}\n" in plain.replace("\r\n", "\n")
    assert f"<strong>{subject}</strong>" in html


def test_a_briefings_html_e_mail_names_its_week_as_its_text_does(cast, smtp):  # noqa: F811
    week = compose.last_complete_week(timezone.now(), cast.admin.timezone)
    briefings.send_to_person(cast.org, cast.admin, week)
    delivery.deliver(now=timezone.now() + dt.timedelta(minutes=1))
    _subject, plain, html = sent_to(smtp, cast.admin)
    [row] = Notification.objects.filter(kind=briefings.KIND)
    title = row.subject.removeprefix("Your briefing: ")
    assert plain.replace("\r\n", "\n").startswith(f"Hello Ada,\n\n{title}\n")
    assert f'<h1 class="briefing-title">{title}</h1>' in html


def test_a_teams_card_says_its_headline_once_as_its_title(cast, good_hook):  # noqa: F811
    hook = delivery.add_chat_webhook(
        cast.org, None, cast.platform, url=good_hook.url, flavor="teams"
    )
    with transaction.atomic():
        delivery.notify(
            cast.org,
            kind="dependency_flagged",
            key="dependency:1:flag:2",
            subject="Jonas Mensah flags blocked: Points ledger endpoints",
            text="Points ledger endpoints: Mobile needs it from Platform by 20 Dec.",
            link="http://localhost:8000/o/acme/",
            teams=[cast.platform],
        )
    delivery.deliver(now=timezone.now() + dt.timedelta(minutes=1))
    [card] = good_hook.posts
    assert card["title"] == "Jonas Mensah flags blocked: Points ledger endpoints"
    assert card["text"] == (
        "Points ledger endpoints: Mobile needs it from Platform by 20 Dec.<br>"
        "http://localhost:8000/o/acme/"
    )
    # A test message is its headline alone: the title, not the same words again below it.
    delivery.send_test_message(cast.org, cast.leader, hook)
    assert good_hook.posts[-1]["title"] == "Accord test message from Platform"
    assert "text" not in good_hook.posts[-1]
