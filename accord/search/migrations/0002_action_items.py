"""Action items are found by their title, as everything else is (`index.SOURCES`)."""

from django.db import migrations

from accord.search import index


def add(apps, schema_editor):
    index.add_kind(schema_editor, "action_item")


def remove(apps, schema_editor):
    index.remove_kind(schema_editor, "action_item")


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0001_initial"),
        ("decisions", "0013_action_items_by_giver"),
    ]

    operations = [migrations.RunPython(add, remove)]
