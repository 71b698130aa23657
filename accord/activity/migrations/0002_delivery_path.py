"""The one delivery path takes over the notification queue, team chat webhooks and
people's channel choices from the rhythm app (whose `0002_delivery_moves_to_activity`
renamed their tables to these), then adds what is new: a notification's topic and link,
and the kinds of notice a person muted."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("activity", "0001_initial"),
        ("org", "0001_initial"),
        ("rhythm", "0002_delivery_moves_to_activity"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ChatWebhook",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("url", models.URLField(max_length=500)),
                        (
                            "flavor",
                            models.CharField(
                                choices=[
                                    ("slack", "Slack"),
                                    ("teams", "Microsoft Teams"),
                                    ("mattermost", "Mattermost"),
                                ],
                                max_length=12,
                            ),
                        ),
                        ("is_active", models.BooleanField(default=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "org",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                to="org.organization",
                            ),
                        ),
                        (
                            "team",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="chat_webhooks",
                                to="org.team",
                            ),
                        ),
                    ],
                ),
                migrations.CreateModel(
                    name="DeliveryPreferences",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("email", models.BooleanField(default=True)),
                        ("chat", models.BooleanField(default=True)),
                        ("version", models.PositiveIntegerField(default=1)),
                        (
                            "org",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                to="org.organization",
                            ),
                        ),
                        (
                            "person",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="delivery_prefs",
                                to="org.person",
                            ),
                        ),
                    ],
                ),
                migrations.CreateModel(
                    name="Notification",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("key", models.CharField(max_length=200, unique=True)),
                        ("kind", models.CharField(max_length=40)),
                        ("channel", models.CharField(max_length=10)),
                        ("subject", models.CharField(max_length=300)),
                        ("body_text", models.TextField()),
                        ("body_html", models.TextField(blank=True)),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("pending", "Waiting to send"),
                                    ("sending", "Sending"),
                                    ("sent", "Sent"),
                                    ("given_up", "Given up"),
                                ],
                                default="pending",
                                max_length=10,
                            ),
                        ),
                        ("attempts", models.PositiveSmallIntegerField(default=0)),
                        ("next_attempt_at", models.DateTimeField()),
                        ("last_error", models.CharField(blank=True, max_length=500)),
                        ("sent_at", models.DateTimeField(blank=True, null=True)),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        (
                            "org",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                to="org.organization",
                            ),
                        ),
                        (
                            "person",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="org.person",
                            ),
                        ),
                        (
                            "webhook",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="activity.chatwebhook",
                            ),
                        ),
                    ],
                    options={
                        "indexes": [
                            models.Index(
                                fields=["status", "next_attempt_at"],
                                name="rhythm_noti_status_d62e6f_idx",
                            )
                        ],
                    },
                ),
            ],
        ),
        migrations.RenameIndex(
            model_name="notification",
            new_name="activity_notification_due",
            old_name="rhythm_noti_status_d62e6f_idx",
        ),
        migrations.AddField(
            model_name="deliverypreferences",
            name="muted_kinds",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.AddField(
            model_name="notification",
            name="topic",
            field=models.CharField(blank=True, default="", max_length=200),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="notification",
            name="link",
            field=models.URLField(blank=True, default="", max_length=500),
            preserve_default=False,
        ),
        migrations.AddIndex(
            model_name="notification",
            index=models.Index(fields=["topic", "created_at"], name="activity_notification_topic"),
        ),
    ]
