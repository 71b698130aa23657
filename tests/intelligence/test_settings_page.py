"""The Insights settings page: everyone reads how signals and health are computed; admins
change thresholds and weights, which are stored only where they differ from the default and
apply from the next evaluation; stale and bad input change nothing; tenants stay apart."""

from __future__ import annotations

import datetime as dt
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accord.activity.models import Event
from accord.core.models import ScheduledRun
from accord.intelligence import config, evaluate
from accord.intelligence.models import IntelligenceSettings, Signal, SignalState
from accord.intelligence.registry import discover
from accord.intelligence.settings_views import threshold_label
from tests.conftest import login

pytestmark = pytest.mark.django_db

URL = "/o/acme/insights/settings/"
RESET = URL + "reset/"
SHARE = "Enter a share from 0 to 1 (0.25 is 25%)."


class Form(HTMLParser):
    """What a browser would submit from the page's settings form (its inputs as rendered)."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, str] = {}
        self.inside = False
        self.controls = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("id") == "settings-form":
            self.inside = True
        if tag in ("input", "button", "select", "textarea") and self.inside:
            self.controls += 1
        if not (self.inside and tag == "input" and a.get("name")):
            return
        if a.get("type") == "checkbox":
            if "checked" in a:
                self.data[a["name"]] = "on"
        else:
            self.data[a["name"]] = a.get("value", "")

    def handle_endtag(self, tag):
        if tag == "form" and self.inside:
            self.inside = False


def form_of(client) -> dict[str, str]:
    parser = Form()
    parser.feed(client.get(URL).content.decode())
    return parser.data


def main(response) -> str:
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


def stored(org) -> tuple[dict, dict, int]:
    row = IntelligenceSettings.objects.filter(org=org).first()
    return (row.detectors, row.health, row.version) if row else ({}, {}, 1)


def test_labels_are_words_with_the_unit_the_name_says():
    assert threshold_label("missed_in_a_row") == ("Missed in a row", "")
    assert threshold_label("min_slip_days") == ("Minimum slip", "days")
    assert threshold_label("drop_pct") == ("Drop", "%")
    assert threshold_label("days") == ("Days", "")


def test_a_share_reads_as_the_description_counts_it_and_its_bounds_are_the_inputs(cast):
    """A description says "more than 25 points" and its field 0.25: the field says it is a
    share of 1 and what its default is in percent; each input carries its own range."""
    html = main(login(cast.admin).get(URL))
    assert "share, 0 to 1: 0.25 is 25%" in html and "share, 0 to 1: 0.34 is 34%" in html
    tolerance = 'name="key_results.off_pace.tolerance" type="number" inputmode="decimal"'
    assert tolerance + ' min="0" max="1" step="any" value="0.25"' in html
    days = 'name="issues.stuck.days" type="number" inputmode="decimal"'
    assert days + ' min="1" max="3650" step="1" value="14"' in html
    assert "score, 0 to 1" in html  # the duplicates' combined score
    # A member reads the same units, without the inputs.
    assert "share, 0 to 1: 0.25 is 25%" in main(login(cast.member).get(URL))


def test_every_default_is_within_its_limits():
    for kind, values in config.defaults().detectors.items():
        for name, default in values.items():
            if name != "enabled":
                assert config.limits(f"{kind}.{name}", default).error(default) is None, kind
    assert config.validate({}, config.HEALTH_DEFAULTS) == ({}, config.HEALTH_DEFAULTS)


def test_a_member_reads_every_detector_and_the_health_rules_with_no_control(cast):
    response = login(cast.member).get(URL)
    assert response.status_code == 200
    page = main(response)
    for det in discover().values():
        assert det.title in page and det.kind in page
    assert "Health score" in page and "weighted by each team's people" in page
    # The organization's value and the default side by side, e.g. a request unanswered.
    assert 'id="d-dependencies-unanswered"' in page
    for tag in ("<input", "<button", "<select", "<form", "<textarea"):
        assert tag not in page, tag


def test_the_page_reads_as_many_rows_whatever_its_history(cast):
    client = login(cast.admin)

    def save_and_count(days: str) -> int:
        data = form_of(client)
        data["dependencies.unanswered.days"] = days
        client.post(URL, data)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(URL).status_code == 200
        return len(queries)

    first = save_and_count("3")
    for days in ("4", "6", "7"):
        save_and_count(days)
    assert save_and_count("8") == first


def test_the_insights_page_links_to_it(cast):
    html = login(cast.viewer).get("/o/acme/insights/").content.decode()
    assert f'href="{URL}"' in html and "How signals are computed" in html


def test_an_admin_saves_and_only_the_changed_values_are_stored(
    cast, django_capture_on_commit_callbacks
):
    client = login(cast.admin)
    data = form_of(client)
    assert data["dependencies.unanswered.days"] == "5"
    assert data["priorities.churn.enabled"] == "on"
    data["dependencies.unanswered.days"] = "3"
    data["key_results.off_pace.tolerance"] = "0.3"
    del data["priorities.churn.enabled"]  # unticked
    data["health.weights.rhythm"] = "2"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, data, follow=True)
    assert response.status_code == 200
    assert "apply from the next evaluation" in response.content.decode()
    detectors, health, version = stored(cast.org)
    assert detectors == {
        "dependencies.unanswered": {"days": 3},
        "key_results.off_pace": {"tolerance": 0.3},
        "priorities.churn": {"enabled": False},
    }
    assert health == {"weights": {"rhythm": 2.0}}
    assert version == 2
    event = Event.objects.get(org=cast.org, target_type="intelligence.intelligencesettings")
    assert event.actor == cast.admin and event.target_label == "Insights settings"
    assert event.after["detectors"]["dependencies.unanswered"] == {"days": 3}
    # The worker is asked for an evaluation soon.
    assert ScheduledRun.objects.filter(job=f"intelligence.evaluate:{cast.org.pk}").exists()
    # The page shows the new values; the defaults stay beside them.
    again = form_of(client)
    assert again["dependencies.unanswered.days"] == "3"
    assert "priorities.churn.enabled" not in again
    # Saving the same page again changes nothing and records nothing.
    client.post(URL, again)
    assert stored(cast.org)[2] == 2
    assert Event.objects.filter(target_type="intelligence.intelligencesettings").count() == 1


def test_a_value_set_back_to_its_default_is_no_longer_stored(cast):
    client = login(cast.admin)
    data = form_of(client)
    data["dependencies.unanswered.days"] = "3"
    client.post(URL, data)
    data = form_of(client)
    data["dependencies.unanswered.days"] = "5.0"
    client.post(URL, data)
    assert stored(cast.org)[:2] == ({}, {})


def test_the_next_evaluation_uses_what_was_saved(cast, blocked):
    assert blocked.signal.state == SignalState.OPEN
    client = login(cast.admin)
    data = form_of(client)
    del data["dependencies.blocked.enabled"]
    client.post(URL, data)
    evaluate.evaluate(cast.org)
    assert Signal.objects.get(pk=blocked.signal.pk).state == SignalState.RESOLVED
    assert config.for_org(cast.org).detectors["dependencies.blocked"]["enabled"] is False


def test_an_organization_sets_how_long_an_issue_may_sit_at_one_level(cast):
    from django.utils import timezone

    from accord.decisions import services as decisions

    twenty_days_ago = timezone.now() - dt.timedelta(days=20)
    decisions.raise_issue(cast.org, None, cast.platform, "Flaky builds", opened_at=twenty_days_ago)
    stuck = ("issues.stuck", "decisions.issue")
    assert any(ident[:2] == stuck for ident in evaluate.detect(cast.org))  # 20 days > 14
    client = login(cast.admin)
    data = form_of(client)
    assert data["issues.stuck.days"] == "14"
    data["issues.stuck.days"] = "30"
    client.post(URL, data)
    assert stored(cast.org)[0] == {"issues.stuck": {"days": 30}}
    assert not any(ident[:2] == stuck for ident in evaluate.detect(cast.org))
    later = timezone.now() + dt.timedelta(days=10)
    assert any(ident[:2] == stuck for ident in evaluate.detect(cast.org, later))


def test_a_stale_page_is_refused_and_changes_nothing(cast):
    client = login(cast.admin)
    mine, theirs = form_of(client), form_of(login(cast.admin))
    theirs["dependencies.unanswered.days"] = "2"
    client.post(URL, theirs)
    mine["dependencies.unanswered.days"] = "9"
    response = client.post(URL, mine)
    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else changed these settings" in html and "nothing of yours was saved" in html
    assert stored(cast.org)[0] == {"dependencies.unanswered": {"days": 2}}
    # The page shows what is saved now, with its current version.
    assert 'value="2"' in html and 'name="version" value="2"' in html


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("dependencies.unanswered.days", "-1", "Enter a whole number from 1 to 3,650."),
        ("dependencies.unanswered.days", "five", "Enter a whole number from 1 to 3,650."),
        ("dependencies.unanswered.days", "2.5", "Enter a whole number from 1 to 3,650."),
        ("key_results.off_pace.tolerance", "nan", SHARE),
        ("key_results.off_pace.tolerance", "1e400", SHARE),
        ("health.penalty.critical", "", "Enter a number from 0 to 100."),
        # A share above 1 switched the detector off without a word ("changed" on the page).
        ("initiatives.unaligned.share", "5", SHARE),
        ("key_results.projected_miss.shortfall", "1.5", SHARE),
        # A window of none divided by zero at the next evaluation.
        ("checkins.on_time_falling.recent", "0", "Enter a whole number from 1 to 1,000."),
        ("rhythm.ratings_falling.meetings", "0", "Enter a whole number from 1 to 1,000."),
        # Ratings and confidence run from 1 to 10; a penalty beyond a score's 100 is 100.
        ("rhythm.ratings_falling.drop", "12", "Enter a number from 0 to 9."),
        ("objectives.confidence_falling.off_track", "11", "Enter a whole number from 0 to 10."),
        ("health.penalty.critical", "250", "Enter a number from 0 to 100."),
        ("work.likely_duplicate.threshold", "40", "Enter a score from 0 to 1."),
        ("issues.stuck.days", "4000", "Enter a whole number from 1 to 3,650."),
    ],
)
def test_bad_input_is_shown_next_to_its_field_and_changes_nothing(cast, field, value, message):
    client = login(cast.admin)
    data = form_of(client)
    data["initiatives.unaligned.min_count"] = "3"  # a good change, kept back with the bad one
    data[field] = value
    response = client.post(URL, data)
    assert response.status_code == 422
    html = response.content.decode()
    field_id = "f-" + field.replace(".", "-")
    assert f'<small class="error" id="{field_id}-error">{message}</small>' in html
    assert f'id="{field_id}"' in html and 'aria-invalid="true"' in html
    assert f'<a href="#{field_id}">Go to the field</a>' in html
    # What was typed stays in the form, to be corrected.
    assert f'name="{field}" type="number"' in html
    kept = 'name="initiatives.unaligned.min_count" type="number" inputmode="decimal" min="1"'
    assert kept + ' max="1000" step="1" value="3"' in html
    assert stored(cast.org) == ({}, {}, 1)
    assert not Event.objects.filter(target_type="intelligence.intelligencesettings").exists()


def test_all_weights_zero_is_refused(cast):
    client = login(cast.admin)
    data = form_of(client)
    for key in [k for k in data if k.startswith("health.weights.")]:
        data[key] = "0"
    response = client.post(URL, data)
    assert response.status_code == 422
    assert '<p class="error" id="weights-error">At least one weight must be above 0.</p>' in (
        response.content.decode()
    )
    assert stored(cast.org) == ({}, {}, 1)


def test_reset_puts_one_detector_back_and_keeps_the_rest(cast):
    client = login(cast.admin)
    data = form_of(client)
    data["dependencies.unanswered.days"] = "3"
    data["key_results.stale.days"] = "30"
    data["health.weights.rhythm"] = "2"
    client.post(URL, data)
    response = client.post(RESET, {"part": "dependencies.unanswered", "version": "2"}, follow=True)
    assert "Request unanswered is back to the documented defaults" in response.content.decode()
    kept = {"key_results.stale": {"days": 30}}
    assert stored(cast.org) == (kept, {"weights": {"rhythm": 2.0}}, 3)
    client.post(RESET, {"part": "health", "version": "3"})
    assert stored(cast.org) == (kept, {}, 4)
    # A stale reset is refused; an unknown part too.
    response = client.post(RESET, {"part": "all", "version": "3"}, follow=True)
    assert "Someone else changed these settings" in response.content.decode()
    client.post(RESET, {"part": "nope", "version": "4"})
    assert stored(cast.org)[2] == 4
    client.post(RESET, {"part": "all", "version": "4"})
    assert stored(cast.org) == ({}, {}, 5)


def test_the_admin_page_asks_before_resetting(cast):
    html = login(cast.admin).get(URL).content.decode()
    assert 'id="reset-d-dependencies-unanswered"' in html
    assert 'data-confirm="Reset “Request unanswered” to its documented defaults?' in html
    assert 'form="reset-all"' in html and 'id="reset-all"' in html


@pytest.mark.parametrize("who", ["viewer", "member", "leader"])
def test_only_an_admin_may_change_it(cast, who):
    person = getattr(cast, who)
    client = login(person)
    data = form_of(login(cast.admin))
    data["dependencies.unanswered.days"] = "3"
    assert client.post(URL, data).status_code == 403
    assert client.post(RESET, {"part": "all"}).status_code == 403
    assert stored(cast.org) == ({}, {}, 1)


def test_another_organizations_admin_gets_404_and_changes_stay_in_their_organization(cast):
    outsider = login(cast.outsider)
    assert outsider.get(URL).status_code == 404
    assert outsider.post(URL, {"version": "1"}).status_code == 404
    assert outsider.post(RESET, {"part": "all"}).status_code == 404
    # Globex's admin changes Globex's settings; Acme's stay as they were.
    theirs = outsider.get("/o/globex/insights/settings/")
    assert theirs.status_code == 200
    parser = Form()
    parser.feed(theirs.content.decode())
    parser.data["dependencies.unanswered.days"] = "1"
    outsider.post("/o/globex/insights/settings/", parser.data)
    assert stored(cast.other_org)[0] == {"dependencies.unanswered": {"days": 1}}
    assert stored(cast.org) == ({}, {}, 1)
    assert config.for_org(cast.org).detectors["dependencies.unanswered"]["days"] == 5
    assert 'value="5"' in login(cast.admin).get(URL).content.decode()


@pytest.mark.parametrize(
    "body",
    [
        '{"detectors": {"actions.follow_through": {"days": 1000000000}}}',
        '{"detectors": {"dependencies.unanswered": {"days": NaN}}}',
        '{"health": {"weights": {"rhythm": Infinity}}}',
        '{"detectors": {"checkins.missed_in_a_row": {"in_a_row": 2.5}}}',
        '{"detectors": {"initiatives.unaligned": {"share": 5}}}',
        '{"detectors": {"rhythm.ratings_falling": {"meetings": 0}}}',
    ],
)
def test_the_api_refuses_what_would_stop_or_mislead_evaluation(cast, api_admin, body):
    """Days reaching back before year 1 stopped every evaluation of the organization; NaN
    compared false with everything, so a detector silently never fired."""
    r = api_admin.put("/api/v1/signal-kinds/settings", body, content_type="application/json")
    assert r.status_code == 422, r.content
    assert stored(cast.org) == ({}, {}, 1)
    evaluate.evaluate(cast.org)


def test_a_threshold_a_detector_no_longer_has_is_left_out_of_what_applies(cast):
    """Stored before the detector dropped it (the orphaned objectives' "still_days"): the
    organization's settings read without it, so the page and the API never offer it back
    to be refused as unknown."""
    IntelligenceSettings.objects.create(
        org=cast.org, detectors={"objectives.orphaned": {"still_days": 30, "grace_days": 7}}
    )
    applied = config.for_org(cast.org).detectors["objectives.orphaned"]
    assert applied["grace_days"] == 7 and "still_days" not in applied


def test_the_api_names_a_share_out_of_range_like_the_page(cast, api_admin):
    body = '{"detectors": {"initiatives.unaligned": {"share": 5}}}'
    r = api_admin.put("/api/v1/signal-kinds/settings", body, content_type="application/json")
    assert r.status_code == 422
    assert r.json()["error"]["fields"] == {"initiatives.unaligned.share": [SHARE]}


@pytest.mark.parametrize(
    ("field", "value", "said"),
    [
        (
            "load.overloaded.horizon_days",
            "-5",
            "Overloaded team: Horizon (days): Enter a whole number from 1 to 3,650.",
        ),
        (
            "health.penalty.critical",
            "250",
            "Health score, points a live signal costs: Critical (points): "
            "Enter a number from 0 to 100.",
        ),
    ],
)
def test_a_refused_value_is_named_by_the_page_labels_not_its_key(cast, field, value, said):
    client = login(cast.admin)
    data = form_of(client)
    data[field] = value
    response = client.post(URL, data)
    assert response.status_code == 422
    html = response.content.decode()
    field_id = "f-" + field.replace(".", "-")
    assert f'<p>{said} <a href="#{field_id}">Go to the field</a></p>' in html
    assert "load.overloaded:" not in html and "horizon_days:" not in html
    assert "penalty: critical" not in html.lower()
