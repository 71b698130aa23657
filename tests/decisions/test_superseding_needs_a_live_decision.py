"""Only a decided (live) decision replaces another; superseding one tells the owners of its
open action items, which stay open and say their decision was superseded."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accord.activity.models import Notification
from accord.core.errors import ServiceError
from accord.decisions import services
from accord.decisions.forms import SupersedeForm
from accord.decisions.models import ActionStatus, DecisionStatus
from tests.conftest import login
from tests.decisions.helpers import counts


@pytest.fixture
def decided(cast):
    d = services.create_decision(cast.org, cast.member, "Which database?", approver=cast.leader)
    return services.decide(cast.org, cast.leader, d, outcome="MySQL", rationale="We know it")


def test_an_undecided_decision_cannot_replace_a_decided_one(cast, decided):
    open_one = services.create_decision(cast.org, cast.member, "Which database now?", cast.leader)
    proposed = services.create_decision(cast.org, cast.member, "Or SQLite?", cast.leader)
    services.propose(cast.org, cast.member, proposed, outcome="SQLite")
    before = counts(cast.org)
    for undecided in (open_one, proposed):
        with pytest.raises(ServiceError) as exc:
            services.supersede(cast.org, cast.leader, decided, by=undecided, reason="Newer")
        assert "only a decided decision can replace another" in exc.value.message
        assert "is not decided yet" in exc.value.message
        assert exc.value.fields == {"by": ["Choose a decided decision."]}
    assert counts(cast.org) == before
    decided.refresh_from_db()
    assert decided.status == DecisionStatus.DECIDED and decided.superseded_by is None


def test_the_form_offers_only_decided_decisions(cast, decided):
    open_one = services.create_decision(cast.org, cast.member, "Still open?", cast.leader)
    live = services.create_decision(cast.org, cast.member, "Which database, again?", cast.leader)
    services.decide(cast.org, cast.leader, live, outcome="PostgreSQL")
    offered = set(SupersedeForm(org=cast.org, exclude_id=decided.pk).fields["by"].queryset)
    assert offered == {live}
    page = login(cast.leader).get(f"/o/acme/decisions/{decided.pk}/").content.decode()
    assert "Which database, again?" in page
    assert f'value="{open_one.pk}"' not in page.split("Replaced by", 1)[1].split("</select>")[0]
    # Posted anyway, it is refused and the decision stays decided.
    login(cast.leader).post(
        f"/o/acme/decisions/{decided.pk}/supersede/", {"by": open_one.pk, "reason": "Newer"}
    )
    decided.refresh_from_db()
    assert decided.status == DecisionStatus.DECIDED


def _item(cast, decided, owner, title="Migrate the schema"):
    return services.create_action_item(
        cast.org,
        cast.member,
        title,
        owner,
        due_on=timezone.localdate() + dt.timedelta(days=5),
        source_type="decisions.decision",
        source_id=decided.pk,
    )


def test_superseding_tells_the_owners_of_its_open_action_items(cast, decided):
    mine = _item(cast, decided, cast.member)
    admins = _item(cast, decided, cast.admin, "Back up the old one")
    done = _item(cast, decided, cast.admin, "Already done")
    services.complete_action_item(cast.org, cast.admin, done)
    leaders = _item(cast, decided, cast.leader, "The superseder's own")
    new = services.create_decision(cast.org, cast.member, "Which database, again?", cast.leader)
    services.decide(cast.org, cast.leader, new, outcome="PostgreSQL")
    services.supersede(cast.org, cast.leader, decided, by=new, reason="JSON support")

    told = Notification.objects.for_org(cast.org).filter(kind="action_decision_superseded")
    by_person = {n.person_id: n for n in told}
    # The owners of open items, once each; not the one who superseded it, not a done item.
    assert set(by_person) == {cast.member.pk, cast.admin.pk}
    text = by_person[cast.admin.pk].body_text
    assert f"superseded by #{new.pk} “Which database, again?”: PostgreSQL" in text
    assert f"#{admins.pk} Back up the old one" in text and "Already done" not in text
    assert f"/decisions/{new.pk}/" in by_person[cast.member.pk].link
    # Nothing is closed for them.
    for item in (mine, admins, leaders):
        item.refresh_from_db()
        assert item.status == ActionStatus.OPEN


def test_its_action_items_say_their_decision_was_superseded(cast, decided):
    item = _item(cast, decided, cast.member)
    client = login(cast.member)
    assert (
        "data-source-superseded"
        not in client.get(f"/o/acme/decisions/actions/{item.pk}/").content.decode()
    )
    new = services.create_decision(cast.org, cast.member, "Which database, again?", cast.leader)
    services.decide(cast.org, cast.leader, new, outcome="PostgreSQL")
    services.supersede(cast.org, cast.leader, decided, by=new, reason="JSON support")
    page = client.get(f"/o/acme/decisions/actions/{item.pk}/").content.decode()
    assert "data-source-superseded" in page
    assert (
        f'From a superseded decision — see <a href="/o/acme/decisions/{new.pk}/">#{new.pk}' in page
    )
    page = client.get(f"/o/acme/decisions/{decided.pk}/").content.decode()
    assert "data-superseded-actions" in page and f">#{new.pk}</a>" in page
