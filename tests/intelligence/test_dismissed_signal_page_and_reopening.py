"""A dismissed signal is put aside: its page says it costs no health while dismissed and
offers only to reopen it (which is all the service allows); a snoozed one says it still
costs health. Dismissing or reopening asks for the next evaluation, and Insights says the
stored scores catch up then. Whoever dismissed a signal is told when someone else reopens
it, as the team above is told of the dismissal."""

# ruff: noqa: F811 (`dept`, a fixture imported from test_put_aside_told_above)

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accord.activity import delivery
from accord.core.errors import ServiceError
from accord.intelligence import services, tasks
from accord.intelligence.models import Evaluation, SignalState
from accord.intelligence.notifications import PUT_ASIDE
from accord.intelligence.registry import discover
from tests.conftest import login
from tests.intelligence.test_put_aside_told_above import (  # noqa: F401 (dept: a fixture)
    REASON,
    URL,
    dept,
    signal_path,
    told,
)

pytestmark = pytest.mark.django_db

PENDING = "health is recomputed at the next evaluation, within minutes"


def actions(html: str) -> set[str]:
    """The actions the signal's page offers (a form each)."""
    return {
        a
        for a in ("acknowledge", "snooze", "dismiss", "reopen")
        if f'name="action" value="{a}"' in html
    }


def header(html: str) -> str:
    start = html.index('<span class="muted">')
    return html[start : html.index("</p>", start)]


# --- what a dismissed (or snoozed) signal's page says and offers ---------------------------


def test_a_dismissed_signal_says_it_costs_no_health_and_offers_only_reopen(dept):
    dimension = discover()[dept.signal.kind].dimension
    client = login(dept.hana)
    html = client.get(signal_path(dept.signal)).content.decode()
    assert f"lowers its teams' health score for {dimension}" in header(html)
    assert actions(html) == {"acknowledge", "snooze", "dismiss"}

    response = client.post(
        signal_path(dept.signal), {"action": "dismiss", "reason": REASON}, follow=True
    )
    html = response.content.decode()
    assert "it no longer costs health while it holds" in html
    assert f"does not lower its teams' health score for {dimension} while dismissed" in header(html)
    assert actions(html) == {"reopen"}


def test_a_snoozed_signal_says_it_still_costs_health_and_offers_what_may_follow(dept):
    dimension = discover()[dept.signal.kind].dimension
    services.snooze(dept.org, dept.hana, dept.signal, timezone.localdate() + dt.timedelta(days=3))
    html = login(dept.hana).get(signal_path(dept.signal)).content.decode()
    assert f"still lowers its teams' health score for {dimension} while snoozed" in header(html)
    assert actions(html) == {"acknowledge", "snooze", "dismiss", "reopen"}


def test_the_service_allows_a_dismissed_signal_only_to_be_reopened(dept):
    s = services.dismiss(dept.org, dept.hana, dept.signal, REASON)
    later = timezone.localdate() + dt.timedelta(days=3)
    for act in (
        lambda: services.acknowledge(dept.org, dept.hana, s),
        lambda: services.snooze(dept.org, dept.hana, s, later),
        lambda: services.dismiss(dept.org, dept.hana, s, "Another reason"),
    ):
        with pytest.raises(ServiceError, match="reopen it before"):
            act()
    s.refresh_from_db()
    assert s.state == SignalState.DISMISSED and s.dismissed_reason == REASON
    assert services.dismiss(dept.org, dept.hana, s, REASON).version == s.version  # said
    assert services.reopen(dept.org, dept.hana, s).state == SignalState.OPEN


# --- health catches up at the next evaluation ----------------------------------------------


def test_dismissing_and_reopening_ask_for_the_next_evaluation(
    dept, monkeypatch, django_capture_on_commit_callbacks
):
    asked = []
    monkeypatch.setattr(tasks, "request_evaluation", asked.append)
    with django_capture_on_commit_callbacks(execute=True):
        services.dismiss(dept.org, dept.jonas, dept.signal, REASON)
    assert asked == [dept.org.pk]
    with django_capture_on_commit_callbacks(execute=True):
        services.reopen(dept.org, dept.hana, dept.signal)
    assert asked == [dept.org.pk, dept.org.pk]


def test_insights_says_the_scores_count_a_dismissal_from_the_next_evaluation(dept):
    now = timezone.now()
    Evaluation.objects.create(
        org=dept.org, as_of=now - dt.timedelta(hours=1), started_at=now - dt.timedelta(hours=1)
    )
    client = login(dept.hana)
    services.dismiss(dept.org, dept.jonas, dept.signal, REASON)
    html = client.get(URL, {"scope": dept.eng.pk}).content.decode()
    assert "1 signal dismissed in Engineering" in html and PENDING in html
    Evaluation.objects.create(org=dept.org, as_of=timezone.now(), started_at=timezone.now())
    html = client.get(URL, {"scope": dept.eng.pk}).content.decode()
    assert "1 signal dismissed in Engineering" in html and PENDING not in html


# --- whoever dismissed it is told when someone else reopens it -----------------------------


def test_reopening_a_signal_someone_else_dismissed_tells_them(dept):
    services.dismiss(dept.org, dept.jonas, dept.signal, REASON)
    assert told(dept.org, dept.jonas) == ([], [])
    s = services.reopen(dept.org, dept.hana, dept.signal)
    [mail], [item] = told(dept.org, dept.jonas)
    assert mail.kind == PUT_ASIDE
    assert mail.subject == (
        "Hana Head reopened a signal you dismissed: Payments follows through on 17%"
    )
    assert "costs health again" in mail.body_text
    assert mail.link == delivery.site_link(signal_path(s))
    assert item.link == signal_path(s) and item.actor == dept.hana and item.done_at is None
    assert item.title.startswith("Hana Head reopened a signal you dismissed")
    # Hana, who was told of the dismissal, is told nothing new; her notice is done.
    mails, items = told(dept.org, dept.hana)
    assert len(mails) == 1 and [i.done_at is not None for i in items] == [True]


def test_nobody_is_told_when_the_dismisser_reopens_it_or_it_was_only_snoozed(dept):
    services.dismiss(dept.org, dept.jonas, dept.signal, REASON)
    services.reopen(dept.org, dept.jonas, dept.signal)
    assert told(dept.org, dept.jonas) == ([], [])
    services.snooze(dept.org, dept.jonas, dept.signal, timezone.localdate() + dt.timedelta(days=3))
    services.reopen(dept.org, dept.hana, dept.signal)
    assert told(dept.org, dept.jonas) == ([], [])


def test_a_dismisser_who_muted_the_kind_gets_the_inbox_item_but_no_e_mail(dept):
    delivery.set_preferences(dept.org, dept.jonas, dept.jonas, muted_kinds=[PUT_ASIDE])
    services.dismiss(dept.org, dept.jonas, dept.signal, REASON)
    services.reopen(dept.org, dept.hana, dept.signal)
    mails, items = told(dept.org, dept.jonas)
    assert mails == [] and len(items) == 1
