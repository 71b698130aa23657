"""A person's own data holds what concerns them: their profile and terms, the work they own,
the issues they raised, and their own record (action items, check-ins, comments, time off),
none of anyone else's."""

from __future__ import annotations

import datetime as dt

import yaml
from django.utils import timezone

from accord.conversation import services as conversation
from accord.decisions import services as decisions
from accord.interchange import services
from accord.rhythm import services as rhythm
from tests.conftest import api_client


def _data(person) -> dict:
    return yaml.safe_load("".join(services.export_person(person)))


def test_ones_own_data_holds_ones_record_and_nobody_elses(cast):
    org, mia = cast.org, cast.member
    today = timezone.localdate()
    issue = decisions.raise_issue(org, mia, cast.platform, "Flaky builds", raised_by=mia)
    decisions.create_action_item(org, mia, "Fix the runner", mia, due_on=today)
    decisions.create_action_item(org, mia, "Review the fix", cast.leader)  # handed out
    decisions.create_action_item(org, cast.admin, "Not Mia's", cast.admin)
    conversation.post_comment(org, mia, issue, "Seen it twice today")
    rhythm.set_away(
        org, mia, mia, starts_on=today + dt.timedelta(days=3), ends_on=today + dt.timedelta(days=5)
    )

    data = _data(mia)
    assert [i["title"] for i in data["issues"]] == ["Flaky builds"]
    assert [a["title"] for a in data["action_items"]] == ["Fix the runner", "Review the fix"]
    assert data["action_items"][1]["handed_out_by"] == mia.email
    assert [c["body"] for c in data["comments"]] == ["Seen it twice today"]
    assert data["time_off"][0]["starts_on"] == (today + dt.timedelta(days=3)).isoformat()
    text = "".join(services.export_person(mia))
    assert "Not Mia's" not in text

    me = api_client(mia).get("/api/v1/interchange/export/me")
    assert me.status_code == 200
    assert "Seen it twice today" in b"".join(me.streaming_content).decode()
