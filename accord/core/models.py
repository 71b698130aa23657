"""Infrastructure models shared by every app."""

from __future__ import annotations

from django.db import models


class ScheduledRun(models.Model):
    """One claimed slot of a periodic job; the unique key makes claims atomic across workers."""

    job = models.CharField(max_length=100)
    slot = models.BigIntegerField(help_text="Start of the slot, in seconds since the epoch.")
    claimed_at = models.DateTimeField(auto_now_add=True)
    result_id = models.CharField(
        max_length=64, blank=True, default="", help_text="The task result the claim enqueued."
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "slot"], name="scheduledrun_once")]

    def __str__(self) -> str:
        return f"{self.job}@{self.slot}"
