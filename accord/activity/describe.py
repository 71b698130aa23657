"""How an event reads to a person: "Maya Chen set the confidence of objective Launch the
wholesale portal", with human names for every field, values written as people write them,
only what changed, and the time it happened.

Events keep the machine's words (`confidence_set`, `key_result`, ISO timestamps): webhooks
and the API publish them. Only pages read them through here.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils import timezone
from django.utils.text import capfirst

# What happened, as a verb phrase before the object: "<actor> <phrase> <kind> <label>".
VERBS = {
    "created": "created",
    "updated": "updated",
    "deleted": "deleted",
    "linked": "linked",
    "unlinked": "unlinked",
    "confidence_set": "set the confidence of",
    "timezone_confirmed": "confirmed the time zone of",
    "login_given": "gave a login to",
    "password_set": "set the password of",
    # Single sign-on proved who holds the address of a login whose password another
    # organization's admin may have chosen (accord.org.services.retire_unproven_password).
    "password_retired": "retired the password of",
    "sign_in_link_made": "made a sign-in link for",
    # A person's personal data erased (accord.org.forget): they read as "Former member #12".
    "forgotten": "erased the personal data of",
    "value_recorded": "recorded a new value of",
    "values_imported": "imported values of",
    "value_voided": "removed a recorded value of",
    "carried_over": "carried over",
    "made_current": "made current",
    "status_changed": "changed the status of",
    "replanned": "re-planned",
    "reranked": "re-ranked",
    "wip_limit_set": "set the work-in-progress limit of",
    "flagged_at_risk": "flagged as at risk",
    "marked_delivered": "marked as delivered",  # by the team asked; the asker confirms
    "flagged_blocked": "flagged as blocked",
    "flag_cleared": "cleared the flag of",
    "proposed": "proposed",
    "countered": "made a counter-proposal on",
    "option_added": "added an option to",
    "option_changed": "changed an option of",
    "option_removed": "removed an option from",
    "supersedes": "superseded an earlier decision with",
    "noted": "took notes in",
    "attendance": "marked attendance at",
    "checked": "marked an agenda item discussed in",  # the meeting's "Discussed" toggle
    "unchecked": "marked an agenda item not discussed in",
    "recorded": "recorded a value of",
    "sent": "sent",
    "submitted": "submitted",
    "missed": "recorded a missed",
    "reminded": "reminded those not in yet of",  # a lead's reminder of a check-in round
    "moved": "moved",
    "need_by_moved": "moved the need-by date of",
    "need_by_tied": "tied to a milestone the need-by date of",
    # Sign-ins and passwords (activity.signins), of a person's account.
    "signed_in": "signed in to",
    "locked_out": "locked out",
    "password_changed": "changed the password of",
    # What Accord itself notices (the worker's checks), read as "Accord marked as overdue".
    "overdue": "marked as overdue",
    "stuck": "marked as stuck",
    "became_late": "marked as late",
    # A notice Accord sent someone (a new critical signal's e-mail): whom, in its details.
    "told": "sent a notice about",
    # Home's getting-started guide (accord.web.getting_started), hidden for every admin.
    "getting_started_hidden": "hid the getting-started guide of",
    "getting_started_shown": "brought back the getting-started guide of",
}

# A verb one kind of object words otherwise: (target type, verb) -> phrase; before VERBS.
# A dependency's delivery is said made by the team asked ("marked_delivered"), then
# confirmed ("delivered") or said not made yet ("reopened") by the team that asked.
KIND_VERBS: dict[tuple[str, str], str] = {
    ("coordination.dependency", "delivered"): "confirmed the delivery of",
    ("coordination.dependency", "reopened"): "marked as not yet delivered",
    ("coordination.dependency", "marked_delivered"): "marked as delivered",
    # A negotiation: another date or scope put to the other side, then agreed.
    ("coordination.dependency", "proposed"): "proposed another date or scope for",
    ("coordination.dependency", "agreed"): "agreed to the proposal for",
    # The asking side chases an answer (coordination.services.remind).
    ("coordination.dependency", "reminded"): "sent a reminder to answer",
}


def _term_names(event) -> tuple[str, str] | None:
    """(person, team) of a term's event: the names it keeps (`person_name`, `team_name`),
    else read off its label "Nora Lindqvist in Platform" (an event from before it kept
    them), split at its first " in " (more teams than people have one in their name:
    "Sales in EMEA"); None when the label is not of that form."""
    kept = event.before | event.after
    person, team = kept.get("person_name"), kept.get("team_name")
    if isinstance(person, str) and isinstance(team, str) and person and team:
        return person, team
    person, sep, team = event.target_label.partition(" in ")
    return (person, team) if sep and person and team else None


def _term(event) -> tuple[str, str] | None:
    """A term in a team (a membership, labelled "Nora Lindqvist in Platform") as someone
    added to a team or removed from it: (phrase, label). None when its names are neither
    kept nor in a label of that form (then the event reads as any other)."""
    names = _term_names(event)
    if names is None:
        return None
    person, team = names
    past = (event.after if event.verb == "created" else event.before).get("ended_on")
    if event.verb == "created":
        if past:  # a term that had ended already, written down afterwards
            return "recorded a past term of", f"{person} in {team}"
        return "added", f"{person} to {team}"
    if event.verb == "ended":  # kept as history: who was in the team, when
        return "removed", f"{person} from {team}"
    if event.verb == "deleted":  # erased as if it never was (a term entered by mistake)
        return "deleted the past term of" if past else "deleted the term of", f"{person} in {team}"
    if event.verb == "updated":
        return "changed the membership of", f"{person} in {team}"
    return None


def _joined(event) -> tuple[str, str] | None:
    """A person who joined with the login they already had (`org.services.join_with_login`,
    recorded as `login_given` by themselves): "Keiko Tanaka joined with their existing
    Accord login", not "gave a login to Keiko Tanaka". None for a login an admin gave."""
    if event.verb == "login_given" and event.after.get("joined_by") == "its holder":
        return "joined with", "their existing Accord login"
    return None


