"""Sources and tracker links through the API and the pages, tenancy, and the signal that
repeated failures raise."""

from __future__ import annotations

import json

from accord.intelligence.evaluate import evaluate
from accord.intelligence.models import Signal
from accord.sources import services
from accord.sources.models import KeyResultSource, TrackerLink
from tests.conftest import api_client, login


def _put(client, path, body):
    return client.put(path, json.dumps(body), content_type="application/json")


def test_the_api_sets_pulls_shows_and_clears_a_source(cast, kr, upstream):
    url = upstream.answer("/m.json", '{"total": 64}')
    owner = api_client(cast.member)
    path = f"/api/v1/key-results/{kr.pk}/source"
    r = _put(owner, path, {"kind": "json", "url": url, "json_path": "$.total"})
    assert r.status_code == 200, r.content
    assert r.json()["kind"] == "json" and r.json()["failures"] == 0
    r = owner.post(f"{path}/pull")
    assert r.json() == {"ok": True, "message": "Read 64.", "value": 64.0}
    values = owner.get(f"/api/v1/key-results/{kr.pk}/values").json()["items"]
    assert values[0]["source"] == "source" and values[0]["value"] == 64
    assert owner.get(path).json()["last_value"] == 64
    assert owner.delete(path).status_code == 204
    assert owner.get(path).status_code == 404
    assert not KeyResultSource.objects.exists()


def test_the_api_refuses_bad_input_viewers_and_other_tenants(cast, kr):
    path = f"/api/v1/key-results/{kr.pk}/source"
    good = {"kind": "json", "url": "https://example.com/m.json", "json_path": "$.n"}
    r = _put(api_client(cast.member), path, {**good, "json_path": "$..["})
    assert r.status_code == 422 and "json_path" in r.json()["error"]["fields"]
    assert _put(api_client(cast.viewer), path, good).status_code == 403
    outsider = api_client(cast.outsider)
    assert _put(outsider, path, good).status_code == 404
    assert outsider.post(f"{path}/pull").status_code == 404
    assert not KeyResultSource.objects.exists()


def test_tracker_links_and_access_through_the_api_stay_in_their_organization(
    cast, initiative, upstream
):
    admin = api_client(cast.admin)
    r = _put(
        admin, "/api/v1/integrations/trackers/github", {"base_url": upstream.base, "token": "t"}
    )
    assert r.status_code == 200 and r.json()["token_set"] is True and "token" not in r.json()
    assert (
        _put(
            api_client(cast.member), "/api/v1/integrations/trackers/github", {"token": "x"}
        ).status_code
        == 403
    )
    path = f"/api/v1/initiatives/{initiative.pk}/tracker"
    r = _put(api_client(cast.member), path, {"url": "https://github.com/acme/shop/issues/9"})
    assert r.status_code == 200 and r.json()["tracker"] == "github"
    upstream.answer("/repos/acme/shop/issues/9", '{"state": "closed", "title": "Done"}')
    assert api_client(cast.member).post(f"{path}/pull").json()["ok"] is True
    assert admin.get(path).json()["closed"] is True
    outsider = api_client(cast.outsider)
    assert outsider.get(path).status_code == 404
    assert outsider.get("/api/v1/integrations/trackers").json() == []
    r = _put(admin, path, {"url": "https://example.com/not-a-tracker"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "unknown_tracker"
    assert TrackerLink.objects.get().url.endswith("/issues/9")


def test_the_key_result_page_shows_the_source_its_values_and_its_failure(cast, kr, upstream):
    url = upstream.answer("/m.json", '{"n": 33}')
    client = login(cast.member)
    r = client.post(
        f"/o/acme/sources/key-results/{kr.pk}/edit/",
        {"kind": "json", "url": url, "json_path": "$.n", "csv_row": "last"},
    )
    assert r.status_code == 302
    r = client.post(f"/o/acme/sources/key-results/{kr.pk}/pull/", follow=True)
    page = r.content.decode()
    assert "Pulled Weekly signups: Read 33." in page
    assert "from source" in page and url in page
    upstream.answer("/m.json", '{"n": "lots"}')
    page = client.post(f"/o/acme/sources/key-results/{kr.pk}/pull/", follow=True).content.decode()
    assert "1 in a row" in page and "not a number" in page
    # A viewer sees it but gets no form.
    assert login(cast.viewer).get(f"/o/acme/sources/key-results/{kr.pk}/edit/").status_code == 403
    r = login(cast.outsider).get(f"/o/acme/sources/key-results/{kr.pk}/edit/")
    assert r.status_code == 404


def test_the_form_shows_what_is_wrong_and_saves_nothing(cast, kr):
    r = login(cast.member).post(
        f"/o/acme/sources/key-results/{kr.pk}/edit/",
        {"kind": "csv", "url": "https://example.com/x.csv"},
    )
    assert r.status_code == 200 and "Give the CSV column" in r.content.decode()
    assert not KeyResultSource.objects.exists()


def test_repeated_failures_become_a_signal(cast, kr, upstream):
    url = upstream.answer("/m.json", "down", status=503)
    source = services.set_source(cast.org, cast.member, kr, kind="json", url=url, json_path="$.n")
    for _ in range(2):
        services.pull_source(cast.org, None, source)
    evaluate(cast.org, announce=False)
    assert not Signal.objects.filter(kind="sources.failing").exists()
    services.pull_source(cast.org, None, source)
    evaluate(cast.org, announce=False)
    signal = Signal.objects.get(kind="sources.failing")
    assert (signal.subject_type, signal.subject_id) == ("alignment.keyresult", str(kr.pk))
    assert signal.severity == "warning" and "HTTP 503" in signal.explanation
    assert signal.owner_id == cast.member.pk


def test_a_token_typed_with_a_bad_base_url_is_kept_and_the_help_stays_the_same(cast):
    from accord.sources.models import TrackerCredential

    admin = login(cast.admin)
    page = "/o/acme/sources/integrations/"
    first = admin.get(page).content.decode()
    help_text = "read_api. Stored encrypted, never shown."  # GitLab's; nothing stored yet
    assert help_text in first
    failed = admin.post(
        f"{page}gitlab/", {"gitlab-base_url": "not an address", "gitlab-token": "glpat-typed"}
    )
    text = failed.content.decode()
    assert failed.status_code == 422 and not TrackerCredential.objects.exists()
    assert 'value="glpat-typed"' in text  # not lost
    assert "Nothing was saved; the token you typed is kept in its field." in text
    assert help_text in text and "Leave empty to keep" not in text
    assert admin.post(f"{page}gitlab/", {"gitlab-token": "glpat-typed"}).status_code == 302
    again = admin.get(page).content.decode()
    assert (
        "read_api. Stored encrypted, never shown again; leave empty to keep the stored one."
        in again
    )
    assert "glpat-typed" not in again  # a stored token is never shown
    assert admin.get(f"{page}gitlab/")["Location"] == page  # a reload after the error
