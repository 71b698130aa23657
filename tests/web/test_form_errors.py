"""A refused form's messages are tied to their fields for a screen reader, and marked for
the script that puts the keyboard on them (shell.js, refusedFocus): each message has the id
Django names in the field's `aria-describedby` (`<auto_id>_error`, once per field however
many messages), the form's own errors are a summary the script can focus. And the priority
stack's arrow buttons bring the keyboard back to the button of the item moved."""

from __future__ import annotations

import re
from collections import Counter

from django import forms
from django.template.loader import render_to_string

from accord.alignment import services as alignment
from accord.decisions import services as decisions
from tests.conftest import login


def _ids(html: str) -> Counter:
    return Counter(re.findall(r'\sid="([^"]+)"', html))


def _unanswered_describedby(html: str) -> list[str]:
    """Every id named by an aria-describedby that no element of the page has."""
    ids = _ids(html)
    named = re.findall(r'aria-describedby="([^"]*)"', html)
    return [i for value in named for i in value.split() if i not in ids]


class _Form(forms.Form):
    title = forms.CharField(help_text="What it is called.")
    size = forms.IntegerField(validators=[])
    choice = forms.ChoiceField(choices=[("a", "A"), ("b", "B")])

    def clean_size(self):
        raise forms.ValidationError(["Too big.", "Not a size we make."])

    def clean(self):
        raise forms.ValidationError("Nothing was saved.")


def test_the_shared_form_ties_each_message_to_its_field():
    form = _Form({"title": "", "size": "3", "choice": "z"}, auto_id="id_7_%s")
    html = render_to_string("web/_form.html", {"form": form})
    assert _unanswered_describedby(html) == []
    assert 'aria-describedby="id_7_title_helptext id_7_title_error"' in html
    assert 'aria-describedby="id_7_choice_error"' in html
    assert '<small class="error" id="id_7_size_error" data-field-error>' in html
    # Two messages of one field: one element holding both, not two of the same id.
    assert "Too big.<br>Not a size we make.</small>" in html
    assert [i for i, n in _ids(html).items() if n > 1] == []
    assert not re.search(r'id="[^"]*-error"', html)
    # The form's own errors: the summary the page opens on.
    assert '<div class="form-errors" role="alert" tabindex="-1" data-error-summary>' in html


def test_the_team_form_field_ties_its_message_to_it():
    form = _Form({"title": ""})
    html = render_to_string("org/_field.html", {"field": form["title"]})
    assert _unanswered_describedby(html) == []
    assert 'id="id_title_error" data-field-error' in html


def test_a_refused_page_names_only_messages_that_exist(cast):
    client = login(cast.member)
    page = client.post(
        "/o/acme/password/",
        {"old_password": "wrong", "new_password1": "short", "new_password2": "short"},
    ).content.decode()
    assert "data-field-error" in page
    assert _unanswered_describedby(page) == []


def test_the_team_kinds_name_names_its_message(cast):
    client = login(cast.admin)
    page = client.post("/o/acme/teams/kinds/", {"action": "add", "name": ""}).content.decode()
    assert 'class="error"' in page
    assert 'aria-invalid="true"' in page
    assert _unanswered_describedby(page) == []


def test_filters_and_the_stack_name_only_descriptions_that_exist(cast):
    """A field's help text that Django names in its aria-describedby is on the page: the
    decisions log's "Only this team", the priority stack's WIP limit."""
    # A log with a decision in it (an empty one explains decisions instead of filtering).
    decisions.create_decision(cast.org, cast.member, "Do we ship on Fridays?", approver=cast.leader)
    client = login(cast.admin)
    for path in ("/o/acme/decisions/", "/o/acme/alignment/teams/platform/"):
        page = client.get(path).content.decode()
        assert "aria-describedby" in page, path
        assert _unanswered_describedby(page) == [], path


def test_an_arrow_button_brings_the_keyboard_back_to_the_item_moved(cast):
    first = alignment.create_initiative(
        cast.org, None, team=cast.platform, title="Edge cache", status="active"
    )
    second = alignment.create_initiative(
        cast.org, None, team=cast.platform, title="Search revamp", status="active"
    )
    client = login(cast.admin)
    page = client.get("/o/acme/alignment/teams/platform/").content.decode()
    assert f'id="move-{first.pk}-down"' in page and f'id="move-{second.pk}-up"' in page
    # The hint says what applies where: the handle only where there is one (alignment.css).
    assert '<span class="stack-hint--drag">Drag the handle, or use the arrow buttons' in page
    assert '<span class="stack-hint--arrows">Use the arrow buttons to reorder.</span>' in page
    moved = client.post(
        "/o/acme/alignment/teams/platform/stack/move/",
        {"initiative_id": first.pk, "position": 2, "moved": "down"},
    )
    assert moved.status_code == 302
    # Now at the bottom, where its "down" is hidden: back at its "up".
    assert moved["Location"].endswith(f"/o/acme/alignment/teams/platform/#move-{first.pk}-up")
    # Without saying which button (an older page), the stack as before.
    again = client.post(
        "/o/acme/alignment/teams/platform/stack/move/",
        {"initiative_id": first.pk, "position": 1},
    )
    assert again["Location"].endswith("/o/acme/alignment/teams/platform/#stack")
