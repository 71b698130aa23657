"""An option's pros and cons are checked as every typed text is (`require_text`): a control
character is refused with a message naming it (direction controls are kept, as in a
description), on the decision's
page and through the API, and nothing changes; pros that show nothing are none."""

from __future__ import annotations

import html as htmllib

import pytest

from accord.core.errors import ServiceError
from accord.decisions import services
from accord.decisions.models import DecisionOption
from tests.conftest import api_client, login

BAD = [("Fast\x07", "(\\x07)"), ("Cheap\x1b", "(\\x1b)")]


@pytest.fixture
def decision(cast):
    return services.create_decision(
        cast.org, cast.member, "Which queue do we adopt?", approver=cast.leader
    )


@pytest.mark.parametrize("field", ["pros", "cons"])
@pytest.mark.parametrize("text, said", BAD)
def test_the_page_refuses_pros_or_cons_naming_the_character(cast, decision, field, text, said):
    client = login(cast.member)
    page = f"/o/acme/decisions/{decision.pk}/"
    r = client.post(page + "options/", {"title": "Kafka", field: text}, follow=True)
    body = htmllib.unescape(r.content.decode())
    assert f"{field.capitalize()} contains a" in body and said in body
    assert not DecisionOption.objects.filter(decision=decision).exists()


@pytest.mark.parametrize("field", ["pros", "cons"])
@pytest.mark.parametrize("text, said", BAD)
def test_the_api_refuses_them_naming_the_field(cast, decision, field, text, said):
    r = api_client(cast.member).post(
        f"/api/v1/decisions/{decision.pk}/options",
        {"title": "Kafka", field: text},
        content_type="application/json",
    )
    assert r.status_code == 422, r.content
    error = r.json()["error"]
    assert said in error["message"] and field in error["fields"]
    assert not DecisionOption.objects.filter(decision=decision).exists()


def test_a_change_to_them_is_refused_too_and_what_shows_nothing_is_none(cast, decision):
    option = services.add_option(cast.org, cast.member, decision, "Kafka", pros="\u200b\u3164")
    assert option.pros == ""
    services.update_option(cast.org, cast.member, option, cons="Operations")
    with pytest.raises(ServiceError, match="Cons contains a control character"):
        services.update_option(cast.org, cast.member, option, cons="Ops \x1b")
    option.refresh_from_db()
    assert option.cons == "Operations"
    # As in a description, a paragraph of mixed scripts keeps its direction marks.
    mixed = "Team \u2067\u05e6\u05d5\u05d5\u05ea\u2069 agrees"
    services.update_option(cast.org, cast.member, option, pros=mixed)
    option.refresh_from_db()
    assert option.pros == mixed
