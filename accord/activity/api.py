"""The event log over the API (the audit trail integrators read), and the caller's own
notification preferences."""

# No `from __future__ import annotations` here: ninja resolves the annotations of
# @paginate-wrapped endpoints in ninja's own module, where our names do not exist.
import datetime as dt
import difflib
from typing import Any, Literal

from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from accord.activity import delivery, kinds
from accord.activity.models import Event
from accord.activity.queries import of_team, seen_by, shown_to
from accord.api.common import (
    OWN_SETTINGS,
    BoundedCountPagination,
    Id,
    InputSchema,
    actor_of,
    get_or_404,
    if_match,
    org_of,
)
from accord.core.errors import ServiceError
from accord.org.models import Team

router = Router(tags=["Activity"])


class EventOut(Schema):
    id: int
    kind: str
    verb: str
    target_type: str
    target_id: str
    target_label: str
    actor_id: Id | None
    actor_name: str
    actor_is_agent: bool = Field(description="The actor was an agent acting for its owner.")
    on_behalf_of_id: Id | None = Field(description="An agent's owner, accountable for it.")
    on_behalf_of_name: str
    via_token: str | None = Field(
        description="The name of the API token the change was made through (the API, or "
        "an assistant over MCP), as of the event; null for a change made in the pages, by "
        "Accord itself, or recorded before Accord kept it. `actor_display` says it for a "
        "person (an agent's says the agent and its owner)."
    )
    actor_display: str = Field(
        description='Who did it, as shown: "Release bot (agent, on behalf of Ana Ruiz)", '
        '"Ana Ruiz via token “assistant”".'
    )
    before: dict[str, Any]
    after: dict[str, Any]
    created_at: dt.datetime
    team_id: Id | None = Field(
        description="The team the event's subject belonged to when it was recorded (an "
        "objective's, a key result's objective's, a check-in's cadence's, a dependency's "
        "asking team, a decision's first team); null for the organization's own."
    )
    other_team_id: Id | None = Field(
        description="The second team the event concerns, when its subject is between two: "
        "a dependency's providing team, the team a move (an initiative handed over, an issue "
        "escalated) took it from; null otherwise."
    )

    @staticmethod
    def resolve_actor_is_agent(obj) -> bool:
        return obj.by_agent


KIND_DOC = (
    "An event kind, written as a webhook subscription writes it (one syntax, one check: "
    "`accord.activity.kinds`, listed at `GET /api/v1/event-kinds`): exact "
    "(`decisions.decision.decided`), or every event about one kind of object "
    "(`decisions.decision.*`, also `decisions.decision.`), or `*`. A kind of object Accord "
    "records nothing about is a 422. A whole area (`decisions.*`) is refused, naming its "
    "kinds of object: ask for one at a time."
)


def _of_kind(qs, kind: str):
    """`qs` narrowed to events of `kind` (see KIND_DOC). Both forms filter `target_type`
    (the object kind, `app.model`) by equality, so the log is read in order from its
    (org, target_type, created_at) index. A whole area
    (`decisions.*`) is refused, naming its object kinds: several object kinds at once would
    be read through the organization's whole log (a million events) to find a rare one."""
    pattern = kinds.parse(kind, "kind")
    if pattern.object_kind:
        qs = qs.filter(target_type=pattern.object_kind)
        return qs.filter(verb=pattern.verb) if pattern.verb else qs
    if not pattern.area:  # `*`: every event
        return qs
    objects = ", ".join(f"{k}.*" for k in kinds.object_kinds() if k.startswith(pattern.area + "."))
    raise ServiceError(
        f"{kind!r} names a whole area; ask for one kind of object at a time: {objects}.",
        fields={"kind": [f"Ask for one kind of object at a time, e.g. {objects.split(', ')[0]}."]},
    )


TARGET_TYPE_DOC = (
    "The kind of object the events are about, `<area>.<model>` (`decisions.decision`): one "
    "of `GET /api/v1/event-kinds`' `object_kinds`. One Accord records nothing about is a 422."
)


def _check_target_type(value: str) -> None:
    """A `target_type` no event can have (`decision`, `decisions.decisoin`) is a 422 naming
    the object kinds it may mean, as an unknown `kind` is: it would match nothing."""
    known = kinds.object_kinds()
    if value in known:
        return
    model = value.rpartition(".")[2]
    close = [k for k in known if k.rpartition(".")[2] == model]
    models = {k.rpartition(".")[2]: k for k in known}
    close += [models[m] for m in difflib.get_close_matches(model, models, n=3, cutoff=0.8)]
    close += difflib.get_close_matches(value, known, n=3, cutoff=0.8)
    close = list(dict.fromkeys(close))[:3]
    if close:
        *others, last = close
        hint = f"did you mean {', '.join(others)} or {last}?" if others else f"did you mean {last}?"
    else:
        hint = f"object kinds look like {', '.join(known[:3])}, …"
    raise ServiceError(
        f"No events are recorded about {value!r}: {hint} Every object kind is listed at "
        "GET /api/v1/event-kinds (object_kinds).",
        fields={"target_type": [f"Unknown object kind {value!r}; {hint}"]},
    )


