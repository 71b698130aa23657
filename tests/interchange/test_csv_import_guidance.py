"""A new admin importing a CSV: a refusal about columns links to the templates to download,
every column the import does not read is named (with the column probably meant), and the
result of an apply links to what it created and changed, a few of each kind."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accord.alignment.models import Initiative
from accord.interchange import csvio, services
from accord.org.models import Membership, Person, Team
from tests.conftest import login

from .helpers import dump

pytestmark = pytest.mark.urls("tests.interchange.urls")

PLAN = "/o/acme/interchange/plan/"
APPLY = "/o/acme/interchange/apply/"


def _csv(text: str, **kwargs):
    return csvio.import_csv(text.encode(), org_slug="acme", **kwargs)


def _plan(admin, name: str, text: str):
    return admin.post(PLAN, {"file": SimpleUploadedFile(name, text.encode())})


def _apply(admin, plan_page: str, **extra):
    fields = dict(re.findall(r'name="(payload|digest|name)" value="([^"]*)"', plan_page))
    return admin.post(APPLY, {**fields, **extra})


def _text(html: str) -> str:
    """The page's text as read: tags dropped, quotes unescaped, spaces collapsed."""
    text = re.sub(r"<[^>]+>", "", html).replace("&#x27;", "'").replace("&quot;", '"')
    return re.sub(r"\s+", " ", text)


# --- 1. a refusal about columns links to the templates ----------------------------------


def test_a_refused_csv_links_to_the_templates_and_the_one_to_download(cast):
    admin = login(cast.admin)
    before = dump()
    response = _plan(
        admin, "terms.csv", f"Tema,person,role\r\nplatform,{cast.member.email},lead\r\n"
    )
    page = response.content.decode()
    assert response.status_code == 422
    assert '<a href="/o/acme/interchange/#csv-templates">See the CSV templates' in page
    # The template of the section the file nearly is, to download from the error itself.
    download = re.search(r'<a href="([^"]+)" download>memberships\.csv</a>', page)
    assert download, page
    template = admin.get(download.group(1))
    assert template.status_code == 200
    assert template.content.decode().startswith("team,person,role")
    # The import page has the templates where the link points.
    index = admin.get("/o/acme/interchange/").content.decode()
    assert 'id="csv-templates"' in index
    assert dump() == before


def test_columns_that_fit_nothing_offer_every_template(cast):
    page = _plan(login(cast.admin), "x.csv", "Colour,Size\r\nred,9\r\n").content.decode()
    assert '<a href="/o/acme/interchange/#csv-templates">' in page
    for section in csvio.CSV_SECTIONS:
        assert f'href="/o/acme/interchange/templates/{section}.csv" download' in page


def test_a_csv_missing_a_required_column_links_its_own_template(cast):
    page = _plan(login(cast.admin), "people.csv", "Emial,name\r\nnia@acme.example,Nia\r\n")
    html = page.content.decode()
    assert page.status_code == 422
    assert re.findall(r'href="/o/acme/interchange/templates/(\w+)\.csv" download', html) == [
        "people"
    ]


# --- 2. every column not read is named, with the column probably meant --------------------


def test_a_refusal_names_each_column_it_does_not_know_and_the_one_meant(cast):
    before = dump()
    refused = _csv(f"Tema,person,role,Cost centre\r\nplatform,{cast.member.email},lead,7\r\n")
    why = refused.fatal.why
    assert refused.fatal.kind == "unknown_columns"
    assert "Column 'Tema' is not one Accord reads; did you mean 'team'?" in why
    assert "Column 'Cost centre' is not one Accord reads." in why  # no near miss: named too
    assert "A memberships CSV needs the column team." in why
    spaced = _csv(f"team name,person\r\nplatform,{cast.member.email}\r\n")
    assert "Column 'team name' is not one Accord reads; did you mean 'team'?" in spaced.fatal.why
    missing = _csv("Emial,name,Notes\r\nnia@acme.example,Nia,tea\r\n", section="people")
    assert missing.fatal.why.startswith("A people CSV needs the column email.")
    assert "Column 'Emial' is not a column of a people CSV; did you mean 'email'?" in (
        missing.fatal.why
    )
    assert "Column 'Notes' is not a column of a people CSV." in missing.fatal.why
    assert dump() == before


def test_a_refusal_names_ten_unknown_columns_and_counts_the_rest(cast):
    header = ",".join(f"Extra {n}" for n in range(14))
    why = _csv(f"{header}\r\n{',' * 13}x\r\n").fatal.why
    assert "Column 'Extra 9' is not one Accord reads." in why
    assert "Extra 10" not in why and "And 4 more columns not read." in why


