"""One limit for long text (a description) everywhere: the services refuse more than
LONG_TEXT_MAX characters, so the API and the forms do, and the organization file and CSV,
which must read back every export, take exactly as much. The reviewer's objective with a
2,000,000-character description was created through the API (201), and its unedited export
then failed `accord plan` ("description is too long … at most 20000; item skipped"), the
plan printing the whole value on one line."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from accord.alignment import services as alignment
from accord.alignment.models import Objective, Period
from accord.core.errors import ServiceError
from accord.core.services import LONG_TEXT_MAX
from accord.interchange import services
from accord.interchange.fields import F, KeptOnly
from accord.org import services as org_services
from accord.org.models import Team
from tests.conftest import login

pytestmark = pytest.mark.urls("tests.interchange.urls")

LONG = "x" * (LONG_TEXT_MAX + 1)
FULL = "y" * LONG_TEXT_MAX


@pytest.fixture
def q1(cast) -> Period:
    return Period.objects.create(
        org=cast.org, name="2027 Q1", start=dt.date(2027, 1, 1), end=dt.date(2027, 3, 31)
    )


def test_the_api_refuses_a_description_above_the_limit_and_takes_one_at_it(cast, api_admin, q1):
    body = {"title": "Faster", "period_id": q1.pk, "level": "org"}
    refused = api_admin.post(
        "/api/v1/objectives", {**body, "description": LONG}, content_type="application/json"
    )
    assert refused.status_code in (400, 422), refused.content[:300]
    assert f"characters, at most {LONG_TEXT_MAX:,})" in refused.content.decode()
    assert not Objective.objects.filter(org=cast.org).exists()
    made = api_admin.post(
        "/api/v1/objectives", {**body, "description": FULL}, content_type="application/json"
    )
    assert made.status_code == 201, made.content[:300]
    changed = api_admin.patch(
        f"/api/v1/objectives/{made.json()['id']}",
        {"description": LONG},
        content_type="application/json",
    )
    assert changed.status_code in (400, 422)
    assert Objective.objects.get(org=cast.org).description == FULL


def test_every_service_writing_a_description_refuses_more(cast, q1):
    with pytest.raises(ServiceError, match=r"Description is too long \(20,001 characters"):
        alignment.create_objective(
            cast.org, cast.admin, title="T", period=q1, level="org", description=LONG
        )
    with pytest.raises(ServiceError, match="at most 20,000"):
        alignment.create_initiative(
            cast.org, cast.admin, team=cast.platform, title="T", description=LONG
        )
    with pytest.raises(ServiceError, match="at most 20,000"):
        org_services.update_team(cast.org, cast.admin, cast.platform, description=LONG)
    with pytest.raises(ServiceError, match="at most 20,000"):
        org_services.create_team(cast.org, cast.admin, name="Ops", slug="ops", description=LONG)
    assert not Team.objects.filter(org=cast.org, slug="ops").exists()


def test_the_edit_forms_say_the_limit_and_refuse_more(cast, q1):
    admin = login(cast.admin)
    objective = alignment.create_objective(
        cast.org, cast.admin, title="Faster", period=q1, level="org"
    )
    url = f"/o/acme/alignment/objectives/{objective.pk}/edit/"
    page = admin.get(url).content.decode()
    assert f'maxlength="{LONG_TEXT_MAX}"' in page
    team_page = admin.get("/o/acme/teams/platform/edit/").content.decode()
    assert f'maxlength="{LONG_TEXT_MAX}"' in team_page
    admin.post(
        url,
        {
            "title": "Faster",
            "description": LONG,
            "period": q1.pk,
            "level": "org",
            "status": "active",
            "version": objective.version,
        },
    )
    objective.refresh_from_db()
    assert objective.description == ""


def test_the_file_takes_exactly_the_services_limit():
    text = F("description", "text")
    assert text.limit == LONG_TEXT_MAX
    assert text.clean(FULL) == FULL
    with pytest.raises(KeptOnly, match=r"is too long \(20,001 characters, at most 20,000\)"):
        text.clean(LONG)
    assert F("mission", "text", max_length=2000).limit == 2000  # as the team service says
    teams = services.json_schema()["properties"]["teams"]["items"]["properties"]
    assert teams["description"]["maxLength"] == LONG_TEXT_MAX
    assert teams["mission"]["maxLength"] == 2000


def test_a_file_giving_a_description_above_the_limit_is_refused_naming_it(cast):
    plan = services.plan_file(
        "teams:\n  - {slug: acme, name: Acme}\n  - {slug: platform, name: Platform, parent: acme}\n"
        f"  - {{slug: ops, name: Ops, parent: acme, description: {LONG}}}\n",
        org=cast.org,
    )
    assert [p.kind for p in plan.report.problems] == ["invalid_value"], plan.as_text()
    assert "description is too long (20,001 characters, at most 20,000)" in plan.as_text()
    assert [c.key for c in plan.changes if c.section == "teams"] == [], plan.as_text()


def test_an_export_of_text_at_the_limit_and_of_older_longer_text_reads_back_unchanged(cast, q1):
    alignment.create_objective(
        cast.org, cast.admin, title="At the limit", period=q1, level="org",
        description=FULL,
    )  # fmt: skip
    # Stored before the services refused it (as the reviewer's was): it stays as it is.
    Team.objects.filter(pk=cast.platform.pk).update(description="z" * 2_000_000)
    exported = "".join(services.export_yaml(cast.org))
    plan = services.plan_file(exported, org=cast.org)
    assert plan.ok and not plan.report and plan.changes == [], plan.as_text()[:2000]
    # Given anew to another team, the same text is refused.
    again = services.plan_file(
        "teams:\n  - {slug: acme, name: Acme, description: " + "z" * 2_000_000 + "}\n",
        org=cast.org,
    )
    assert "description is too long (2,000,000 characters, at most 20,000)" in again.as_text()


def test_the_plan_shortens_a_long_value_as_the_problems_do(cast, tmp_path):
    org_services.update_team(cast.org, cast.admin, cast.platform, description=FULL)
    path = tmp_path / "acme.yaml"
    path.write_text("".join(services.export_yaml(cast.org)).replace(FULL, "w" * LONG_TEXT_MAX))
    out = io.StringIO()
    call_command("plan", str(path), "--org", "acme", stdout=out)
    text = out.getvalue()
    assert "~ teams platform (description: 'yyyy" in text, text[:500]
    assert max(len(line) for line in text.splitlines()) < 400
    assert "…' → 'wwww" in text
    page = login(cast.admin).post(
        "/o/acme/interchange/plan/",
        {"file": SimpleUploadedFile("acme.yaml", path.read_bytes())},
    )
    html = page.content.decode()
    assert page.status_code == 200 and "description: yyyy" in html
    assert "w" * 200 not in html and "w" * 100 in html
