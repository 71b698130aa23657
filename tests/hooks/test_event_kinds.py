"""Event kinds: one pattern syntax and one check for webhook subscriptions and the event log's
`kind` filter; the kinds listed by the API, on the webhook pages and in docs/webhooks.md,
each the same as the code's registry (`accord.activity.kinds`)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from accord.activity import kinds
from accord.core.errors import ServiceError
from accord.hooks import outbox, services
from accord.hooks.models import Webhook
from accord.org import services as org

DOC = Path(__file__).resolve().parents[2] / "docs" / "webhooks.md"

REFUSED = ["nonsense.kind.x", "nope.*", "org.teem.*", "org.team", "org", "Org.team.*", "org..x"]


@pytest.mark.parametrize("pattern", REFUSED)
def test_a_pattern_webhooks_refuse_is_refused_by_the_event_log_too(cast, api_admin, pattern):
    with pytest.raises(ServiceError):
        outbox.clean_patterns([pattern])
    response = api_admin.get("/api/v1/events", {"kind": pattern})
    assert response.status_code == 422, response.content
    assert list(response.json()["error"]["fields"]) == ["kind"]


def test_an_unknown_kind_of_object_is_a_422_on_the_event_log_not_an_empty_list(cast, api_admin):
    response = api_admin.get("/api/v1/events?kind=nonsense.kind.x")
    assert response.status_code == 422, response.content
    assert "No events are recorded about 'nonsense.kind'" in response.json()["error"]["message"]


def test_the_webhook_form_of_a_kind_of_object_reads_the_event_log_alike(cast, api_admin):
    org.update_team(cast.org, cast.leader, cast.platform, name="Platform Core")

    def kinds_of(kind):
        response = api_admin.get("/api/v1/events", {"kind": kind, "limit": 200})
        assert response.status_code == 200, response.content
        return sorted(e["kind"] for e in response.json()["items"])

    star = kinds_of("org.team.*")
    assert star == kinds_of("org.team.") and "org.team.updated" in star
    assert set(star) <= {"org.team.created", "org.team.updated"}
    assert kinds_of("org.team.updated") == ["org.team.updated"]
    everything = api_admin.get("/api/v1/events?kind=*&limit=1").json()
    assert everything["items"]
    # The one pattern an event log refuses: a whole area, naming what to ask instead.
    area = api_admin.get("/api/v1/events?kind=org.*")
    assert area.status_code == 422 and "org.team.*" in area.json()["error"]["message"]


def test_webhooks_keep_the_dot_form_as_the_star_form(cast):
    assert outbox.clean_patterns("org.team. decisions.* *") == ["org.team.*", "decisions.*", "*"]


def test_the_api_lists_the_registry(cast, api_admin):
    response = api_admin.get("/api/v1/event-kinds")
    assert response.status_code == 200, response.content
    body = response.json()
    listed = [k["kind"] for k in body["object_kinds"]]
    assert listed == list(kinds.object_kinds())
    assert {"org.team", "decisions.decision", "coordination.dependency"} <= set(listed)
    assert "coordination" in body["areas"] and "created" in body["verbs"]
    for k in body["object_kinds"]:  # each listed pattern is one a webhook takes
        assert outbox.clean_patterns([k["pattern"]]) == [k["pattern"]]


def _between(text: str, name: str) -> str:
    found = re.search(rf"<!-- {name}:start -->\n(.*?)\n<!-- {name}:end -->", text, re.S)
    assert found, f"docs/webhooks.md has no {name} markers"
    return found.group(1).strip()


def test_the_docs_list_the_registry_as_it_is():
    text = DOC.read_text()
    assert _between(text, "event-kinds") == kinds.doc_table(), (
        "docs/webhooks.md's list of kinds is out of date; paste accord.activity.kinds.doc_table()"
    )
    assert _between(text, "event-verbs") == kinds.doc_verbs()
    for field in ("`type`", "`timestamp`", "`data.target`", "`data.actor`", "`data.before`"):
        assert field in text  # the envelope's fields are described


def test_the_webhook_pages_offer_the_kinds_and_served_help(cast, as_admin, receiver, settings):
    settings.OUTBOUND_ALLOW_PRIVATE = True
    index = as_admin.get("/o/acme/settings/webhooks/").content.decode()
    assert 'list="event-kinds-list"' in index and '<datalist id="event-kinds-list">' in index
    for kind in kinds.object_kinds():
        assert f'<option value="{kind}.*">' in index
    assert 'id="webhook-help"' in index and "/api/v1/event-kinds" in index
    made = as_admin.post(
        "/o/acme/settings/webhooks/", {"url": receiver.url, "events": "org.team.*"}, follow=True
    )
    page = made.content.decode()
    assert Webhook.objects.get().secrets()[0] in page  # the secret box, shown once
    assert "docs/webhooks.md" not in page
    assert 'href="#webhook-help"' in page and 'id="webhook-help"' in page


def test_a_subscription_and_its_api_answer_take_the_same_patterns(cast, api_admin, settings):
    settings.OUTBOUND_ALLOW_PRIVATE = True
    made = api_admin.post(
        "/api/v1/webhooks",
        json.dumps({"url": "http://127.0.0.1:1/x", "events": ["nonsense.kind.x"]}),
        "application/json",
    )
    assert made.status_code == 422 and list(made.json()["error"]["fields"]) == ["events"]
    hook, _ = services.create_webhook(cast.org, cast.admin, url="http://127.0.0.1:1/x", events="*")
    assert hook.events == ["*"]