# Kinds whose events read as a sentence of their own, without the kind between the verb
# and the label: target type -> a function of the event giving (phrase, label), or None
# to read as the others do ("<actor> <phrase> <kind> <label>").
SENTENCES = {"org.membership": _term, "org.person": _joined}


def sentence(event) -> tuple[str, str] | None:
    """(phrase, label) of an event that reads as a sentence of its own (SENTENCES):
    "added" "Nora Lindqvist to Platform"; None for the others."""
    how = SENTENCES.get(event.target_type)
    return how(event) if how is not None else None


# Field names that differ from what a person calls them.
FIELDS = {
    "key_result": "Key result",
    "key_results": "Key results",
    "wip_limit": "Work-in-progress limit",
    "next_rank": "Place in Next up",
    "rrule": "Repeats",
    "need_by": "Needed by",
    "due_on": "Due",
    "decide_by": "Decide by",
    "revisit_on": "Revisit on",
    "done_at": "Done",
    "dropped_at": "Dropped",
    "closed_at": "Closed",
    "decided_at": "Decided",
    "proposed_at": "Proposed",
    "latency_hours": "Hours to decide",
    "effort_weeks": "Effort (weeks)",
    "duration_minutes": "Duration (minutes)",
    "late_after_hours": "Late after (hours)",
    "window_opens_hours": "Opens (hours before)",
    "slip_days": "Slipped (days)",
    "replan_count": "Times re-planned",
    "baseline_target_date": "Original target date",
    "baseline_date": "Baseline date",
    "days_at_level": "Days at the level below",
    "goal_low": "Goal (low)",
    "goal_high": "Goal (high)",
    "goal_rule": "Goal",
    "range_low": "Range (low)",
    "range_high": "Range (high)",
    "is_milestone": "Milestone",
    "is_current": "Current period",
    "is_active": "Active",
    "requester_team": "Requesting team",
    "requester_initiative": "Requesting initiative",
    "provider_team": "Team asked",
    "provider_initiative": "Providing initiative",
    "proposed_date": "Proposed date",
    "proposed_scope": "Proposed scope",
    "committed_date": "Committed date",
    "superseded_by": "Superseded by",
    "supersede_reason": "Why superseded",
    "reversal_reason": "Why reversed",
    "carried_from": "Carried over from",
    "cascade_to": "Shared with",
    "checkin_owed_by": "Check-in owed by",
    "checkins_emptied": "Check-ins emptied",  # a person forgotten (accord.org.forget)
    "extra_participants": "Extra participants",
    "new_start": "Moved to",
    "starts_on": "From",
    "ends_on": "Until",
    "values": "Values",
    "current": "Value",
    "awaiting": "Waiting on",
    "label": "Linked to",
    "need_by_milestone": "Needed by milestone",
    "anchor": "Relative to",
    "offset_days": "Days from it",
    "with": "Signed in with",
    "for_minutes": "Locked for (minutes)",
    "failed_sign_ins": "Failed sign-ins",
    # A deleted team's history, now its parent's (`activity.services.rehome_events`).
    "history_moved_to": "Its history moved to",
    "events_moved": "Events moved",
    "mentions": "Mentions",
    "team_mentions": "Mentions of teams",
}

