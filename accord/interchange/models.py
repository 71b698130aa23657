"""The stable keys organization files use for objects that have no slug of their own."""

from __future__ import annotations

from django.db import models

from accord.org.models import OrgScoped


class ExternalKey(OrgScoped):
    """`key` names object `object_id` of `section` (e.g. initiatives) in files and imports.

    Objects created by a file or an importer keep the key they were given (e.g. `kep-5419`);
    others are known by an implicit key, `<kind>-<id>`, which never changes either.
    """

    section = models.CharField(max_length=40)
    key = models.CharField(max_length=200)
    object_id = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["org", "section", "key"], name="externalkey_key_once"),
            models.UniqueConstraint(
                fields=["org", "section", "object_id"], name="externalkey_object_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.section}:{self.key}"
