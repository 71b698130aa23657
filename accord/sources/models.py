"""Where numbers and progress come from when nobody types them: a key result's source (a
JSON URL, a CSV URL or a Prometheus query) and an initiative's link to a work tracker
(GitHub, GitLab, Jira), with the organization's tracker tokens.

Secrets (a source's header value, a tracker token) are stored encrypted (`accord/core/crypto.py`).
"""

from __future__ import annotations

from django.db import models

from accord.alignment.models import Initiative, KeyResult
from accord.org.models import OrgScoped, Person
from accord.rhythm.models import Measurable


class SourceKind(models.TextChoices):
    JSON = "json", "JSON URL"
    CSV = "csv", "CSV URL"
    PROMETHEUS = "prometheus", "Prometheus query"


class Tracker(models.TextChoices):
    GITHUB = "github", "GitHub"
    GITLAB = "gitlab", "GitLab"
    JIRA = "jira", "Jira"


class PullState(models.Model):
    """How the last pulls went: shown on the page, and the failing-source signal."""

    last_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    failures = models.PositiveIntegerField(default=0, help_text="Consecutive failed pulls.")

    class Meta:
        abstract = True


class KeyResultSource(OrgScoped, PullState):
    """Where a key result's value (or a scorecard measurable's weekly value) is pulled from:
    exactly one of `key_result` and `measurable` is set."""

    key_result = models.OneToOneField(
        KeyResult, null=True, blank=True, on_delete=models.CASCADE, related_name="source"
    )
    measurable = models.OneToOneField(
        Measurable, null=True, blank=True, on_delete=models.CASCADE, related_name="source"
    )
    kind = models.CharField(max_length=12, choices=SourceKind.choices)
    url = models.URLField(max_length=1000)
    # JSON: a JSONPath to the number.
    json_path = models.CharField(max_length=500, blank=True)
    # CSV: a column (header name or 1-based number) and a row: "last", a 1-based number, or
    # the row whose `key_column` holds `key_value`.
    csv_column = models.CharField(max_length=200, blank=True)
    csv_row = models.CharField(max_length=20, blank=True)
    key_column = models.CharField(max_length=200, blank=True)
    key_value = models.CharField(max_length=200, blank=True)
    # Prometheus: the query (PromQL) sent to <url>/api/v1/query.
    query = models.CharField(max_length=1000, blank=True)
    header_name = models.CharField(max_length=100, blank=True)
    header_secret = models.TextField(blank=True, help_text="Encrypted header value.")
    last_value = models.FloatField(null=True, blank=True)
    created_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(key_result__isnull=False, measurable__isnull=True)
                | models.Q(key_result__isnull=True, measurable__isnull=False),
                name="sources_source_of_one_thing",
            )
        ]

    def __str__(self) -> str:
        return f"source of {self.key_result or self.measurable}"


class TrackerLink(OrgScoped, PullState):
    initiative = models.OneToOneField(
        Initiative, on_delete=models.CASCADE, related_name="tracker_link"
    )
    url = models.URLField(max_length=1000)
    tracker = models.CharField(max_length=10, choices=Tracker.choices)
    item_kind = models.CharField(max_length=12)  # issue, milestone, epic
    state = models.CharField(max_length=100, blank=True)
    closed = models.BooleanField(default=False)
    done_count = models.PositiveIntegerField(null=True, blank=True)
    total_count = models.PositiveIntegerField(null=True, blank=True)
    title = models.CharField(max_length=300, blank=True)
    # Why the finished item did not mark the initiative done (e.g. undelivered dependencies);
    # empty otherwise. Not a failure: the pull itself succeeded.
    note = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.url

    @property
    def finished(self) -> bool:
        """The item is closed and every one of its children is done."""
        return self.closed and self.total_count is not None and self.done_count == self.total_count


class TrackerCredential(OrgScoped):
    """One organization's access to one tracker kind: an API base URL and a token."""

    tracker = models.CharField(max_length=10, choices=Tracker.choices)
    base_url = models.URLField(max_length=500, blank=True)
    token = models.TextField(blank=True, help_text="Encrypted; never shown again.")
    token_set_at = models.DateTimeField(null=True, blank=True)
    auth_error = models.CharField(max_length=500, blank=True)
    auth_error_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["tracker"]
        constraints = [
            models.UniqueConstraint(fields=["org", "tracker"], name="sources_one_credential")
        ]

    def __str__(self) -> str:
        return f"{self.get_tracker_display()} access"
