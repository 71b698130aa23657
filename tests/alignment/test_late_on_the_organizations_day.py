"""An initiative past its target is late on the organization's day (`core.days`), as the
signals and the action items count it: on Sydney's morning of the 8th (still the 7th for
the organization) an initiative targeting the 7th is not yet late in the initiatives list
or its late filter, and both say so once the organization's day is the 8th."""

from __future__ import annotations

import datetime as dt

from accord.alignment import services
from accord.org.models import Person
from tests.conftest import at, login

SET_UP = dt.datetime(2026, 12, 1, 12, tzinfo=dt.UTC)
TARGET = dt.date(2026, 12, 7)
SYDNEY_MORNING = dt.datetime(2026, 12, 7, 22, tzinfo=dt.UTC)  # 09:00 on the 8th in Sydney
NEXT_DAY = dt.datetime(2026, 12, 8, 1, tzinfo=dt.UTC)  # the organization's 8th


def _late(client) -> tuple[bool, bool]:
    listed = client.get("/o/acme/alignment/initiatives/").content.decode()
    row = listed[listed.index("Move the billing jobs") :].split("</tr>")[0]
    filtered = client.get("/o/acme/alignment/initiatives/", {"late": "yes"}).content.decode()
    return 'tag tag--bad">late<' in row, "Move the billing jobs" in filtered


def test_an_initiative_is_late_on_the_organizations_day_for_every_reader(cast):
    with at(SET_UP):
        services.create_initiative(
            cast.org,
            cast.leader,
            team=cast.platform,
            title="Move the billing jobs",
            status="active",
            target_date=TARGET,
        )
    Person.objects.filter(pk=cast.member.pk).update(timezone="Australia/Sydney")
    client = login(cast.member)
    with at(SYDNEY_MORNING):
        assert _late(client) == (False, False)
    with at(NEXT_DAY):
        assert _late(client) == (True, True)
