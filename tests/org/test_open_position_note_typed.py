"""An open position's note is checked as every typed text is (`require_text`): a control
character or a direction override is refused with a message naming it, on the team's page
and through the API, and no position is opened or changed; a note that shows nothing is
none."""

from __future__ import annotations

import html

import pytest

from accord.core.errors import ServiceError
from accord.org import services
from accord.org.models import TeamVacancy
from tests.conftest import api_client, login

BAD = [("Ask Ada\x07", "(\\x07)"), ("Ask \u202eAda", "(U+202E)")]


@pytest.mark.parametrize("note, said", BAD)
def test_the_team_page_refuses_such_a_note(cast, note, said):
    r = login(cast.admin).post(
        "/o/acme/teams/acme/vacancies/", {"role": "lead", "note": note}, follow=True
    )
    page = html.unescape(r.content.decode())
    assert "The note contains a" in page and said in page
    assert not TeamVacancy.objects.exists()


@pytest.mark.parametrize("note, said", BAD)
def test_the_api_refuses_it_naming_the_field(cast, note, said):
    r = api_client(cast.admin).post(
        "/api/v1/vacancies",
        {"team_id": cast.root.pk, "role": "lead", "note": note},
        content_type="application/json",
    )
    assert r.status_code == 422, r.content
    assert said in r.json()["error"]["message"] and "note" in r.json()["error"]["fields"]
    assert not TeamVacancy.objects.exists()


def test_a_change_is_refused_too_and_what_shows_nothing_is_none(cast):
    vacancy = services.open_vacancy(cast.org, cast.admin, cast.root, role="lead", note="\u200b")
    assert vacancy.note == ""
    with pytest.raises(ServiceError, match=r"The note contains a control character \(\\x1b\)"):
        services.update_vacancy(cast.org, cast.admin, vacancy, note="Ask \x1b[31mAda")
    vacancy.refresh_from_db()
    assert vacancy.note == ""
