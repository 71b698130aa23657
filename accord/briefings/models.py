"""Weekly briefings: what was sent to whom for which week, and when each wants theirs."""

from __future__ import annotations

from django.core.validators import MaxValueValidator
from django.db import models

from accord.org.models import OrgScoped, Person, Team

WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
DEFAULT_WEEKDAY = 0  # Monday
DEFAULT_HOUR = 8  # 08:00 in the person's own time zone


class Briefing(OrgScoped):
    """One week's briefing, as it was built (and sent): a person's, or a team's chat summary.

    `content` is the whole briefing (headline and sections, each line with the object it
    names and its link); rebuilding the same week from the same history gives it again."""

    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    team = models.ForeignKey(
        Team,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="The scope: this team and every team below it (none: the organization).",
    )
    week = models.CharField(max_length=8, help_text="ISO week, e.g. 2026-W48")
    timezone = models.CharField(max_length=64, default="UTC")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    content = models.JSONField(default=dict)
    built_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["org", "person", "week"],
                condition=models.Q(person__isnull=False),
                name="briefing_once_per_person_and_week",
            ),
            models.UniqueConstraint(
                fields=["org", "team", "week"],
                condition=models.Q(person__isnull=True),
                name="briefing_once_per_team_and_week",
            ),
        ]
        indexes = [models.Index(fields=["org", "person", "-starts_at"])]

    def __str__(self) -> str:
        return self.content.get("title") or f"Briefing of the week of {self.span}"

    @property
    def span(self) -> str:
        """The week's days as people read them ("23-29 Nov 2026"), not its key (`week`)."""
        from accord.briefings.compose import parse_week

        return parse_week(self.week).span()


class BriefingSchedule(OrgScoped):
    """When a person gets their briefing by e-mail (day and hour in their own time zone),
    or a team its summary in chat (day and hour in `timezone`, chosen with them: the local
    hour is kept across daylight-saving changes). No row: the defaults (leads and admins
    on, Monday 08:00; teams off)."""

    person = models.OneToOneField(
        Person, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    team = models.OneToOneField(
        Team, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    enabled = models.BooleanField(default=True)
    weekday = models.PositiveSmallIntegerField(
        default=DEFAULT_WEEKDAY, validators=[MaxValueValidator(6)]
    )
    hour = models.PositiveSmallIntegerField(
        default=DEFAULT_HOUR, validators=[MaxValueValidator(23)]
    )
    # A team's: the zone its day and hour are in (a person's are in their own zone).
    timezone = models.CharField(max_length=64, default="UTC")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(person__isnull=False) ^ models.Q(team__isnull=False),
                name="briefingschedule_person_or_team",
            ),
            models.CheckConstraint(
                condition=models.Q(weekday__lte=6) & models.Q(hour__lte=23),
                name="briefingschedule_day_and_hour",
            ),
        ]

    def __str__(self) -> str:
        who = self.person or self.team
        return f"Briefing schedule of {who}"

    @property
    def weekday_name(self) -> str:
        return WEEKDAYS[self.weekday]
