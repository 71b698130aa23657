"""One person's own data: "Download my data" (their page), `GET /api/v1/interchange/export/me`
and `accord export --person`. Everything Accord holds about them, as YAML, streamed: each
section is read from the database a row at a time, so memory does not grow with it.

It starts with the items of the organization file that name them (by any of their
addresses: the file names people only so), then their own record, which the organization
file does not carry: their profile, what they wrote, recorded and were sent, how Accord
reaches them, and the event log's lines of what they did and what was done to their
profile or login. Matching is by the person (their id, their addresses), never by an empty
value: someone without an address (every agent) is named by no item of the file, so what
they own and the teams they are in are listed under `work` and `teams` instead.

Secrets are never written: of API tokens and calendar addresses only their names and
dates, not their prefixes or digests."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django.db.models import Q
from django.db.models.functions import Lower, Trim

from accord.interchange import engine
from accord.org.models import IdentityKind, Person

CHUNK = 500


def _when(value) -> str | None:
    return value.isoformat() if value else None


def _who(person: Person | None) -> str | None:
    if person is None:
        return None
    return person.email or person.name


def addresses_of(person: Person) -> set[str]:
    """The person's e-mail addresses, primary and extra, lower-cased: never an empty one."""
    found = {(person.email or "").strip().lower()}
    found.update(
        value.lower()
        for value in person.identities.filter(kind=IdentityKind.EMAIL).values_list(
            "value", flat=True
        )
    )
    found.discard("")
    return found


def export_person(person: Person) -> Iterator[str]:
    """Everything Accord holds about one person, as YAML text chunks."""
    from accord.interchange.services import _dump

    org = person.org
    yield "# Accord: the data of one person, in the organization-file format.\n"
    yield _dump({"accord": engine.FORMAT_VERSION})
    yield _dump({engine.EXTRACT: f"the data of {person.email or person.name}"})
    yield _dump({"organization": {"name": org.name, "slug": org.slug}})
    addresses = addresses_of(person)
    if addresses:
        yield from _file_items(org, addresses)
    for name, rows in _record(person, named_by_file=bool(addresses)):
        first = True
        for row in rows:
            if first:
                yield f"{name}:\n"
                first = False
            yield _dump([{k: v for k, v in row.items() if v not in (None, "", [], {})}])


def _file_items(org, addresses: set[str]) -> Iterator[str]:
    """The organization file's items that name one of `addresses` in a field that names a
    person (`ref="people"`, and the people section's own `email`), section by section.
    The file names a person by their address: the items of whoever has one of these as
    theirs, each section read from those people's rows alone (`Kind.export_items`)."""
    from accord.interchange.services import _dump, all_kinds, compact

    people = list(
        Person.objects.for_org(org)
        .annotate(address=Lower(Trim("email")))
        .filter(address__in=sorted(addresses))
        .values_list("pk", flat=True)
    )
    if not people:
        return
    for kind in all_kinds():
        if kind.section != "people" and not any(f.ref == "people" for f in kind.fields):
            continue
        first = True
        for data in kind.export_items(org, people=people):
            if first:
                yield f"{kind.section}:\n"
                first = False
            yield _dump([compact(kind, data)])


def _record(person: Person, *, named_by_file: bool) -> Iterable[tuple[str, Iterable[dict]]]:
    """(section, rows) of what the organization file does not carry."""
    yield "profile", [_profile(person)]
    if not named_by_file:
        yield "teams", _teams(person)
        yield "work", _work(person)
    yield "action_items", _action_items(person)
    yield "checkins", _checkins(person)
    yield "comments", _comments(person)
    yield "time_off", _time_off(person)
    yield "key_result_values", _key_result_values(person)
    yield "confidence_updates", _confidence_updates(person)
    yield "rank_changes", _rank_changes(person)
    yield "dependencies_requested", _dependencies_requested(person)
    yield "meeting_attendance", _attendance(person)
    yield "issue_votes", _issue_votes(person)
    yield "inbox", _inbox(person)
    yield "notifications", _notifications(person)
    yield "briefings", _briefings(person)
    yield "briefing_schedule", _briefing_schedule(person)
    yield "delivery_preferences", _delivery_preferences(person)
    yield "muted_cadences", _muted_cadences(person)
    yield "calendar_feeds", _calendar_feeds(person)
    yield "api_tokens", _api_tokens(person)
    yield "saved_views", _saved_views(person)
    yield "signals_about_you", _signals(person)
    yield "events", _events_by(person)
    yield "events_about_you", _events_about(person)


