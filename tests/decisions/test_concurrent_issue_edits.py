"""Two people editing one issue at once: the later save, from a form opened before the
other's, is refused saying what changed meanwhile (not saved over it), and saving again
then keeps both changes."""

from __future__ import annotations

import re

import pytest

from accord.decisions import services
from accord.decisions.models import Issue
from tests.conftest import login


@pytest.fixture
def issue(cast):
    return services.raise_issue(cast.org, cast.member, cast.platform, "Flaky tests")


def _edit_form(page: str) -> dict:
    form = page.split('class="issue-actions"')[1].split("</form>")[0]
    version = re.search(r'name="version" value="(\d+)"', form).group(1)
    title = re.search(r'name="title"[^>]*value="([^"]*)"', form).group(1)
    severity = re.search(r'<option value="(\w+)" selected', form).group(1)
    return {"version": version, "title": title, "severity": severity, "description": ""}


def test_a_stale_issue_edit_is_refused_saying_what_changed_and_saves_when_sent_again(cast, issue):
    url = f"/o/acme/decisions/issues/{issue.pk}/"
    maya, jonas = login(cast.member), login(cast.leader)
    mayas, jonass = (
        _edit_form(maya.get(url).content.decode()),
        _edit_form(jonas.get(url).content.decode()),
    )
    saved = maya.post(url + "edit/", {**mayas, "title": "Flaky integration tests"})
    assert saved.status_code == 302
    refused = jonas.post(url + "edit/", {**jonass, "severity": "high"})
    assert refused.status_code == 422
    page = refused.content.decode()
    assert "changed by someone else since you opened this form" in page
    assert f"Title is now “Flaky integration tests” (changed by {cast.member.name} at" in page
    issue.refresh_from_db()
    assert (issue.title, issue.severity) == ("Flaky integration tests", "medium")
    # Jonas's severity is kept, Maya's title shown in the form (he had not touched it), and
    # the form carries the version now: saving it again keeps both changes.
    again = _edit_form(page)
    assert again == {
        "version": str(issue.version),
        "title": "Flaky integration tests",
        "severity": "high",
        "description": "",
    }
    assert jonas.post(url + "edit/", again).status_code == 302
    issue.refresh_from_db()
    assert (issue.title, issue.severity) == ("Flaky integration tests", "high")


def test_a_save_from_another_tab_of_the_same_person_says_so(cast, issue):
    url = f"/o/acme/decisions/issues/{issue.pk}/"
    first, second = login(cast.member), login(cast.member)
    form = _edit_form(first.get(url).content.decode())
    assert first.post(url + "edit/", {**form, "title": "Renamed here"}).status_code == 302
    page = second.post(url + "edit/", {**form, "title": "Renamed there"}).content.decode()
    assert "changed since you opened this form (by you" in page
    assert "someone else" not in page
    assert "Title is now “Renamed here” (changed by you at" in page
    assert "what you typed is kept below" in page and 'value="Renamed there"' in page
    assert Issue.objects.get(pk=issue.pk).title == "Renamed here"


def test_an_edit_of_an_issue_dropped_meanwhile_says_who_dropped_it_and_keeps_the_text(cast, issue):
    url = f"/o/acme/decisions/issues/{issue.pk}/"
    jonas = login(cast.leader)
    form = _edit_form(jonas.get(url).content.decode())
    services.drop_issue(cast.org, cast.member, issue, "Not ours")
    r = jonas.post(url + "edit/", {**form, "description": "Three a day fail"})
    assert r.status_code == 422
    page = r.content.decode()
    assert f"Not saved: {cast.member.name} dropped it at" in page
    assert "What you typed, not saved: Title “Flaky tests”; Description “Three a day fail”" in (
        page
    )
