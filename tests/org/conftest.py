from __future__ import annotations

import datetime as dt
from typing import NamedTuple

import pytest

from accord.decisions import services as decisions
from accord.decisions.models import ActionItem
from accord.rhythm import services as rhythm
from accord.rhythm.models import Cadence
from tests.rhythm.servers import smtp  # noqa: F401 (fixture)


class MiasWork(NamedTuple):
    item: ActionItem
    cadence: Cadence


@pytest.fixture
def mias_work(cast) -> MiasWork:
    """Mia Member's open action item for Platform and the active cadence she runs: what
    leaving hands on, and what names her "(left)" once she is deactivated."""
    item = decisions.create_action_item(
        cast.org, None, "Write the runbook", cast.member, team=cast.platform
    )
    cadence = rhythm.create_cadence(
        cast.org,
        None,
        name="Platform weekly",
        rrule="FREQ=WEEKLY;BYDAY=MO",
        time=dt.time(9),
        timezone_name="UTC",
        team=cast.platform,
        owner=cast.member,
        start_date=dt.date.today(),
    )
    return MiasWork(item, cadence)
