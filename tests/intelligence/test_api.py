"""The signals and health API: filters, evidence links, actions, roles and tenancy."""

from __future__ import annotations

import datetime as dt
import json

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accord.intelligence import evaluate
from accord.intelligence.models import SignalState
from tests.conftest import api_client


def post(client, url, body=None, **headers):
    return client.post(url, json.dumps(body or {}), content_type="application/json", **headers)


def test_signals_are_listed_ranked_and_filtered(cast, blocked, api_admin):
    r = api_admin.get("/api/v1/signals")
    assert r.status_code == 200
    body = r.json()
    assert body["count"] >= 1
    first = body["items"][0]
    assert first["kind"] == "dependencies.blocked" and first["severity"] == "critical"
    assert sorted(first["team_ids"]) == sorted([cast.root.pk, cast.platform.pk])
    assert api_admin.get("/api/v1/signals?severity=info").json()["items"] == [
        i for i in body["items"] if i["severity"] == "info"
    ]
    platform = api_admin.get(f"/api/v1/signals?team_id={cast.platform.pk}").json()
    assert blocked.signal.pk in [i["id"] for i in platform["items"]]
    # Another organization's team is not one this organization has: 404, as on every list.
    other = api_admin.get(f"/api/v1/signals?team_id={cast.other_team.pk}")
    assert other.status_code == 404 and "team_id" in other.json()["error"]["fields"]
    assert api_admin.get("/api/v1/signals?state=resolved").json()["count"] == 0
    assert api_admin.get("/api/v1/signals?kind=dependencies.blocked").json()["count"] == 1
    # A typo in a filter is refused naming the field, not answered "no signals".
    for bad, field in (("state=bogus", "state"), ("kind=nope.kind", "kind")):
        for extra in ("", f"&as_of={timezone.localdate()}"):
            refused = api_admin.get(f"/api/v1/signals?{bad}{extra}")
            assert refused.status_code == 422, (bad, extra)
            assert field in refused.json()["error"]["fields"]
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    assert api_admin.get(f"/api/v1/signals?as_of={yesterday}").json()["count"] == 0
    today = api_admin.get(f"/api/v1/signals?as_of={timezone.localdate()}").json()
    assert [i["id"] for i in today["items"]] == [i["id"] for i in body["items"]]
    assert api_admin.get("/api/v1/signals?as_of=soon").status_code == 422


def test_a_page_of_signals_costs_the_same_queries_however_many_signals(cast, blocked, api_admin):
    from accord.alignment import services as alignment
    from accord.coordination import services as coordination
    from accord.org import services as org_services

    def queries_for(url):
        with CaptureQueriesContext(connection) as ctx:
            assert api_admin.get(url).status_code == 200
        return len(ctx.captured_queries)

    one = queries_for("/api/v1/signals"), queries_for(f"/api/v1/signals?team_id={cast.root.pk}")
    for i in range(5):
        team = org_services.create_team(cast.org, None, name=f"Squad {i}", parent=cast.platform)
        work = alignment.create_initiative(cast.org, None, team=team, title=f"W{i}",
                                           status="active")  # fmt: skip
        dep = coordination.create_dependency(
            cast.org, None, requester_initiative=work, provider_team=cast.root,
            title=f"Need {i}", need_by=timezone.localdate() + dt.timedelta(days=9),
        )  # fmt: skip
        coordination.transition(cast.org, None, dep, "flag_blocked", note="Stuck")
    evaluate.evaluate(cast.org)
    assert api_admin.get("/api/v1/signals").json()["count"] >= 6
    many = queries_for("/api/v1/signals"), queries_for(f"/api/v1/signals?team_id={cast.root.pk}")
    # (the first call of a token also records when it was last used: one more query; a
    # team_id is first checked to be the organization's: one more)
    assert many[0] <= one[0] and many[1] <= one[1] and max(one) <= 7, (one, many)


def test_one_signal_shows_its_evidence_linked(cast, blocked, api_admin):
    r = api_admin.get(f"/api/v1/signals/{blocked.signal.pk}")
    assert r.status_code == 200
    body = r.json()
    urls = {e["label"]: e["url"] for e in body["evidence"]}
    assert urls["Payments API"] == f"/o/acme/coordination/d/{blocked.dep.pk}/"
    assert urls["Requester"] == "/o/acme/teams/platform/"
    assert body["subject_url"] == f"/o/acme/coordination/d/{blocked.dep.pk}/"
    assert body["next_step"]


