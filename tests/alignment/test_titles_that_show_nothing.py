"""An objective, key result or initiative titled with characters that show nothing (a
zero-width space, a Hangul filler, a blank Braille pattern), or holding a control character
or a direction override, is refused by the page (beside the field, as typed) and by the API
(422 naming the field); nothing is made."""

from __future__ import annotations

import html as htmllib

import pytest
from django.urls import reverse

from accord.alignment.models import Initiative, KeyResult, Objective
from accord.org import services as org_services
from tests.conftest import api_client, login


@pytest.mark.parametrize(
    "title, said",
    [
        ("\u200b", "Title is required: what was given shows nothing (only U+200B)."),
        ("\u3164\u2800", "Title is required: what was given shows nothing (only U+3164, U+2800)."),
        ("\x07\x1b[31mAlert", "Title contains a control character (\\x07); remove it."),
        ("Cut costs \u202e%05 yb", "Title contains a text-direction control (U+202E)"),
    ],
)
def test_the_objective_page_refuses_a_title_that_shows_nothing_or_misleads(cast, plan, title, said):
    url = reverse("alignment:objective_new", kwargs={"org_slug": "acme"})
    before = Objective.objects.count()
    r = login(cast.member).post(
        url,
        {
            "title": title,
            "period": plan.q1.pk,
            "level": "team",
            "team": cast.platform.pk,  # Mia's team: only the title is wrong
            "status": "active",
            "weight": "1",
        },
    )
    assert r.status_code == 422
    page = htmllib.unescape(r.content.decode())
    assert said in page
    assert 'id="id_title_error"' in page  # beside the field
    assert Objective.objects.count() == before


@pytest.mark.parametrize("title", ["\u200b", "\u200c", "\u200d", "\ufeff", "\u3164", "\u2800"])
def test_the_api_refuses_them_naming_the_field(cast, plan, title):
    org_services.add_membership(cast.org, None, person=cast.member, team=plan.sales, allocation=10)
    api = api_client(cast.member)
    counts = (Objective.objects.count(), KeyResult.objects.count(), Initiative.objects.count())
    for url, body, field in (
        (
            "/api/v1/objectives",
            {"title": title, "period_id": plan.q1.pk, "team_id": plan.sales.pk},
            "title",
        ),
        (
            "/api/v1/key-results",
            {"objective_id": plan.sales_obj.pk, "name": title, "target": 1},
            "name",
        ),
        ("/api/v1/initiatives", {"title": title, "team_id": plan.sales.pk}, "title"),
    ):
        r = api.post(url, body, content_type="application/json")
        assert r.status_code == 422, (url, r.content)
        assert field in r.json()["error"]["fields"], r.content
    assert counts == (
        Objective.objects.count(),
        KeyResult.objects.count(),
        Initiative.objects.count(),
    )
