"""Moving the notification queue, team chat webhooks and channel choices from the rhythm
app to the delivery path keeps every row: a database with rows of the old layout is
migrated, and the same rows answer through the new models, still idempotent by key."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from tests import template_db

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("rhythm", "0001_initial"), ("activity", "0001_initial")]
AFTER = [("rhythm", "0002_delivery_moves_to_activity"), ("activity", "0002_delivery_path")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


@pytest.fixture
def empty_database(tmp_path):
    """The test's connection pointed at an empty database of its own, dropped after it.

    Migrating the test database back to the old layout would unapply nearly every migration
    and apply them again (half a minute); an empty one is migrated forward only, to the old
    layout and then through the move."""
    postgresql = connection.vendor == "postgresql"
    name = connection.settings_dict["NAME"]
    own = f"{name}_migrations" if postgresql else str(tmp_path / "migrations.sqlite3")
    quoted = connection.ops.quote_name(own)
    if postgresql:
        with connection.creation._nodb_cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {quoted}")
            cursor.execute(f"CREATE DATABASE {quoted}")
    try:
        with template_db.pointed_at(connection, own):
            yield
    finally:
        if postgresql:
            with connection.creation._nodb_cursor() as cursor:
                cursor.execute(f"DROP DATABASE IF EXISTS {quoted}")


@pytest.fixture
def old_layout(empty_database):
    return migrate(BEFORE)


def test_rows_of_the_old_layout_survive_the_move(old_layout):
    apps = old_layout
    Org = apps.get_model("org", "Organization")
    Person = apps.get_model("org", "Person")
    Team = apps.get_model("org", "Team")
    Cadence = apps.get_model("rhythm", "Cadence")
    Hook = apps.get_model("rhythm", "ChatWebhook")
    Settings = apps.get_model("rhythm", "NotificationSettings")
    Note = apps.get_model("rhythm", "Notification")
    org = Org.objects.create(name="Acme", slug="acme")
    mia = Person.objects.create(org=org, name="Mia Member", email="mia@acme.example")
    leo = Person.objects.create(org=org, name="Leo Leader", email="leo@acme.example")
    team = Team.objects.create(org=org, name="Platform", slug="platform")

    def cadence(name):
        return Cadence.objects.create(
            org=org,
            name=name,
            team=team,
            rrule="FREQ=WEEKLY;BYDAY=FR",
            start_date=dt.date(2026, 10, 1),
            time=dt.time(16),
        )

    checkin, sync = cadence("Weekly check-in"), cadence("Weekly sync")
    Hook.objects.create(org=org, team=team, url="http://127.0.0.1:9/x", flavor="slack")
    hook = Hook.objects.create(org=org, team=team, url="http://127.0.0.1:9/hook", flavor="teams")
    mias = Settings.objects.create(org=org, person=mia, email=False, chat=True, version=3)
    mias.muted.set([checkin, sync])
    leos = Settings.objects.create(org=org, person=leo, email=True, chat=False)
    leos.muted.set([sync])
    now = timezone.now()
    sent = Note.objects.create(
        org=org,
        key=f"checkin_open:{checkin.pk}:20261106T150000Z:p{leo.pk}:email",
        kind="checkin_open",
        channel="email",
        person=leo,
        cadence=checkin,
        subject="Check-in open",
        body_text="Hello Leo",
        body_html="<p>Hello Leo</p>",
        status="sent",
        attempts=1,
        next_attempt_at=now,
        sent_at=now,
    )
    waiting = Note.objects.create(
        org=org,
        key=f"decision:5:decided:w{hook.pk}:chat",
        kind="decision_decided",
        channel="chat",
        webhook=hook,
        subject="Decided: ship it",
        body_text="Decided: ship it",
        status="pending",
        attempts=2,
        last_error="HTTPError: HTTP Error 500",
        next_attempt_at=now,
    )

    apps = migrate(AFTER)

    # Read through the models as this move leaves them (the later migrations of these
    # tables are Django's own operations; running all of them from an empty database would
    # take half a minute).
    ChatWebhook = apps.get_model("activity", "ChatWebhook")
    Notification = apps.get_model("activity", "Notification")
    DeliveryPreferences = apps.get_model("activity", "DeliveryPreferences")
    CadenceMute = apps.get_model("rhythm", "CadenceMute")
    org = apps.get_model("org", "Organization").objects.get(slug="acme")
    assert list(ChatWebhook.objects.filter(org=org).order_by("pk").values_list("pk", "flavor")) == [
        (hook.pk - 1, "slack"),
        (hook.pk, "teams"),
    ]
    moved = Notification.objects.get(pk=waiting.pk)
    assert moved.webhook.url == "http://127.0.0.1:9/hook" and moved.attempts == 2
    assert moved.status == "pending" and moved.last_error.endswith("500")
    assert moved.key == waiting.key
    assert Notification.objects.get(pk=sent.pk).body_html == "<p>Hello Leo</p>"
    prefs = {p.person.name: p for p in DeliveryPreferences.objects.select_related("person")}
    assert (prefs["Mia Member"].email, prefs["Mia Member"].chat) == (False, True)
    assert prefs["Mia Member"].version == 3 and prefs["Mia Member"].muted_kinds == []
    assert (prefs["Leo Leader"].email, prefs["Leo Leader"].chat) == (True, False)
    mutes = CadenceMute.objects.values_list("person__name", "cadence__name", "org_id")
    assert sorted(mutes) == [
        ("Leo Leader", "Weekly sync", org.pk),
        ("Mia Member", "Weekly check-in", org.pk),
        ("Mia Member", "Weekly sync", org.pk),
    ]

    def queue(key: str):
        return Notification.objects.create(
            org=org,
            key=key,
            kind="decision_decided",
            channel="chat",
            webhook_id=hook.pk,
            subject="Decided: ship it",
            body_text="Decided: ship it",
            next_attempt_at=timezone.now(),
        )

    # The moved rows keep their keys, still unique: queueing a notice is inserting its key
    # (accord.activity.delivery.notify), so the same notice is not queued twice.
    with pytest.raises(IntegrityError), transaction.atomic():
        queue(waiting.key)
    assert Notification.objects.filter(webhook_id=hook.pk).count() == 1
    # New rows take fresh ids after the moved ones.
    assert queue(f"decision:6:decided:w{hook.pk}:chat").pk > waiting.pk