def test_acknowledge_snooze_dismiss_and_reopen_through_the_api(cast, blocked):
    lead = api_client(blocked.lead)
    url = f"/api/v1/signals/{blocked.signal.pk}"
    r = post(lead, f"{url}/acknowledge")
    assert r.status_code == 200 and r.json()["state"] == "acknowledged"
    until = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    r = post(lead, f"{url}/snooze", {"until": until})
    assert r.json()["state"] == "snoozed" and r.json()["snoozed_until"] == until
    assert post(lead, f"{url}/dismiss", {"reason": ""}).status_code == 422
    r = post(lead, f"{url}/dismiss", {"reason": "Handled in the vendor call"}, HTTP_IF_MATCH='"1"')
    assert r.status_code == 409
    r = post(lead, f"{url}/dismiss", {"reason": "Handled in the vendor call"})
    assert r.json()["state"] == "dismissed"
    assert post(lead, f"{url}/reopen").json()["state"] == "open"
    assert post(lead, f"{url}/snooze", {"until": "2000-01-01"}).status_code == 422


def test_viewers_and_members_who_lead_nothing_concerned_may_not_act(cast, blocked):
    for person in (cast.viewer, cast.member):
        r = post(api_client(person), f"/api/v1/signals/{blocked.signal.pk}/acknowledge")
        assert r.status_code == 403, person
    blocked.signal.refresh_from_db()
    assert blocked.signal.state == SignalState.OPEN


def test_another_organizations_signals_and_teams_are_not_found(cast, blocked):
    outsider = api_client(cast.outsider)
    assert outsider.get(f"/api/v1/signals/{blocked.signal.pk}").status_code == 404
    r = post(outsider, f"/api/v1/signals/{blocked.signal.pk}/acknowledge")
    assert r.status_code == 404
    assert outsider.get(f"/api/v1/health/{cast.root.pk}").status_code == 404
    assert outsider.get("/api/v1/signals").json()["count"] == 0


def test_health_of_a_team_and_its_weekly_history(cast, blocked, api_admin):
    r = api_admin.get(f"/api/v1/health/{cast.root.pk}")
    assert r.status_code == 200
    body = r.json()
    assert body["own"]["dependencies"] == 75  # the blocked request concerns Acme too
    assert body["rollup_people"] == 3  # Acme's admin, Platform's member and lead
    assert body["rollup_open_signals"]["critical"] == 1  # one signal, concerning two teams
    assert body["explanation"]["dependencies"][0]["points"] == 25
    # What existed before the first evaluation counts as having always existed; the
    # request was flagged blocked today, so in the past weeks nothing was blocked.
    evaluate.backfill(cast.org, weeks=3)
    history = api_admin.get(f"/api/v1/health/{cast.root.pk}/history?weeks=4").json()
    assert len(history) == 4
    assert [h["date"] for h in history] == sorted(h["date"] for h in history)
    assert [h["own"]["dependencies"] for h in history] == [100, 100, 100, 75]
    week_ago = timezone.localdate() - dt.timedelta(days=7)
    past = api_admin.get(f"/api/v1/health/{cast.root.pk}?as_of={week_ago}").json()
    assert past["own"]["dependencies"] == 100
    assert api_admin.get(f"/api/v1/health/{cast.other_team.pk}").status_code == 404


def test_the_catalogue_lists_every_kind_with_the_organizations_settings(cast, api_admin):
    body = api_admin.get("/api/v1/signal-kinds").json()
    kinds = {k["kind"]: k for k in body["kinds"]}
    assert {"checkins.missed_in_a_row", "dependencies.cycle", "rhythm.ratings_falling"} <= set(
        kinds
    )
    assert kinds["dependencies.unanswered"]["defaults"] == {"enabled": True, "days": 5}
    change = {"detectors": {"dependencies.unanswered": {"days": 2}}}
    r = api_admin.put("/api/v1/signal-kinds/settings", json.dumps(change),
                      content_type="application/json")  # fmt: skip
    assert r.status_code == 200
    kinds = {k["kind"]: k for k in r.json()["kinds"]}
    assert kinds["dependencies.unanswered"]["settings"]["days"] == 2
    leader = api_client(cast.leader)
    r = leader.put("/api/v1/signal-kinds/settings", json.dumps(change),
                   content_type="application/json")  # fmt: skip
    assert r.status_code == 403
    bad = {"detectors": {"dependencies.unanswered": {"days": -1}}}
    r = api_admin.put("/api/v1/signal-kinds/settings", json.dumps(bad),
                      content_type="application/json")  # fmt: skip
    assert r.status_code == 422
