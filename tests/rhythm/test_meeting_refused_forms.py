"""A form of the meeting page that is refused (an action item without an owner, a decision
without its question, a rating of 11) comes back as typed, with the error beside its field
and nothing recorded; notes typed but not saved, which it carried, are saved and shown."""

from __future__ import annotations

from accord.decisions.models import ActionItem, Decision
from accord.rhythm.models import Attendance, Meeting, MeetingStatus
from tests.conftest import login
from tests.rhythm.conftest import error_beside


def test_an_action_item_without_an_owner_comes_back_as_typed(cast, started_sync):
    response = login(cast.leader).post(
        started_sync + "action/",
        {"title": "Fix the cache", "owner": "", "notes:issues": "Builds are slow"},
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "Give the action item a title and an owner." in page
    assert 'value="Fix the cache"' in page
    assert error_beside(page, "id_owner") == "This field is required."
    assert not ActionItem.objects.exists()
    assert Meeting.objects.get().notes == {"issues": "Builds are slow"}
    assert ">Builds are slow</textarea>" in page


def test_a_decision_without_its_question_keeps_its_outcome(cast, started_sync):
    response = login(cast.leader).post(
        started_sync + "decision/",
        {"question": "", "approver": cast.leader.pk, "outcome": "Postgres"},
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "Write the decision to take and choose its approver." in page
    assert ">\nPostgres</textarea>" in page  # as Django writes a textarea
    assert error_beside(page, "id_question") == "This field is required."
    assert not Decision.objects.exists()


def test_a_rating_out_of_range_keeps_the_summary_and_every_rating(cast, started_sync):
    response = login(cast.leader).post(
        started_sync + "finish/",
        {
            f"rating_{cast.leader.pk}": "11",
            f"rating_{cast.member.pk}": "8",
            "summary": "Good one",
            "notes:issues": "Builds are slow",
        },
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "A rating is from 1 to 10, not 11." in page
    assert f'name="rating_{cast.leader.pk}" value="11"' in page
    assert f'name="rating_{cast.member.pk}" value="8"' in page
    assert ">Good one</textarea>" in page
    assert error_beside(page, "ratings") == "From 1 to 10."
    m = Meeting.objects.get()
    assert m.status == MeetingStatus.RUNNING and m.summary == ""
    assert not Attendance.objects.filter(rating__isnull=False).exists()
    assert m.notes == {"issues": "Builds are slow"}
    # Put right, it finishes.
    login(cast.leader).post(
        started_sync + "finish/", {f"rating_{cast.leader.pk}": "9", "summary": "Good one"}
    )
    m.refresh_from_db()
    assert m.status == MeetingStatus.FINISHED and m.summary == "Good one"


def test_a_decision_taken_in_the_room_asks_for_its_rationale(cast, started_sync):
    page = login(cast.leader).get(started_sync).content.decode()
    form = page.split('id="decisions-h"')[1].split("</form>")[0]
    assert 'name="rationale"' in form
    assert "Required if you are its approver and write the outcome" in form


def test_a_decision_taken_in_the_room_without_a_rationale_is_refused_as_typed(cast, started_sync):
    from tests.decisions.helpers import counts

    before = counts(cast.org)
    response = login(cast.leader).post(
        started_sync + "decision/",
        {"question": "Which database?", "approver": cast.leader.pk, "outcome": "Postgres"},
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "A decision needs a rationale; nothing was decided." in page
    assert 'value="Which database?"' in page and ">\nPostgres</textarea>" in page
    assert error_beside(page, "id_rationale") == "Say why this outcome: the record keeps it."
    assert '<details class="add" open><summary>Record a decision' in page
    assert counts(cast.org) == before  # no decision, no event
    # With its rationale it is decided; for another approver it waits, without one.
    login(cast.leader).post(
        started_sync + "decision/",
        {
            "question": "Which database?",
            "approver": cast.leader.pk,
            "outcome": "Postgres",
            "rationale": "We know it well",
        },
    )
    login(cast.leader).post(
        started_sync + "decision/",
        {"question": "Buy a build farm?", "approver": cast.admin.pk, "outcome": "Probably"},
    )
    decided, waiting = Decision.objects.order_by("pk")
    assert (decided.status, decided.rationale) == ("decided", "We know it well")
    assert (waiting.status, waiting.outcome) == ("open", "Probably")
