"""What a decision concerns may be deleted since (an initiative from its page, a key
result): the decision keeps its name, marked deleted, with no link to a page that is no
more, on its page and in the API; reading that costs no query more."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accord.alignment import services as alignment
from accord.alignment.models import Initiative, KeyResult, Objective
from accord.decisions import services
from accord.decisions.models import Decision
from tests.conftest import api_client, login


@dataclass
class Linked:
    decision: Decision
    objective: Objective  # stays
    key_result: KeyResult  # linked with a label of its own
    initiative: Initiative  # linked with no label: its name comes from the activity log


@pytest.fixture
def linked(cast) -> Linked:
    org = cast.org
    period = alignment.create_period(
        org, None, name="Q1 2026", start=dt.date(2026, 1, 1), end=dt.date(2026, 3, 31)
    )
    objective = alignment.create_objective(
        org, None, title="Faster checkout", period=period, team=cast.platform
    )
    kr = alignment.create_key_result(org, None, objective, name="Checkout p95", target=10)
    initiative = alignment.create_initiative(
        org, None, team=cast.platform, title="Pricing page", owner=cast.member
    )
    d = services.create_decision(org, cast.member, "Do we keep list prices?", approver=cast.leader)
    services.link(org, cast.member, d, "alignment.objective", objective.pk, "Faster checkout")
    services.link(org, cast.member, d, "alignment.keyresult", kr.pk, "p95 under 2 s")
    services.link(org, cast.member, d, "alignment.initiative", initiative.pk)
    return Linked(d, objective, kr, initiative)


def _page(org, name, **kw):
    return reverse(name, kwargs={"org_slug": org.slug, **kw})


def _delete(cast, linked: Linked) -> None:
    org = cast.org
    client = login(cast.leader)
    gone = client.post(
        _page(org, "alignment:initiative_delete", initiative_id=linked.initiative.pk)
    )
    assert gone.status_code == 302, gone.content
    assert not Initiative.objects.filter(pk=linked.initiative.pk).exists()
    alignment.delete_key_result(org, cast.leader, linked.key_result)


def test_the_decision_page_names_a_deleted_subject_marked_deleted_with_no_link(cast, linked):
    org = cast.org
    page = _page(org, "decisions:decision", decision_id=linked.decision.pk)
    initiative_page = _page(org, "alignment:initiative", initiative_id=linked.initiative.pk)
    kr_page = _page(org, "alignment:key_result", kr_id=linked.key_result.pk)
    objective_page = _page(org, "alignment:objective", objective_id=linked.objective.pk)
    client = login(cast.member)
    before = client.get(page).content.decode()
    assert f'href="{initiative_page}"' in before and "(deleted)" not in before

    _delete(cast, linked)
    r = client.get(page)
    assert r.status_code == 200
    body = r.content.decode()
    section = body[body.index('id="links-h"') :]
    section = section[: section.index("</section>")]
    # Their names, as plain text marked deleted: no link to a page that answers 404.
    assert re.search(r"Pricing page\s*<span[^>]*>\(deleted\)</span>", section), section
    assert re.search(r"p95 under 2 s\s*<span[^>]*>\(deleted\)</span>", section), section
    assert initiative_page not in body and kr_page not in body
    # What still exists keeps its link.
    assert f'<a href="{objective_page}">Faster checkout</a>' in section
    assert section.count("(deleted)") == 2
    # The log lists it, linking to no deleted page either.
    log = client.get(_page(org, "decisions:index")).content.decode()
    assert "Do we keep list prices?" in log and initiative_page not in log


def test_a_link_with_no_label_names_its_subject_as_it_is_called_now(cast, linked):
    org = cast.org
    page = _page(org, "decisions:decision", decision_id=linked.decision.pk)
    initiative_page = _page(org, "alignment:initiative", initiative_id=linked.initiative.pk)
    other = services.create_decision(org, cast.member, "Which regions first?", approver=cast.leader)
    services.link(org, cast.member, linked.decision, "decisions.decision", other.pk)
    other_page = _page(org, "decisions:decision", decision_id=other.pk)
    alignment.update_initiative(org, cast.member, linked.initiative, title="Pricing page v2")
    client = login(cast.member)

    def links() -> str:
        body = client.get(page).content.decode()
        section = body[body.index('id="links-h"') :]
        return section[: section.index("</section>")]

    section = links()
    assert f'<a href="{initiative_page}">Pricing page v2</a>' in section
    assert f'<a href="{other_page}">Which regions first?</a>' in section
    assert "#" not in section
    _delete(cast, linked)
    section = links()
    assert re.search(r"Pricing page v2\s*<span[^>]*>\(deleted\)</span>", section), section
    assert "#" not in section


def _links(body: dict) -> dict[str, dict]:
    return {link["target_type"]: link for link in body["links"]}


def test_the_api_keeps_the_name_and_says_the_subject_was_deleted(cast, linked):
    client = api_client(cast.member)
    one = f"/api/v1/decisions/{linked.decision.pk}"
    assert {k: v["deleted"] for k, v in _links(client.get(one).json()).items()} == {
        "alignment.objective": False,
        "alignment.keyresult": False,
        "alignment.initiative": False,
    }
    _delete(cast, linked)
    listed = client.get("/api/v1/decisions").json()["items"]
    for body in (client.get(one).json(), next(d for d in listed if d["id"] == linked.decision.pk)):
        links = _links(body)
        assert links["alignment.initiative"] == {
            "target_type": "alignment.initiative",
            "target_id": linked.initiative.pk,
            "label": "Pricing page",  # linked with no label: the name it had
            "deleted": True,
        }
        assert links["alignment.keyresult"]["label"] == "p95 under 2 s"
        assert links["alignment.keyresult"]["deleted"] is True
        assert links["alignment.objective"]["deleted"] is False


def test_a_deleted_subject_costs_the_page_and_the_api_no_query_more(cast, linked):
    org = cast.org
    page = _page(org, "decisions:decision", decision_id=linked.decision.pk)
    browser, client = login(cast.member), api_client(cast.member)

    def reads() -> dict[str, int]:
        out = {}
        for name, get in (
            ("page", lambda: browser.get(page)),
            ("log", lambda: browser.get(_page(org, "decisions:index"))),
            ("api", lambda: client.get("/api/v1/decisions")),
        ):
            get()  # warm: sessions, tokens' first use
            with CaptureQueriesContext(connection) as captured:
                assert get().status_code == 200
            out[name] = len(captured)
        return out

    before = reads()
    _delete(cast, linked)
    assert reads() == before
