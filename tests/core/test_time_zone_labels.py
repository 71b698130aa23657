"""The time-zone selects name each zone by its country, its place and its offset from UTC
now ("India · Kolkata (UTC+05:30)"), so that a person in Lagos or Chennai finds theirs
without knowing the zone's IANA name: UTC first, then by country, so that typing the
country's name in the select reaches it. The value sent and stored is still the zone's
name, and a stored zone the list does not offer is still shown selected."""

from __future__ import annotations

import datetime as dt
import html as html_lib
import re

import pytest

from accord.core import timezones
from accord.org.forms import timezone_choices
from accord.org.models import Organization, Person
from tests.conftest import at, login

WINTER = dt.datetime(2027, 1, 15, 12, 0, tzinfo=dt.UTC)
SUMMER = dt.datetime(2027, 7, 15, 12, 0, tzinfo=dt.UTC)


def _options(page: str) -> dict[str, str]:
    select = re.search(r'<select name="timezone".*?</select>', page, re.S).group(0)
    found = re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select)
    return {value: html_lib.unescape(label) for value, label in found}


@pytest.mark.parametrize(
    ("zone", "label"),
    [
        ("Asia/Kolkata", "India · Kolkata (UTC+05:30)"),
        ("Africa/Lagos", "Nigeria · Lagos (UTC+01:00)"),
        ("America/Argentina/Cordoba", "Argentina · Cordoba (UTC\u221203:00)"),
        ("America/Argentina/Buenos_Aires", "Argentina · Buenos Aires (UTC\u221203:00)"),
        ("America/Indiana/Knox", "United States · Knox, Indiana (UTC\u221206:00)"),
        ("America/New_York", "United States · New York (UTC\u221205:00)"),
        ("Europe/London", "United Kingdom · London (UTC+00:00)"),
        ("Asia/Kathmandu", "Nepal · Kathmandu (UTC+05:45)"),
        ("Asia/Singapore", "Singapore (UTC+08:00)"),
        ("UTC", "UTC"),
    ],
)
def test_a_zone_is_named_by_its_country_place_and_offset(zone, label):
    with at(WINTER):
        assert dict(timezone_choices())[zone] == label


def test_the_offset_is_todays_across_daylight_saving():
    with at(WINTER):
        winter = dict(timezone_choices())
    with at(SUMMER):
        summer = dict(timezone_choices())
    assert winter["America/New_York"] == "United States · New York (UTC\u221205:00)"
    assert summer["America/New_York"] == "United States · New York (UTC\u221204:00)"
    assert winter["Europe/Berlin"] == "Germany · Berlin (UTC+01:00)"
    assert summer["Europe/Berlin"] == "Germany · Berlin (UTC+02:00)"
    assert winter["Australia/Sydney"] == "Australia · Sydney (UTC+11:00)"
    assert summer["Australia/Sydney"] == "Australia · Sydney (UTC+10:00)"


def test_utc_first_then_by_country_every_place_named_by_its_country():
    with at(WINTER):
        choices = timezone_choices()
    assert choices[0] == ("UTC", "UTC")
    assert [zone for zone, _ in choices] == [z for z, _ in choices if z in timezones.places()]
    assert sorted(zone for zone, _ in choices) == list(timezones.places())
    labels = [label for _, label in choices[1:]]
    for zone, label in choices[1:]:
        assert label != zone and "/" not in label and "_" not in label, (zone, label)
        assert re.search(r" \(UTC[+\u2212]\d\d:\d\d\)$", label), label
    # By country, accents aside ("Åland Islands" among the A's): each country's zones
    # together, so the select's type-ahead reaches the first of them by the country's name.
    countries = [label.split(" · ")[0].split(" (UTC")[0] for label in labels]
    assert countries.index("Åland Islands") < countries.index("Albania")
    for country in ("United States", "India", "Nigeria", "Argentina"):
        first = countries.index(country)
        assert countries[first : first + countries.count(country)] == [country] * countries.count(
            country
        )
    india = countries.index("India")
    assert choices[1 + india] == ("Asia/Kolkata", "India · Kolkata (UTC+05:30)")


def test_the_profile_form_shows_the_labels_and_stores_the_zones_name(cast):
    edit = f"/o/acme/people/{cast.viewer.pk}/edit/"
    with at(WINTER):
        client = login(cast.viewer)
        page = client.get(edit).content.decode()
    options = _options(page)
    assert options["Africa/Lagos"] == "Nigeria · Lagos (UTC+01:00)"
    assert options["Asia/Kolkata"] == "India · Kolkata (UTC+05:30)"
    assert '<option value="Asia/Kolkata">India · Kolkata (UTC+05:30)</option>' in page
    with at(WINTER):
        saved = client.post(edit, {"name": cast.viewer.name, "timezone": "Africa/Lagos"})
    assert saved.status_code == 302
    assert Person.objects.get(pk=cast.viewer.pk).timezone == "Africa/Lagos"
    with at(WINTER):
        page = client.get(edit).content.decode()
    assert '<option value="Africa/Lagos" selected>Nigeria · Lagos (UTC+01:00)</option>' in page


def test_a_stored_zone_the_list_does_not_offer_is_shown_by_its_name(cast):
    Person.objects.filter(pk=cast.viewer.pk).update(timezone="Asia/Calcutta")
    with at(WINTER):
        page = login(cast.viewer).get(f"/o/acme/people/{cast.viewer.pk}/edit/").content.decode()
    assert '<option value="Asia/Calcutta" selected>Asia/Calcutta</option>' in page


def test_the_organizations_settings_offer_the_same_labels(cast):
    with at(SUMMER):
        client = login(cast.admin)
        page = client.get("/o/acme/settings/organization/").content.decode()
    options = _options(page)
    assert options["UTC"] == "UTC"
    assert options["America/New_York"] == "United States · New York (UTC\u221204:00)"
    with at(SUMMER):
        saved = client.post(
            "/o/acme/settings/organization/", {"action": "timezone", "timezone": "Asia/Kolkata"}
        )
    assert saved.status_code == 302
    assert Organization.objects.get(pk=cast.org.pk).timezone == "Asia/Kolkata"


def test_a_new_cadence_offers_the_same_labels_its_makers_zone_chosen(cast):
    Person.objects.filter(pk=cast.leader.pk).update(timezone="Asia/Kolkata")
    with at(WINTER):
        page = login(cast.leader).get("/o/acme/rhythm/cadences/new/").content.decode()
    options = _options(page)
    assert options["Africa/Lagos"] == "Nigeria · Lagos (UTC+01:00)"
    assert '<option value="Asia/Kolkata" selected>India · Kolkata (UTC+05:30)</option>' in page
