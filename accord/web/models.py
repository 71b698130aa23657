"""What the pages keep for people: saved views of a list (its filters, as a query string)."""

from __future__ import annotations

from django.db import models

from accord.org.models import OrgScoped, Person


class SavedView(OrgScoped):
    """A list page with its filters, saved under a name by one person; shared ones are
    listed for everyone in the organization, the others only for their owner."""

    owner = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="saved_views")
    name = models.CharField(max_length=100)
    path = models.CharField(max_length=300, help_text="The list's path, /o/<org>/….")
    query = models.CharField(max_length=2000, blank=True, help_text="Without the leading ?.")
    shared = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["org", "path", "owner"]),
            models.Index(fields=["org", "path", "shared"]),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def url(self) -> str:
        return f"{self.path}?{self.query}" if self.query else self.path