def test_the_plan_warns_of_each_column_it_ignores_naming_the_one_meant(cast):
    admin = login(cast.admin)
    before = dump()
    text = (
        "id,team,title,Owner Email,Notes\r\n"
        f"csv-1,platform,Faster imports,{cast.member.email},tea\r\n"
    )
    response = _plan(admin, "initiatives.csv", text)
    page = response.content.decode()
    said = _text(page)
    assert response.status_code == 200
    assert "Check the columns: 2 columns of this file are not imported." in said
    assert (
        "Column 'Owner Email' is not a column of an initiatives CSV; did you mean 'owner'?" in said
    )
    assert "Column 'Notes' is not a column of an initiatives CSV." in said
    assert 'href="/o/acme/interchange/templates/initiatives.csv" download' in page
    # The near miss is applied only once confirmed: nothing changed until then.
    assert _apply(admin, page).status_code == 422 and dump() == before


def test_a_column_of_another_csv_says_which(cast):
    admin = login(cast.admin)
    # (A people CSV reads a Team column since: the person is made a member of it.)
    text = "email,name,Owner\r\nnia@acme.example,Nia Noor,platform\r\n"
    said = _text(_plan(admin, "people.csv", text).content.decode())
    assert (
        "Column 'Owner' is not a column of a people CSV (it is a column of the objectives, "
        "key_results and initiatives CSVs)." in said
    )
    assert "Their cells are ignored; the rest of the file is imported." in said


# --- 3. the result links to what was created and changed --------------------------------


def test_the_result_links_the_first_ten_teams_created_and_counts_the_rest(cast):
    admin = login(cast.admin)
    rows = "".join(f"guild-{n:02},Guild {n:02},acme\r\n" for n in range(13))
    plan = _plan(admin, "teams.csv", "slug,name,parent\r\n" + rows)
    page = plan.content.decode()
    assert 'href="/o/acme/teams/guild-00/"' not in page  # a plan links nothing yet
    result = _apply(admin, page)
    html = result.content.decode()
    assert result.status_code == 200 and Team.objects.filter(slug="guild-12").exists()
    made = html.split('id="made-h"', 1)[1].split("</section>", 1)[0]
    linked = re.findall(r'href="/o/acme/teams/(guild-\d+)/"', made)
    assert linked == [f"guild-{n:02}" for n in range(10)]
    assert "Created 13 teams" in _text(made) and "and 3 more" in _text(made)
    assert 'href="/o/acme/teams/">all teams</a>' in made
    for url in linked[:1]:
        assert admin.get(f"/o/acme/teams/{url}/").status_code == 200


def test_the_result_links_people_memberships_and_initiatives_created_or_changed(cast):
    admin = login(cast.admin)
    people = f"email,name\r\nnia@acme.example,Nia Noor\r\n{cast.member.email},Mia M.\r\n"
    html = _apply(admin, _plan(admin, "people.csv", people).content.decode()).content.decode()
    nia = Person.objects.get(org=cast.org, email="nia@acme.example")
    made = _text(html.split('id="made-h"', 1)[1].split("</section>", 1)[0])
    assert f'href="/o/acme/people/{nia.pk}/">Nia Noor</a>' in html
    assert f'href="/o/acme/people/{cast.member.pk}/">Mia M.</a>' in html
    assert "Created 1 person: Nia Noor" in made and "Changed 1 person: Mia M." in made

    terms = "team,person,role\r\nplatform,nia@acme.example,member\r\n"
    html = _apply(admin, _plan(admin, "terms.csv", terms).content.decode()).content.decode()
    assert Membership.objects.filter(team=cast.platform, person=nia).exists()
    assert 'href="/o/acme/teams/platform/">Nia Noor in Platform</a>' in html

    work = "id,team,title\r\ncsv-1,platform,Faster imports\r\n"
    html = _apply(admin, _plan(admin, "work.csv", work).content.decode()).content.decode()
    initiative = Initiative.objects.get(org=cast.org, title="Faster imports")
    assert f'href="/o/acme/alignment/initiatives/{initiative.pk}/">Faster imports</a>' in html


def test_a_large_import_applied_in_the_background_links_what_it_made(cast, monkeypatch):
    monkeypatch.setattr(services, "JOB_BYTES", 10)
    admin = login(cast.admin)
    rows = "".join(f"crew-{n},Crew {n},acme,x\r\n" for n in range(12))
    job = services.submit_job(
        cast.org,
        cast.admin,
        name="teams.csv",
        content=("slug,name,parent,Notes\r\n" + rows).encode(),
        kind="apply",
        strict=False,
    )
    assert services.run_job(job.pk) == "done"
    html = admin.get(f"/o/acme/interchange/jobs/{job.pk}/").content.decode()
    made = html.split('id="made-h"', 1)[1].split("</section>", 1)[0]
    assert len(re.findall(r'href="/o/acme/teams/crew-\d+/"', made)) == 10
    assert "and 2 more" in made
    # The column it ignored is still named on the result, from the job's stored outcome.
    assert "Ignored columns: Notes" in html
