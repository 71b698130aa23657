"""Who muted a cadence hears nothing of it: as no reminders to check in and no agendas,
no minutes of its meetings either (the other people in the meeting get them). Against a
real local SMTP server."""

from __future__ import annotations

from accord.activity import delivery
from accord.rhythm import services
from tests.conftest import login
from tests.rhythm.test_meeting_minutes_emailed import (  # noqa: F401 (fixtures)
    _page_url,
    _success,
    minutes_mails,
    platform_of_three,
    running,
)


def test_who_muted_the_cadence_gets_no_minutes_of_its_meetings(cast, running, smtp):  # noqa: F811
    services.set_muted_cadences(cast.org, cast.member, cast.member, [running.cadence])
    done = login(cast.leader).post(
        _page_url(running) + "finish/", {"summary": "Release train agreed."}, follow=True
    )
    assert _success(done.content.decode()) == (
        "Meeting finished. The minutes are below; they were e-mailed to Ada Admin."
    )
    delivery.deliver()
    assert sorted(minutes_mails(smtp)) == [cast.admin.email]


def test_the_settings_page_says_what_muting_a_cadence_stops(cast, running):  # noqa: F811
    page = login(cast.member).get("/o/acme/rhythm/settings/").content.decode()
    fieldset = page.split("Remind me of these cadences</legend>", 1)[1].split("</fieldset>")[0]
    assert "No reminders to check in, agendas or minutes of a muted cadence." in fieldset
