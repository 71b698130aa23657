"""`accord worker` as a real process sends each briefing once, through a real SMTP server,
to people in two time zones whose chosen hour has come; run again, it sends nothing."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import zoneinfo
from pathlib import Path

import pytest
from django.utils import timezone

from accord.briefings import services
from accord.briefings.models import Briefing
from accord.core.models import ScheduledRun
from accord.org import services as org_services
from accord.org.models import Person
from tests.conftest import make_person
from tests.rhythm.servers import smtp  # noqa: F401  (fixture)
from tests.test_worker import ACCORD, database_url

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = str(Path(__file__).resolve().parents[2])


def run_worker(port: int) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(port),
        # This checkout's code, whatever the virtualenv's own install points at.
        "PYTHONPATH": os.pathsep.join([ROOT, os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep),
    }
    env.pop("TASKS_BACKEND", None)
    result = subprocess.run(
        [ACCORD, "worker", "--batch", "--interval", "0.1"],
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    # The next run is a later slot of every periodic job, as after a restart.
    ScheduledRun.objects.all().delete()


def test_a_real_worker_sends_each_briefing_once_in_two_time_zones(smtp, settings):  # noqa: F811
    org = org_services.create_organization("Worked", "worked")
    team = org_services.create_team(org, None, name="Worked", slug="worked")
    now = timezone.now()
    people = {}
    for name, tz in (("Tia Tokyo", "Asia/Tokyo"), ("Lou Angeles", "America/Los_Angeles")):
        p = make_person(org, name, "member")
        org_services.update_person(org, None, p, timezone=tz)
        org_services.add_membership(org, None, person=p, team=team, role="lead")
        local = now.astimezone(zoneinfo.ZoneInfo(tz))
        services.set_schedule(org, p, p, weekday=local.weekday(), hour=local.hour)
        people[name] = p
    off = make_person(org, "Otto Off", "admin")
    services.set_schedule(org, off, off, enabled=False)
    # They joined weeks ago (a week's briefing goes to those who were there).
    Person.objects.filter(org=org).update(created_at=now - dt.timedelta(weeks=3))
    newcomer = make_person(org, "Nina New", "admin")  # joined today: nothing yet

    run_worker(settings.EMAIL_PORT)
    run_worker(settings.EMAIL_PORT)  # delivers what the first run planned, if it had not
    got = sorted(m["X-Rcpt"] for m in smtp.messages)
    assert got == sorted(p.email for p in people.values())
    assert Briefing.objects.filter(org=org).count() == 2

    run_worker(settings.EMAIL_PORT)
    assert len(smtp.messages) == 2
    assert Briefing.objects.filter(org=org).count() == 2
    assert not Briefing.objects.filter(person__in=[off, newcomer]).exists()
    latest = timezone.now() + dt.timedelta(seconds=1)
    assert all(b.sent_at <= latest for b in Briefing.objects.all())


def test_a_real_worker_builds_a_briefing_read_early_and_still_sends_it_once(
    smtp,  # noqa: F811
    settings,
):
    from tests.conftest import login

    org = org_services.create_organization("Early", "early")
    team = org_services.create_team(org, None, name="Early", slug="early")
    lead = make_person(org, "Eli Early", "member")
    org_services.add_membership(org, None, person=lead, team=team, role="lead")
    now = timezone.now()
    services.set_schedule(org, lead, lead, enabled=False)  # off while she reads it early
    Person.objects.filter(org=org).update(created_at=now - dt.timedelta(weeks=3))

    client = login(lead)
    page = client.get("/o/early/briefings/latest/")
    assert "Being prepared" in page.content.decode()
    assert not Briefing.objects.filter(org=org).exists()  # queued, not built in the request

    run_worker(settings.EMAIL_PORT)
    built = Briefing.objects.get(org=org, person=lead)
    assert built.sent_at is None and smtp.messages == []

    # Her day and hour come (now): the briefing she read is sent, once.
    services.set_schedule(org, lead, lead, enabled=True, weekday=now.weekday(), hour=now.hour)
    run_worker(settings.EMAIL_PORT)
    run_worker(settings.EMAIL_PORT)
    stored = Briefing.objects.get(org=org, person=lead)
    assert stored.pk == built.pk and stored.sent_at is not None
    assert [m["X-Rcpt"] for m in smtp.messages] == [lead.email]
    shown = client.get("/o/early/briefings/latest/")
    assert shown.url == f"/o/early/briefings/{stored.pk}/"
    assert stored.content["title"] in client.get(shown.url).content.decode()

    run_worker(settings.EMAIL_PORT)
    assert len(smtp.messages) == 1 and Briefing.objects.filter(org=org).count() == 1