def _profile(person: Person) -> dict:
    from accord.org.queries import identity_lists

    user = person.user
    return {
        "name": person.name,
        "email": person.email,
        **identity_lists(person),
        "title": person.title,
        "role": person.role,
        "timezone": person.timezone,
        "kind": person.kind,
        "owner": _who(person.owner) if person.owner_id else None,
        "active": person.is_active,
        "added_at": _when(person.created_at),
        "signs_in_as": user.get_username() if user else None,
        "last_sign_in": _when(person.last_signed_in) if user else None,  # here, not elsewhere
    }


def _teams(person: Person) -> Iterator[dict]:
    from accord.org.models import Membership, TeamLink

    terms = (
        Membership.terms.for_org(person.org)
        .filter(person=person)
        .select_related("team")
        .order_by("started_on", "id")
    )
    for m in terms.iterator(chunk_size=CHUNK):
        yield {
            "team": m.team.slug,
            "role": m.role,
            "allocation": m.allocation,
            "started_on": _when(m.started_on),
            "ended_on": _when(m.ended_on),
        }
    links = (
        TeamLink.objects.for_org(person.org)
        .filter(person=person)
        .select_related("from_team", "to_team")
        .order_by("id")
    )
    for link in links.iterator(chunk_size=CHUNK):
        yield {"team": link.from_team.slug, "role": f"liaison to {link.to_team.slug}"}


def _work(person: Person) -> Iterator[dict]:
    """What they own or take part in, for someone the organization file cannot name."""
    from accord.alignment.models import Initiative, KeyResult, Objective
    from accord.decisions.models import Decision, Issue
    from accord.rhythm.models import Cadence

    org = person.org

    def owned(model):
        return model.objects.for_org(org).filter(owner=person).order_by("id")

    for o in owned(Objective).iterator(chunk_size=CHUNK):
        yield {"kind": "objective", "title": o.title, "as": "owner", "status": o.status}
    for k in owned(KeyResult).iterator(chunk_size=CHUNK):
        yield {"kind": "key result", "title": k.name, "as": "owner"}
    for i in owned(Initiative).iterator(chunk_size=CHUNK):
        yield {"kind": "initiative", "title": i.title, "as": "owner", "status": i.status}
    cadences = Cadence.objects.for_org(org).filter(Q(owner=person) | Q(extra_participants=person))
    for c in cadences.distinct().order_by("id").iterator(chunk_size=CHUNK):
        role = "owner" if c.owner_id == person.pk else "participant"
        yield {"kind": "cadence", "title": c.name, "as": role}
    decisions = Decision.objects.for_org(org).filter(
        Q(approver=person) | Q(driver=person) | Q(contributors=person) | Q(informed=person)
    )
    for d in decisions.distinct().order_by("id").iterator(chunk_size=CHUNK):
        if d.approver_id == person.pk:
            role = "approver"
        elif d.driver_id == person.pk:
            role = "driver"
        else:
            role = "contributor or informed"
        yield {"kind": "decision", "title": d.question, "as": role, "status": d.status}
    issues = Issue.objects.for_org(org).filter(Q(raised_by=person) | Q(owner=person))
    for i in issues.order_by("id").iterator(chunk_size=CHUNK):
        role = "owner" if i.owner_id == person.pk else "raised by"
        yield {"kind": "issue", "title": i.title, "as": role, "status": i.status}


def _action_items(person: Person) -> Iterator[dict]:
    from accord.decisions.models import ActionItem

    items = (
        ActionItem.objects.for_org(person.org)
        .filter(Q(owner=person) | Q(created_by=person))
        .select_related("owner", "created_by", "team")
        .order_by("created_at", "id")
    )
    for a in items.iterator(chunk_size=CHUNK):
        yield {
            "title": a.title,
            "owner": _who(a.owner),
            "handed_out_by": _who(a.created_by),
            "team": a.team.slug if a.team else None,
            "status": a.status,
            "due_on": _when(a.due_on),
            "created_at": _when(a.created_at),
            "done_at": _when(a.done_at),
        }


def _checkins(person: Person) -> Iterator[dict]:
    from accord.rhythm.models import CheckIn

    rows = (
        CheckIn.objects.for_org(person.org)
        .filter(person=person)
        .select_related("cadence")
        .order_by("due_at", "id")
    )
    for c in rows.iterator(chunk_size=CHUNK):
        yield {
            "cadence": c.cadence.name,
            "due_at": _when(c.due_at),
            "submitted_at": _when(c.submitted_at),
            "status": c.status,
            "highlights": c.highlights,
            "blockers": c.blockers,
        }


def _comments(person: Person) -> Iterator[dict]:
    from accord.conversation.models import Comment

    rows = Comment.objects.for_org(person.org).filter(author=person).order_by("created_at", "id")
    for c in rows.iterator(chunk_size=CHUNK):
        yield {
            "on": f"{c.target_kind} {c.target_id}",
            "body": c.body,
            "created_at": _when(c.created_at),
            "edited_at": _when(c.edited_at),
        }


