"""Decisions travel in the organization file with the options they considered and the
option proposed or decided for: an export applied elsewhere gives the same decisions; a
file changes an option while its decision is open, and never the record of a decided one."""

from __future__ import annotations

import pytest
import yaml

from accord.activity.models import Event
from accord.decisions.models import Decision
from accord.interchange import services
from accord.org.models import Organization, Person
from accord.org.services import give_login
from tests.conftest import login
from tests.interchange.helpers import dump

pytestmark = pytest.mark.django_db

FILE = """\
accord: 1
organization: {name: Initech, slug: initech}
teams:
  - {slug: initech, name: Initech}
people:
  - {email: bill@initech.example, name: Bill Lumbergh, role: admin}
decisions:
  - {id: cover, question: Which cover sheet?, approver: bill@initech.example,
     status: decided, outcome: The new one, rationale: Clearer, chosen_option: cover-new}
  - {id: queue, question: Which queue?, approver: bill@initech.example, status: proposed,
     chosen_option: q-kafka}
  - {id: none, question: Which vendor?, approver: bill@initech.example, status: decided,
     outcome: Build it ourselves}
  - {id: lunch, question: Lunch?, approver: bill@initech.example}
decision_options:
  - {id: cover-new, decision: cover, title: New cover sheet, pros: Clearer}
  - {id: cover-old, decision: cover, title: Old cover sheet, cons: Nobody reads it}
  - {id: q-rabbit, decision: queue, title: RabbitMQ}
  - {id: q-kafka, decision: queue, title: Kafka, pros: Throughput}
  - {id: v-acme, decision: none, title: Acme Corp}
  - {id: lunch-pizza, decision: lunch, title: Pizza}
"""


def _decision(org, question):
    return Decision.objects.for_org(org).get(question=question)


def _options(d):
    return [(o.title, o.pros, o.cons) for o in d.options.all()]


def _section(text, name):
    return yaml.safe_load(text)[name]


def test_a_file_enters_the_options_in_order_and_the_option_chosen():
    outcome = services.apply_file(FILE)
    assert outcome.ok and not outcome.report, outcome.report.as_text()
    org = Organization.objects.get(slug="initech")
    cover = _decision(org, "Which cover sheet?")
    assert _options(cover) == [
        ("New cover sheet", "Clearer", ""),
        ("Old cover sheet", "", "Nobody reads it"),
    ]
    assert (cover.status, cover.outcome, cover.chosen_option.title) == (
        "decided",
        "The new one",  # the file's outcome, not the option's title
        "New cover sheet",
    )
    queue = _decision(org, "Which queue?")
    assert [o for o, _p, _c in _options(queue)] == ["RabbitMQ", "Kafka"]
    # proposed for Kafka with no outcome written: entered as it stands
    assert (queue.status, queue.outcome, queue.chosen_option.title) == ("proposed", "", "Kafka")
    # decided for none of the options it considered
    vendor = _decision(org, "Which vendor?")
    assert (vendor.status, vendor.chosen_option, _options(vendor)) == (
        "decided",
        None,
        [("Acme Corp", "", "")],
    )
    assert _decision(org, "Lunch?").status == "open"
    assert services.apply_file(FILE).changes == []


def test_an_export_applied_elsewhere_gives_the_same_decisions_and_options():
    services.apply_file(FILE)
    first = services.export_text(Organization.objects.get(slug="initech"))
    assert {d["id"]: d.get("chosen_option") for d in _section(first, "decisions")} == {
        "cover": "cover-new",
        "queue": "q-kafka",
        "none": None,
        "lunch": None,
    }
    outcome = services.apply_file(first, org_slug="initech-copy")
    assert outcome.ok and not outcome.report, outcome.report.as_text()
    copy = Organization.objects.get(slug="initech-copy")
    second = services.export_text(copy)
    for name in ("decisions", "decision_options"):
        assert _section(second, name) == _section(first, name)
    assert services.apply_file(first, org=copy).changes == []


def test_a_file_changes_an_open_decisions_options_and_moves_it_on_for_one_of_them():
    services.apply_file(FILE)
    org = Organization.objects.get(slug="initech")
    changed = (
        FILE.replace("title: Pizza}", "title: Pizza, pros: Quick}")
        .replace("{id: lunch, question: Lunch?,", "{id: lunch, question: Lunch?, status: decided,")
        .replace(
            "approver: bill@initech.example}\ndecision_options",
            "approver: bill@initech.example,\n     chosen_option: lunch-pizza}\ndecision_options",
        )
    )
    outcome = services.apply_file(changed, org=org)
    assert outcome.ok and not outcome.report, outcome.report.as_text()
    lunch = _decision(org, "Lunch?")
    assert (lunch.status, lunch.outcome, lunch.chosen_option.title) == ("decided", "Pizza", "Pizza")
    assert _options(lunch) == [("Pizza", "Quick", "")]
    verbs = list(
        Event.objects.for_org(org)
        .filter(target_type="decisions.decision", target_id=str(lunch.pk))
        .values_list("verb", flat=True)
    )
    assert "option_changed" in verbs and "decided" in verbs


def test_a_decided_decisions_options_and_choice_are_its_record():
    services.apply_file(FILE)
    org = Organization.objects.get(slug="initech")
    before = dump()
    other = FILE.replace("chosen_option: cover-new}", "chosen_option: cover-old}")
    outcome = services.apply_file(other, org=org)
    assert "the file does not move it on" in outcome.report.as_text()
    renamed = FILE.replace("title: Old cover sheet,", "title: Older cover sheet,")
    outcome = services.apply_file(renamed, org=org)
    assert "Could not update decision option 'cover-old'" in outcome.report.as_text()
    dropped = FILE.replace(
        "  - {id: cover-old, decision: cover, title: Old cover sheet, cons: Nobody reads it}\n",
        "",
    )
    outcome = services.apply_file(dropped, org=org)
    assert "Could not remove decision option 'cover-old'" in outcome.report.as_text()
    assert dump() == before
    assert _decision(org, "Which cover sheet?").chosen_option.title == "New cover sheet"


def test_an_option_of_another_decision_is_refused_and_that_decision_stays_open():
    wrong = FILE.replace("chosen_option: q-kafka}", "chosen_option: cover-old}")
    outcome = services.apply_file(wrong)
    assert "not one of this decision's" in outcome.report.as_text()
    org = Organization.objects.get(slug="initech")
    queue = _decision(org, "Which queue?")
    assert (queue.status, queue.chosen_option) == ("open", None)


def test_the_decisions_page_marks_the_option_a_file_chose(db):
    services.apply_file(FILE)
    org = Organization.objects.get(slug="initech")
    bill = Person.objects.for_org(org).get(email="bill@initech.example")
    give_login(org, None, bill, "a long enough password 1")
    d = _decision(org, "Which cover sheet?")
    page = login(bill).get(f"/o/initech/decisions/{d.pk}/").content.decode()
    assert 'New cover sheet <span class="tag tag--ok">chosen</span>' in page
    assert "Old cover sheet" in page and "Nobody reads it" in page
