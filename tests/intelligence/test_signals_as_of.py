"""Stored signals sit beside live figures: each page that shows them says when they were
last evaluated (in the reader's zone), and a key result changed since says so, until the
next evaluation rechecks it."""

from __future__ import annotations

import datetime as dt

from accord.alignment import services as s
from accord.intelligence import evaluate
from accord.org.models import Person
from tests.conftest import at, login

EVALUATED = dt.datetime(2026, 12, 6, 19, 5, tzinfo=dt.UTC)  # 20:05 in Berlin


def test_signals_say_when_they_were_evaluated_and_a_later_change_says_so(cast):
    org = cast.org
    with at(EVALUATED - dt.timedelta(days=1)):
        period = s.create_period(
            org, None, name="Q4 2026", start=dt.date(2026, 10, 1), end=dt.date(2026, 12, 31),
            is_current=False,
        )  # fmt: skip
        objective = s.create_objective(
            org, None, title="Win the quarter", period=period, team=cast.platform,
            owner=cast.leader,
        )  # fmt: skip
        kr = s.create_key_result(
            org, None, objective, name="Stores live", start=0, target=100, unit="stores",
            owner=cast.member, at=dt.datetime(2026, 10, 1, 9, tzinfo=dt.UTC),
        )  # fmt: skip
        s.record_key_result_value(org, cast.member, kr, 10, "slow going")
    with at(EVALUATED):
        evaluate.evaluate(org, None, announce=False)
    Person.objects.filter(pk=cast.member.pk).update(timezone="Europe/Berlin")
    client = login(cast.member)
    url = f"/o/acme/alignment/key-results/{kr.pk}/"
    said = "Signals as of 6 Dec 2026, 20:05 (Europe/Berlin), rechecked within 5 minutes of a change"
    with at(EVALUATED + dt.timedelta(minutes=2)):
        body = client.get(url).content.decode()
        home = client.get("/o/acme/").content.decode()  # the signals its reader owns
        insights = client.get("/o/acme/insights/?scope=all").content.decode()
    panel = body.split('id="kr-signals-h"')[1].split("</section>")[0]
    assert "Stores live is behind pace" in panel and said in panel
    assert "changed since" not in panel
    assert said in home and said in insights
    # A value recorded after the evaluation: the page's figures are newer than its signals.
    with at(EVALUATED + dt.timedelta(minutes=3)):
        s.record_key_result_value(org, cast.member, kr, 85, "caught up")
        body = client.get(url).content.decode()
    panel = body.split('id="kr-signals-h"')[1].split("</section>")[0]
    assert said in panel
    assert "This key result changed since: rechecked at the next evaluation." in panel
