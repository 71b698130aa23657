"""A request its asking team withdraws (cancels) is no longer asked: the week it was asked
and withdrawn, the briefing says both in one line, never that it was asked alone; a request
of an earlier week withdrawn this week is a change of that week, for both teams."""

from __future__ import annotations

import datetime as dt

from accord.briefings import compose, render, services
from accord.coordination import services as coordination
from tests.briefings.test_moved_requests import rate_limits_asked
from tests.briefings.test_sections import items

D = dt.date
LINK = "coordination.dependency"


def _text(w, week: str, **reader) -> tuple[dict, str]:
    briefing = services.build_for(w.org, compose.parse_week(week), **reader)
    return briefing, render.text(briefing, absolute=False)


def test_a_request_asked_and_withdrawn_the_same_week_says_so(db, clock):
    # W02: Web asks Platform on Tuesday, and withdraws it on Thursday.
    w, dep = rate_limits_asked(clock, "withdrawn")
    plat, web = w["Platform"], w["Web"]
    clock.at(D(2026, 1, 8), 10)
    coordination.transition(w.org, web.lead, dep, "cancel", note="Going another way.")
    clock.at(D(2026, 1, 20), 9)

    for reader in (
        {"person": plat.lead},
        {"team": plat.team},
        {"person": web.lead},
        {"person": w.admin},
    ):
        briefing, text = _text(w, "2026-W02", **reader)
        assert "Web asked Platform for “Rate limits” and withdrew the request." in text
        assert "Web asked Platform for “Rate limits”." not in text
        assert (LINK, dep.pk) in items(briefing, "changed")
        # Nothing waits on Platform for it.
        assert (LINK, dep.pk) not in items(briefing, "needs_you")
    # The week after, it is not news again.
    briefing, text = _text(w, "2026-W03", person=plat.lead)
    assert (LINK, dep.pk) not in items(briefing, "changed")
    assert "Rate limits" not in text


def test_an_earlier_request_withdrawn_this_week_is_a_change(db, clock):
    w, dep = rate_limits_asked(clock, "withdrawn-later")
    plat, web = w["Platform"], w["Web"]
    clock.at(D(2026, 1, 7), 10)
    coordination.transition(
        w.org, plat.lead, dep, "accept", committed_date=D(2026, 2, 20),
        provider_initiative=plat.initiative,
    )  # fmt: skip
    # W03: Web withdraws it.
    clock.at(D(2026, 1, 14), 10)
    coordination.transition(w.org, web.lead, dep, "cancel", note="Going another way.")
    clock.at(D(2026, 1, 28), 9)

    # The week it was asked, it was asked (and accepted), as then.
    _, asked = _text(w, "2026-W02", person=plat.lead)
    assert "Web asked Platform for “Rate limits”." in asked
    assert "withdrew" not in asked
    # The week it was withdrawn, both teams read so.
    for reader in ({"person": plat.lead}, {"team": plat.team}, {"person": web.lead}):
        briefing, text = _text(w, "2026-W03", **reader)
        assert "Web withdrew its request to Platform for “Rate limits”." in text
        assert (LINK, dep.pk) in items(briefing, "changed")
        assert "asked Platform" not in text
    # Once, not again the week after.
    briefing, _ = _text(w, "2026-W04", person=plat.lead)
    assert (LINK, dep.pk) not in items(briefing, "changed")


def test_a_request_sent_on_and_withdrawn_the_same_week_says_both(db, clock):
    w, dep = rate_limits_asked(clock, "withdrawn-moved", "Data")
    web, data = w["Web"], w["Data"]
    # W03: sent on to Data, then withdrawn.
    clock.at(D(2026, 1, 13), 10)
    coordination.update_dependency(w.org, web.lead, dep, provider_team=data.team)
    clock.at(D(2026, 1, 15), 10)
    coordination.transition(w.org, web.lead, dep, "cancel", note="Going another way.")
    clock.at(D(2026, 1, 28), 9)

    briefing, text = _text(w, "2026-W03", person=data.lead)
    said = "Web asked Data for “Rate limits”, instead of Platform, and withdrew the request."
    assert said in text
    assert (LINK, dep.pk) not in items(briefing, "needs_you")
