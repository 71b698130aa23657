"""Who reads a person's addresses: the primary one is everyone's in the organization; the
other addresses and handles (what imports and sign-in know them by) are for the person
themself, admins, and members and leaders for someone active, never for viewers; people
who were deactivated are listed for admins only."""

from __future__ import annotations

from accord.org import services
from tests.conftest import api_client, login

EXTRA = "nora@home.example"
HANDLE = "github:nora-codes"


def _nora(cast):
    nora = services.add_person(
        cast.org, cast.admin, name="Nora Field", email="nora@acme.example", role="member"
    )
    return services.update_person(cast.org, cast.admin, nora, emails=[EXTRA], handles=[HANDLE])


def _seen(person, who) -> dict:
    response = api_client(who).get(f"/api/v1/people/{person.pk}")
    assert response.status_code == 200
    body = response.json()
    return {"email": body["email"], "emails": body["emails"], "handles": body["handles"]}


def test_viewers_read_the_primary_address_but_no_other_address_or_handle(cast):
    nora = _nora(cast)
    full = {"email": "nora@acme.example", "emails": [EXTRA], "handles": [HANDLE]}
    assert _seen(nora, cast.viewer) == {"email": "nora@acme.example", "emails": [], "handles": []}
    for who in (cast.member, cast.leader, cast.admin, nora):
        assert _seen(nora, who) == full, who
    listed = api_client(cast.viewer).get("/api/v1/people?q=Nora").json()["items"]
    assert (listed[0]["emails"], listed[0]["handles"]) == ([], [])

    page = login(cast.viewer).get(f"/o/acme/people/{nora.pk}/").content.decode()
    assert "nora@acme.example" in page
    assert EXTRA not in page and "nora-codes" not in page and "Addresses and handles" not in page
    page = login(cast.member).get(f"/o/acme/people/{nora.pk}/").content.decode()
    assert EXTRA in page and "nora-codes" in page


def test_a_viewer_reads_their_own_other_addresses(cast):
    services.update_person(cast.org, cast.admin, cast.viewer, emails=["vic@home.example"])
    assert _seen(cast.viewer, cast.viewer)["emails"] == ["vic@home.example"]
    page = login(cast.viewer).get(f"/o/acme/people/{cast.viewer.pk}/").content.decode()
    assert "vic@home.example" in page


def test_someone_deactivated_is_listed_and_their_handles_shown_to_admins_only(cast):
    nora = _nora(cast)
    services.update_person(cast.org, cast.admin, nora, is_active=False)

    for who in (cast.viewer, cast.member, cast.leader):
        listed = api_client(who).get("/api/v1/people?include_inactive=true&limit=200")
        assert "Nora Field" not in [p["name"] for p in listed.json()["items"]], who
        assert _seen(nora, who)["emails"] == [] and _seen(nora, who)["handles"] == []
        page = login(who).get(f"/o/acme/people/{nora.pk}/").content.decode()
        assert EXTRA not in page and "nora-codes" not in page
    listed = api_client(cast.admin).get("/api/v1/people?include_inactive=true&limit=200")
    assert "Nora Field" in [p["name"] for p in listed.json()["items"]]
    assert _seen(nora, cast.admin)["handles"] == [HANDLE]
    assert EXTRA in login(cast.admin).get(f"/o/acme/people/{nora.pk}/").content.decode()


def test_ones_own_page_offers_to_download_ones_data(cast):
    own = login(cast.viewer).get(f"/o/acme/people/{cast.viewer.pk}/").content.decode()
    assert 'href="/o/acme/interchange/my-data.yaml"' in own and "Download my data" in own
    other = login(cast.viewer).get(f"/o/acme/people/{cast.member.pk}/").content.decode()
    assert "Download my data" not in other