class EventPagination(BoundedCountPagination):
    """A page of events as the caller reads their values (`activity.queries.shown_to`:
    a person's other addresses and handles only for who may see them)."""

    def paginate_queryset(self, queryset, pagination, request, **params):
        page = super().paginate_queryset(queryset, pagination, request, **params)
        page["items"] = shown_to(page["items"], actor_of(request))
        return page


@router.get("/events", response=list[EventOut], summary="The event log, newest first")
@paginate(EventPagination)
def list_events(
    request,
    target_type: str = Query("", max_length=200, description=TARGET_TYPE_DOC),
    target_id: str = "",
    actor_id: Id | None = None,
    since: dt.datetime | None = None,
    kind: str = Query("", max_length=200, description=KIND_DOC),
    team_id: Id | None = None,
    only: bool = False,
):
    """`team_id`: the events about that team and the teams below it (`only=true`: the
    team alone). An event is about the team its subject belongs to when it was recorded
    (an objective's, a key result's objective's, a check-in's cadence's, a dependency's
    asking team, a decision's first team), and about its second team when its subject is
    between two (a dependency's providing team, the team a move took it from), listed once
    even when both are below `team_id`; the organization's own (a period, a person, an
    organization-wide objective) are about none. A deleted team's events are its parent's.
    A person's events hold their other addresses and handles (`emails`, `handles`) only
    for who may see them: the person, admins, and members for someone active."""
    org = org_of(request)
    team = get_or_404(Team.objects.for_org(org), team_id, "team") if team_id else None
    viewer = actor_of(request)

    if target_type:
        _check_target_type(target_type)  # checked before anything is read
    asked = target_type
    if kind:
        _of_kind(Event.objects.none(), kind)  # checked before anything is read
        asked = asked or kinds.parse(kind, "kind").object_kind

    def narrow(qs):
        qs = seen_by(qs, viewer)
        if kind:
            qs = _of_kind(qs, kind)
        if target_type:
            qs = qs.filter(target_type=target_type)
        if target_id:
            qs = qs.filter(target_id=target_id)
        if actor_id is not None:
            qs = qs.filter(actor_id=actor_id)
        if since is not None:
            qs = qs.filter(created_at__gte=since)
        return qs

    if team is None:
        return narrow(Event.objects.for_org(org))
    return of_team(org, team, only=only, narrow=narrow, target_type=asked)


class ObjectKindOut(Schema):
    kind: str = Field(description="The object kind (`target_type`), e.g. `org.team`.")
    label: str = Field(description="What the activity feed calls it.")
    pattern: str = Field(description="The pattern of every event about it: `org.team.*`.")


class EventKindsOut(Schema):
    syntax: str
    areas: list[str] = Field(description="Every area (`coordination`): `coordination.*`.")
    object_kinds: list[ObjectKindOut]
    verbs: list[str] = Field(
        description="The verbs the activity feed words; a kind is `<object kind>.<verb>`."
    )


@router.get(
    "/event-kinds",
    response=EventKindsOut,
    summary="The event kinds webhooks subscribe to and the event log filters by",
)
def list_event_kinds(request):
    """What a webhook's `events` and the event log's `kind` take: one syntax
    (`accord.activity.kinds`); docs/webhooks.md lists the same."""
    return kinds.catalogue()


class NoticeKindOut(Schema):
    kind: str
    label: str
    group: str


AgendaEmailsChoice = Literal["every", "weekly", "never"]
AGENDA_EMAILS_DOC = (
    "Which meetings' agendas I get by e-mail, 2 hours before they start: `every` meeting, "
    "`weekly` (a cadence's first meeting of each week, Monday to Sunday in its time zone: a "
    "daily stand-up's agenda once a week; the default) or `never`. Chat posts of agendas and "
    "reminders to check in do not depend on it."
)


class PreferencesOut(Schema):
    email: bool
    chat: bool
    muted_kinds: list[str]
    agenda_emails: AgendaEmailsChoice = Field(description=AGENDA_EMAILS_DOC)
    version: int


class PreferencesPatch(InputSchema):
    email: bool | None = None
    chat: bool | None = None
    muted_kinds: list[str] | None = None
    agenda_emails: AgendaEmailsChoice | None = Field(None, description=AGENDA_EMAILS_DOC)


def _preferences(prefs) -> dict[str, Any]:
    return {
        "email": prefs.email,
        "chat": prefs.chat,
        "muted_kinds": list(prefs.muted_kinds),
        "agenda_emails": prefs.agenda_emails,
        "version": prefs.version,
    }


@router.get(
    "/notification-kinds",
    response=list[NoticeKindOut],
    summary="The kinds of notice Accord sends, which a person can mute",
)
def list_notice_kinds(request):
    return [{"kind": k.kind, "label": k.label, "group": k.group} for k in delivery.kinds()]


@router.get("/me/notifications", response=PreferencesOut, summary="What Accord tells me, and how")
def get_my_notifications(request):
    return _preferences(delivery.preferences_of(org_of(request), actor_of(request)))


@router.patch(
    "/me/notifications",
    response=PreferencesOut,
    summary="Change my channels (e-mail, team chat) and the kinds of notice I muted",
    auth=OWN_SETTINGS,
)
def update_my_notifications(request, payload: PreferencesPatch):
    me = actor_of(request)
    data = payload.model_dump(exclude_unset=True)
    prefs = delivery.set_preferences(
        org_of(request), me, me, expected_version=if_match(request), **data
    )
    return _preferences(prefs)
