"""An objectives (key results, initiatives) CSV without an id says what an id is.

`title,period,level,team,owner` was refused "An objectives CSV needs the column id", and an
empty id "id is required", with nothing saying that an id is any unique name the person
chooses for the row, or that an existing id updates that record. The refusal, the row's
problem and the templates on the import page say so.
"""

from __future__ import annotations

import datetime as dt

import pytest

from accord.alignment.models import Objective, Period
from accord.interchange import csvio
from tests.conftest import login

pytestmark = pytest.mark.urls("tests.interchange.urls")

CHOOSE = "An id is any name you choose for the row, unique among the objectives (e.g. okr-1)"
UPDATES = "a row whose id Accord already has (an export writes each objective's) updates"


@pytest.fixture
def q4(cast):
    return Period.objects.create(
        org=cast.org, name="Q4 2026", start=dt.date(2026, 10, 1), end=dt.date(2026, 12, 31)
    )


def _csv(text: str, **kwargs):
    return csvio.import_csv(text.encode(), org_slug="acme", **kwargs)


def test_a_file_without_the_id_column_says_what_an_id_is(cast, q4):
    outcome = _csv(
        "title,period,level,team,owner\r\n"
        f"Grow sales pipeline,Q4 2026,team,platform,{cast.leader.email}\r\n"
    )
    assert outcome.fatal is not None
    assert outcome.fatal.why.startswith("An objectives CSV needs the column id. ")
    assert CHOOSE in outcome.fatal.why and UPDATES in outcome.fatal.why
    refused = _csv("name,objective\r\nSpeed,okr-1\r\n", section="key_results")
    assert "unique among the key results (e.g. kr-1)" in refused.fatal.why


def test_a_row_without_an_id_says_what_an_id_is_and_one_with_an_id_imports(cast, q4):
    header = "id,title,period,level,team,owner\r\n"
    row = f"Grow sales pipeline,Q4 2026,team,platform,{cast.leader.email}\r\n"
    outcome = _csv(header + "," + row, dry_run=True)
    [problem] = outcome.report.problems
    assert (problem.path, problem.line) == ("objectives[0].id", 2)
    assert problem.why.startswith("The row has no id. ") and CHOOSE in problem.why
    assert problem.why.endswith("Row skipped.")
    assert "id is required" not in outcome.as_text()
    # The id the person chose: created, and the same id again updates it.
    assert _csv(header + "okr-1," + row).applied
    assert _csv("id,title\r\nokr-1,Grow the sales pipeline\r\n", section="objectives").changes
    assert Objective.objects.get(org=cast.org).title == "Grow the sales pipeline"


def test_the_templates_on_the_import_page_say_what_an_id_is(cast):
    page = login(cast.admin).get("/o/acme/interchange/").content.decode()
    assert "give each row any name you choose" in page
    assert "<code>okr-1</code>" in page and "updates that record" in page
