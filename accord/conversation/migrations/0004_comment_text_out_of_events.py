from django.db import migrations

COMMENT = "conversation.comment"
CHUNK = 500


def without_text(data):
    """A comment event's `before` or `after` without the text: `body_html` dropped, `body`
    kept empty (None) where it was, as an edit records it now (the text changed)."""
    data = {k: v for k, v in (data or {}).items() if k != "body_html"}
    if "body" in data:
        data["body"] = None
    return data


def forget_comment_text(apps, schema_editor):
    """Take the text of comments out of the events recorded of them.

    Events are append-only: the model refuses every update (`activity.models`), and so
    does every write through the services. This migration is the one deliberate
    exception, made once: it reads the historical model, which has no such guard, and
    rewrites only the `before` and `after` of comment events, emptying their text.
    Comments are edited and deleted to take words back; the log kept those words
    readable, word for word, to everyone who reads the activity, the events API and
    webhooks. What was done (who commented, edited or deleted a comment, on what, when,
    whom it mentioned) stays. Read one organization at a time, off the index of events by
    kind."""
    Organization = apps.get_model("org", "Organization")
    Event = apps.get_model("activity", "Event")
    for org_id in Organization.objects.values_list("pk", flat=True).iterator():
        ids = list(
            Event.objects.filter(org_id=org_id, target_type=COMMENT).values_list("pk", flat=True)
        )
        for start in range(0, len(ids), CHUNK):
            changed = []
            for event in Event.objects.filter(pk__in=ids[start : start + CHUNK]).only(
                "pk", "before", "after"
            ):
                before, after = without_text(event.before), without_text(event.after)
                if before != (event.before or {}) or after != (event.after or {}):
                    event.before, event.after = before, after
                    changed.append(event)
            Event.objects.bulk_update(changed, ["before", "after"])


class Migration(migrations.Migration):
    dependencies = [
        ("conversation", "0003_inbox_signal_kind"),
        ("activity", "0008_event_via_token"),
    ]

    operations = [migrations.RunPython(forget_comment_text, migrations.RunPython.noop)]
