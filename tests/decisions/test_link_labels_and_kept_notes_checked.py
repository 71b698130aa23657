"""A decision link's label and the note of an issue kept for next time are checked as every
typed text is (`require_text`): a NUL or another control character, or more than the
field holds, is refused with a message naming the field, beside it on the page and in the
API's fields, and nothing changes; an empty one is still no label, no note."""

from __future__ import annotations

import html as htmllib

import pytest

from accord.activity.models import Event
from accord.decisions import services
from accord.decisions.models import Decision, DecisionLink
from tests.conftest import api_client, login


@pytest.fixture
def issue(cast):
    return services.raise_issue(cast.org, cast.member, cast.platform, "Flaky builds")


CONTROL = ("Pricing\x07 page", "Label contains a control character (\\x07)")
NUL = ("Pricing\x00 page", "abel contains a NUL character")  # (the API's input check)


@pytest.mark.parametrize("label, said", [CONTROL, NUL])
def test_the_page_refuses_a_link_label_beside_the_field_and_links_nothing(
    cast,
    decision,
    initiative,
    label,
    said,
):
    r = login(cast.member).post(
        f"/o/acme/decisions/{decision.pk}/links/",
        {"kind": "initiative", "target_id": initiative.pk, "label": label},
    )
    assert r.status_code == 422
    body = htmllib.unescape(r.content.decode())
    field = body.split('for="id_link_label"')[1].split('<div class="field')[0]
    assert 'aria-invalid="true"' in field
    if label is CONTROL[0]:
        assert said in body
    assert not DecisionLink.objects.filter(decision=decision).exists()


@pytest.mark.parametrize("label, said", [CONTROL, NUL])
def test_the_api_refuses_a_link_label_naming_it(cast, decision, initiative, label, said):
    api = api_client(cast.member)
    body = {"target_type": "alignment.initiative", "target_id": initiative.pk, "label": label}
    r = api.post(f"/api/v1/decisions/{decision.pk}/links", body, content_type="application/json")
    assert r.status_code == 422, r.content
    assert said in r.json()["error"]["message"] and "label" in r.json()["error"]["fields"]
    assert not DecisionLink.objects.filter(decision=decision).exists()
    # A decision proposed with such a link is not proposed at all.
    proposed = {
        "question": "Drop the legacy plan?",
        "approver_id": cast.leader.pk,
        "links": [body],
    }
    r = api.post("/api/v1/decisions", proposed, content_type="application/json")
    assert r.status_code == 422, r.content
    assert said in r.json()["error"]["message"]
    assert not Decision.objects.filter(question="Drop the legacy plan?").exists()


def test_a_link_label_is_kept_stripped_and_an_empty_one_shows_the_name(
    cast,
    decision,
    initiative,
):
    services.link(cast.org, cast.member, decision, "alignment.initiative", initiative.pk, "  ")
    assert DecisionLink.objects.get(decision=decision).label == ""
    services.unlink(cast.org, cast.member, decision, "alignment.initiative", initiative.pk)
    services.link(
        cast.org, cast.member, decision, "alignment.initiative", initiative.pk, " The page "
    )
    assert DecisionLink.objects.get(decision=decision).label == "The page"


@pytest.mark.parametrize(
    "note, said",
    [
        ("next\x1b[31m", "The note contains a control character (\\x1b)"),
        ("next\x00", "note contains a NUL character"),
    ],
)
def test_the_api_refuses_a_kept_note_and_keeps_nothing(cast, issue, note, said):
    r = api_client(cast.member).post(
        f"/api/v1/issues/{issue.pk}/keep", {"note": note}, content_type="application/json"
    )
    assert r.status_code == 422, r.content
    assert said in r.json()["error"]["message"] and "note" in r.json()["error"]["fields"]
    issue.refresh_from_db()
    assert issue.kept_count == 0
    assert not Event.objects.filter(verb="kept").exists()


def test_a_kept_note_is_stripped_and_an_empty_one_is_none(cast, issue):
    api = api_client(cast.member)
    url = f"/api/v1/issues/{issue.pk}/keep"
    r = api.post(url, {"note": " Waiting on IT\n"}, content_type="application/json")
    assert r.status_code == 200, r.content
    assert Event.objects.filter(verb="kept").latest("id").after["note"] == "Waiting on IT"
    assert api.post(url, {"note": "  "}, content_type="application/json").status_code == 200
    assert "note" not in Event.objects.filter(verb="kept").latest("id").after
    issue.refresh_from_db()
    assert issue.kept_count == 2
