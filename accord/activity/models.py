"""The append-only event log (every change made through a service is one Event), and the
one delivery path's data: teams' chat webhooks, people's delivery preferences and the
queue of notifications."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from accord.org.models import OrgScoped, OrgScopedQuerySet, Person, Team

COMMENT = "conversation.comment"
# What was done to a comment, as a feed line says it of the thing commented on.
COMMENT_VERBS = {
    "created": "commented on",
    "updated": "edited a comment on",
    "deleted": "deleted a comment on",
}


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
    # When the actor is an agent: the person accountable for it, as of the event.
    on_behalf_of = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    on_behalf_of_name = models.CharField(max_length=200, blank=True, default="", db_default="")
    # The name of the API token the write came through (the API, MCP), as of the event;
    # None for a write in the pages, Accord's own, or one recorded before Accord kept it.
    # Nullable without a default: added to a large log without rewriting it.
    via_token = models.CharField(max_length=100, null=True, blank=True)
    verb = models.CharField(max_length=60)
    target_type = models.CharField(max_length=60, help_text="app.model, e.g. org.team")
    target_id = models.CharField(max_length=64)
    target_label = models.CharField(max_length=300, blank=True)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    # The team the event's subject belongs to, as of the event (`activity.teams`), None for
    # what is the whole organization's: a department's feed is its teams' events.
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    # The second team the event concerns, when its subject is between two (a dependency's
    # providing team; the team a move took it from): its feed shows the event too.
    other_team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        # Each index ends with the feed's order, so a page of one object's history or of one
        # kind of object is read from the index in order and stops after the page, rather
        # than sorting (or scanning) the organization's events: SQLite without statistics
        # picked the (org, created_at) index for an object's history and walked a million.
        indexes = [
            models.Index(fields=["org", "-created_at"]),
            models.Index(
                fields=["org", "target_type", "target_id", "created_at", "id"],
                name="activity_event_target_order",
            ),
            models.Index(
                fields=["org", "target_type", "created_at", "id"], name="activity_event_kind_order"
            ),
            models.Index(
                fields=["org", "actor", "created_at", "id"], name="activity_event_actor_order"
            ),
            # What people (and their agents) did, in order, without Accord's own events (a
            # round's missed check-ins, the weekly briefings sent, what its checks mark as
            # overdue, stuck or late: thousands at once in a large organization): home's
            # "Recent activity" reads its page here, however many of those came last.
            models.Index(
                fields=["org", "created_at", "id"],
                condition=models.Q(actor__isnull=False),
                name="activity_event_people_order",
            ),
            # A team's events (and its subtree's, one team at a time) in order. Led by the
            # team rather than the organization (a team is of one organization): the same
            # index finds a deleted team's events to clear (on_delete), where an index led
            # by the organization would need the foreign key's own index beside it. Only
            # events with a team: adding it to a log of a million events without teams
            # writes nothing, and the organization's own events take no room in it.
            models.Index(
                fields=["team", "created_at", "id"],
                condition=models.Q(team__isnull=False),
                name="activity_event_team_order",
            ),
            # The same for the second team: a team's feed reads both, each off its index.
            # With the event's team after the order: an event both of whose teams are in
            # the subtree read is left to the first index, and that is checked here from
            # the index alone, without reading the event (`queries.of_team`).
            models.Index(
                fields=["other_team", "created_at", "id", "team"],
                condition=models.Q(other_team__isnull=False),
                name="activity_event_other_order",
            ),
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

    @property
    def changes(self) -> list[tuple[str, str | None, str | None]]:
        """(field, before, after) as a person reads them: human field names and values, only
        the fields that changed, no bookkeeping."""
        from accord.activity import describe

        out = []
        for key, before, after in self.changed_fields:
            if describe.hidden(self.target_type, key):
                continue
            named = describe.choices(self.target_type, key)
            label = describe.field_label(key, self.target_type, self.verb)
            shown_after = named.get(str(after)) or describe.show(after, key)
            if before == after:
                if (self.verb, key) in describe.SAID_UNCHANGED and shown_after is not None:
                    out.append((label, None, shown_after))
                continue
            shown_before = named.get(str(before)) or describe.show(before, key)
            if shown_before == shown_after:
                continue
            out.append((label, shown_before, shown_after))
        # A link's label repeats the name of the object it links when that is shown too.
        linked_to = describe.field_label("label", self.target_type)
        shown = {after for name, _, after in out if name != linked_to}
        return [c for c in out if not (c[0] == linked_to and c[2] in shown)]

    @property
    def verb_phrase(self) -> str:
        from accord.activity import describe

        if self._commented() is not None:
            return COMMENT_VERBS[self.verb]
        if (said := describe.sentence(self)) is not None:
            return said[0]
        return describe.verb_phrase(self.verb, self.target_type)

    @property
    def kind_label(self) -> str:
        """What kind of thing it concerns; for a comment, the kind of what it is on; empty
        for an event that reads as a sentence of its own (`describe.SENTENCES`: "added Nora
        Lindqvist to Platform")."""
        from accord.activity import describe

        commented = self._commented()
        if commented:
            return commented[0]
        if describe.sentence(self) is not None:
            return ""
        return describe.kind_label(self.target_type)

    @property
    def shown_label(self) -> str:
        """The target's label as a feed line shows it after `verb_phrase` and `kind_label`:
        "commented on [initiative] “Spring campaign”", not "created [comment] Comment on
        initiative “Spring campaign”"; "added Nora Lindqvist to Platform", not "created
        [membership] Nora Lindqvist in Platform"."""
        from accord.activity import describe

        commented = self._commented()
        if commented:
            return commented[1]
        said = describe.sentence(self)
        return said[1] if said is not None else self.target_label

    @property
    def subject_type(self) -> str:
        """The kind (app.model) of what this event's line links (`subject`)."""
        return self.subject[0]

    @property
    def subject_id(self) -> str:
        return self.subject[1]

    @property
    def subject(self) -> tuple[str, str]:
        """(target type, target id) of what this event's line names and links: its target,
        or, for an event of a comment, the thing the comment is on, as the event keeps it
        (`target`, `target_id`): "commented on [decision] “…”" links the decision. Read off
        the event alone, so a page of events links its lines with one query per kind
        (`intelligence.queries.resolve_links`); an edit recorded before its event kept
        what the comment is on links nothing."""
        if self.target_type == COMMENT and self.verb in COMMENT_VERBS:
            from accord.conversation import targets

            kept = self.after if "target" in self.after else self.before
            kind = targets.KINDS.get(str(kept.get("target") or ""))
            on = str(kept.get("target_id") or "")
            if kind is not None and on.isdigit():
                return kind.model.lower(), on
        return self.target_type, self.target_id

    def _commented(self) -> tuple[str, str] | None:
        """For an event of a comment: the kind of what it is on and that thing's title,
        read off the comment's label ("Comment on key result “…”")."""
        if self.target_type != COMMENT or self.verb not in COMMENT_VERBS:
            return None
        from accord.conversation import targets

        for kind in targets.KINDS.values():
            prefix = f"Comment on {kind.label} "
            if self.target_label.startswith(prefix + "“"):
                return kind.label, self.target_label[len(prefix) :]
        return None

    @property
    def by_agent(self) -> bool:
        """The actor was an agent acting for its owner."""
        return bool(self.on_behalf_of_name)

    @property
    def via_token_shown(self) -> bool:
        """Whether the token a change came through is said beside its actor: for a person
        (an agent acts only through tokens, and says so already)."""
        return bool(self.via_token) and not self.by_agent

    @property
    def actor_display(self) -> str:
        """Who did it, as a person reads it: "Release bot (agent, on behalf of Ana Ruiz)",
        "Ana Ruiz via token “assistant”" (a person's write through an API token: the API,
        an assistant over MCP)."""
        name = self.actor_name or "Accord"
        if self.by_agent:
            return f"{name} (agent, on behalf of {self.on_behalf_of_name})"
        if self.via_token_shown:
            return f"{name} via token “{self.via_token}”"
        return name

    @property
    def happened_at(self):
        from accord.activity import describe

        return describe.happened_at(self)

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("Events are append-only; they cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Events are append-only; they cannot be deleted.")


# --- the one delivery path: channels, preferences, the notification queue -------------------


class ChatFlavor(models.TextChoices):
    SLACK = "slack", "Slack"
    TEAMS = "teams", "Microsoft Teams"
    MATTERMOST = "mattermost", "Mattermost"


class ChatWebhook(OrgScoped):
    """A team's chat incoming-webhook: the team's channel for everything Accord tells it."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="chat_webhooks")
    url = models.URLField(max_length=500)
    flavor = models.CharField(max_length=12, choices=ChatFlavor.choices)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.get_flavor_display()} for {self.team}"


class AgendaEmails(models.TextChoices):
    """Which meetings of a cadence a person gets the agenda of by e-mail (a daily stand-up's
    every morning is noise to most; its chat post and the meeting's page stay)."""

    EVERY = "every", "Before every meeting"
    WEEKLY = "weekly", "Before the first meeting of each week"
    NEVER = "never", "Never"


class DeliveryPreferences(OrgScoped):
    """What a person wants to be told, and how: e-mail on or off, named in team chat posts
    or not, the kinds of notice they muted, and which meetings' agendas they get by e-mail.
    No row means the defaults (all on; a cadence's agenda before its first meeting of each
    week)."""

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="delivery_prefs")
    email = models.BooleanField(default=True)
    chat = models.BooleanField(default=True)
    muted_kinds = models.JSONField(default=list, blank=True)
    agenda_emails = models.CharField(
        max_length=8, choices=AgendaEmails.choices, default=AgendaEmails.WEEKLY
    )
    version = models.PositiveIntegerField(default=1)

    def __str__(self) -> str:
        return f"Notifications of {self.person}"

    def wants(self, kind: str, channel: str) -> bool:
        if kind in self.muted_kinds:
            return False
        return bool(self.email if channel == "email" else self.chat)

    def wants_agenda_email(self, first_of_week: bool) -> bool:
        """Whether to e-mail the agenda of a meeting (`first_of_week`: its cadence's first
        meeting of the week, in the cadence's zone)."""
        if not self.wants("agenda", "email") or self.agenda_emails == AgendaEmails.NEVER:
            return False
        return first_of_week or self.agenda_emails == AgendaEmails.EVERY


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Waiting to send"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    GIVEN_UP = "given_up", "Given up"


class Notification(OrgScoped):
    """One message to one recipient (a person's e-mail or a team's chat webhook), sent once.

    `key` is unique: inserting it is what makes planning idempotent, and moving a row from
    pending to sending in one UPDATE is what makes sending it idempotent. `topic` is the key
    the caller gave (what the message is about), shared by every recipient's row."""

    key = models.CharField(max_length=200, unique=True)
    topic = models.CharField(max_length=200, blank=True)
    kind = models.CharField(max_length=40)
    channel = models.CharField(max_length=10)  # email | chat
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    webhook = models.ForeignKey(
        ChatWebhook, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    subject = models.CharField(max_length=300)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    link = models.URLField(max_length=500, blank=True)
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    last_error = models.CharField(max_length=500, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="activity_notification_due"),
            models.Index(fields=["topic", "created_at"], name="activity_notification_topic"),
            # Messages that still hold their text: the worker's housekeeping clears it once
            # old (`delivery.forget_old_text`) and reads only these, not every message ever
            # sent (those it cleared before stay, and would be read again every hour).
            models.Index(
                fields=["status", "next_attempt_at"],
                name="activity_notification_text",
                condition=~models.Q(body_text="", body_html="", link=""),
            ),
        ]

    def __str__(self) -> str:
        return self.key
