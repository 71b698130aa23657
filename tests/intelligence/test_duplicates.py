"""Likely duplicate work across teams: known pairs found, unrelated ones not, what people
say of a pair remembered (until a text changes substantially), never across organizations."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from django.utils import timezone

from accord.activity.models import Event
from accord.alignment import services as alignment
from accord.alignment.detectors import KIND
from accord.alignment.models import InitiativeLink
from accord.coordination import services as coordination
from accord.core.errors import PermissionDenied, ServiceError
from accord.intelligence import duplicate_services, duplicates, evaluate
from accord.intelligence.models import DuplicateJudgement, Signal, SignalState
from accord.org import services as org_services
from accord.org.models import MembershipRole, Role
from tests.conftest import make_person

LABELLED = Path(__file__).with_name("duplicate_pairs.json")

BILLING = (
    "Migrate billing to the new payments gateway",
    "Move every invoice and card charge off the legacy processor onto the new payments "
    "gateway before the contract ends.",
)
BILLING_TOO = (
    "Move billing onto the new payment provider",
    "Switch invoicing and card payments from the old processor to the new payment gateway "
    "ahead of the contract renewal.",
)
HIRING = ("Hire two product designers", "Grow the design team for the mobile apps by two.")
WIKI = ("Redesign the internal wiki", "New navigation and templates so pages are easier to find.")


@pytest.fixture(autouse=True)
def fresh_indexes():
    duplicates.forget()
    yield
    duplicates.forget()


def labelled() -> tuple[list[duplicates.Item], list[tuple[int, int]], list[tuple[int, int]]]:
    """Each distinct text of the labelled file is one initiative of its own team."""
    ids: dict[str, int] = {}
    known, unrelated = [], []
    for pair in json.loads(LABELLED.read_text())["pairs"]:
        a, b = (ids.setdefault(t, len(ids) + 1) for t in (pair["a"], pair["b"]))
        (known if pair["label"] == "duplicate" else unrelated).append((a, b))
    items = [duplicates.Item(id=i, team_id=i, text=t) for t, i in ids.items()]
    return items, known, unrelated


# --- the scoring alone -------------------------------------------------------------------


def test_paraphrased_pairs_are_found_and_unrelated_pairs_are_not():
    items, known, unrelated = labelled()
    q = duplicates.measure(items, known)
    assert q.recall >= 0.75, q
    assert q.precision >= 0.9, q
    assert q.recall_top == 1.0, q
    found = {(p.a, p.b) for p in duplicates.find_pairs(items)}
    assert not found & {(min(a, b), max(a, b)) for a, b in unrelated}


def test_items_of_one_team_are_never_a_pair():
    text = "\n".join(BILLING)
    items = [duplicates.Item(1, 7, text), duplicates.Item(2, 7, text)]
    assert duplicates.find_pairs(items) == []
    items.append(duplicates.Item(3, 8, text))
    assert {(p.a, p.b) for p in duplicates.find_pairs(items)} == {(1, 3), (2, 3)}


def test_serving_the_same_key_result_and_sharing_the_owner_raise_the_score():
    a = duplicates.Item(1, 1, "\n".join(BILLING))
    b = duplicates.Item(2, 2, "\n".join(BILLING_TOO))
    noise = [duplicates.Item(10 + n, 10 + n, "\n".join(t)) for n, t in enumerate([HIRING, WIKI])]
    [plain] = duplicates.find_pairs([a, b, *noise])
    a.key_result_ids, b.key_result_ids = frozenset({5}), frozenset({5})
    a.owner_id, b.owner_id = 9, 9
    [tied] = duplicates.find_pairs([a, b, *noise])
    assert tied.text == plain.text
    assert tied.score == pytest.approx(plain.text + 0.15, abs=1e-3)
    assert (tied.key_results, tied.people) == ([5], [9])
    assert "gateway" in tied.terms


def test_only_changed_items_are_scored_again():
    items, known, _ = labelled()
    key = ("test", "initiative")
    before = {(p.a, p.b) for p in duplicates.find_pairs(items, key=key)}
    index = duplicates.kept(key)
    assert index is not None and index.rescored == len(items)
    items[0].text += " Also in Canada."
    after = {(p.a, p.b) for p in duplicates.find_pairs(items, key=key)}
    assert index.rescored == 1
    assert after == before
    duplicates.find_pairs(items, key=key)
    assert index.rescored == 0
    # Items that are gone leave their pairs; nothing else is scored again.
    gone = {a for a, _ in known[:2]}
    rest = [i for i in items if i.id not in gone]
    pairs = {(p.a, p.b) for p in duplicates.find_pairs(rest, key=key)}
    assert index.rescored == 0
    assert pairs == {(a, b) for a, b in before if a not in gone and b not in gone}


def test_the_fingerprint_tells_a_small_edit_from_a_rewrite():
    old = duplicates.fingerprint("\n".join(BILLING))
    assert duplicates.resemblance(old, duplicates.fingerprint("\n".join(BILLING) + " Soon.")) > 0.8
    assert duplicates.resemblance(old, duplicates.fingerprint("\n".join(BILLING_TOO))) < 0.5


# --- the detector, the judgements and tenancy ---------------------------------------------


@pytest.fixture
def pair(cast):
    """Payments and Platform describe the same billing migration; Platform also hires."""
    org = cast.org
    payments = org_services.create_team(
        org, None, name="Payments", slug="payments", parent=cast.root
    )
    lead = make_person(org, "Pat Lead", Role.MEMBER)
    org_services.add_membership(org, None, person=lead, team=payments, role=MembershipRole.LEAD)

    def make(team, text):
        return alignment.create_initiative(
            org, None, team=team, title=text[0], description=text[1], status="active"
        )

    a = make(payments, BILLING)
    b = make(cast.platform, BILLING_TOO)
    make(cast.platform, HIRING)
    make(payments, WIKI)
    evaluate.evaluate(org)
    return a, b, lead


def live_pairs(org) -> set[str]:
    return set(
        Signal.objects.filter(org=org, kind=KIND)
        .exclude(state=SignalState.RESOLVED)
        .values_list("subject_id", flat=True)
    )


def test_the_detector_raises_the_pair_with_its_evidence(cast, pair):
    a, b, _ = pair
    assert live_pairs(cast.org) == {f"initiative:{a.pk}:{b.pk}"}
    s = Signal.objects.get(org=cast.org, kind=KIND)
    labels = {e["label"]: e for e in s.evidence}
    assert labels["Initiative of Payments"]["target_id"] == str(a.pk)
    assert labels["Initiative of Platform"]["target_id"] == str(b.pk)
    assert "gateway" in labels["Distinctive terms both use"]["value"]
    assert s.numbers["similarity"] >= duplicates.DEFAULTS["threshold"]
    assert "Payments" in s.title and "Platform" in s.title


def test_initiatives_joined_by_a_dependency_are_parts_of_one_programme_not_a_pair(cast, pair):
    """Payments' billing migration asks Platform's look-alike initiative for a part: once
    Platform's initiative delivers it (accepted, then delivered), the two are one
    programme's parts, not duplicate work. Asked, with no delivering initiative yet, they
    still pair."""
    a, b, _ = pair
    both = {f"initiative:{a.pk}:{b.pk}"}
    assert live_pairs(cast.org) == both
    dep = coordination.create_dependency(
        cast.org,
        None,
        requester_initiative=a,
        provider_team=cast.platform,
        title="Gateway webhooks",
        need_by=timezone.localdate() + dt.timedelta(days=20),
    )
    evaluate.evaluate(cast.org)
    assert live_pairs(cast.org) == both
    coordination.transition(
        cast.org,
        None,
        dep,
        "accept",
        provider_initiative=b,
        committed_date=timezone.localdate() + dt.timedelta(days=20),
    )
    evaluate.evaluate(cast.org)
    assert live_pairs(cast.org) == set()
    coordination.transition(cast.org, None, dep, "confirm_delivery")
    evaluate.evaluate(cast.org)
    assert live_pairs(cast.org) == set()


def test_not_a_duplicate_is_remembered_until_a_text_changes_substantially(cast, pair):
    a, b, lead = pair
    org = cast.org
    s = Signal.objects.get(org=org, kind=KIND)
    judgement = duplicate_services.judge(org, lead, s, "not_duplicate")
    assert judgement.decided_by == lead
    assert Event.objects.filter(
        org=org, verb="judged not duplicate", target_id=str(judgement.pk)
    ).exists()
    s.refresh_from_db()
    assert s.state == SignalState.DISMISSED
    evaluate.evaluate(org)
    assert live_pairs(org) == set()
    # A small edit keeps it quiet...
    b = alignment.update_initiative(org, None, b, description=b.description + " Soon.")
    evaluate.evaluate(org)
    assert live_pairs(org) == set()
    # ...a rewrite (that still reads like the other) brings the pair back.
    alignment.update_initiative(
        org,
        None,
        b,
        title="Payments gateway migration for billing",
        description="Every invoice and card charge moves off the legacy processor to the new "
        "payments gateway.",
    )
    evaluate.evaluate(org)
    assert live_pairs(org) == {f"initiative:{a.pk}:{b.pk}"}
    assert Signal.objects.get(org=org, kind=KIND).state == SignalState.OPEN


def test_related_links_the_pair_for_good(cast, pair):
    a, b, lead = pair
    s = Signal.objects.get(org=cast.org, kind=KIND)
    duplicate_services.judge(cast.org, lead, s, "related")
    alignment.update_initiative(cast.org, None, b, title="Payments gateway migration, billing")
    evaluate.evaluate(cast.org)
    assert live_pairs(cast.org) == set()
    row = DuplicateJudgement.objects.get(org=cast.org)
    assert (row.verdict, row.a_id, row.b_id) == ("related", a.pk, b.pk)


def test_one_replaces_the_other_makes_the_replaces_link(cast, pair):
    a, b, lead = pair
    s = Signal.objects.get(org=cast.org, kind=KIND)
    with pytest.raises(ServiceError, match="which of the two"):
        duplicate_services.judge(cast.org, lead, s, "replaces")
    duplicate_services.judge(cast.org, lead, s, "replaces", replacement_id=b.pk)
    assert InitiativeLink.objects.filter(from_initiative=b, to_initiative=a).exists()
    assert Event.objects.filter(org=cast.org, verb="judged replaces").exists()
    evaluate.evaluate(cast.org)
    assert live_pairs(cast.org) == set()


def test_bad_verdicts_and_people_without_the_right_change_nothing(cast, pair):
    s = Signal.objects.get(org=cast.org, kind=KIND)
    with pytest.raises(ServiceError, match="Unknown verdict"):
        duplicate_services.judge(cast.org, cast.leader, s, "maybe")
    with pytest.raises(PermissionDenied):
        duplicate_services.judge(cast.org, cast.viewer, s, "related")
    assert not DuplicateJudgement.objects.exists()
    s.refresh_from_db()
    assert s.state == SignalState.OPEN


def test_pairs_never_cross_organizations(cast):
    org, other = cast.org, cast.other_org
    mine = alignment.create_initiative(
        org, None, team=cast.platform, title=BILLING[0], description=BILLING[1], status="active"
    )
    theirs = alignment.create_initiative(
        other, None, team=cast.other_team, title=BILLING[0], description=BILLING[1],
        status="active",
    )  # fmt: skip
    alignment.create_initiative(
        other, None, team=cast.other_team, title=HIRING[0], description=HIRING[1]
    )
    evaluate.evaluate(org)
    evaluate.evaluate(other)
    assert not Signal.objects.filter(kind=KIND).exists()
    assert mine.pk != theirs.pk


# --- the page and the API ----------------------------------------------------------------


def test_a_lead_marks_the_pair_related_on_the_signal_page(cast, pair):
    from tests.conftest import login

    a, _b, lead = pair
    s = Signal.objects.get(org=cast.org, kind=KIND)
    client = login(lead)
    page = client.get(f"/o/acme/insights/signals/{s.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Is this the same work?" in html and "Not a duplicate" in html
    assert f"/o/acme/alignment/initiatives/{a.pk}/" in html
    url = f"/o/acme/insights/signals/{s.pk}/duplicate/"
    done = client.post(url, {"verdict": "related"}, follow=True)
    assert "Marked as related work" in done.content.decode()
    assert DuplicateJudgement.objects.get(org=cast.org).verdict == "related"
    # A viewer sees no buttons and may not post; another organization sees nothing.
    viewer_page = login(cast.viewer).get(f"/o/acme/insights/signals/{s.pk}/").content.decode()
    assert "Not a duplicate" not in viewer_page
    assert login(cast.viewer).post(url, {"verdict": "not_duplicate"}).status_code == 403
    assert login(cast.outsider).post(url, {"verdict": "not_duplicate"}).status_code == 404
    assert DuplicateJudgement.objects.get(org=cast.org).verdict == "related"


def test_the_api_judges_a_pair_and_refuses_bad_input(cast, pair):
    from tests.conftest import api_client

    a, b, _ = pair
    s = Signal.objects.get(org=cast.org, kind=KIND)
    api = api_client(cast.leader)
    url = f"/api/v1/signals/{s.pk}/duplicate"
    bad = api.post(url, {"verdict": "maybe"}, content_type="application/json")
    assert bad.status_code == 422, bad.content
    assert not DuplicateJudgement.objects.exists()
    other = api_client(cast.outsider).post(
        url, {"verdict": "related"}, content_type="application/json"
    )
    assert other.status_code == 404
    ok = api.post(
        url, {"verdict": "replaces", "replacement": a.pk}, content_type="application/json"
    )
    assert ok.status_code == 200, ok.content
    body = ok.json()
    assert (body["verdict"], body["a_id"], body["b_id"]) == ("replaces", a.pk, b.pk)
    assert body["signal"]["state"] == "dismissed"
    assert InitiativeLink.objects.filter(from_initiative=a, to_initiative=b).exists()


def test_many_identical_texts_are_pairs_even_when_every_word_is_common():
    # As in a generated organization: a few hundred titles repeated across teams. Every
    # character n-gram is then too common to keep and every word too common to propose
    # candidates; identical texts are still pairs, and a later run does not fail.
    items = [duplicates.Item(i, i, "Streamline the observability stack") for i in range(1, 401)]
    items.append(duplicates.Item(1000, 1000, "\n".join(HIRING)))
    key = ("test", "uniform")
    pairs = duplicates.find_pairs(items, key=key)
    assert pairs and all(p.a < 1000 and p.b < 1000 and p.text == 1.0 for p in pairs)
    items[0].text = "Streamline the observability stack again"
    assert duplicates.find_pairs(items, key=key)
    assert duplicates.kept(key).rescored == 1


# --- objectives, the structure bonuses -----------------------------------------------------


def test_serving_the_same_objective_and_depending_on_the_same_team_raise_the_score():
    a = duplicates.Item(1, 1, "\n".join(BILLING))
    b = duplicates.Item(2, 2, "\n".join(BILLING_TOO))
    noise = [duplicates.Item(10 + n, 10 + n, "\n".join(t)) for n, t in enumerate([HIRING, WIKI])]
    [plain] = duplicates.find_pairs([a, b, *noise])
    a.objective_ids, b.objective_ids = frozenset({3, 4}), frozenset({4})
    [served] = duplicates.find_pairs([a, b, *noise])
    assert served.objectives == [4] and served.providers == []
    assert served.score == pytest.approx(plain.text + duplicates.BONUS["objectives"], abs=1e-3)
    a.objective_ids, b.objective_ids = frozenset(), frozenset()
    a.provider_team_ids, b.provider_team_ids = frozenset({7, 8}), frozenset({8, 9})
    [provided] = duplicates.find_pairs([a, b, *noise])
    assert provided.providers == [8] and provided.objectives == []
    assert provided.score == pytest.approx(plain.text + duplicates.BONUS["provider"], abs=1e-3)
    assert provided.text == served.text == plain.text


@pytest.fixture
def objective_pair(cast):
    """Payments and Platform each set an objective about the same billing migration, both
    under the organization's objective; Platform also has an unrelated one."""
    org = cast.org
    payments = org_services.create_team(
        org, None, name="Payments", slug="payments", parent=cast.root
    )
    lead = make_person(org, "Pat Lead", Role.MEMBER)
    org_services.add_membership(org, None, person=lead, team=payments, role=MembershipRole.LEAD)
    period = alignment.create_period(
        org, None, name="Q1", start="2026-01-01", end="2026-03-31", state="active",
        is_current=True,
    )  # fmt: skip
    top = alignment.create_objective(
        org, None, title="Lower our cost to serve", period=period, level="org"
    )

    def make(team, text):
        return alignment.create_objective(
            org, None, title=text[0], description=text[1], period=period, team=team,
            parents=[top],
        )  # fmt: skip

    a = make(payments, BILLING)
    b = make(cast.platform, BILLING_TOO)
    make(cast.platform, HIRING)
    evaluate.evaluate(org)
    return a, b, lead