# Field names one kind of object calls otherwise: (target type, key) -> label; before FIELDS.
# A key may also be labelled for one kind of event only: (target type.verb, key) -> label,
# read before its object's (the entry a removed value was: "Removed value", not "Value").
KIND_FIELDS: dict[tuple[str, str], str] = {}

# Stored values of an event's own keys (not a model field with choices), as a person reads
# them: key -> {value: label}. A model field's choices are read off the model (`choices`).
VALUES: dict[str, dict[str, str]] = {}

# Values an event sets that are said even when they did not change: "set the confidence
# of" an objective at the 7 it had is a judgement made again, shown as "Confidence: 7".
SAID_UNCHANGED = {("confidence_set", "confidence")}

# Bookkeeping that says nothing to a person (the label or link already shows it).
HIDDEN = {
    "option",
    "position",
    "prefix",
    "source_type",
    "source_id",
    "target_type",
    "target_id",
    "parent_title",
}


# Keys one kind of object's events keep that say nothing more to a person: (target type,
# key). A comment's "target" (the kind of what it is on) is in its line already:
# "commented on dependency “…”".
KIND_HIDDEN = {("conversation.comment", "target")}


def hidden(target_type: str, key: str) -> bool:
    """Whether the key `key` of an event of `target_type` is left out of its changes."""
    return key in HIDDEN or (target_type, key) in KIND_HIDDEN


def verb_phrase(verb: str, target_type: str = "") -> str:
    """What happened, as a phrase before the object (of `target_type`): "set the
    confidence of"."""
    return KIND_VERBS.get((target_type, verb)) or VERBS.get(verb) or verb.replace("_", " ")


def field_label(key: str, target_type: str = "", verb: str = "") -> str:
    """What a person calls the field `key` (of an object of `target_type`, in an event of
    `verb`)."""
    return (
        (KIND_FIELDS.get((f"{target_type}.{verb}", key)) if verb else None)
        or KIND_FIELDS.get((target_type, key))
        or FIELDS.get(key)
        or key.replace("_", " ").capitalize()
    )


# Kinds a person calls otherwise than their model does (models say the product's words in
# their `verbose_name`: "API token", "check-in"; Django's own login is an account).
KINDS = {"auth.user": "account"}