def _time_off(person: Person) -> Iterator[dict]:
    from accord.rhythm.models import Away

    rows = Away.objects.for_org(person.org).filter(person=person).order_by("starts_on", "id")
    for a in rows.iterator(chunk_size=CHUNK):
        yield {"starts_on": _when(a.starts_on), "ends_on": _when(a.ends_on), "reason": a.reason}


def _key_result_values(person: Person) -> Iterator[dict]:
    from accord.alignment.models import KeyResultValue

    rows = (
        KeyResultValue.objects.for_org(person.org)
        .filter(recorded_by=person)
        .select_related("key_result")
        .order_by("recorded_at", "id")
    )
    for v in rows.iterator(chunk_size=CHUNK):
        yield {
            "key_result": v.key_result.name,
            "value": v.value,
            "recorded_at": _when(v.recorded_at),
            "note": v.note,
        }


def _confidence_updates(person: Person) -> Iterator[dict]:
    from accord.alignment.models import ConfidenceUpdate

    rows = (
        ConfidenceUpdate.objects.for_org(person.org)
        .filter(by=person)
        .select_related("objective")
        .order_by("at", "id")
    )
    for c in rows.iterator(chunk_size=CHUNK):
        yield {
            "objective": c.objective.title,
            "confidence": c.confidence,
            "at": _when(c.at),
            "note": c.note,
        }


def _rank_changes(person: Person) -> Iterator[dict]:
    from accord.alignment.models import RankChange

    rows = (
        RankChange.objects.for_org(person.org)
        .filter(by=person)
        .select_related("team", "initiative")
        .order_by("at", "id")
    )
    for r in rows.iterator(chunk_size=CHUNK):
        yield {
            "team": r.team.slug,
            "initiative": r.initiative.title,
            "old_rank": r.old_rank,
            "new_rank": r.new_rank,
            "at": _when(r.at),
        }


def _dependencies_requested(person: Person) -> Iterator[dict]:
    from accord.coordination.models import Dependency

    rows = (
        Dependency.objects.for_org(person.org)
        .filter(requested_by=person)
        .select_related("requester_team", "provider_team")
        .order_by("created_at", "id")
    )
    for d in rows.iterator(chunk_size=CHUNK):
        yield {
            "title": d.title,
            "from_team": d.requester_team.slug,
            "to_team": d.provider_team.slug,
            "state": d.state,
            "need_by": _when(d.need_by),
            "requested_at": _when(d.created_at),
        }


def _attendance(person: Person) -> Iterator[dict]:
    from accord.rhythm.models import Attendance

    rows = (
        Attendance.objects.for_org(person.org)
        .filter(person=person)
        .select_related("meeting__cadence")
        .order_by("meeting__scheduled_start", "id")
    )
    for a in rows.iterator(chunk_size=CHUNK):
        yield {
            "meeting": a.meeting.cadence.name,
            "scheduled_start": _when(a.meeting.scheduled_start),
            "present": a.present,
            "rating": a.rating,
        }


def _issue_votes(person: Person) -> Iterator[dict]:
    from accord.decisions.models import IssueVote

    rows = (
        IssueVote.objects.for_org(person.org)
        .filter(person=person)
        .select_related("issue")
        .order_by("updated_at", "id")
    )
    for v in rows.iterator(chunk_size=CHUNK):
        yield {"issue": v.issue.title, "vote": v.value, "at": _when(v.updated_at)}


def _inbox(person: Person) -> Iterator[dict]:
    from accord.conversation.models import InboxItem

    rows = (
        InboxItem.objects.for_org(person.org)
        .filter(person=person)
        .select_related("actor")
        .order_by("created_at", "id")
    )
    for i in rows.iterator(chunk_size=CHUNK):
        yield {
            "kind": i.kind,
            "title": i.title,
            "from": i.actor.name if i.actor_id else None,
            "created_at": _when(i.created_at),
            "read_at": _when(i.read_at),
            "done_at": _when(i.done_at),
        }


def _notifications(person: Person) -> Iterator[dict]:
    """What Accord sent (or is to send) them: its subject, not the whole message."""
    from accord.activity.models import Notification

    rows = (
        Notification.objects.filter(org=person.org, person=person)
        .only("kind", "channel", "subject", "status", "created_at", "sent_at")
        .order_by("created_at", "id")
    )
    for n in rows.iterator(chunk_size=CHUNK):
        yield {
            "kind": n.kind,
            "channel": n.channel,
            "subject": n.subject,
            "status": n.status,
            "created_at": _when(n.created_at),
            "sent_at": _when(n.sent_at),
        }


def _briefings(person: Person) -> Iterator[dict]:
    from accord.briefings.models import Briefing

    rows = Briefing.objects.for_org(person.org).filter(person=person).order_by("starts_at", "id")
    for b in rows.iterator(chunk_size=CHUNK):
        content = b.content or {}
        yield {
            "week": b.week,
            "title": content.get("title"),
            "headline": content.get("headline"),
            "built_at": _when(b.built_at),
            "sent_at": _when(b.sent_at),
        }


