"""Team kinds, states, missions and links through the organization file and CSV."""

from __future__ import annotations

from accord.activity.models import Event
from accord.interchange import csvio, services
from accord.org import services as org_services
from accord.org.models import Organization, Team, TeamKind

FILE = """\
accord: 1
organization: {name: Initech, slug: initech}
team_kinds:
  - {slug: chapter, name: Chapter}
teams:
  - slug: initech
    name: Initech
    kind: department
    mission: Make TPS reports.
  - slug: eng
    name: Engineering
    parent: initech
    kind: chapter
    state: forming
    website: https://eng.initech.example
    repository: https://git.initech.example/eng
    chat: "#eng"
    mailing_list: eng@initech.example
  - slug: old
    name: Old Department
    parent: initech
    state: retired
    retired_on: 2026-03-31
  - slug: older
    name: Older Team
    parent: old
    state: retired
    retired_on: 2026-02-28
"""


def _all_active() -> str:
    return (
        FILE.replace("state: retired", "state: active")
        .replace("    retired_on: 2026-03-31\n", "")
        .replace("    retired_on: 2026-02-28\n", "")
    )


def _body(text: str) -> str:
    return text.split("team_kinds:", 1)[1]


def test_a_file_sets_kinds_states_missions_and_links_and_round_trips(db):
    outcome = services.apply_file(FILE)
    assert outcome.ok and not outcome.report, outcome.as_text()
    org = Organization.objects.get(slug="initech")
    teams = {t.slug: t for t in Team.objects.for_org(org).select_related("kind")}
    assert teams["initech"].kind.slug == "department"
    assert teams["initech"].mission == "Make TPS reports."
    eng = teams["eng"]
    assert (eng.kind.name, eng.state, eng.chat) == ("Chapter", "forming", "#eng")
    assert eng.mailing_list == "eng@initech.example"
    assert str(teams["old"].retired_on) == "2026-03-31"
    assert (teams["older"].state, str(teams["older"].retired_on)) == ("retired", "2026-02-28")
    exported = services.export_text(org)
    assert "state: retired" in exported and "2026-03-31" in exported
    # The export applied to an empty organization gives the same export back ...
    copy = services.apply_file(exported, org_slug="initech-copy")
    assert copy.ok and not copy.report, copy.as_text()
    again = services.export_text(Organization.objects.get(slug="initech-copy"))
    assert _body(again) == _body(exported)
    # ... and to its own organization changes nothing.
    events = Event.objects.count()
    same = services.apply_file(exported, org=org)
    assert same.ok and same.changes == [] and Event.objects.count() == events


def test_a_file_retires_a_department_with_its_teams_and_reactivates_them(db):
    services.apply_file(_all_active())
    org = Organization.objects.get(slug="initech")
    assert not Team.objects.for_org(org).filter(state="retired").exists()
    # Retiring a parent and its child in one file: the child goes first.
    outcome = services.apply_file(FILE, org=org)
    assert outcome.ok and not outcome.report, outcome.as_text()
    assert set(
        Team.objects.for_org(org).filter(state="retired").values_list("slug", flat=True)
    ) == {
        "old",
        "older",
    }
    # Reactivating both: the parent comes back first.
    back = services.apply_file(_all_active(), org=org)
    assert back.ok and not back.report, back.as_text()
    assert not Team.objects.for_org(org).filter(state="retired").exists()


def test_a_file_without_the_new_fields_keeps_kind_and_state(cast):
    org_services.update_team(cast.org, None, cast.platform, kind="guild")
    org_services.retire_team(cast.org, None, cast.platform, on="2026-01-01")
    old_style = (
        "accord: 1\nteams:\n  - {slug: acme, name: Acme}\n"
        "  - {slug: platform, name: Platform, parent: acme}\n"
    )
    outcome = services.apply_file(old_style, org=cast.org)
    assert outcome.ok, outcome.as_text()
    cast.platform.refresh_from_db()
    assert (cast.platform.kind.slug, cast.platform.state) == ("guild", "retired")


def test_bad_team_fields_in_a_file_are_reported_and_change_nothing(cast):
    bad = (
        "accord: 1\nteams:\n"
        "  - {slug: platform, name: Platform, parent: acme, kind: tribe}\n"
        "  - {slug: acme, name: Acme, state: sleeping}\n"
        "  - {slug: x, name: X, parent: acme, state: active, retired_on: 2026-01-01}\n"
        "  - {slug: y, name: Y, parent: acme, website: 'javascript:alert(1)'}\n"
    )
    events = Event.objects.count()
    outcome = services.apply_file(bad, org=cast.org, strict=True)
    assert not outcome.ok or outcome.report
    text = outcome.as_text()
    assert "tribe" in text and "sleeping" in text and "retired_on" in text
    assert Event.objects.count() == events
    assert not Team.objects.filter(org=cast.org, slug__in=["x", "y"]).exists()
    assert TeamKind.objects.filter(org=cast.org, slug="tribe").count() == 0


def test_the_teams_csv_has_the_new_columns(cast):
    org_services.update_team(cast.org, None, cast.platform, kind="guild", chat="#platform")
    rows = list(csvio.rows(cast.org, csvio.kinds_by_section()["teams"]))
    header = rows[0]
    for column in ("kind", "state", "retired_on", "mission", "website", "chat", "mailing_list"):
        assert column in header
    platform = next(r for r in rows[1:] if r[0] == "platform")
    assert platform[header.index("kind")] == "guild"
    assert platform[header.index("chat")] == "#platform"
    assert platform[header.index("state")] == "active"
