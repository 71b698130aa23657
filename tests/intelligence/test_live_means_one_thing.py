"""The "live" signals are the same ones on the Insights page, in the API, in `accord signals`
and in MCP's what_is_at_risk: neither resolved nor dismissed (`OPEN_STATES`, what the
health counts open). A dismissed signal used to be counted live everywhere but the page."""

from __future__ import annotations

import io
import json
import re

import pytest
from django.core.management import call_command

from accord.intelligence import queries, services
from accord.intelligence.models import SignalState
from tests.conftest import api_client, login
from tests.intelligence import fixtures_pages as fx

pytestmark = pytest.mark.django_db


def page_count(client, **params) -> int:
    html = client.get("/o/acme/insights/", params).content.decode()
    heading = re.search(r'<h2 id="signals-h">(.*?)</h2>', html, re.S).group(1)
    return int(re.search(r'<span class="tag">([\d,]+)</span>', heading).group(1))


def cli(*args) -> dict:
    out = io.StringIO()
    call_command("signals", "--org", "acme", "--json", *args, stdout=out)
    return json.loads(out.getvalue())


def test_after_a_dismissal_the_page_the_api_the_cli_and_mcp_agree(cast):
    org, platform = cast.org, cast.platform
    kept = [fx.signal(org, [platform], title=f"Holds {n}") for n in range(3)]
    fx.signal(org, [platform], title="Snoozed", state=SignalState.SNOOZED)
    fx.signal(org, [platform], title="Gone", state=SignalState.RESOLVED)
    services.dismiss(org, cast.admin, kept[0], "Expected while the team is hiring.")

    page = page_count(login(cast.admin), scope=platform.pk)
    api = api_client(cast.admin)
    default = api.get(f"/api/v1/signals?team_id={platform.pk}").json()
    live = api.get(f"/api/v1/signals?team_id={platform.pk}&state=live").json()
    listed = cli("--team", "platform")
    assert page == default["count"] == live["count"] == listed["count"] == 3
    assert kept[0].pk not in [i["id"] for i in default["items"]]
    mcp = queries.signals(org, team_id=platform.pk, live=True)  # what_is_at_risk's list
    assert kept[0].pk not in [s.pk for s in mcp] and len(mcp) == 3

    # Every other state still filters exactly; `any` (or the page's "Any state") is all.
    for state, n in (("dismissed", 1), ("resolved", 1), ("snoozed", 1), ("open", 2)):
        assert (
            api.get(f"/api/v1/signals?team_id={platform.pk}&state={state}").json()["count"] == n
        ), state
        assert cli("--team", "platform", "--state", state)["count"] == n, state
        assert page_count(login(cast.admin), scope=platform.pk, state=state) == n, state
    assert api.get(f"/api/v1/signals?team_id={platform.pk}&state=any").json()["count"] == 5
    assert cli("--team", "platform", "--state", "any")["count"] == 5
    assert page_count(login(cast.admin), scope=platform.pk, state="") == 5


def test_the_api_says_what_live_means_and_that_it_is_the_default(cast):
    schema = api_client(cast.admin).get("/api/v1/openapi.json").json()
    params = schema["paths"]["/api/v1/signals"]["get"]["parameters"]
    state = next(p for p in params if p["name"] == "state")
    assert state["schema"].get("default") == "live"
    assert "neither resolved nor dismissed" in state["description"]
    assert "any" in state["description"]


def test_a_key_results_page_leaves_a_dismissed_signal_out(cast):
    """Its panel lists the open signals about it, as Insights does."""
    import datetime as dt

    from django.utils import timezone

    from accord.alignment import services as alignment

    org = cast.org
    today = timezone.localdate()
    period = alignment.create_period(
        org, None, name="Now", start=today - dt.timedelta(days=30),
        end=today + dt.timedelta(days=60), is_current=True,
    )  # fmt: skip
    goal = alignment.create_objective(org, None, title="Faster", period=period, team=cast.platform)
    kr = alignment.create_key_result(org, None, goal, name="p95 latency", target=10)
    s = fx.signal(org, [cast.platform], kind="key_results.off_pace", title="Latency off pace")
    s.subject_type, s.subject_id = "alignment.keyresult", str(kr.pk)
    s.save(update_fields=["subject_type", "subject_id"])
    page = f"/o/acme/alignment/key-results/{kr.pk}/"
    assert "Latency off pace" in login(cast.admin).get(page).content.decode()
    services.dismiss(org, cast.admin, s, "Expected during the migration.")
    assert "Latency off pace" not in login(cast.admin).get(page).content.decode()
