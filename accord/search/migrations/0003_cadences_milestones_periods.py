"""Cadences, milestones and periods are found by their names, as everything else is
(`index.SOURCES`): "release day", "code freeze", "Q4 2026"."""

from django.db import migrations

from accord.search import index

KINDS = ("cadence", "milestone", "period")


def add(apps, schema_editor):
    for kind in KINDS:
        index.add_kind(schema_editor, kind)


def remove(apps, schema_editor):
    for kind in KINDS:
        index.remove_kind(schema_editor, kind)


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0002_action_items"),
        ("rhythm", "0013_alter_checkin_options"),
        ("alignment", "0010_key_results_in_order_index"),
    ]

    operations = [migrations.RunPython(add, remove)]
