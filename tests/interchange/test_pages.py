"""The import/export page: upload, see the plan, apply; exports and templates."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accord.org.models import Team
from tests.conftest import login

from .helpers import dump

pytestmark = pytest.mark.urls("tests.interchange.urls")

FILE = (
    b"teams:\n  - {slug: acme, name: Acme}\n"
    b"  - {slug: platform, name: Platform, parent: acme}\n"
    b"  - {slug: sales, name: Sales, parent: acme}\n"
)
BASE = "/o/acme/interchange/"


def test_the_page_offers_upload_exports_and_templates(cast, as_admin):
    page = as_admin.get(BASE).content.decode()
    assert "Show the plan" in page
    assert f"{BASE}export.yaml" in page and f"{BASE}templates/people.csv" in page


def test_members_see_only_their_own_export(cast):
    page = login(cast.member).get(BASE).content.decode()
    assert "Show the plan" not in page and "my-data.yaml" in page
    assert login(cast.member).get(f"{BASE}export.yaml").status_code == 403
    upload = {"file": SimpleUploadedFile("org.yaml", FILE)}
    assert login(cast.member).post(f"{BASE}plan/", upload).status_code == 403


def test_upload_shows_the_plan_then_applies_it(cast, as_admin):
    before = dump()
    response = as_admin.post(f"{BASE}plan/", {"file": SimpleUploadedFile("org.yaml", FILE)})
    page = response.content.decode()
    assert response.status_code == 200
    assert "What would change" in page and "sales" in page
    assert dump() == before  # the plan changed nothing
    fields = dict(re.findall(r'name="(payload|digest|name)" value="([^"]*)"', page))
    applied = as_admin.post(f"{BASE}apply/", fields)
    assert applied.status_code == 200 and "Applied org.yaml" in applied.content.decode()
    assert Team.objects.get(org=cast.org, slug="sales").parent == cast.root


def test_a_tampered_apply_is_refused(cast, as_admin):
    response = as_admin.post(
        f"{BASE}apply/", {"payload": "dGVhbXM6IFtdCg==", "digest": "0" * 64, "name": "x.yaml"}
    )
    assert response.status_code == 400
    assert Team.objects.filter(org=cast.org).count() == 2


def test_a_bad_file_shows_why_and_offers_no_apply(cast, as_admin):
    bomb = b'a: &a ["x"]\nb: [*a, *a]\n'
    response = as_admin.post(f"{BASE}plan/", {"file": SimpleUploadedFile("bomb.yaml", bomb)})
    page = response.content.decode()
    assert response.status_code == 422
    assert "Aliases" in page and "Nothing was changed" in page and 'name="payload"' not in page


def test_csv_upload_and_templates(cast, as_admin):
    csv_file = SimpleUploadedFile(
        "teams.csv", "\ufeffslug;name;parent\r\nsales;Sales;acme\r\n".encode()
    )
    response = as_admin.post(f"{BASE}plan/", {"file": csv_file})
    assert response.status_code == 200 and "sales" in response.content.decode()
    template = as_admin.get(f"{BASE}templates/teams.csv")
    assert template.content == (
        b"slug,name,parent,description,kind,state,retired_on,mission,website,repository,"
        b"chat,mailing_list\r\n"
    )
    export = as_admin.get(f"{BASE}export.yaml")
    assert b"- slug: platform" in b"".join(export.streaming_content)


def test_a_member_is_not_told_to_upload_where_there_is_no_upload(cast):
    from tests.conftest import login

    page = login(cast.member).get("/o/acme/interchange/").content.decode()
    assert "upload it above" not in page and "give it to an admin" in page
    assert "upload it above" in login(cast.admin).get("/o/acme/interchange/").content.decode()


def test_opening_the_plan_or_apply_address_again_leads_back_to_the_upload(cast, as_admin):
    """A reload of a plan (or of an applied result), or its address pasted: the upload page,
    not a blank 405; another organization's job stays not found."""
    for address in (f"{BASE}plan/", f"{BASE}apply/"):
        response = as_admin.get(address)
        assert response.status_code == 302 and response["Location"] == BASE
    assert as_admin.get(f"{BASE}jobs/999999/apply/").status_code == 404
    assert as_admin.put(f"{BASE}apply/").status_code == 405


def test_a_plan_that_changes_nothing_offers_no_apply(cast, as_admin):
    same = FILE.split(b"  - {slug: sales")[0]  # the two teams the organization has
    page = as_admin.post(f"{BASE}plan/", {"file": SimpleUploadedFile("o.yaml", same)})
    text = page.content.decode()
    assert "No changes: the organization already matches the file" in text
    assert 'name="payload"' not in text and ">Apply" not in text


def test_a_people_csv_with_a_team_column_says_where_it_belongs_and_who_cannot_sign_in(
    cast, as_admin
):
    people = (
        "name,email,Titel,team_slug\n"
        "Nia New,nia@acme.example,Engineer,platform\n"
        "Ola New,ola@acme.example,Designer,platform\n"
    )
    upload = SimpleUploadedFile("people.csv", people.encode())
    page = as_admin.post(f"{BASE}plan/", {"file": upload}).content.decode()
    # (A people CSV reads a team column since: team_slug looks like it misspelt.)
    assert (
        "Column &#x27;team_slug&#x27; is not a column of a people CSV; did you mean "
        "&#x27;team&#x27;?"
    ) in page
    # The advice names each column to rename.
    assert (
        "Rename &#x27;Titel&#x27; to &#x27;title&#x27; and &#x27;team_slug&#x27; to "
        "&#x27;team&#x27; in the file, or confirm below that they are meant to be ignored."
    ) in page
    fields = dict(re.findall(r'name="(payload|digest|name)" value="([^"]*)"', page))
    applied = as_admin.post(f"{BASE}apply/", {**fields, "allow_ignored_columns": "1"})
    text = applied.content.decode()
    assert "Applied people.csv" in text
    assert (
        "2 people added; they can't sign in yet: "
        '<a href="/o/acme/people/">invite them from the People page</a>. No e-mail was sent.'
    ) in text


def test_applying_a_csv_with_rows_skipped_says_how_many(cast, as_admin):
    """The page says how many rows were skipped, as the command does: "Applied …; 2 rows
    skipped for the problems below"."""

    def apply(text: str) -> str:
        upload = SimpleUploadedFile("people.csv", text.encode())
        page = as_admin.post(f"{BASE}plan/", {"file": upload}).content.decode()
        fields = dict(re.findall(r'name="(payload|digest|name)" value="([^"]*)"', page))
        return " ".join(as_admin.post(f"{BASE}apply/", fields).content.decode().split())

    partly = apply(
        "name,email,role\r\nAnn,ann@acme.example,member\r\n"
        "Bob,bob@acme.example,superuser\r\nCid,not-an-address,member\r\n"
    )
    assert "; 2 rows skipped for the problems below." in partly
