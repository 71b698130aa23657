"""Personal API tokens: stored hashed, shown once, revocable, scoped to one organization."""

from __future__ import annotations

from django.db import models

from accord.org.models import OrgScoped, Person


class TokenScope(models.TextChoices):
    """What a token may do; each includes the ones before it, and none more than its person's
    role allows: `member` (so named since 0002) is everything the person may do, as the
    viewer, member, leader or admin they are (`scopes.meaning`)."""

    READ = "read", "Read only"
    REPORT = "report", "Report progress"
    MEMBER = "member", "Everything its person may do"


SCOPE_RANK = {TokenScope.READ: 0, TokenScope.REPORT: 1, TokenScope.MEMBER: 2}


class ApiToken(OrgScoped):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, help_text="The first characters, to recognise it.")
    digest = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the token.")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    scope = models.CharField(
        max_length=10, choices=TokenScope.choices, default=TokenScope.MEMBER, db_default="member"
    )

    class Meta:
        verbose_name = "API token"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
