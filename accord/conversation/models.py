"""Comments on the objects people coordinate around, and each person's inbox."""

from __future__ import annotations

from django.db import models
from django.db.models import Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from accord.org.models import OrgScoped, OrgScopedQuerySet, Person


class Comment(OrgScoped):
    """A comment on one object (`target_kind`, `target_id`; see `targets.KINDS`).

    `body` is the author's Markdown; `body_html` is its rendering, sanitized and with
    mentions linked, made once when the comment is written (pages show it as it is)."""

    target_kind = models.CharField(max_length=20)
    target_id = models.BigIntegerField()
    author = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    body = models.TextField()
    body_html = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-created_at", "-id"]
        # An object's comments, a page at a time, newest first, read from the index.
        indexes = [
            models.Index(
                fields=["org", "target_kind", "target_id", "created_at", "id"],
                name="conversation_comment_target",
            ),
            # The organization's comments (of one kind), newest first.
            models.Index(
                fields=["org", "target_kind", "created_at", "id"], name="conversation_comment_kind"
            ),
            models.Index(fields=["org", "created_at", "id"], name="conversation_comment_org"),
        ]

    def __str__(self) -> str:
        return f"Comment by {self.author_id} on {self.target_kind} {self.target_id}"


class InboxKind(models.TextChoices):
    MENTION = "mention", "Mentioned you"
    REQUEST = "request", "Waiting on your team"
    UPDATE = "update", "Dependency update"
    DECISION = "decision", "Decision waiting on you"
    ACTION = "action", "Action item for you"
    ISSUE = "issue", "Issue for your team"
    SIGNAL = "signal", "Signal put aside below you"
    RAISED = "raised", "Issue you raised"


class InboxItemQuerySet(OrgScopedQuerySet):
    def close(self, when=None) -> int:
        """The open items among these are done, now (or at `when`), and read: a done item
        is dealt with, never unread, whoever or whatever closed it (what it is about was
        answered, decided or finished). Those read before keep when they were read."""
        when = when or timezone.now()
        return self.filter(done_at__isnull=True).update(
            done_at=when, read_at=Coalesce("read_at", Value(when))
        )


class InboxItem(OrgScoped):
    """One thing that concerns one person. Unread until opened or marked read; open until
    marked done (or until what it is about is answered, decided or finished).

    `key` names what it is about for this person (e.g. `mention:12`, `dependency:40`):
    unique per person, so the same thing never lands twice. A done item is read too
    (`InboxItemQuerySet.close`, `services.mark_done`)."""

    objects = InboxItemQuerySet.as_manager()

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=12, choices=InboxKind.choices)
    key = models.CharField(max_length=100)
    title = models.CharField(max_length=300)
    link = models.CharField(max_length=500)
    actor = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    comment = models.ForeignKey(
        Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="inbox_items"
    )
    target_type = models.CharField(max_length=60, blank=True, help_text="app.model")
    target_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["person", "key"], name="inbox_item_once"),
        ]
        indexes = [
            # The top bar's unread count: a partial index of the open unread items only, so
            # counting reads just those, however many done or read items the inbox keeps.
            models.Index(
                fields=["person"],
                condition=models.Q(done_at__isnull=True, read_at__isnull=True),
                name="inbox_unread",
            ),
            # A page of the open (or done) items, newest first.
            models.Index(fields=["person", "done_at", "created_at", "id"], name="inbox_page"),
            # Closing the items about an object once it is answered.
            models.Index(fields=["target_type", "target_id"], name="inbox_target"),
        ]

    def __str__(self) -> str:
        return self.title
