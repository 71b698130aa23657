"""Without script, a picker is a text box over a hidden id: what the person typed, not the
id of an earlier choice, is what is saved (`pickers._PickerField.settle`). A box that still
names its id keeps it; text that names exactly one choice (any case) is that choice; any
other text is refused, naming it, and nothing is saved."""

from __future__ import annotations

import pytest
from django import forms
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accord.org import services
from accord.org.models import Person, Team
from accord.rhythm.models import Cadence
from accord.web import pickers
from tests.conftest import login

NEW_CADENCE = "/o/acme/rhythm/cadences/new/"


@pytest.fixture
def security(cast):
    return services.create_team(cast.org, None, name="Security", slug="security", parent=cast.root)


def cadence(team_id, team_text: str, name: str = "Weekly sync") -> dict:
    """The new cadence form as a browser without script posts it: the team picker's hidden
    id (`team`) and its text box (`team_text`), as the page renders them."""
    return {
        "name": name,
        "kind": "sync",
        "scope": "team",
        "team": team_id or "",
        "team_text": team_text,
        "teams_text": "",
        "repeat": "weekly",
        "days": ["MO"],
        "time": "09:00",
        "duration_minutes": "30",
        "timezone": "UTC",
        "owner": "",
        "owner_text": "",
        "extra_participants_text": "",
    }


def test_the_form_posts_the_id_and_the_box_a_browser_without_script_sends(cast):
    html = login(cast.admin).get(NEW_CADENCE, {"team": "platform"}).content.decode()
    assert f'<input type="hidden" name="team" value="{cast.platform.pk}" data-picker-value>' in html
    assert 'name="team_text"' in html and 'value="Platform"' in html


def test_a_team_typed_over_the_prefilled_one_is_the_one_saved(cast, security):
    client = login(cast.admin)
    response = client.post(NEW_CADENCE, cadence(cast.platform.pk, "Security"))
    assert response.status_code == 302
    assert Cadence.objects.get(org=cast.org, name="Weekly sync").team_id == security.pk


def test_a_team_typed_in_full_with_no_choice_is_accepted(cast, security):
    response = login(cast.admin).post(NEW_CADENCE, cadence(None, "security"))
    assert response.status_code == 302
    assert Cadence.objects.get(org=cast.org, name="Weekly sync").team_id == security.pk


def test_a_team_typed_that_names_none_is_refused_and_nothing_saved(cast, security):
    client = login(cast.admin)
    for team_id in (cast.platform.pk, None):  # over the pre-filled team, or alone
        response = client.post(NEW_CADENCE, cadence(team_id, "Securty"))
        assert response.status_code in (200, 422)
        body = response.content.decode()
        assert "No team is named “Securty”. Choose a team from the list." in body
        assert 'value="Securty"' in body  # kept in the box to correct
        assert not Cadence.objects.filter(org=cast.org, name="Weekly sync").exists()


def test_the_prefilled_team_left_as_it_was_is_kept(cast, security):
    client = login(cast.admin)
    response = client.post(NEW_CADENCE, cadence(cast.platform.pk, "Platform"))
    assert response.status_code == 302
    assert Cadence.objects.get(org=cast.org, name="Weekly sync").team_id == cast.platform.pk


class Owner(forms.Form):
    owner = pickers.PersonChoiceField(queryset=Person.objects.none(), required=False)
    teams = pickers.TeamMultipleChoiceField(queryset=Team.objects.none(), required=False)

    def __init__(self, *args, org, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = Person.objects.for_org(org)
        self.fields["teams"].queryset = Team.objects.for_org(org)


def test_namesakes_keep_the_one_chosen_and_typed_alone_are_refused(cast):
    """Two people of one name: the one chosen stays chosen while the box names them; typed
    alone, the name is refused (the address names one), never guessed."""
    namesake = services.add_person(cast.org, None, name="Mia Member", email="mia2@acme.test")
    kept = Owner({"owner": namesake.pk, "owner_text": "Mia Member"}, org=cast.org)
    assert kept.is_valid() and kept.cleaned_data["owner"] == namesake
    alone = Owner({"owner": "", "owner_text": "mia member"}, org=cast.org)
    assert not alone.is_valid()
    assert "More than one person is named “mia member”" in alone.errors["owner"][0]
    by_address = Owner({"owner": "", "owner_text": "MIA2@acme.test"}, org=cast.org)
    assert by_address.is_valid() and by_address.cleaned_data["owner"] == namesake
    # Typed over one namesake with the other's address: the one typed.
    over = Owner({"owner": namesake.pk, "owner_text": cast.member.email}, org=cast.org)
    assert over.is_valid() and over.cleaned_data["owner"] == cast.member


def test_a_multiple_picker_adds_the_one_its_box_names(cast, security):
    form = Owner({"teams": [cast.platform.pk], "teams_text": "SECURITY"}, org=cast.org)
    assert form.is_valid()
    assert set(form.cleaned_data["teams"]) == {cast.platform, security}


def test_one_exact_match_query_per_picker(cast, security):
    def queries(data) -> int:
        form = Owner(data, org=cast.org)
        with CaptureQueriesContext(connection) as ctx:
            assert form.is_valid(), form.errors
        return len(ctx)

    unchanged = queries({"owner": cast.member.pk, "owner_text": "Mia Member"})
    typed_over = queries({"owner": cast.admin.pk, "owner_text": "Mia Member"})
    assert unchanged == 1 and typed_over == 2