def test_two_teams_similar_objectives_are_raised_as_a_pair(cast, objective_pair):
    a, b, _ = objective_pair
    assert live_pairs(cast.org) == {f"objective:{a.pk}:{b.pk}"}
    s = Signal.objects.get(org=cast.org, kind=KIND)
    labels = {e["label"]: e for e in s.evidence}
    assert labels["Objective of Payments"]["target_id"] == str(a.pk)
    assert labels["Objective of Platform"]["target_id"] == str(b.pk)
    assert labels["Objective both serve"]["value"] == "Lower our cost to serve"
    assert s.numbers["object_type"] == "objective"
    assert s.numbers["score"] == pytest.approx(
        s.numbers["similarity"] + duplicates.BONUS["objectives"], abs=2e-3
    )
    assert "serve the same objectives" in s.explanation


def test_one_replaces_the_other_is_refused_for_objectives_and_changes_nothing(cast, objective_pair):
    a, _b, lead = objective_pair
    s = Signal.objects.get(org=cast.org, kind=KIND)
    with pytest.raises(ServiceError, match="Only an initiative can replace another"):
        duplicate_services.judge(cast.org, lead, s, "replaces", replacement_id=a.pk)
    assert not DuplicateJudgement.objects.exists()
    assert not Event.objects.filter(org=cast.org, verb__startswith="judged").exists()
    s.refresh_from_db()
    assert s.state == SignalState.OPEN


