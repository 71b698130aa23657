"""An evaluation of a past date (a backfill, the demo's history) leaves the text index kept
for evaluations of now alone: the next evaluation of now, in this process or in a new one
(a worker's first run), scores the same texts the same."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accord.alignment import services as alignment
from accord.alignment.detectors import KIND
from accord.alignment.models import Initiative
from accord.intelligence import duplicates, evaluate
from accord.intelligence.models import Signal
from accord.org import services as org_services
from accord.org.models import Membership, Person, Team
from tests.intelligence.test_duplicates import BILLING, BILLING_TOO

# Work that has nothing to do with billing: the past weeks' vocabulary.
OTHERS = [
    ("Hire two product designers", "Grow the design team for the mobile apps by two."),
    ("Redesign the internal wiki", "New navigation and templates so pages are easier to find."),
    ("Quarterly security review", "Walk through access rights and rotate shared secrets."),
    ("Warehouse scanner rollout", "Handheld scanners for every picker in the two warehouses."),
    ("Customer survey refresh", "Shorter questions and a follow-up call for unhappy answers."),
    ("Office move to the river site", "Pack, move and set up desks over one weekend."),
    ("Translate the help centre", "German and French versions of the twenty most read pages."),
    ("Faster release builds", "Cache dependencies so a release build takes minutes, not hours."),
]


@pytest.fixture(autouse=True)
def fresh_indexes():
    duplicates.forget()
    yield
    duplicates.forget()


@pytest.fixture
def billing(cast):
    """Payments' billing migration and seven other pieces of work exist for weeks; today
    Platform writes up the same migration in words the past never used."""
    org = cast.org
    payments = org_services.create_team(
        org, None, name="Payments", slug="payments", parent=cast.root
    )

    def make(team, text):
        return alignment.create_initiative(
            org, None, team=team, title=text[0], description=text[1], status="active"
        )

    old = [make(payments, BILLING)] + [
        make(cast.platform if n % 2 else cast.root, t) for n, t in enumerate(OTHERS)
    ]
    weeks_ago = timezone.now() - dt.timedelta(weeks=3)
    for model in (Team, Person, Membership):
        model.objects.filter(org=org).update(created_at=weeks_ago)
    Initiative.objects.filter(pk__in=[i.pk for i in old]).update(created_at=weeks_ago)
    new = make(cast.platform, BILLING_TOO)
    return old[0], new


def similarity(org, a, b) -> float:
    s = Signal.objects.get(org=org, kind=KIND, subject_id=f"initiative:{a.pk}:{b.pk}")
    return s.numbers["similarity"]


def test_the_next_evaluation_of_now_scores_the_same_texts_the_same(cast, billing):
    a, b = billing
    key = (cast.org.pk, "initiative")
    for weeks in (2, 1):  # the past weeks, as the demo and a backfill evaluate them
        evaluate.evaluate(cast.org, timezone.localdate() - dt.timedelta(weeks=weeks))
    assert duplicates.kept(key) is None  # the past weeks' items were scored, not kept
    evaluate.evaluate(cast.org)
    stored = similarity(cast.org, a, b)
    duplicates.forget()  # a new process: the worker's first run
    evaluate.evaluate(cast.org)
    assert similarity(cast.org, a, b) == stored
    evaluate.evaluate(cast.org)  # and the same process again: nothing changed
    assert similarity(cast.org, a, b) == stored
