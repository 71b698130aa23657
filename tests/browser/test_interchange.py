"""Uploading an organization file, reading the plan, applying it — in a real browser."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from accord.interchange import services as interchange_services
from accord.org.models import Team
from tests.browser.conftest import open_signed_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("tests.interchange.urls"),
]

FILE = """\
teams:
  - {slug: acme, name: Acme}
  - {slug: platform, name: Platform, parent: acme}
  - {slug: sales, name: Sales, parent: acme}
  - {slug: emea, name: Sales EMEA, parent: sales, colour: blue}
"""


def test_an_admin_uploads_reads_the_plan_and_applies_it(page, shot, cast, tmp_path):
    upload = tmp_path / "acme.yaml"
    upload.write_text(FILE)
    open_signed_in(page, cast.admin.user.username, "/o/acme/interchange/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Import and export")
    shot(page, "index")
    page.get_by_label("Organization file (YAML) or CSV").set_input_files(str(upload))
    page.get_by_role("button", name="Show the plan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Plan for acme.yaml")
    expect(page.get_by_role("heading", name="Problems (1)")).to_be_visible()
    expect(page.get_by_text("Unknown field 'colour'")).to_be_visible()
    shot(page, "plan")
    assert not Team.objects.filter(slug="sales").exists()
    page.get_by_role("button", name="Apply, skipping the problems").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Applied acme.yaml")
    assert Team.objects.get(org=cast.org, slug="sales").parent == cast.root
    assert not Team.objects.filter(slug="emea").exists()
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "applied-phone")


def test_a_large_file_shows_its_progress_then_its_plan(page, shot, cast, tmp_path, monkeypatch):
    from bench.orgfile_gen import org_file
    from tests.interchange.test_import_jobs import PEOPLE, run_worker_batch

    # Every large file is a job here (the real threshold would take 1,400 people).
    monkeypatch.setattr(interchange_services, "JOB_BYTES", interchange_services.LARGE_BYTES)
    upload = tmp_path / "big.yaml"
    upload.write_text(org_file(PEOPLE, slug="acme", admin=cast.admin.email))
    open_signed_in(page, cast.admin.user.username, "/o/acme/interchange/")
    page.get_by_label("Organization file (YAML) or CSV").set_input_files(str(upload))
    page.get_by_role("button", name="Show the plan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Planning big.yaml")
    expect(page.get_by_text("Waiting for a worker")).to_be_visible()
    shot(page, "job-queued")
    run_worker_batch()
    # htmx polls the progress and reloads the page once the job is done
    expect(page.get_by_role("heading", level=1)).to_have_text("Plan for big.yaml", timeout=20000)
    expect(page.get_by_text("Large file: this plan compares")).to_be_visible()
    shot(page, "job-plan")
    # The file replaces Acme's teams and most of its people: Apply waits for the box.
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Plan for big.yaml")
    page.get_by_label("I understand this removes 2 of the 2 teams", exact=False).check()
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Applying big.yaml")
    run_worker_batch()
    expect(page.get_by_role("heading", level=1)).to_have_text("Applied big.yaml", timeout=20000)
    shot(page, "job-applied")