# --- related work, shown on both items' pages ----------------------------------------------


def test_related_initiatives_link_to_each_other_on_their_pages(cast, pair):
    from tests.conftest import login

    a, b, lead = pair
    s = Signal.objects.get(org=cast.org, kind=KIND)
    client = login(lead)
    page_a = f"/o/acme/alignment/initiatives/{a.pk}/"
    page_b = f"/o/acme/alignment/initiatives/{b.pk}/"
    assert "Related work" not in client.get(page_a).content.decode()
    row = duplicate_services.judge(cast.org, lead, s, "related")
    assert Event.objects.filter(
        org=cast.org, verb="judged related", target_id=str(row.pk), actor=lead
    ).exists()
    html_a, html_b = client.get(page_a).content.decode(), client.get(page_b).content.decode()
    assert "Related work" in html_a and f'href="{page_b}"' in html_a and b.title in html_a
    assert "Related work" in html_b and f'href="{page_a}"' in html_b and a.title in html_b


def test_related_objectives_link_to_each_other_on_their_pages(cast, objective_pair):
    from tests.conftest import login

    a, b, lead = objective_pair
    s = Signal.objects.get(org=cast.org, kind=KIND)
    row = duplicate_services.judge(cast.org, lead, s, "related")
    assert Event.objects.filter(org=cast.org, verb="judged related", target_id=str(row.pk)).exists()
    client = login(cast.viewer)  # anyone who may read the pages sees the link
    page_a = f"/o/acme/alignment/objectives/{a.pk}/"
    page_b = f"/o/acme/alignment/objectives/{b.pk}/"
    html_a, html_b = client.get(page_a).content.decode(), client.get(page_b).content.decode()
    assert "Related work" in html_a and f'href="{page_b}"' in html_a
    assert "Related work" in html_b and f'href="{page_a}"' in html_b


