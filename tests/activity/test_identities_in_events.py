"""A person's other addresses and handles, as their events hold them, are read by whom may
see them on the person's page (`permissions.can_see_identities`): the events API, the
Activity page, home's recent activity and the person's history leave them out for a viewer,
and for everyone but admins once the person is deactivated."""

from __future__ import annotations

from accord.org import services
from tests.conftest import api_client, login

EXTRA = "nora@home.example"
HANDLE = "nora-codes"


def _nora(cast):
    user = services.ensure_user("nora@acme.example", "accord-test-pw", name="Nora Field")
    nora = services.add_person(
        cast.org,
        cast.admin,
        name="Nora Field",
        email="nora@acme.example",
        role="member",
        emails=[EXTRA],
        user=user,
    )
    return services.update_person(cast.org, cast.admin, nora, handles=[f"github:{HANDLE}"])


def _events_api(who, **params) -> str:
    answer = api_client(who).get("/api/v1/events", {"limit": 100, **params})
    assert answer.status_code == 200
    return answer.content.decode()


def _activity_page(who) -> str:
    page = login(who).get("/o/acme/activity/", {"type": "org.person"})
    assert page.status_code == 200
    return page.content.decode()


def _reads(who, nora) -> dict[str, bool]:
    """Where `who` reads Nora's other address and handle."""
    seen = {
        "events": _events_api(who, target_type="org.person"),
        "one person's events": _events_api(who, target_id=str(nora.pk)),
        "kind": _events_api(who, kind="org.person.updated"),
        "activity page": _activity_page(who),
        "person's history": login(who).get(f"/o/acme/people/{nora.pk}/").content.decode(),
    }
    return {where: EXTRA in text or HANDLE in text for where, text in seen.items()}


def test_a_viewer_reads_nobodys_other_addresses_in_the_event_log(cast):
    nora = _nora(cast)
    assert _reads(cast.viewer, nora) == dict.fromkeys(_reads(cast.admin, nora), False)
    # The event is still listed, with what else it says (the primary address is everyone's).
    listed = api_client(cast.viewer).get(
        "/api/v1/events", {"target_id": str(nora.pk), "target_type": "org.person"}
    )
    (updated, created) = listed.json()["items"]
    assert created["after"]["email"] == "nora@acme.example"
    assert "emails" not in created["after"] and (updated["before"], updated["after"]) == ({}, {})
    # Members and leaders read them, for someone active; so do admins and Nora.
    for who in (cast.member, cast.leader, cast.admin, nora):
        assert all(_reads(who, nora).values()), who


def test_a_viewer_reads_their_own(cast):
    services.update_person(cast.org, cast.admin, cast.viewer, emails=["vic@home.example"])
    assert "vic@home.example" in _events_api(cast.viewer, target_type="org.person")
    assert "vic@home.example" in _activity_page(cast.viewer)


def test_someone_deactivated_has_their_addresses_read_by_admins_only(cast):
    nora = _nora(cast)
    services.update_person(cast.org, cast.admin, nora, is_active=False)
    for who in (cast.viewer, cast.member, cast.leader):
        assert not any(_reads(who, nora).values()), who
    assert all(_reads(cast.admin, nora).values())


def test_home_recent_activity_leaves_them_out_for_a_viewer(cast):
    _nora(cast)
    home = login(cast.viewer).get("/o/acme/").content.decode()
    assert "Nora Field" in home  # the events are there …
    assert EXTRA not in home and HANDLE not in home  # … without the other address and handle
