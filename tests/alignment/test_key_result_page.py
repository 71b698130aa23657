"""A key result's own page: its numbers and pace, recorded values, the work serving it,
its history and its comments; every place that names a key result links to it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone

from accord.activity.models import Notification
from accord.alignment import services as s
from accord.alignment.models import Initiative, KeyResult, KeyResultValue, Objective
from accord.conversation.models import Comment, InboxItem
from accord.org import services as org_services
from accord.org.models import MembershipRole
from tests.conftest import login


@dataclass
class World:
    objective: Objective
    kr: KeyResult
    initiative: Initiative

    @property
    def url(self) -> str:
        return f"/o/acme/alignment/key-results/{self.kr.pk}/"


@pytest.fixture
def world(cast) -> World:
    """An objective of Platform led by Leo, a key result Mia owns with two recorded values
    (0 → 40 of 100 with a tenth of the quarter gone) and an initiative serving it."""
    org = cast.org
    org_services.add_membership(
        org, None, person=cast.leader, team=cast.platform, role=MembershipRole.LEAD
    )
    today = timezone.localdate()
    period = s.create_period(
        org,
        None,
        name="Q-now",
        start=today - dt.timedelta(days=9),
        end=today + dt.timedelta(days=81),
        is_current=True,
    )
    objective = s.create_objective(
        org, None, title="Ship the platform", period=period, team=cast.platform, owner=cast.leader
    )
    kr = s.create_key_result(
        org,
        None,
        objective,
        name="Teams onboarded",
        start=0,
        target=100,
        unit="teams",
        owner=cast.member,
    )
    s.record_key_result_value(org, cast.member, kr, 25, "first wave")
    s.record_key_result_value(org, cast.member, kr, 40, "second wave")
    initiative = s.create_initiative(
        org, None, team=cast.platform, title="Onboarding clinic", key_results=[kr]
    )
    kr.refresh_from_db()
    return World(objective, kr, initiative)


def test_the_page_shows_the_numbers_pace_values_work_and_history(
    cast, world, django_assert_max_num_queries
):
    client = login(cast.member)
    client.get(world.url)  # the session and the organization's settings are warm after
    with django_assert_max_num_queries(15):
        page = client.get(world.url)
    assert page.status_code == 200
    body = page.content.decode()
    assert "<h1>Teams onboarded</h1>" in body
    assert f'href="/o/acme/alignment/objectives/{world.objective.pk}/">Ship the platform</a>' in (
        body
    )
    team = f'href="/o/acme/alignment/teams/platform/?period={world.objective.period_id}">Platform'
    assert team in body  # the team's page for the objective's period
    assert f'href="/o/acme/people/{cast.member.pk}/">Mia Member</a>' in body
    assert "Q-now" in body
    assert "100 teams" in body and "40 teams" in body  # target and now
    assert "40%" in body  # progress
    # 40% done with 10% of the quarter gone: well ahead of pace.
    pace = body.split('class="kr-pace"')[1].split("</td>")[0]
    assert ">ahead<" in pace and "10% of Q-now gone" in pace
    # Its recorded values, newest first, with their notes and who recorded them.
    values = body.split('class="table table--stack kr-values"')[1].split("</table>")[0]
    assert values.index("second wave") < values.index("first wave")
    assert "Mia Member" in values
    assert 'class="spark"' in body
    # The work serving it, the update form, the history and the comments block.
    assert f'href="/o/acme/alignment/initiatives/{world.initiative.pk}/">Onboarding clinic' in body
    assert f'action="/o/acme/alignment/key-results/{world.kr.pk}/value/"' in body
    assert 'id="history-h"' in body and "recorded" in body.split('id="history-h"')[1]
    assert 'id="comments"' in body and 'name="body"' in body


def test_a_value_recorded_on_the_page_comes_back_to_it(cast, world):
    client = login(cast.member)
    answer = client.post(
        f"/o/acme/alignment/key-results/{world.kr.pk}/value/",
        {"value": "55", "note": "third wave", "next": world.url},
    )
    assert answer.status_code == 302 and answer["Location"] == world.url
    world.kr.refresh_from_db()
    assert world.kr.current == 55
    page = client.get(world.url).content.decode()
    assert "third wave" in page and "55 teams" in page
    # Editing it from its page comes back to its page too.
    edit = f"/o/acme/alignment/key-results/{world.kr.pk}/edit/?next={world.url}"
    assert f'href="{edit}"' in page.replace("%2F", "/")
    world.kr.refresh_from_db()
    saved = client.post(
        edit,
        {
            "name": "Teams onboarded",
            "direction": "increase",
            "start": "0",
            "target": "120",
            "weight": "1",
            "owner": cast.member.pk,
            "version": world.kr.version,
        },
    )
    assert saved.status_code == 302 and saved["Location"] == world.url, saved.content[-600:]
    world.kr.refresh_from_db()
    assert world.kr.target == 120
    # A value that is not a number changes nothing and says why.
    recorded = KeyResultValue.objects.filter(key_result=world.kr).count()
    bad = client.post(
        f"/o/acme/alignment/key-results/{world.kr.pk}/value/",
        {"value": "lots", "next": world.url},
        follow=True,
    )
    assert "enter a number" in bad.content.decode()
    assert KeyResultValue.objects.filter(key_result=world.kr).count() == recorded


def test_pages_that_name_a_key_result_link_to_it(cast, world):
    from accord.search import queries as search

    link = f'href="{world.url}"'
    client = login(cast.member)
    objective_page = client.get(f"/o/acme/alignment/objectives/{world.objective.pk}/")
    assert link in objective_page.content.decode()
    initiative_page = client.get(f"/o/acme/alignment/initiatives/{world.initiative.pk}/")
    assert link in initiative_page.content.decode()
    home = client.get("/o/acme/")  # "Your key results to update"
    assert link in home.content.decode()
    tree = client.get("/o/acme/alignment/")
    assert link in tree.content.decode()
    hits = search.search(cast.org, cast.member, "onboarded", limit=10)
    assert [h.url for h in hits if h.kind == "key_result"] == [world.url]


def test_another_organizations_key_result_is_not_found(cast, world):
    outsider = login(cast.outsider)
    assert outsider.get(f"/o/globex/alignment/key-results/{world.kr.pk}/").status_code == 404
    assert outsider.get(world.url).status_code in (403, 404)
    assert login(cast.member).get("/o/acme/alignment/key-results/999999/").status_code == 404


def test_a_viewer_reads_it_and_sees_no_control(cast, world):
    Comment.objects.create(
        org=cast.org,
        target_kind="key_result",
        target_id=world.kr.pk,
        author=cast.member,
        body="Visible to all",
        body_html="<p>Visible to all</p>",
    )
    page = login(cast.viewer).get(world.url)
    assert page.status_code == 200
    body = page.content.decode()
    assert "Teams onboarded" in body and "Visible to all" in body
    assert "/value/" not in body and "/edit/" not in body
    assert 'action="/o/acme/comments/new/"' not in body
    refused = login(cast.viewer).post(
        f"/o/acme/alignment/key-results/{world.kr.pk}/value/", {"value": "99", "next": world.url}
    )
    assert refused.status_code == 403
    world.kr.refresh_from_db()
    assert world.kr.current == 40


def test_a_comment_with_a_mention_on_the_page_tells_the_person_once(cast, world):
    member = login(cast.member)
    sent = member.post(
        "/o/acme/comments/new/",
        {"target": "key_result", "target_id": world.kr.pk, "body": "Nearly there, @leo.leader"},
    )
    comment = Comment.objects.get()
    link = f"{world.url}?comment={comment.pk}#comment-{comment.pk}"
    assert sent.status_code == 302 and sent["Location"] == link
    shown = member.get(link).content.decode()
    assert "Nearly there" in shown and 'class="mention"' in shown
    item = InboxItem.objects.get(person=cast.leader)
    assert item.kind == "mention" and item.link == link
    (mail,) = Notification.objects.filter(kind="mention")
    assert mail.person == cast.leader and mail.link.endswith(link)
    # Editing the comment keeps the mention: Leo is not told twice.
    edit = member.post(
        f"/o/acme/comments/{comment.pk}/edit/",
        {"body": "Nearly there, @leo.leader!", "version": "1"},
    )
    assert edit.status_code == 302
    assert Notification.objects.filter(kind="mention").count() == 1
    assert InboxItem.objects.filter(person=cast.leader).count() == 1
    inbox = login(cast.leader).get("/o/acme/inbox/").content.decode()
    assert "mentioned you on key result" in inbox


def test_signal_evidence_and_decision_links_name_its_page(cast, world):
    from accord.alignment.models import KeyResult as KR
    from accord.decisions import services as decisions
    from accord.intelligence.queries import resolve_links

    other_objective = s.create_objective(
        cast.other_org,
        None,
        title="Theirs",
        team=cast.other_team,
        period=s.create_period(
            cast.other_org,
            None,
            name="Q",
            start=dt.date(2026, 1, 1),
            end=dt.date(2026, 3, 31),
        ),
    )
    theirs = KR.objects.create(org=cast.other_org, objective=other_objective, name="Theirs")
    links = resolve_links(
        cast.org,
        [
            {"target_type": "alignment.keyresult", "target_id": str(world.kr.pk)},
            {"target_type": "alignment.keyresult", "target_id": str(theirs.pk)},
        ],
    )
    assert [item["url"] for item in links] == [world.url, None]

    decision = decisions.create_decision(cast.org, None, "Slow the rollout?", approver=cast.admin)
    decisions.link(cast.org, cast.admin, decision, "alignment.keyresult", world.kr.pk)
    page = login(cast.member).get(f"/o/acme/decisions/{decision.pk}/").content.decode()
    assert f'href="{world.url}"' in page


def test_a_closed_periods_key_result_reads_as_frozen_with_no_form(cast, world):
    s.close_period(cast.org, None, world.objective.period)
    body = login(cast.member).get(world.url).content.decode()
    assert "is closed: values are frozen" in body
    assert "/value/" not in body and "/edit/" not in body.split('id="comments"')[0]
    assert "second wave" in body  # its history of values stays readable


def test_the_aim_reads_as_a_sentence_on_its_page_and_its_objectives(cast, world):
    client = login(cast.member)
    body = client.get(world.url).content.decode()
    aim = body.split('<th scope="row">Aim</th>')[1].split("</tr>")[0]
    assert aim == "<td>Increase to 100 teams</td>"
    s.update_key_result(cast.org, None, world.kr, direction="range", range_low=10, range_high=12)
    s.record_key_result_value(cast.org, cast.member, world.kr, "11.125")
    objective = f"/o/acme/alignment/objectives/{world.objective.pk}/"
    row = client.get(objective).content.decode().split(f'id="kr-{world.kr.pk}"')[1]
    assert "keep within range 10\u201312" in row.split("</th>")[0]
    assert 'value="11.125"' in row  # the update field: the value as stored, unrounded


def test_a_key_result_behind_pace_says_so_and_shows_the_signals_about_it(cast):
    from accord.intelligence import evaluate

    org = cast.org
    today = timezone.localdate()
    period = s.create_period(
        org, None, name="Q-late", start=today - dt.timedelta(days=70),
        end=today + dt.timedelta(days=20), is_current=False,
    )  # fmt: skip
    objective = s.create_objective(
        org, None, title="Win the quarter", period=period, team=cast.platform, owner=cast.leader
    )
    # Measured since the period began (its first value then): paced over all of it.
    kr = s.create_key_result(
        org, None, objective, name="Stores live", start=0, target=100, unit="stores",
        owner=cast.member, at=timezone.now() - dt.timedelta(days=70),
    )  # fmt: skip
    s.record_key_result_value(org, cast.member, kr, 10, "slow going")
    evaluate.evaluate(org, None, announce=False)
    body = login(cast.member).get(f"/o/acme/alignment/key-results/{kr.pk}/").content.decode()
    pace = body.split('class="kr-pace"')[1].split("</td>")[0]
    assert ">behind<" in pace and "10% done with 78% of Q-late gone" in pace
    panel = body.split('id="kr-signals-h"')[1].split("</section>")[0]
    assert "Stores live is behind pace" in panel
    assert "from 0 stores to 100 stores" in panel
    assert 'href="/o/acme/insights/signals/' in panel


def test_a_key_result_with_no_signal_shows_no_signals_card(cast, world):
    from accord.intelligence import evaluate

    evaluate.evaluate(cast.org, None, announce=False)
    assert 'id="kr-signals-h"' not in login(cast.member).get(world.url).content.decode()


@pytest.mark.parametrize(("typed", "stored"), [("55,5", 55.5), ("1,234.5", 1234.5)])
def test_a_value_typed_with_a_decimal_comma_or_grouped_is_recorded(cast, world, typed, stored):
    client = login(cast.member)
    answer = client.post(
        f"/o/acme/alignment/key-results/{world.kr.pk}/value/",
        # 1,234.5 teams of 100 is far out of line: confirmed, as the page would ask
        {"value": typed, "note": "", "next": world.url, "record_anyway": "1"},
    )
    assert answer.status_code == 302
    world.kr.refresh_from_db()
    assert world.kr.current == stored