def test_related_work_is_one_query_and_only_judged_related_pairs_count(
    cast, pair, django_assert_num_queries
):
    from accord.intelligence import queries

    a, b, lead = pair
    s = Signal.objects.get(org=cast.org, kind=KIND)
    duplicate_services.judge(cast.org, lead, s, "not_duplicate")
    assert queries.related_work(cast.org, a) == []
    duplicate_services.judge(cast.org, lead, s, "related")
    with django_assert_num_queries(1):
        found = queries.related_work(cast.org, a)
    assert found == [b] and found[0].team.name == "Platform"
    assert queries.related_work(cast.org, b) == [a]


def test_related_work_never_crosses_organizations(cast, pair):
    from django.utils import timezone

    from accord.intelligence import queries
    from tests.conftest import login

    a, b, _lead = pair
    # A judgement stored under another organization naming this one's ids links nothing.
    DuplicateJudgement.objects.create(
        org=cast.other_org, object_type="initiative", a_id=a.pk, b_id=b.pk,
        verdict="related", decided_at=timezone.now(),
    )  # fmt: skip
    assert queries.related_work(cast.org, a) == []
    assert queries.related_work(cast.other_org, a) == []  # not the other's initiative
    page = login(cast.admin).get(f"/o/acme/alignment/initiatives/{a.pk}/").content.decode()
    assert "Related work" not in page
    assert login(cast.outsider).get(f"/o/acme/alignment/initiatives/{a.pk}/").status_code == 404


def test_a_retired_teams_work_is_no_longer_a_likely_duplicate(cast, pair):
    payments = pair[0].team
    assert live_pairs(cast.org)  # raised while Payments works
    org_services.retire_team(cast.org, None, payments)
    evaluate.evaluate(cast.org)
    assert live_pairs(cast.org) == set()
