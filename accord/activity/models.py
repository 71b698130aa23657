"""The append-only event log: every change made through a service is one Event."""

from __future__ import annotations

from django.db import models

from accord.org.models import OrgScoped, OrgScopedQuerySet, Person


class AppendOnlyError(RuntimeError):
    pass


class EventQuerySet(OrgScopedQuerySet):
    def update(self, **kwargs):  # type: ignore[override]
        raise AppendOnlyError("Events are append-only; they cannot be updated.")

    def delete(self):  # type: ignore[override]
        raise AppendOnlyError("Events are append-only; they cannot be deleted.")

    def for_target(self, target_type: str, target_id: int | str) -> EventQuerySet:
        return self.filter(target_type=target_type, target_id=str(target_id))


class Event(OrgScoped):
    actor = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=200, blank=True)
    verb = models.CharField(max_length=60)
    target_type = models.CharField(max_length=60, help_text="app.model, e.g. org.team")
    target_id = models.CharField(max_length=64)
    target_label = models.CharField(max_length=300, blank=True)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["org", "-created_at"]),
            models.Index(fields=["org", "target_type", "target_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.target_label}"

    @property
    def kind(self) -> str:
        """The event kind webhooks and notifications subscribe to, e.g. `org.team.created`."""
        return f"{self.target_type}.{self.verb}"

    @property
    def changed_fields(self) -> list[tuple[str, object, object]]:
        """(field, before, after); ids of other objects named when `name_references` ran."""
        keys = list(dict.fromkeys([*self.before.keys(), *self.after.keys()]))
        names = getattr(self, "reference_names", {})

        def show(key: str, value: object) -> object:
            if key not in names or isinstance(value, bool):
                return value
            if isinstance(value, int):
                return names[key].get(value, f"#{value}")
            if isinstance(value, list):
                return ", ".join(
                    names[key].get(v, f"#{v}") if isinstance(v, int) else str(v) for v in value
                )
            return value

        return [(k, show(k, self.before.get(k)), show(k, self.after.get(k))) for k in keys]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("Events are append-only; they cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Events are append-only; they cannot be deleted.")
