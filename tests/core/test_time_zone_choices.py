"""The time-zone selects offer the canonical zone of each place (the `zone.tab` of the zone
database) and UTC, not the database's other names of the same places; a stored other name
is still shown selected and kept when the form is saved unchanged."""

from __future__ import annotations

import re

from accord.core import timezones
from accord.org.forms import timezone_choices
from accord.org.models import Person
from tests.conftest import login


def test_the_choices_are_canonical_places_without_legacy_aliases():
    zones = dict(timezone_choices())
    assert {"Asia/Kolkata", "Europe/Oslo", "America/New_York", "UTC"} <= zones.keys()
    for alias in ("Asia/Calcutta", "Europe/Belfast", "America/Buenos_Aires", "Asia/Saigon"):
        assert alias not in zones
    assert timezones.check("Asia/Calcutta") == ("Asia/Calcutta", "")  # still accepted


def test_a_stored_alias_shows_selected_on_the_profile_and_saves_unchanged(cast):
    Person.objects.filter(pk=cast.viewer.pk).update(timezone="Asia/Calcutta")
    client = login(cast.viewer)
    edit = f"/o/acme/people/{cast.viewer.pk}/edit/"
    html = client.get(edit).content.decode()
    select = re.search(r'<select name="timezone".*?</select>', html, re.S).group(0)
    assert re.search(r'<option value="Asia/Calcutta" selected>', select)
    assert '<option value="Asia/Kolkata">' in select
    assert select.count('value="Asia/Calcutta"') == 1
    saved = client.post(edit, {"name": cast.viewer.name, "timezone": "Asia/Calcutta"})
    assert saved.status_code == 302
    assert Person.objects.get(pk=cast.viewer.pk).timezone == "Asia/Calcutta"
