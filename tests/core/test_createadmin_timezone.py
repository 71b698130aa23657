"""`accord createadmin --create-org NAME --timezone ZONE`: the organization starts in its zone.

A new customer's organization stayed on UTC after `createadmin --create-org`: its cadences
read "Every week on Friday at 16:00 UTC" and new people started in UTC. `--timezone` gives
the zone of the organization created (checked as every zone given to Accord is); an unknown
zone is refused before anything is created (exit 2), and so is `--timezone` for an existing
organization, whose zone its admins change on its settings page.
"""

from __future__ import annotations

import os
import subprocess
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accord.activity.models import Event
from accord.org import services
from accord.org.models import Organization, Person
from tests.test_cli import ACCORD

PASSWORD = "a long and unguessable passphrase"
SETUP = ("--email", "kai@tokyo.example", "--create-org", "Tokyo Works", "--password", PASSWORD)


def createadmin(*args: str) -> str:
    out = StringIO()
    call_command("createadmin", *args, stdout=out)
    return out.getvalue()


def test_the_organization_is_created_in_the_zone_given(db):
    out = createadmin(*SETUP, "--timezone", "asia/tokyo")  # in any case
    org = Organization.objects.get(slug="tokyo-works")
    assert org.timezone == "Asia/Tokyo"  # as the zone database spells it
    assert "Its time zone is Asia/Tokyo." in out
    # Recorded as a change of the organization's time zone, by Accord.
    event = Event.objects.get(org=org, verb="updated", target_id=str(org.pk))
    assert event.after == {"timezone": "Asia/Tokyo"} and event.actor_id is None
    # New people start in it.
    added = services.add_person(org, None, name="Ren", email="ren@tokyo.example")
    assert added.timezone == "Asia/Tokyo"


def test_without_a_zone_it_says_the_organization_is_on_utc_until_set(db):
    out = createadmin(*SETUP)
    assert Organization.objects.get(slug="tokyo-works").timezone == "UTC"
    assert "Its time zone is UTC until you set it on Organization settings" in out
    assert "getting-started guide" in out


@pytest.mark.parametrize(
    ("zone", "said"),
    [
        ("Mars/Olympus", "Unknown time zone 'Mars/Olympus'"),
        ("EST", "use America/New_York"),
        ("US/Eastern", "legacy name"),
    ],
)
def test_a_zone_that_is_not_a_places_is_refused_and_nothing_is_created(db, zone, said):
    with pytest.raises(CommandError) as refused:
        createadmin(*SETUP, "--timezone", zone)
    assert refused.value.returncode == 2
    message = str(refused.value)
    assert f"--timezone {zone!r}" in message and said in message
    assert "Nothing was changed" in message
    assert not Organization.objects.exists() and not Person.objects.exists()
    assert not Event.objects.exists()


def test_a_zone_for_an_existing_organization_is_refused(db):
    createadmin(*SETUP)
    events = Event.objects.count()
    with pytest.raises(CommandError) as refused:
        createadmin(
            *("--email", "lee@tokyo.example", "--org", "tokyo-works", "--password", PASSWORD),
            *("--timezone", "Asia/Tokyo"),
        )
    assert refused.value.returncode == 2
    assert "Organization settings" in str(refused.value)
    assert Organization.objects.get().timezone == "UTC"
    assert not Person.objects.filter(email="lee@tokyo.example").exists()
    assert Event.objects.count() == events


def test_the_setup_run_again_with_another_zone_changes_nothing_and_says_so(db):
    createadmin(*SETUP, "--timezone", "Asia/Tokyo")
    events = Event.objects.count()
    out = createadmin(*SETUP, "--timezone", "Europe/Paris")
    assert "Nothing was changed" in out
    assert "Its time zone stays Asia/Tokyo" in out
    assert Organization.objects.get().timezone == "Asia/Tokyo"
    assert Event.objects.count() == events


def test_the_command_exits_2_for_an_unknown_zone(tmp_path):
    env = {**os.environ, "ACCORD_DATA_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [ACCORD, "createadmin", *SETUP, "--timezone", "Nowhere/Atlantis"],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert result.returncode == 2, result.stderr
    assert "Unknown time zone 'Nowhere/Atlantis'" in result.stderr
    assert "Traceback" not in result.stderr
    help_text = subprocess.run(
        [ACCORD, "createadmin", "--help"], capture_output=True, text=True, timeout=60, env=env
    ).stdout
    assert "--timezone ZONE" in help_text
