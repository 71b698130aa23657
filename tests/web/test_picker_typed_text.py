"""Text typed into a picker and not chosen from its matches is never dropped: the search
box posts it (`<name>_text`). Text that names exactly one choice is chosen, as shell.js
chooses it, even over an earlier choice; any other is refused, "No team is named …", with
the text kept in the box. The search marks the match named exactly what was typed, first,
for shell.js to choose on leaving the box."""

from __future__ import annotations

from django import forms

from accord.org import services
from accord.org.models import Team
from accord.web import pickers
from tests.conftest import login

NEW_TEAM = "/o/acme/teams/new/"


def test_a_parent_typed_and_not_chosen_is_refused_with_the_text_kept(cast):
    client = login(cast.admin)
    response = client.post(
        NEW_TEAM, {"name": "Growth", "parent": "", "parent_text": "Platfor", "state": "active"}
    )
    assert response.status_code in (200, 422)
    body = response.content.decode()
    assert "No team is named “Platfor”. Choose a team from the list." in body
    assert 'name="parent_text"' in body and 'value="Platfor"' in body
    assert not Team.objects.filter(org=cast.org, name="Growth").exists()


def test_a_parent_typed_in_full_and_not_chosen_is_chosen_as_shell_js_would(cast):
    """Without script no list appears: the server chooses, as shell.js does, the one team
    named exactly what was typed (any case); it does not guess at part of a name."""
    response = login(cast.admin).post(
        NEW_TEAM, {"name": "Growth", "parent": "", "parent_text": "  platform "}
    )
    assert response.status_code == 302
    assert Team.objects.get(org=cast.org, name="Growth").parent_id == cast.platform.pk


def test_a_chosen_parent_is_saved_whatever_text_comes_with_it(cast):
    client = login(cast.admin)
    response = client.post(
        NEW_TEAM, {"name": "Growth", "parent": cast.platform.pk, "parent_text": "Platform"}
    )
    assert response.status_code == 302
    assert Team.objects.get(org=cast.org, name="Growth").parent_id == cast.platform.pk
    # An empty box and no choice is still "no parent": the top of the tree.
    response = client.post(NEW_TEAM, {"name": "Skunkworks", "parent": "", "parent_text": " "})
    assert response.status_code == 302
    assert Team.objects.get(org=cast.org, name="Skunkworks").parent_id is None


class Teams(forms.Form):
    teams = pickers.TeamMultipleChoiceField(queryset=Team.objects.none(), required=False)

    def __init__(self, *args, org, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["teams"].queryset = Team.objects.for_org(org)


def test_a_multiple_picker_refuses_text_left_in_its_box_and_keeps_both(cast):
    form = Teams({"teams": [cast.platform.pk], "teams_text": "Acm"}, org=cast.org)
    assert not form.is_valid()
    assert form.errors["teams"] == ["No team is named “Acm”. Choose a team from the list."]
    html = str(form["teams"])
    assert 'value="Acm"' in html and 'name="teams_text"' in html
    assert f'<input type="hidden" name="teams" value="{cast.platform.pk}">' in html
    chosen = Teams({"teams": [cast.platform.pk], "teams_text": ""}, org=cast.org)
    assert chosen.is_valid() and list(chosen.cleaned_data["teams"]) == [cast.platform]


def test_every_kind_names_what_to_choose():
    assert pickers.not_chosen_message("person") == "Choose a person from the list."
    assert pickers.not_chosen_message("human") == "Choose a person from the list."
    assert pickers.not_chosen_message("key_result") == "Choose a key result from the list."
    assert pickers.not_chosen_message("objective") == "Choose an objective from the list."
    assert pickers.not_chosen_message("checkin") == "Choose a check-in from the list."
    assert pickers.not_chosen_message("assignee") == "Choose a person from the list."
    assert pickers.not_chosen_message("accountable") == "Choose a person from the list."
    assert pickers.not_chosen_message("work_team") == "Choose a team from the list."
    assert set(pickers.KINDS) == {
        "person",
        "human",
        "assignee",
        "accountable",
        "team",
        "work_team",
        "objective",
        "key_result",
        "initiative",
        "decision",
        "dependency",
        "meeting",
        "checkin",
        "issue",
        "open_issue",
    }


def test_the_match_named_exactly_what_was_typed_comes_first_and_is_marked(cast):
    for n in range(pickers.SEARCH_LIMIT + 5):  # more matches than one answer holds
        services.create_team(cast.org, None, name=f"A platform {n:02d}", parent=cast.root)
    page = login(cast.member).get("/o/acme/pick/team/", {"q": "PLATFORM"}).content.decode()
    options = page.split('role="option"')[1:]
    assert len(options) == pickers.SEARCH_LIMIT
    assert 'aria-label="Platform"' in options[0] and "data-exact" in options[0]
    assert sum("data-exact" in o for o in options) == 1
    # A person by name or by address; two of the same name are both marked (none chosen).
    services.add_person(cast.org, None, name="Mia Member", email="mia2@acme.test")
    people = login(cast.member).get("/o/acme/pick/person/", {"q": "mia member"}).content.decode()
    assert people.count("data-exact") == 2
    by_address = login(cast.member).get("/o/acme/pick/person/", {"q": cast.member.email.upper()})
    assert by_address.content.decode().count("data-exact") == 1


def test_a_lists_team_filter_keeps_its_typed_text_out_of_the_address(cast):
    html = pickers.team_filter_picker(cast.org, None, id="team-pick")
    assert 'name="team"' in html and "_text" not in html