def kind_label(target_type: str) -> str:
    """`alignment.keyresult` → "key result", from the model's own name (or KINDS): as a
    feed line writes it, mid-sentence ("revoked API token")."""
    if target_type in KINDS:
        return KINDS[target_type]
    try:
        return str(apps.get_model(target_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return target_type.rsplit(".", 1)[-1].replace("_", " ")


def kind_title(target_type: str) -> str:
    """The kind as a list or a heading starts it: "API token", "Check-in", "Key result"
    (the first letter raised, the rest as written: never "Api token")."""
    return capfirst(kind_label(target_type))


@cache
def choices(target_type: str, key: str) -> dict[str, str]:
    """The names a model gives the stored values of a field with choices; for a key that is
    no such field, the names its app gave in VALUES."""
    try:
        field = apps.get_model(target_type)._meta.get_field(key)
    except (LookupError, ValueError, FieldDoesNotExist):
        field = None
    named = getattr(field, "choices", None)
    if not named:
        return VALUES.get(key, {})
    return {str(value): str(label) for value, label in named}


def _parse_moment(value: object) -> dt.datetime | None:
    if not isinstance(value, str) or len(value) < 16 or value[10:11] != "T":
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment, dt.UTC)


def _rule(value: str) -> str:
    from accord.rhythm.picker import in_words

    return in_words(value) or value


# Fields whose stored text a person reads otherwise: a cadence's rule as its schedule.
SAID = {"rrule": _rule}


def show(value: object, key: str = "") -> str | None:
    """A stored value (of the field `key`) as a person reads it (None when there is none)."""
    from accord.web.templatetags.dates import day, moment

    if value is None or value == "" or value == [] or value == {}:
        return None
    if isinstance(value, str) and key in SAID:
        return SAID[key](value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str):
        if _parse_moment(value):
            return moment(value)
        if len(value) == 10 and value[4:5] == "-" and value[7:8] == "-":
            return day(value) or value
        if re.fullmatch(r"\d\d:\d\d:00", value):  # a time of day, as pages write it
            return value[:5]
        return value
    if isinstance(value, list):
        shown = [show(v) for v in value]
        return ", ".join(s for s in shown if s) or None
    if isinstance(value, dict) and "occurrence" in value:  # a moved or cancelled occurrence
        when = show(value["occurrence"]) or "?"
        if value.get("cancelled"):
            return f"{when} cancelled"
        moved = show(value.get("new_start"))
        return f"{when} moved to {moved}" if moved else when
    if isinstance(value, dict) and isinstance(value.get("team"), str):
        # Whom someone acted for (a dependency's side): "Platform, as lead of Engineering".
        return f"{value['team']}, as {value['as']}" if value.get("as") else value["team"]
    if isinstance(value, dict):  # an agenda section, a scorecard row: by its name
        named = value.get("title") or value.get("name")
        if isinstance(named, str) and named:
            return named
        return f"{len(value)} item{'s' if len(value) != 1 else ''}"
    return str(value)


# Fields whose value is the moment the change itself happened, newest meaning first.
# Accord's own marks name when the thing became stuck (a moment), late or overdue (a day,
# read from its start), whenever the worker noticed it.
HAPPENED = ("decided_at", "done_at", "dropped_at", "closed_at", "proposed_at", "stuck_since")
HAPPENED_ON = ("late_since", "overdue_since")


def happened_at(event) -> dt.datetime:
    """When the change happened: the moment the event names for itself when it records one
    earlier than its own writing (a backdated completion, an imported decision), else when
    it was recorded."""
    for key in HAPPENED:
        moment = _parse_moment(event.after.get(key))
        if moment is not None and moment <= event.created_at:
            return moment
    for key in HAPPENED_ON:
        value = event.after.get(key)
        if isinstance(value, str) and len(value) == 10:
            try:
                moment = dt.datetime.combine(
                    dt.date.fromisoformat(value), dt.time.min, timezone.get_current_timezone()
                )
            except ValueError:
                continue
            # Recorded on that day (the worker noticed it in time): when it was recorded.
            if moment <= event.created_at and timezone.localtime(event.created_at) >= (
                moment + dt.timedelta(days=1)
            ):
                return moment
    return event.created_at