def _briefing_schedule(person: Person) -> Iterator[dict]:
    from accord.briefings.models import WEEKDAYS, BriefingSchedule

    for s in BriefingSchedule.objects.for_org(person.org).filter(person=person):
        yield {"enabled": s.enabled, "weekday": WEEKDAYS[s.weekday], "hour": s.hour}


def _delivery_preferences(person: Person) -> Iterator[dict]:
    from accord.activity.models import DeliveryPreferences

    for p in DeliveryPreferences.objects.for_org(person.org).filter(person=person):
        yield {
            "email": p.email,
            "chat": p.chat,
            "muted_kinds": list(p.muted_kinds or []),
            "agenda_emails": p.agenda_emails,
        }


def _muted_cadences(person: Person) -> Iterator[dict]:
    from accord.rhythm.models import CadenceMute

    rows = (
        CadenceMute.objects.for_org(person.org)
        .filter(person=person)
        .select_related("cadence")
        .order_by("created_at", "id")
    )
    for m in rows.iterator(chunk_size=CHUNK):
        yield {"cadence": m.cadence.name, "muted_at": _when(m.created_at)}


def _calendar_feeds(person: Person) -> Iterator[dict]:
    """Their calendar addresses: when each was made and revoked (never the secret)."""
    from accord.rhythm.models import CalendarFeed

    rows = CalendarFeed.objects.for_org(person.org).filter(person=person).order_by("id")
    for f in rows.only("created_at", "revoked_at").iterator(chunk_size=CHUNK):
        yield {"created_at": _when(f.created_at), "revoked_at": _when(f.revoked_at)}


def _api_tokens(person: Person) -> Iterator[dict]:
    """Their API tokens: names, scopes and dates (never the token, its prefix or digest)."""
    from accord.api.models import ApiToken

    rows = (
        ApiToken.objects.for_org(person.org)
        .filter(person=person)
        .only("name", "scope", "created_at", "last_used_at", "revoked_at")
        .order_by("created_at", "id")
    )
    for t in rows.iterator(chunk_size=CHUNK):
        yield {
            "name": t.name,
            "scope": t.scope,
            "created_at": _when(t.created_at),
            "last_used_at": _when(t.last_used_at),
            "revoked_at": _when(t.revoked_at),
        }


def _saved_views(person: Person) -> Iterator[dict]:
    from accord.web.models import SavedView

    rows = SavedView.objects.for_org(person.org).filter(owner=person).order_by("created_at", "id")
    for v in rows.iterator(chunk_size=CHUNK):
        yield {
            "name": v.name,
            "path": v.path,
            "query": v.query,
            "shared": v.shared,
            "created_at": _when(v.created_at),
        }


def _signals(person: Person) -> Iterator[dict]:
    """Signals whose subject is this person (e.g. someone who left still owning work)."""
    from accord.intelligence.models import Signal

    rows = (
        Signal.objects.for_org(person.org)
        .filter(subject_type="org.person", subject_id=str(person.pk))
        .order_by("first_seen", "id")
    )
    for s in rows.iterator(chunk_size=CHUNK):
        yield {
            "kind": s.kind,
            "title": s.title,
            "state": s.state,
            "first_seen": _when(s.first_seen),
            "last_seen": _when(s.last_seen),
        }


def _events_by(person: Person) -> Iterator[dict]:
    """What the event log says they did (sign-ins included), oldest first: when, the kind
    of event and what it was about (not the other objects' fields)."""
    from accord.activity.models import Event

    rows = (
        Event.objects.for_org(person.org)
        .filter(actor=person)
        .only("created_at", "verb", "target_type", "target_label", "via_token")
        .order_by("created_at", "id")
    )
    for e in rows.iterator(chunk_size=CHUNK):
        yield {
            "at": _when(e.created_at),
            "kind": e.kind,
            "about": e.target_label,
            "through_token": e.via_token,
        }


def _events_about(person: Person) -> Iterator[dict]:
    """What the event log says was done to their profile or their login, by whom."""
    from accord.activity.models import Event

    about = Q(target_type="org.person", target_id=str(person.pk))
    if person.user_id:
        about |= Q(target_type="auth.user", target_id=str(person.user_id))
    rows = (
        Event.objects.for_org(person.org)
        .filter(about)
        .only("created_at", "verb", "target_type", "actor_name", "before", "after")
        .order_by("created_at", "id")
    )
    for e in rows.iterator(chunk_size=CHUNK):
        yield {
            "at": _when(e.created_at),
            "kind": e.kind,
            "by": e.actor_name,
            "before": e.before,
            "after": e.after,
        }
