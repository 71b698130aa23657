"""Work owned by someone who left names them with "(left)": the shared `who` filter the
pages use for an owner's name, and `name_of` for what Python writes (agenda lines)."""

from __future__ import annotations

import datetime as dt

from django.template import Context, Template

from accord.activity.models import Notification
from accord.alignment import services as alignment
from accord.conversation import services as conversation
from accord.decisions import services as decisions
from accord.org import leaving, services
from accord.web import services as saved_views
from accord.web.templatetags.people import name_of
from tests.conftest import api_client, login


def test_the_filter_marks_a_deactivated_person_and_escapes_names(cast):
    shown = Template("{{ p|who }}|{{ nobody|who|default:'—' }}")
    assert shown.render(Context({"p": cast.member, "nobody": None})) == "Mia Member|—"
    services.update_person(cast.org, cast.admin, cast.member, is_active=False)
    cast.member.refresh_from_db()
    html = Template("{{ p|who }}").render(Context({"p": cast.member}))
    assert html == (
        'Mia Member <span class="muted person-left" title="Left the organization">(left)</span>'
    )
    bad = {"name": "<b>Eve</b>", "is_active": False}
    assert Template("{{ p|who }}").render(Context({"p": bad})).startswith("&lt;b&gt;Eve")
    assert name_of(cast.member) == "Mia Member (left)"
    assert name_of(cast.leader) == "Leo Leader"


def test_pages_say_the_owner_left(cast, mias_work):
    org, mia = cast.org, cast.member
    today = dt.date.today()
    item, cadence = mias_work
    period = alignment.create_period(
        org, None, name="Now", start=today - dt.timedelta(days=5), end=today + dt.timedelta(60)
    )
    objective = alignment.create_objective(
        org, None, title="Faster checkout", period=period, team=cast.platform, owner=mia
    )
    decision = decisions.create_decision(org, cast.leader, "Adopt trunk-based work?", approver=mia)
    issue = decisions.raise_issue(org, mia, cast.platform, "Flaky tests")
    services.update_person(org, cast.admin, mia, is_active=False)
    client = login(cast.admin)
    left = '<span class="muted person-left" title="Left the organization">(left)</span>'
    for url in (
        f"/o/acme/decisions/actions/{item.pk}/",
        f"/o/acme/rhythm/cadences/{cadence.pk}/",
        f"/o/acme/alignment/objectives/{objective.pk}/",
        f"/o/acme/decisions/{decision.pk}/",  # its approver, who has left
        "/o/acme/decisions/",
        f"/o/acme/decisions/issues/{issue.pk}/",  # raised by her
    ):
        page = client.get(url)
        assert page.status_code == 200, url
        assert left in page.content.decode(), url
    # The alignment tree reads its owners as rows of values: the same marker.
    tree = client.get(f"/o/acme/alignment/?period={period.pk}").content.decode()
    assert f"Mia Member {left}" in tree


def test_what_they_did_names_them_left_too(cast, mias_work):
    """Recorded by, said by, written by: once Mia leaves, the lines naming her for what she
    did read "(left)" as her owned work does, on the pages and in the API."""
    org, mia = cast.org, cast.member
    today = dt.date.today()
    period = alignment.create_period(
        org, None, name="Now", start=today - dt.timedelta(days=5), end=today + dt.timedelta(60)
    )
    objective = alignment.create_objective(
        org, None, title="Faster checkout", period=period, team=cast.platform, owner=cast.leader
    )
    kr = alignment.create_key_result(
        org, None, objective, name="Checkout p95 (ms)", target=300, owner=cast.leader
    )
    alignment.record_key_result_value(org, mia, kr, 450)
    alignment.set_objective_confidence(org, mia, objective, 6)
    recorded = decisions.create_action_item(
        org, mia, "Book the review room", cast.leader, team=cast.platform
    )
    comment = conversation.post_comment(org, mia, objective, "Doable by the end of the month.")
    view = saved_views.save_view(
        org, mia, name="Platform work", path="/o/acme/alignment/initiatives/", shared=True
    )
    services.update_person(org, cast.admin, mia, is_active=False)
    client = login(cast.admin)
    left = 'Mia Member <span class="muted person-left" title="Left the organization">(left)</span>'
    for url, said in (
        (f"/o/acme/decisions/actions/{recorded.pk}/", f"recorded by {left}"),
        (f"/o/acme/alignment/key-results/{kr.pk}/", f"<td>{left}</td>"),  # the value's By
        (f"/o/acme/alignment/objectives/{objective.pk}/", f"· {left}"),  # her confidence
        (f"/o/acme/alignment/objectives/{objective.pk}/", f">{left}</a>"),  # her comment
        ("/o/acme/alignment/initiatives/", f"by {left}</small>"),  # her shared view
    ):
        page = client.get(url)
        assert page.status_code == 200, url
        assert said in page.content.decode(), (url, said)

    api = api_client(cast.admin)
    got = api.get(f"/api/v1/comments/{comment.pk}").json()
    assert got["author_name"] == "Mia Member" and got["author_is_active"] is False
    got = api.get(f"/api/v1/saved-views/{view.pk}").json()
    assert got["owner_name"] == "Mia Member" and got["owner_is_active"] is False
    assert (
        api.get(f"/api/v1/comments?target=objective&target_id={objective.pk}").json()["items"][0][
            "author_is_active"
        ]
        is False
    )


def test_a_handover_notice_names_someone_who_left_as_left(cast, mias_work):
    services.update_person(cast.org, cast.admin, cast.member, is_active=False)
    cast.member.refresh_from_db()
    leaving.hand_over(cast.org, cast.admin, cast.member, cast.leader)
    notice = Notification.objects.get(person=cast.leader, kind="work_handed_to_you")
    assert notice.subject == "What Mia Member (left) owned is yours now"
    assert "Ada Admin handed you what Mia Member (left) owned:" in notice.body_text
