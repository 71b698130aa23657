"""The weekly briefing has one switch, its own ("Send me my weekly briefing"), not also a
mute among the kinds of notice; whoever had muted it keeps it not sent; the briefings page,
home and the settings page say what will happen, and why not when it will not."""

from __future__ import annotations

import importlib
import re

import pytest
from django.apps import apps

from accord.activity import delivery
from accord.activity.models import DeliveryPreferences
from accord.briefings import queries
from accord.briefings.models import BriefingSchedule
from accord.core.errors import ServiceError
from tests.conftest import login

MIGRATION = importlib.import_module(
    "accord.briefings.migrations.0002_briefing_mutes_become_the_schedule"
)


def said(page: str, testid: str) -> str:
    found = re.search(rf'data-testid="{testid}">(.*?)</p>', page, re.S)
    assert found, page
    return " ".join(re.sub(r"<[^>]+>", "", found.group(1)).split())


def test_the_briefing_is_not_offered_among_the_mutes(cast):
    page = login(cast.admin).get("/o/acme/rhythm/settings/").content.decode()
    assert page.count("Send me my weekly briefing") == 1
    assert 'value="briefing.weekly"' not in page and "My weekly briefing" not in page
    with pytest.raises(ServiceError, match="Unknown kind"):
        delivery.set_preferences(cast.org, cast.admin, cast.admin, muted_kinds=["briefing.weekly"])


def test_who_had_muted_it_keeps_it_not_sent(cast):
    """Ada (an admin: hers by default, no schedule saved) and Mia (a member who turned it
    on for Thursdays) had muted it; Leo had muted something else only."""
    BriefingSchedule.objects.create(org=cast.org, person=cast.member, weekday=3, hour=7)
    for person, muted in (
        (cast.admin, ["briefing.weekly"]),
        (cast.member, ["briefing.weekly", "mention"]),
        (cast.leader, ["mention"]),
    ):
        DeliveryPreferences.objects.create(org=cast.org, person=person, muted_kinds=muted)
    assert {p.pk for p, _ in queries.subscribers(cast.org)} == {cast.admin.pk, cast.member.pk}

    MIGRATION.forward(apps, None)

    assert queries.subscribers(cast.org) == []  # nobody starts getting it
    ada, mia = (BriefingSchedule.objects.get(person=p) for p in (cast.admin, cast.member))
    assert (ada.enabled, mia.enabled, mia.weekday, mia.hour) == (False, False, 3, 7)
    assert not BriefingSchedule.objects.filter(person=cast.leader).exists()
    kept = dict(DeliveryPreferences.objects.values_list("person_id", "muted_kinds"))
    assert kept == {cast.admin.pk: [], cast.member.pk: ["mention"], cast.leader.pk: ["mention"]}
    page = login(cast.admin).get("/o/acme/briefings/").content.decode()
    assert said(page, "schedule") == "Not e-mailed to you: you turned it off."


def test_the_pages_say_whether_and_when_it_is_e_mailed(cast):
    def status(person) -> tuple[str, str, str]:
        client = login(person)
        return (
            said(client.get("/o/acme/briefings/").content.decode(), "schedule"),
            said(client.get("/o/acme/").content.decode(), "briefing-status"),
            said(client.get("/o/acme/rhythm/settings/").content.decode(), "briefing-status"),
        )

    on = "E-mailed to you every Monday at 08:00 (UTC), about the week before."
    briefings, home, settings = status(cast.admin)
    assert briefings == on and home == on and settings == f"Now: {on}"
    delivery.set_preferences(cast.org, cast.admin, cast.admin, email=False)
    briefings, home, _ = status(cast.admin)
    assert briefings.startswith("Not e-mailed to you: your e-mail notifications are off.")
    assert home.startswith("Not e-mailed to you: your e-mail notifications are off.")


def test_without_email_set_up_the_pages_say_it_is_kept_in_accord_not_e_mailed(
    cast, settings, monkeypatch
):
    """A fresh install (no EMAIL_HOST, no EMAIL_BACKEND) sends no e-mail, yet home said
    the weekly briefing was "E-mailed to you every Monday"."""
    monkeypatch.delenv("EMAIL_HOST", raising=False)
    monkeypatch.delenv("EMAIL_BACKEND", raising=False)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "localhost"
    client = login(cast.admin)
    kept = (
        "In Accord every Monday at 08:00 (UTC), about the week before; not e-mailed: "
        "e-mail is not set up here."
    )
    assert said(client.get("/o/acme/").content.decode(), "briefing-status") == kept
    assert said(client.get("/o/acme/briefings/").content.decode(), "schedule") == kept
    page = client.get("/o/acme/rhythm/settings/").content.decode()
    assert said(page, "briefing-status") == f"Now: {kept}"
    assert "An e-mail each week" not in page
    assert "Kept here in Accord on the day and hour you choose" in page


def test_home_does_not_say_none_was_sent_beside_last_weeks(cast):
    """A member gets no briefing by default: home says so and offers last week's to read
    here, rather than "No briefing sent to you yet." beside a link to it."""
    page = login(cast.member).get("/o/acme/").content.decode()
    panel = page[page.index('id="briefing-h"') :].split("</section>")[0]
    assert "No briefing sent to you yet" not in panel
    assert said(panel, "briefing-status") == (
        "Not e-mailed to you: it goes to team leads and admins unless they turn it off, "
        "and you are neither. Change"
    )
    assert "Read last week's here" in panel
