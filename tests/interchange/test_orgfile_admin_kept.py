"""An organization file can never lock its organization out.

The admin applying a file is kept (active, admin) whatever the file says, with a line in the
plan; only an admin who can sign in (an active person with an active login) counts as the
organization's last admin.
"""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from accord.org import services as org_services
from accord.org.models import Person, Role
from tests.conftest import PASSWORD, api_client, login

from .helpers import dump

# Names neither Ada (the admin applying it) nor anyone else with a login.
WITHOUT_ADA = (
    "people:\n"
    "  - {email: leo.leader@acme.example, name: Leo Leader, role: leader}\n"
    "  - {email: mia.member@acme.example, name: Mia Member}\n"
    "  - {email: vic.viewer@acme.example, name: Vic Viewer, role: viewer}\n"
    "  - {email: new.hire@acme.example, name: New Hire}\n"
)
ADA_DEMOTED = WITHOUT_ADA + "  - {email: ada.admin@acme.example, name: Ada Admin, role: member}\n"
ADA_INACTIVE = (
    WITHOUT_ADA
    + "  - {email: ada.admin@acme.example, name: Ada Admin, role: admin, active: false}\n"
)
PAGE = "/o/acme/interchange/"


def _ada(cast) -> Person:
    return Person.objects.get(pk=cast.admin.pk)


def _post_api(client, verb, body):
    return client.post(f"/api/v1/interchange/{verb}", data=body, content_type="application/yaml")


@pytest.mark.parametrize("body", [WITHOUT_ADA, ADA_DEMOTED, ADA_INACTIVE])
def test_the_api_keeps_the_admin_applying_the_file(cast, body):
    client = api_client(cast.admin)
    planned = _post_api(client, "plan", body)
    assert planned.status_code == 200, planned.content
    notes = planned.json()["notes"]
    assert len(notes) == 1 and "ada.admin@acme.example (you)" in notes[0]
    applied = _post_api(client, "apply", body)
    assert applied.status_code == 200 and applied.json()["applied"], applied.content
    ada = _ada(cast)
    assert (ada.role, ada.is_active) == (Role.ADMIN, True)
    # the rest of the section was applied: the new hire exists
    assert Person.objects.filter(org=cast.org, email="new.hire@acme.example").exists()
    assert _post_api(client, "apply", body).json()["changes"] == []


@pytest.mark.urls("tests.interchange.urls")
def test_the_page_keeps_the_admin_uploading_and_says_so(cast):
    client = login(cast.admin)
    upload = {"file": SimpleUploadedFile("org.yaml", WITHOUT_ADA.encode())}
    planned = client.post(f"{PAGE}plan/", upload)
    page = planned.content.decode()
    assert planned.status_code == 200
    assert "ada.admin@acme.example (you) is not in the file and stays an active admin" in page
    fields = dict(re.findall(r'name="(payload|digest|name)" value="([^"]*)"', page))
    applied = client.post(f"{PAGE}apply/", fields)
    assert applied.status_code == 200
    assert (_ada(cast).role, _ada(cast).is_active) == (Role.ADMIN, True)
    # still signed in as an admin: the import page still offers uploads
    assert "Show the plan" in client.get(PAGE).content.decode()


def test_a_new_organization_imports_its_people_though_the_file_names_no_admin(db):
    user = org_services.ensure_user("founder@new.example", PASSWORD, name="Fay Founder")
    org = org_services.create_organization("Newco", "newco", owner_user=user)
    founder = Person.objects.get(org=org, user=user)
    body = (
        "people:\n"
        "  - {email: a@new.example, name: A}\n"
        "  - {email: b@new.example, name: B, role: leader}\n"
    )
    response = _post_api(api_client(founder), "apply", body)
    assert response.status_code == 200, response.content
    assert response.json()["report"]["problems"] == []
    assert set(Person.objects.filter(org=org).values_list("email", flat=True)) == {
        "founder@new.example",
        "a@new.example",
        "b@new.example",
    }
    founder.refresh_from_db()
    assert (founder.role, founder.is_active) == (Role.ADMIN, True)


def test_an_admin_without_a_login_is_not_the_last_admin(cast, tmp_path):
    # Bill is an admin on paper only: he has no login, so he cannot sign in.
    org_services.add_person(cast.org, None, name="Bill", email="bill@acme.example", role="admin")
    body = (
        "people:\n"
        "  - {email: bill@acme.example, name: Bill, role: admin}\n"
        "  - {email: ada.admin@acme.example, name: Ada Admin, role: member}\n"
        "  - {email: leo.leader@acme.example, name: Leo Leader, role: leader}\n"
        "  - {email: mia.member@acme.example, name: Mia Member}\n"
        "  - {email: vic.viewer@acme.example, name: Vic Viewer, role: viewer}\n"
    )
    path = tmp_path / "acme.yaml"
    path.write_text(body)
    before = dump()
    out = io.StringIO()
    with pytest.raises(CommandError, match="Nothing was changed"):
        call_command("apply", str(path), "--org", "acme", stdout=out)
    assert "without an active admin who can sign in" in out.getvalue()
    assert dump() == before  # the file is refused whole
    assert _ada(cast).role == Role.ADMIN


def test_from_the_command_line_a_file_may_hand_admin_to_someone_who_can_sign_in(cast, tmp_path):
    body = (
        "people:\n"
        "  - {email: ada.admin@acme.example, name: Ada Admin, role: member}\n"
        "  - {email: leo.leader@acme.example, name: Leo Leader, role: admin}\n"
        "  - {email: mia.member@acme.example, name: Mia Member}\n"
        "  - {email: vic.viewer@acme.example, name: Vic Viewer, role: viewer}\n"
    )
    path = tmp_path / "acme.yaml"
    path.write_text(body)
    call_command("apply", str(path), "--org", "acme", stdout=io.StringIO())
    assert _ada(cast).role == Role.MEMBER
    assert Person.objects.get(pk=cast.leader.pk).role == Role.ADMIN
