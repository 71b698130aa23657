"""Someone deactivated who still owns open work raises "work owned by someone who left",
listing it; handing it on resolves it."""

from __future__ import annotations

import datetime as dt

from accord.org import leaving
from accord.org import services as org_services
from tests.intelligence.world import build_org, evaluate_on, live

D = dt.date


def test_a_person_who_left_owning_work_raises_a_signal_until_it_is_handed_on(db, clock):
    w = build_org("leftco", {"Web": 2}, checkins=True)
    web = w["Web"]
    evaluate_on(w, clock, D(2026, 1, 20))
    assert live(w.org, "org.owner_left") == []

    clock.at(D(2026, 2, 2), 9)
    org_services.update_person(w.org, w.admin, web.lead, is_active=False)
    evaluate_on(w, clock, D(2026, 2, 3))
    [signal] = live(w.org, "org.owner_left")
    assert signal.subject_id == str(web.lead.pk)
    assert signal.title == "Web Lead left and still owns 3 open items"
    assert "1 objective, 1 initiative, 1 cadence" in signal.explanation
    assert signal.evidence[0]["target_type"] == "org.person"
    assert signal.owner_id == w.admin.pk  # the lead above, Web having none now

    clock.at(D(2026, 2, 4), 9)
    leaving.hand_over(w.org, w.admin, web.lead, web.members[0])
    evaluate_on(w, clock, D(2026, 2, 4))
    assert live(w.org, "org.owner_left") == []
