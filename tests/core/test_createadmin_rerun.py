"""`accord createadmin --create-org NAME` run again (a setup script run twice).

The reviewer's second run created a second "Lumen Labs" at /o/lumen-labs-2/. Run again by
the login that already administers that organization, it says so and changes nothing (exit
0); for another login, an organization of that name is refused.
"""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accord.activity.models import Event
from accord.org.models import Organization, Person

PASSWORD = "a long and unguessable passphrase"


def createadmin(*args: str) -> str:
    out = StringIO()
    call_command("createadmin", *args, stdout=out)
    return out.getvalue()


SETUP = ("--email", "priya@lumen.example", "--create-org", "Lumen Labs", "--name", "Priya Raman")


def test_running_the_setup_again_changes_nothing_and_succeeds(db):
    createadmin(*SETUP, "--password", PASSWORD)
    events = Event.objects.count()
    out = createadmin(*SETUP, "--password", "another long passphrase here")
    assert "priya@lumen.example already administers Lumen Labs (/o/lumen-labs/)" in out
    assert "Nothing was changed" in out
    assert list(Organization.objects.values_list("slug", flat=True)) == ["lumen-labs"]
    assert Person.objects.count() == 1
    assert Event.objects.count() == events
    # The password stays the first run's.
    person = Person.objects.get()
    assert person.user.check_password(PASSWORD)
    # The same with the address given, and with the name in other capitals.
    createadmin(*SETUP, "--org", "lumen-labs", "--password", PASSWORD)
    createadmin(
        "--email", "Priya@lumen.example", "--create-org", "lumen labs", "--password", PASSWORD
    )
    assert Organization.objects.count() == 1


def test_an_organization_of_that_name_someone_else_administers_is_refused(db):
    createadmin(*SETUP, "--password", PASSWORD)
    with pytest.raises(CommandError) as refused:
        createadmin(
            "--email", "mallory@lumen.example", "--create-org", "Lumen Labs", "--password", PASSWORD
        )
    said = str(refused.value)
    assert "An organization named 'Lumen Labs' already exists (/o/lumen-labs/)" in said
    assert "--org lumen-labs" in said and "Nothing was changed" in said
    assert Organization.objects.count() == 1
    assert not Person.objects.filter(email="mallory@lumen.example").exists()
