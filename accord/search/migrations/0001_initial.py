import django.contrib.postgres.search
from django.db import migrations, models

from accord.search import index


def install(apps, schema_editor):
    index.install(schema_editor)


def uninstall(apps, schema_editor):
    index.uninstall(schema_editor)


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("org", "0003_names_indexed"),
        ("alignment", "0003_stored_rollup"),
        ("coordination", "0003_due_date_stored"),
        ("decisions", "0003_action_item_indexes_in_list_order"),
        ("rhythm", "0004_cadence_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="Document",
            fields=[
                ("id", models.BigIntegerField(primary_key=True, serialize=False)),
                ("org_id", models.BigIntegerField()),
                ("kind", models.SmallIntegerField()),
                ("object_id", models.BigIntegerField()),
                ("title", models.TextField()),
                ("body", models.TextField()),
                ("vector", django.contrib.postgres.search.SearchVectorField(null=True)),
            ],
            options={"db_table": "search_document", "managed": False},
        ),
        # The table, its triggers on every searchable table, and the rows already there.
        migrations.RunPython(install, uninstall),
    ]
