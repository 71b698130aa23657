"""Forgetting a person: what an organization keeps of someone who asked to be erased.

`forget_person` (admins only, for someone already deactivated) does it in one transaction:

- the person stays, as "Former member #<id>" ("Former agent #<id>"), without an address,
  extra addresses, handles, title or login, so the work they did or owned, the terms they
  served and what they decided still add up, under that neutral name;
- their own data goes: the text of their comments (each comment stays, empty, where it
  was), of their check-ins (highlights, blockers; the numbers entered stay), of the
  headlines they shared and the notes of the key-result values and confidences they
  recorded (the numbers stay), their time off, inbox, notifications, stored briefings and
  briefing schedule, API tokens, calendar feeds, delivery preferences, muted cadences,
  saved views (shared ones too) and the records of downloads of their own data
  (`PersonalDataExport`); their login when no other organization uses it (its sessions
  then sign nobody in);
- what Accord wrote that names them is rewritten with the neutral name: the event log
  (who did it, what it was about, the values before and after; the text of their
  check-ins and headlines and their notes blanked), other people's inbox items and
  notifications, signals, other people's stored briefings and meetings' agendas as they
  were held (a line of their check-in loses the blockers it quoted, one of their
  headlines its text). Events are append-only (`accord.activity.models`): this is the one
  deliberate exception, narrow (only those fields, only events that name the person) and
  inside the same transaction, through the model's base manager.

A one-word name, or one someone else in the organization also has, is rewritten only where
it is tied to this person by id; a login name only when it is an address (`_Names`). The
events that may name them are found by reading the organization's event log: on a large
organization it takes a while, fine for a one-off admin action. What others wrote in their
own words (a comment, a decision's rationale, meeting notes, a title) is kept as written.
One event records that it was done, with counts and no name.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from typing import Any

from django.db import models, transaction
from django.db.models import CharField, Q, TextField
from django.db.models.functions import Cast

from accord.activity import services as activity
from accord.core.errors import ServiceError
from accord.core.services import require_same_org
from accord.org.models import Organization, Person, PersonIdentity, Role
from accord.org.permissions import require_role

FORGOTTEN = "forgotten"  # the verb of the one event that says it was done
PERSON = "org.person"
CHECKIN = "rhythm.checkin"
COMMENT = "conversation.comment"
# What a person's own events hold of them: replaced whole, whatever they held.
PERSONAL_VALUES: dict[str, Any] = {
    "email": "",
    "title": "",
    "timezone": "UTC",
    "emails": [],
    "handles": [],
}
CHECKIN_TEXT = ("highlights", "blockers")
HEADLINE = "rhythm.headline"
NOTED_VERBS = ("value_recorded", "confidence_set")  # a key result's value, a confidence
CHUNK = 500


def label_of(person: Person) -> str:
    """The neutral name a forgotten person is known by."""
    return f"Former {'agent' if person.is_agent else 'member'} #{person.pk}"


def is_forgotten(org: Organization, person: Person) -> bool:
    from accord.activity.models import Event

    return Event.objects.for_org(org).for_target(PERSON, person.pk).filter(verb=FORGOTTEN).exists()


@transaction.atomic
def forget_person(org: Organization, actor: Person | None, person: Person) -> dict[str, int]:
    """Erase `person`'s personal data from `org` (see the module). Admins only (the
    command line acts as Accord); refused for someone still active (deactivate them
    first: their terms end, tokens and calendar feeds are revoked, agents paused) and for
    someone forgotten already. Returns what was done, as counts."""
    require_same_org(org, person, "person")
    require_role(actor, Role.ADMIN, "forget people")
    person = Person.objects.select_for_update().get(pk=person.pk)
    if person.is_active:
        raise ServiceError(
            f"{person.name} is still active: deactivate them first (their terms end, "
            "their tokens and calendar feeds are revoked), then forget them.",
            code="still_active",
        )
    if is_forgotten(org, person):
        raise ServiceError(f"{person.name} was forgotten already.", code="already_forgotten")
    label = label_of(person)
    names = _Names.of(org, person, label)
    counts = {"events_rewritten": _rewrite_events(org, person, names)}
    counts |= _remove_own(org, person)
    counts["texts_rewritten"] = _rewrite_others(org, person, names)
    counts["login_removed"] = _drop_login(person)
    PersonIdentity.objects.filter(person=person).delete()
    person.name, person.email, person.title, person.timezone = label, "", "", "UTC"
    person.user, person.last_signed_in = None, None
    person.version += 1
    person.save(
        update_fields=["name", "email", "title", "timezone", "user", "last_signed_in", "version"]
    )
    # What was done, counted (what there was of it): no name, no address, no text.
    done = {key: n for key, n in counts.items() if n}
    activity.record(org, actor, FORGOTTEN, person, after=done, label=label)
    return counts


# --- what names them -------------------------------------------------------------------------


class _Names:
    """Every name, address and handle the person had (now and in their events), and how to
    find and replace them in text: names whole words and in their case, addresses and
    handles in any case. Where the text is tied to this person by id (`replace(...,
    tied=True)`: their own events, their check-ins and those lines of agendas, events whose
    data says it is theirs, such as their terms) every one is replaced. Elsewhere (others'
    events, inbox items, notices, signals, briefings, agendas) only what is surely theirs:
    an address or handle (one person's each; a login name only when it is an address),
    and a name of two words or more that nobody else in the organization has. A one-word
    name ("Planner", "Ops") is a word in others' titles too ("Q3 Planner review"), and a
    name someone else has (two Ana Ruiz) may be the other's: those stay as written."""

    def __init__(
        self, label: str, names: Iterable[str], addresses: Iterable[str], shared: Iterable[str]
    ):
        self.label = label
        self.names = _longest_first(n.strip() for n in names if n and len(n.strip()) > 1)
        self.addresses = _longest_first(a.strip().lower() for a in addresses if a and a.strip())
        self.shared = set(shared) & set(self.names)
        addresses_pattern = _pattern(self.addresses, r"(?<![\w.@+-])", r"(?![\w@-])", re.I)
        self._tied = [_pattern(self.names, r"(?<!\w)", r"(?!\w)"), addresses_pattern]
        # Replaced anywhere: distinctive names (two words or more) nobody else here has.
        self.distinctive = [n for n in self.names if n not in self.shared and len(n.split()) > 1]
        self._anywhere = [_pattern(self.distinctive, r"(?<!\w)", r"(?!\w)"), addresses_pattern]

    @classmethod
    def of(cls, org: Organization, person: Person, label: str) -> _Names:
        from accord.activity.models import Event

        names = {person.name}
        addresses = {person.email}
        for kind, value in person.identities.values_list("kind", "value"):
            addresses.add(value if kind == "email" else f"{kind}:{value}")
        own = Event._base_manager.filter(org=org, target_type=PERSON, target_id=str(person.pk))
        for target_label, *values in own.values_list("target_label", "before", "after"):
            names.add(target_label)
            for data in values:
                data = data or {}
                names.add(_text(data.get("name")))
                addresses.add(_text(data.get("email")))
                for key in ("emails", "handles"):
                    addresses.update(_text(v) for v in data.get(key) or [] if isinstance(v, str))
        user = person.user
        if user is not None:
            # A login name that is not an address ("admin", "ops") is a word like any other.
            addresses.update(a for a in (user.get_username(), user.email) if "@" in a)
            names.add(user.get_full_name())
        names.discard(label)
        shared = (
            Person.objects.filter(org=org, name__in=[n for n in names if n])
            .exclude(pk=person.pk)
            .values_list("name", flat=True)
        )
        return cls(label, names, addresses, shared)

    def replace(self, value: Any, *, tied: bool = False) -> Any:
        """`value` (text, or JSON data) with their names and addresses replaced by the
        label: every one where it is tied to them, else the addresses and the distinctive
        names."""
        if isinstance(value, str):
            for pattern in self._tied if tied else self._anywhere:
                if pattern is not None:
                    value = pattern.sub(self.label, value)
            return value
        if isinstance(value, list):
            return [self.replace(v, tied=tied) for v in value]
        if isinstance(value, dict):
            return {k: self.replace(v, tied=tied) for k, v in value.items()}
        return value

    def found_in(self, texts: Iterable[str] = (), jsons: Iterable[str] = ()) -> tuple[dict, Q]:
        """(annotations, filter) of the rows that may name them in one of the `texts`
        columns or `jsons` (JSON, read as its text), by a distinctive name or an address: a
        superset, told apart in Python."""
        words = [*self.distinctive, *self.addresses]
        forms = {f for n in words for f in (n, json.dumps(n)[1:-1])}
        annotations = {f"{j}_as_text": Cast(j, TextField()) for j in jsons}
        q = Q(pk__in=[])
        for form in forms:
            for column in [*texts, *annotations]:
                q |= Q(**{f"{column}__icontains": form})
        return annotations, q


def _longest_first(words: Iterable[str]) -> list[str]:
    return sorted(set(words), key=lambda w: (-len(w), w))


def _pattern(words: list[str], before: str, after: str, flags: int = 0) -> re.Pattern | None:
    """One expression matching any of `words` (longest first) between the two guards."""
    if not words:
        return None
    return re.compile(before + "(?:" + "|".join(map(re.escape, words)) + ")" + after, flags)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _rewrite(
    model: type[models.Model],
    rows: models.QuerySet,
    fields: list[str],
    change: Callable,
    read: Iterable[str] = (),
) -> int:
    """Apply `change(obj) -> bool` to each of `rows` (ids read first, then the rows a chunk
    at a time: never a write to a table being read) and save those it changed, through
    the base manager; returns how many. `change` may look at `fields` and at what `read`
    names, read with the rows (any other field would be one more query per row)."""
    ids = list(rows.order_by().values_list("pk", flat=True))
    changed = 0
    for start in range(0, len(ids), CHUNK):
        chunk = model._base_manager.filter(pk__in=ids[start : start + CHUNK])
        objs = list(chunk.only(*fields, *read))
        objs = [obj for obj in objs if change(obj)]
        model._base_manager.bulk_update(objs, fields)
        changed += len(objs)
    return changed


def _rewrite_events(org: Organization, person: Person, names: _Names) -> int:
    """Rewrite the organization's events that name them. Those that may name them by a
    name or address (`named`: "contains", case-insensitive, over each event's label and
    values) are found by reading the organization's whole event log: slow on a large
    organization, and fine for an admin's one-off action (the forget page says it can
    take a while)."""
    from accord.activity.models import Event
    from accord.rhythm.models import CheckIn, Headline

    pk, label = person.pk, names.label
    checkins = CheckIn.objects.filter(org=org, person=person).values(
        as_text=Cast("pk", CharField())
    )
    headline_ids = {
        str(i)
        for i in Headline._base_manager.filter(org=org, author=person).values_list("pk", flat=True)
    }
    annotations, named = names.found_in(["target_label"], ["before", "after"])
    # Their terms, time off, calendar feeds, briefings: events that say whose they are.
    theirs = Q(after__person=pk) | Q(before__person=pk)
    rows = (
        Event._base_manager.filter(org=org)
        .annotate(**annotations)
        .filter(
            Q(target_type=PERSON, target_id=str(pk))
            | Q(actor_id=pk)
            | Q(on_behalf_of_id=pk)
            | Q(target_type=CHECKIN, target_id__in=checkins)
            | Q(target_type=HEADLINE, target_id__in=headline_ids)
            | theirs
            | named
        )
    )
    checkin_ids = {
        str(i) for i in CheckIn.objects.filter(person=person).values_list("pk", flat=True)
    }

    def fields_of(event) -> tuple:
        return (
            event.actor_name,
            event.on_behalf_of_name,
            event.target_label,
            event.before,
            event.after,
        )

    def change(event) -> bool:
        was = fields_of(event)
        own = event.target_type == PERSON and event.target_id == str(pk)
        checkin = event.target_type == CHECKIN and event.target_id in checkin_ids
        headline = event.target_type == HEADLINE and event.target_id in headline_ids
        # Their own words, as an event repeated them: a value's or a confidence's note.
        noted = event.actor_id == pk and event.verb in NOTED_VERBS
        before, after = event.before or {}, event.after or {}
        # What they did is not about them: its label and values are someone else's words
        # ("Q3 Planner review", created by the agent Planner).
        tied = own or checkin or pk in (before.get("person"), after.get("person"))
        if event.actor_id == pk:
            event.actor_name = label
        if event.on_behalf_of_id == pk:
            event.on_behalf_of_name = label
        event.target_label = label if own else names.replace(event.target_label, tied=tied)
        before, after = names.replace(before, tied=tied), names.replace(after, tied=tied)
        for data in (before, after):
            if own:
                data.update({k: v for k, v in PERSONAL_VALUES.items() if k in data})
                if "name" in data:
                    data["name"] = label
            if checkin:
                data.update({k: "" for k in CHECKIN_TEXT if data.get(k)})
            if headline and data.get("text"):
                data["text"] = ""
            if noted and data.get("note"):
                data["note"] = ""
            if event.target_type == COMMENT:  # none since conversation 0004; as it does
                data.pop("body_html", None)
                if data.get("body") is not None:
                    data["body"] = None
        event.before, event.after = before, after
        return fields_of(event) != was

    fields = ["actor_name", "on_behalf_of_name", "target_label", "before", "after"]
    read = ["actor", "on_behalf_of", "verb", "target_type", "target_id"]
    return _rewrite(Event, rows, fields, change, read)


# --- their own data --------------------------------------------------------------------------


def _remove_own(org: Organization, person: Person) -> dict[str, int]:
    """Empty the text of their comments and check-ins, the notes of the values and
    confidences they recorded and the headlines they shared; delete the rest of what is
    theirs alone. Returns counts per kind."""
    from accord.activity.models import DeliveryPreferences, Notification
    from accord.alignment.models import ConfidenceUpdate, KeyResultValue
    from accord.api.models import ApiToken
    from accord.briefings.models import Briefing, BriefingSchedule
    from accord.conversation.models import Comment, InboxItem
    from accord.interchange.models import PersonalDataExport
    from accord.rhythm.models import Away, CadenceMute, CalendarFeed, CheckIn, Headline
    from accord.web.models import SavedView

    def gone(model: type[models.Model], **mine: Any) -> int:
        return model._base_manager.filter(org=org, **mine).delete()[0]

    def emptied(model: type[models.Model], field: str, **mine: Any) -> int:
        rows = model._base_manager.filter(org=org, **mine).exclude(**{field: ""})
        return rows.update(**{field: ""})

    comments = (
        Comment.objects.filter(org=org, author=person)
        .exclude(body="", body_html="")
        .update(body="", body_html="")
    )
    checkins = (
        CheckIn.objects.filter(org=org, person=person)
        .exclude(highlights="", blockers="")
        .update(highlights="", blockers="")
    )
    return {
        "comments_emptied": comments,
        "checkins_emptied": checkins,
        "notes_emptied": emptied(KeyResultValue, "note", recorded_by=person)
        + emptied(ConfidenceUpdate, "note", by=person),
        "headlines_emptied": emptied(Headline, "text", author=person),
        "time_off_removed": gone(Away, person=person),
        "inbox_items_removed": gone(InboxItem, person=person),
        "notifications_removed": gone(Notification, person=person),
        "briefings_removed": gone(Briefing, person=person),
        "tokens_removed": gone(ApiToken, person=person),
        "calendar_feeds_removed": gone(CalendarFeed, person=person),
        "saved_views_removed": gone(SavedView, owner=person),
        # Their downloads of their own data: the events that said so stay, rewritten.
        "exports_removed": gone(PersonalDataExport, person=person),
        "settings_removed": gone(DeliveryPreferences, person=person)
        + gone(BriefingSchedule, person=person)
        + gone(CadenceMute, person=person),
    }


def _rewrite_others(org: Organization, person: Person, names: _Names) -> int:
    """What Accord wrote for others that names them: inbox items, notifications, signals,
    stored briefings, meetings' agendas as they were held (where a line of their check-in
    also quoted its blockers: emptied). Returns how many rows changed."""
    from accord.activity.models import Notification
    from accord.briefings.models import Briefing
    from accord.conversation.models import InboxItem
    from accord.intelligence.models import Signal, SignalEpisode

    def rewrite(model: type[models.Model], texts: list[str], jsons: list[str]) -> int:
        annotations, named = names.found_in(texts, jsons)
        rows = model._base_manager.filter(org=org).annotate(**annotations).filter(named)
        fields = [*texts, *jsons]

        def change(obj) -> bool:
            was = [getattr(obj, f) for f in fields]
            for f in fields:
                setattr(obj, f, names.replace(getattr(obj, f)))
            return [getattr(obj, f) for f in fields] != was

        return _rewrite(model, rows, fields, change)

    return (
        rewrite(InboxItem, ["title"], [])
        + rewrite(Notification, ["subject", "body_text", "body_html"], [])
        + rewrite(Signal, ["subject_label", "title", "explanation", "next_step"], ["evidence"])
        + rewrite(SignalEpisode, ["explanation"], ["evidence"])
        + rewrite(Briefing, [], ["content"])
        + _rewrite_agendas(org, person, names)
    )


def _rewrite_agendas(org: Organization, person: Person, names: _Names) -> int:
    """Meetings' agendas as they were held (`Meeting.agenda_snapshot`): a line of one of
    their check-ins (`ref` "checkin:<id>") is named with the label and loses its detail
    (their blockers, quoted); a line of a headline they shared ("headline:<id>") loses its
    text; other lines lose their addresses and distinctive names (`_Names`)."""
    from accord.rhythm.models import CheckIn, Headline, Meeting

    theirs = CheckIn.objects.filter(org=org, person=person)
    refs = {f"checkin:{pk}" for pk in theirs.values_list("pk", flat=True)}
    said = Headline._base_manager.filter(org=org, author=person)
    headlines = {f"headline:{pk}" for pk in said.values_list("pk", flat=True)}
    annotations, named = names.found_in([], ["agenda_snapshot"])
    if refs:
        named |= Q(agenda_snapshot_as_text__contains='"checkin:')
    if headlines:
        named |= Q(agenda_snapshot_as_text__contains='"headline:')
    rows = Meeting._base_manager.filter(org=org).annotate(**annotations).filter(named)

    def line(value: Any) -> Any:
        if isinstance(value, list):
            return [line(v) for v in value]
        if not isinstance(value, dict):
            return names.replace(value)
        if value.get("ref") in refs:
            return {**names.replace(value, tied=True), "title": names.label, "detail": ""}
        if value.get("ref") in headlines:
            return {**names.replace(value, tied=True), "title": ""}
        return {k: line(v) for k, v in value.items()}

    def change(meeting) -> bool:
        was = meeting.agenda_snapshot
        meeting.agenda_snapshot = line(was)
        return meeting.agenda_snapshot != was

    return _rewrite(Meeting, rows, ["agenda_snapshot"], change)


def _drop_login(person: Person) -> int:
    """Delete their login unless another organization's person uses it (or it administers
    the server: staff, superuser); 1 if deleted. Either way the person is no longer linked
    to it. A deleted login's sessions sign nobody in any more (Django finds no login of
    their id), so they are not looked for; a kept login keeps its sessions: it is still
    someone's."""
    user = person.user
    if user is None:
        return 0
    person.user = None
    Person.objects.filter(pk=person.pk).update(user=None)
    if Person.objects.filter(user=user).exists() or user.is_staff or user.is_superuser:
        return 0
    user.delete()
    return 1
