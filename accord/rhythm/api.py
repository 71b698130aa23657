"""API for cadences, occurrences, check-ins, meetings and their minutes, scorecards and feeds."""

import datetime as dt
from typing import Annotated, Any

from django.http import Http404, HttpResponse
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from accord.alignment.services import ANYWAY_IN_THE_API
from accord.api.common import (
    REPORTING,
    BoundedCountPagination,
    Id,
    InputSchema,
    LocalTime,
    PatchSchema,
    actor_of,
    decimal_for,
    get_or_404,
    if_match,
    org_of,
    ref,
)
from accord.core import twice
from accord.core.errors import ServiceError
from accord.core.services import validate_timezone
from accord.decisions.api import IssueOut
from accord.decisions.api import _issues as issues_out
from accord.decisions.models import Issue
from accord.org.models import Person, Team
from accord.rhythm import ical, queries, recurrence, services
from accord.rhythm.models import (
    Cadence,
    CadenceKind,
    CheckIn,
    CheckInStatus,
    GoalRule,
    Measurable,
    MeasurableValue,
    Meeting,
    MeetingStatus,
    OwedBy,
    Participation,
    Scope,
)
from accord.rhythm.templates_catalog import TEMPLATES

router = Router(tags=["Rhythm"])


# --- schemas -------------------------------------------------------------------------------


class SectionIO(Schema):
    key: str = Field("", max_length=40)
    title: str = Field(..., min_length=1, max_length=200)
    source: str = "none"
    minutes: int = Field(5, ge=0, le=600)


class SectionIn(SectionIO, InputSchema):
    """An agenda section as a body gives it: the same fields, an unknown one refused."""


class TemplateOut(Schema):
    slug: str
    name: str
    kind: str
    rrule: str
    time: LocalTime
    duration_minutes: int
    scope: str
    description: str
    sections: list[SectionIO]


class CadenceOut(Schema):
    id: int
    name: str
    kind: CadenceKind
    template: str
    scope: Scope
    team_id: Id | None
    team_ids: list[Id]
    owner_id: Id | None
    extra_participant_ids: list[Id]
    participation: Participation = Field(
        description="Who of its teams takes part: everyone, or the teams' leads only."
    )
    initiative_ids: list[Id] = Field(
        description="The initiatives it is the sync of: its agenda reviews their work."
    )
    rrule: str
    start_date: dt.date
    all_day: bool = Field(description="Occurrences are dates: no time of day, no duration.")
    time: LocalTime | None = Field(description="Null for an all-day cadence.")
    duration_minutes: int | None = Field(description="Null for an all-day cadence.")
    timezone: str
    agenda: list[SectionIO]
    checkin_owed_by: OwedBy
    window_opens_hours: int
    late_after_hours: int
    is_active: bool
    version: int
    schedule_problem: str | None = Field(
        None, description="Why the stored schedule cannot be expanded; null when it is fine."
    )

    @staticmethod
    def resolve_team_ids(obj: Cadence) -> list[int]:
        return [t.pk for t in obj.teams.all()]

    @staticmethod
    def resolve_extra_participant_ids(obj: Cadence) -> list[int]:
        return [p.pk for p in obj.extra_participants.all()]

    @staticmethod
    def resolve_initiative_ids(obj: Cadence) -> list[int]:
        return sorted(i.pk for i in obj.initiatives.all())


class CadenceIn(InputSchema):
    template: str | None = Field(None, description="Start from a template; fields given win.")
    name: str = Field("", max_length=200)
    kind: CadenceKind | None = None
    scope: Scope | None = None
    team_id: Id | None = None
    team_ids: list[Id] = []
    owner_id: Id | None = None
    extra_participant_ids: list[Id] = []
    participation: Participation | None = Field(
        None, description="everyone (the default) or leads: the teams' leads only."
    )
    initiative_ids: list[Id] = Field([], description="The initiatives it is the sync of.")
    rrule: str | None = Field(None, max_length=300, examples=["FREQ=WEEKLY;BYDAY=MO"])
    start_date: dt.date | None = None
    all_day: bool = Field(
        False, description="A date, not a meeting: give no time or duration with it."
    )
    time: LocalTime | None = Field(None, description="Required unless all_day.")
    duration_minutes: int | None = Field(None, ge=1, le=1440, description="60 if left out.")
    timezone: str | None = Field(
        None,
        max_length=64,
        description="The IANA zone it meets in (Europe/Berlin); left out, the zone of the "
        "token's person, as the form starts from theirs.",
    )
    agenda: list[SectionIn] | None = None
    checkin_owed_by: OwedBy | None = None
    window_opens_hours: int | None = Field(None, ge=0, le=336)
    late_after_hours: int | None = Field(None, ge=0, le=336)


class CadencePatch(PatchSchema):
    model = Cadence

    name: str | None = Field(None, min_length=1, max_length=200)
    kind: CadenceKind | None = None
    rrule: str | None = Field(None, max_length=300)
    start_date: dt.date | None = None
    all_day: bool | None = Field(
        None,
        description="true drops the time and duration; false needs a time (duration 60 if "
        "left out).",
    )
    time: LocalTime | None = None
    duration_minutes: int | None = Field(None, ge=1, le=1440)
    timezone: str | None = Field(None, max_length=64)
    agenda: list[SectionIn] | None = None
    checkin_owed_by: OwedBy | None = None
    window_opens_hours: int | None = Field(None, ge=0, le=336)
    late_after_hours: int | None = Field(None, ge=0, le=336)
    is_active: bool | None = None
    owner_id: Id | None = None
    scope: Scope | None = None
    team_id: Id | None = None
    team_ids: list[Id] | None = Field(None, description="For scope teams: the whole set.")
    extra_participant_ids: list[Id] | None = Field(
        None, description="The whole set of people outside the teams in scope who take part."
    )
    participation: Participation | None = None
    initiative_ids: list[Id] | None = Field(
        None, description="The whole set of initiatives it is the sync of."
    )


class OccurrenceOut(Schema):
    key: str
    original_start: dt.datetime
    start: dt.datetime
    end: dt.datetime
    local_start: dt.datetime = Field(description="`start` in `timezone`.")
    timezone: str = Field(
        description="The zone `local_start` is in: `tz` if given, else the caller's own."
    )
    moved: bool
    cancelled: bool
    all_day: bool = Field(description="The occurrence is a date (`date`), not a meeting.")
    date: dt.date = Field(
        description="The occurrence's date in the cadence's time zone (`cadence_timezone`), "
        "which may be another day than `local_start`'s."
    )
    cadence_timezone: str = Field(
        description="The cadence's own zone: the one its rule and `date` are in."
    )


class OccurrenceMoveIn(InputSchema):
    new_start: dt.datetime | None = Field(None, description="Omit with cancel=true.")
    cancel: bool = False
    note: str = Field("", max_length=300)


class CheckInIn(InputSchema):
    key_results: dict[Id, Annotated[float, Field(allow_inf_nan=False)]] = {}
    objectives: dict[Id, str] = Field({}, description="on_track / at_risk / off_track or 1-10")
    initiatives: dict[Id, str] = {}
    measurables: dict[Id, Annotated[float, decimal_for(MeasurableValue, "value")]] = {}
    highlights: str = Field(
        "", max_length=5000, description="Left out of a resubmission: the earlier text is kept."
    )
    blockers: str = Field(
        "",
        max_length=5000,
        description="Left out of a resubmission (with blocker_team_id): the earlier blocker "
        "and its team are kept.",
    )
    blocker_team_id: Id | None = None
    confirm: bool = Field(
        False,
        description="Record key result values that look like a slip anyway (as recording a "
        "key result's value judges them: a percentage outside 0 to 100, one below zero where "
        "every value so far is zero or more, one taking progress back more than half the way "
        "in one step, one far outside its start, target and recent values): one is refused "
        "(422, code unusual_value, on the field `key_results.<id>`) without it, and nothing "
        "of the check-in is recorded.",
    )


class CheckInOut(Schema):
    id: int
    cadence_id: Id
    person_id: Id
    occurrence: str
    occurrence_start: dt.datetime
    due_at: dt.datetime
    submitted_at: dt.datetime | None
    status: str
    highlights: str
    blockers: str
    blocker_team_id: Id | None
    updates: dict[str, Any]
    version: int

    @staticmethod
    def resolve_occurrence(obj: CheckIn) -> str:
        return obj.occurrence_start.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


class AttendanceOut(Schema):
    person_id: Id
    present: bool
    rating: int | None


class HeadlineOut(Schema):
    id: int
    text: str
    author_id: Id | None
    cascade_to: list[int]

    @staticmethod
    def resolve_cascade_to(obj) -> list[int]:
        if isinstance(obj, dict):  # already shaped, e.g. inside a meeting's minutes
            return obj["cascade_to"]
        return [t.pk for t in obj.cascade_to.all()]


class MeetingOut(Schema):
    id: int
    cadence_id: Id
    occurrence: str
    scheduled_start: dt.datetime
    status: str
    started_at: dt.datetime | None
    ended_at: dt.datetime | None
    agenda: list[dict[str, Any]]
    carried_in: list[dict[str, Any]]
    notes: dict[str, str]
    done_items: list[str]
    summary: str
    version: int

    @staticmethod
    def resolve_occurrence(obj: Meeting | dict) -> str:
        return obj["occurrence"] if isinstance(obj, dict) else obj.key

    @staticmethod
    def resolve_agenda(obj: Meeting | dict) -> list[dict]:
        return obj["agenda"] if isinstance(obj, dict) else obj.agenda_snapshot


# A meeting too large to list everyone (`queries.ATTENDANCE_LISTED`) answers with the
# latest this many marked, and how many are present.
ATTENDANCE_ANSWERED = 500


class MinutesOut(MeetingOut):
    attendance: list[AttendanceOut] = Field(
        description=f"Everyone marked present or absent, in a meeting of at most "
        f"{queries.ATTENDANCE_LISTED} participants; in a larger one, where each marks "
        f"themselves, the latest {ATTENDANCE_ANSWERED} marked."
    )
    present_count: int = Field(description="How many are marked present.")
    headlines: list[HeadlineOut]
    action_item_ids: list[Id]
    decision_ids: list[Id]
    average_rating: float | None


class NotesIn(InputSchema):
    section: str = Field(..., min_length=1, max_length=40)
    text: str = Field("", max_length=20000)


class AttendanceIn(InputSchema):
    person_id: Id
    present: bool


class ActionIn(InputSchema):
    title: str = Field(..., min_length=1, max_length=300)
    owner_id: Id
    due_on: dt.date | None = Field(None, description="Today or later (422 `past_date`).")
    again: bool = Field(False, description=twice.again_doc("action item"))
    team_id: Id | None = Field(
        None,
        description="The team whose list it is on (and whose meetings' agendas). Not given: "
        "the meeting's team (in a meeting of several, the owner's team among them).",
    )


class HeadlineIn(InputSchema):
    text: str = Field(..., min_length=1, max_length=500)
    cascade_to: list[Id] = []


class FinishIn(InputSchema):
    ratings: dict[Id, Annotated[int, Field(ge=1, le=10)] | None] = Field(
        {},
        description="person id -> rating 1-10, or null to take away a rating given earlier (a "
        "reopened meeting finished again). People left out keep the rating they have.",
    )
    summary: str = Field(
        "",
        max_length=10000,
        description='Left out: the summary it has is kept (a reopened meeting); "" clears it.',
    )


class ReopenIn(InputSchema):
    reason: str = Field("", description="Why, recorded with the reopening; at most 500 characters.")


class MeasurableOut(Schema):
    id: int
    team_id: Id
    name: str
    owner_id: Id | None
    unit: str
    goal_rule: GoalRule
    goal_low: float | None
    goal_high: float | None
    is_active: bool
    version: int


class MeasurableIn(InputSchema):
    team_id: Id
    name: str = Field(..., min_length=1, max_length=200)
    goal_rule: GoalRule
    goal_low: float | None = decimal_for(Measurable, "goal_low", default=None)
    goal_high: float | None = decimal_for(Measurable, "goal_high", default=None)
    owner_id: Id | None = None
    unit: str = Field("", max_length=30)


class MeasurablePatch(PatchSchema):
    model = Measurable

    name: str | None = Field(None, min_length=1, max_length=200)
    goal_rule: GoalRule | None = None
    goal_low: float | None = decimal_for(Measurable, "goal_low", default=None)
    goal_high: float | None = decimal_for(Measurable, "goal_high", default=None)
    owner_id: Id | None = None
    unit: str | None = Field(None, max_length=30)


class MeasurableValueIn(InputSchema):
    week: dt.date = Field(..., description="Any day of the week; stored on its Monday.")
    value: float = decimal_for(MeasurableValue, "value")


class MeasurableValueOut(Schema):
    measurable_id: Id
    week_start: dt.date
    value: float
    source: str


# --- helpers -------------------------------------------------------------------------------


def _cadence(request, cadence_id: Id) -> Cadence:
    return get_or_404(queries.cadences(org_of(request), active_only=False), cadence_id, "cadence")


def _occ_out(o: recurrence.Occurrence, tz: str) -> OccurrenceOut:
    return OccurrenceOut(
        key=o.key,
        original_start=o.original_start,
        start=o.start,
        end=o.end,
        local_start=o.local_start(tz),
        timezone=tz,
        moved=o.moved,
        cancelled=o.cancelled,
        all_day=o.all_day,
        date=o.day,
        cadence_timezone=o.timezone,
    )


def _sections(sections: list[SectionIn] | None) -> list[dict] | None:
    return None if sections is None else [s.model_dump() for s in sections]


# --- templates and cadences ----------------------------------------------------------------


@router.get("/rhythm/templates", response=list[TemplateOut], summary="Well-known rhythms")
def list_templates(request):
    return [
        TemplateOut(
            slug=t.slug,
            name=t.name,
            kind=t.kind,
            rrule=t.rrule,
            time=t.time,
            duration_minutes=t.duration_minutes,
            scope=t.scope,
            description=t.description,
            sections=[SectionIO(**s) for s in t.sections],
        )
        for t in TEMPLATES.values()
    ]


def _initiatives(org, ids: list[int]) -> list:
    from accord.alignment.models import Initiative

    return [ref(Initiative.objects.for_org(org), i, "initiative_ids", "initiative") for i in ids]


@router.get("/rhythm/cadences", response=list[CadenceOut], summary="List cadences")
@paginate
def list_cadences(request, team_id: Id | None = None, kind: CadenceKind | None = None):
    org = org_of(request)
    qs = queries.cadences(org, active_only=False).prefetch_related("initiatives")
    qs = qs.order_by("name", "id")
    if kind:
        qs = qs.filter(kind=kind)
    if team_id is not None:
        team = get_or_404(Team.objects.for_org(org), team_id, "team")
        ids = {c.pk for c in queries.team_cadences(org, team)}
        qs = qs.filter(pk__in=ids)
    return qs


@router.post("/rhythm/cadences", response={201: CadenceOut}, summary="Create a cadence")
def create_cadence(request, payload: CadenceIn):
    org, actor = org_of(request), actor_of(request)
    teams = Team.objects.for_org(org)
    people = Person.objects.for_org(org)
    common: dict[str, Any] = {
        "team": ref(teams, payload.team_id, "team_id", "team"),
        "teams": [ref(teams, t, "team_ids", "team") for t in payload.team_ids],
        "owner": ref(people, payload.owner_id, "owner_id", "person"),
        "extra_participants": [
            ref(people, p, "extra_participant_ids", "person") for p in payload.extra_participant_ids
        ],
        "initiatives": _initiatives(org, payload.initiative_ids),
        "timezone_name": payload.timezone or actor.timezone,  # left out: theirs, as on the form
    }
    data = payload.model_dump(
        exclude_unset=True,
        exclude={
            "template",
            "team_id",
            "team_ids",
            "owner_id",
            "extra_participant_ids",
            "initiative_ids",
            "timezone",
        },
    )
    if data.get("participation") is None:
        data.pop("participation", None)
    if payload.agenda is not None:
        data["agenda"] = _sections(payload.agenda)
    if payload.template:
        if not data.get("name"):
            data.pop("name", None)
        cadence = services.create_cadence_from_template(
            org,
            actor,
            payload.template,
            start_date=data.pop("start_date", None),
            **common,
            **data,
        )
    else:
        needed = ("name", "rrule") if data.get("all_day") else ("name", "rrule", "time")
        missing = [f for f in needed if not data.get(f)]
        if missing:
            raise ServiceError(
                f"Give {', '.join(missing)} or a template.",
                fields={f: ["Required without a template."] for f in missing},
            )
        cadence = services.create_cadence(org, actor, **common, **data)
    return Status(201, queries.cadences(org, active_only=False).get(pk=cadence.pk))


@router.get("/rhythm/cadences/{cadence_id}", response=CadenceOut, summary="Get a cadence")
def get_cadence(request, cadence_id: Id):
    return _cadence(request, cadence_id)


@router.patch("/rhythm/cadences/{cadence_id}", response=CadenceOut, summary="Change a cadence")
def update_cadence(request, cadence_id: Id, payload: CadencePatch):
    org = org_of(request)
    cadence = _cadence(request, cadence_id)
    data = payload.model_dump(exclude_unset=True)
    if "owner_id" in data:
        data["owner"] = ref(Person.objects.for_org(org), data.pop("owner_id"), "owner_id", "person")
    if "agenda" in data:
        data["agenda"] = _sections(payload.agenda)
    teams = Team.objects.for_org(org)
    people = Person.objects.for_org(org)
    if "team_id" in data:
        data["team"] = ref(teams, data.pop("team_id"), "team_id", "team")
    if "team_ids" in data:
        ids = data.pop("team_ids") or []
        data["teams"] = [ref(teams, t, "team_ids", "team") for t in ids]
    if "extra_participant_ids" in data:
        ids = data.pop("extra_participant_ids") or []
        data["extra_participants"] = [
            ref(people, p, "extra_participant_ids", "person") for p in ids
        ]
    if "initiative_ids" in data:
        data["initiatives"] = _initiatives(org, data.pop("initiative_ids") or [])
    if data.get("participation", "") is None:
        del data["participation"]
    services.update_cadence(
        org, actor_of(request), cadence, expected_version=if_match(request), **data
    )
    return _cadence(request, cadence_id)


@router.get(
    "/rhythm/cadences/{cadence_id}/occurrences",
    response=list[OccurrenceOut],
    summary="Occurrences between two instants (computed, at most 366 days)",
)
def list_occurrences(
    request,
    cadence_id: Id,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    tz: str = "",
    include_cancelled: bool = True,
):
    cadence = _cadence(request, cadence_id)
    start = start or timezone.now()
    if start.tzinfo is None or (end is not None and end.tzinfo is None):
        raise ServiceError("Give start and end with a time zone offset, e.g. Z.")
    recurrence.check_in_range(start, "start", "start")
    end = end or start + dt.timedelta(days=31)
    recurrence.check_in_range(end, "end", "end")
    if not start < end <= start + dt.timedelta(days=366):
        raise ServiceError("end must be after start, at most 366 days later.")
    own = actor_of(request).timezone  # the reader's own zone stands as stored
    tz = validate_timezone(tz or own, "tz", kept=own)
    problem = queries.schedule_problem(cadence)
    if problem is not None:
        raise ServiceError(
            f"This cadence has an invalid schedule: {problem}", code="invalid_schedule"
        )
    # Before a change of its schedule, the occurrences it had then (`queries.eras`).
    occs = queries.past_occurrences(
        cadence, start, end, include_cancelled=include_cancelled, since_created=False
    )
    return [_occ_out(o, tz) for o in occs]


@router.post(
    "/rhythm/cadences/{cadence_id}/occurrences/{key}/move",
    response=OccurrenceOut,
    summary="Move or cancel one occurrence (the rule is kept)",
)
def move_occurrence(request, cadence_id: Id, key: str, payload: OccurrenceMoveIn):
    org, actor = org_of(request), actor_of(request)
    cadence = _cadence(request, cadence_id)
    original = recurrence.parse_key(key)
    if payload.cancel:
        services.cancel_occurrence(org, actor, cadence, original, note=payload.note)
    else:
        if payload.new_start is None:
            raise ServiceError("Give new_start or cancel.", fields={"new_start": ["Required."]})
        services.move_occurrence(
            org, actor, cadence, original, payload.new_start, note=payload.note
        )
    cadence = _cadence(request, cadence_id)
    # However far it moved: the occurrence is found by its original start.
    found = queries.occurrence(cadence, original, include_cancelled=True)
    if found is None:  # pragma: no cover - the service refused a missing occurrence
        raise Http404("No such occurrence.")
    return _occ_out(found, actor.timezone)


@router.get("/rhythm/cadences/{cadence_id}/adherence", summary="Adherence over 12 occurrences")
def cadence_adherence(request, cadence_id: Id) -> dict:
    cadence = _cadence(request, cadence_id)
    [a] = queries.adherence(org_of(request), [cadence])
    return a.as_dict()


class BringIssueIn(InputSchema):
    issue_id: Id = Field(..., description="An open issue already raised.")


class BroughtOut(Schema):
    issue: IssueOut = Field(description="The issue as it is now (escalated, when moved).")
    moved: bool = Field(
        description="Escalated to the meeting's team; false: its agenda listed it already."
    )


@router.post(
    "/rhythm/cadences/{cadence_id}/agenda/issues",
    response=BroughtOut,
    summary="Bring an open issue already raised to a meeting's agenda",
)
def bring_issue(request, cadence_id: Id, payload: BringIssueIn) -> dict:
    """An issue of a team below the meeting's is escalated, a level at a time (each step
    recorded, saying it was brought there), to the meeting's team, whose agenda lists its
    open issues; one the agenda lists already is left as it is (`moved` false). One of a
    team outside the meeting's, not open, or not the caller's to escalate is refused with
    nothing changed."""
    org = org_of(request)
    cadence = _cadence(request, cadence_id)
    issue = ref(Issue.objects.for_org(org), payload.issue_id, "issue_id", "issue")
    issue, moved = services.bring_to_agenda(org, actor_of(request), cadence, issue)
    return {"issue": get_or_404(issues_out(org), issue.pk, "issue"), "moved": moved}


# --- check-ins -----------------------------------------------------------------------------


@router.get("/rhythm/checkins", response=list[CheckInOut], summary="List check-ins")
@paginate(BoundedCountPagination)  # a check-in a week per person: millions in a year
def list_checkins(
    request,
    cadence_id: Id | None = None,
    person_id: Id | None = None,
    status: CheckInStatus | None = None,
):
    qs = CheckIn.objects.for_org(org_of(request)).order_by("-occurrence_start", "id")
    if cadence_id is not None:
        qs = qs.filter(cadence_id=cadence_id)
    if person_id is not None:
        qs = qs.filter(person_id=person_id)
    if status:
        qs = qs.filter(status=status)
    return qs


@router.post(
    "/rhythm/cadences/{cadence_id}/occurrences/{key}/checkin",
    response={201: CheckInOut},
    summary="Submit (or update) my check-in for an occurrence",
    auth=REPORTING,
)
def submit_checkin(request, cadence_id: Id, key: str, payload: CheckInIn):
    """Sent again for the same round (while its window is open), it updates that check-in
    and adds to it: values join those given before (a later one for the same item wins),
    and `highlights` or `blockers` left out of the body keep what was said, so sending
    only `highlights` erases none of the earlier report."""
    org = org_of(request)
    cadence = _cadence(request, cadence_id)
    given = payload.model_fields_set
    try:
        checkin = services.submit_checkin(
            org,
            actor_of(request),
            cadence,
            recurrence.parse_key(key),
            key_results=payload.key_results,
            objectives=payload.objectives,
            initiatives=payload.initiatives,
            measurables=payload.measurables,
            highlights=payload.highlights if "highlights" in given else None,
            blockers=payload.blockers if "blockers" in given else None,
            blocker_team=ref(
                Team.objects.for_org(org), payload.blocker_team_id, "blocker_team_id", "team"
            ),
            check_unusual=not payload.confirm,
        )
    except ServiceError as exc:  # named as this body names them, not as the page's form
        raise services.checkin_refusal_as_given(exc, ANYWAY_IN_THE_API) from None
    return Status(201, checkin)


class RemindedOut(Schema):
    reminded: int = Field(description="People reminded now.")
    already: int = Field(description="People not in yet who were reminded earlier this round.")


@router.post(
    "/rhythm/cadences/{cadence_id}/occurrences/{key}/remind",
    response=RemindedOut,
    summary="Remind those not in yet of a check-in round (each once a round at most)",
)
def remind_not_in_yet(request, cadence_id: Id, key: str) -> dict:
    cadence = _cadence(request, cadence_id)
    return services.remind_not_in_yet(
        org_of(request), actor_of(request), cadence, recurrence.parse_key(key)
    )


# --- meetings ------------------------------------------------------------------------------


def _meeting(request, meeting_id: Id) -> Meeting:
    return get_or_404(
        Meeting.objects.for_org(org_of(request)).select_related("cadence"), meeting_id, "meeting"
    )


def _minutes(org, meeting: Meeting) -> dict:
    from accord.rhythm import links

    avg, _ = queries.ratings_of(meeting)
    data = MeetingOut.from_orm(meeting).model_dump()
    marked = meeting.attendance.values("person_id", "present", "rating")
    if queries.attendance_listed(queries.participants_query(org, meeting.cadence)):
        data["attendance"] = list(marked.order_by("person_id"))
    else:
        data["attendance"] = list(marked.order_by("-pk")[:ATTENDANCE_ANSWERED])
    data["present_count"] = meeting.attendance.filter(present=True).count()
    data["headlines"] = [
        {
            "id": h.pk,
            "text": h.text,
            "author_id": h.author_id,
            "cascade_to": [t.pk for t in h.cascade_to.all()],
        }
        for h in meeting.headlines.prefetch_related("cascade_to")
    ]
    data["action_item_ids"] = [a.pk for a in links.meeting_action_items(org, [meeting.pk])]
    data["decision_ids"] = [d.pk for d in links.meeting_decisions(org, meeting.pk)]
    data["average_rating"] = avg
    return data


@router.get("/rhythm/meetings", response=list[MeetingOut], summary="List meetings")
@paginate(BoundedCountPagination)  # a meeting an occurrence of every cadence
def list_meetings(request, cadence_id: Id | None = None, status: MeetingStatus | None = None):
    qs = Meeting.objects.for_org(org_of(request)).order_by("-occurrence_start", "id")
    if cadence_id is not None:
        qs = qs.filter(cadence_id=cadence_id)
    if status:
        qs = qs.filter(status=status)
    return qs


@router.post(
    "/rhythm/cadences/{cadence_id}/occurrences/{key}/meeting",
    response=MeetingOut,
    summary="The meeting of an occurrence (created on first use)",
)
def open_meeting(request, cadence_id: Id, key: str):
    cadence = _cadence(request, cadence_id)
    return services.open_meeting(
        org_of(request), actor_of(request), cadence, recurrence.parse_key(key)
    )


@router.get(
    "/rhythm/meetings/{meeting_id}", response=MinutesOut, summary="A meeting and its minutes"
)
def get_meeting(request, meeting_id: Id):
    return _minutes(org_of(request), _meeting(request, meeting_id))


@router.get(
    "/rhythm/meetings/{meeting_id}/live-agenda",
    summary="The agenda as it would be built now from live data",
)
def live_agenda(request, meeting_id: Id) -> list[dict]:
    from accord.rhythm import agenda

    m = _meeting(request, meeting_id)
    # As the page shows it: with what the cadence's last meeting left, carried forward.
    return agenda.live(org_of(request), m.cadence, None, m)


@router.post(
    "/rhythm/meetings/{meeting_id}/start", response=MinutesOut, summary="Start: freeze the agenda"
)
def start_meeting(request, meeting_id: Id, early: bool = False):
    """Before the meeting's day this is refused (422 `confirm_early`) unless `early=true`:
    starting freezes the agenda."""
    org = org_of(request)
    m = services.start_meeting(org, actor_of(request), _meeting(request, meeting_id), early=early)
    return _minutes(org, m)


@router.post(
    "/rhythm/meetings/{meeting_id}/reopen",
    response=MinutesOut,
    summary="Reopen a started meeting: its agenda is live again",
)
def reopen_meeting(request, meeting_id: Id, payload: ReopenIn | None = None):
    """The body is optional: `{"reason": "…"}` is recorded with the reopening (its event)."""
    org = org_of(request)
    reason = payload.reason if payload else ""
    m = services.reopen_meeting(
        org, actor_of(request), _meeting(request, meeting_id), reason=reason
    )
    return _minutes(org, m)


@router.post(
    "/rhythm/meetings/{meeting_id}/notes", response=MinutesOut, summary="Notes of a section"
)
def meeting_notes(request, meeting_id: Id, payload: NotesIn):
    org = org_of(request)
    m = services.save_notes(
        org, actor_of(request), _meeting(request, meeting_id), payload.section, payload.text
    )
    return _minutes(org, m)


@router.post("/rhythm/meetings/{meeting_id}/attendance", response=MinutesOut, summary="Attendance")
def meeting_attendance(request, meeting_id: Id, payload: AttendanceIn):
    org = org_of(request)
    m = _meeting(request, meeting_id)
    person = ref(Person.objects.for_org(org), payload.person_id, "person_id", "person")
    services.set_attendance(org, actor_of(request), m, person, payload.present)
    return _minutes(org, m)


@router.post(
    "/rhythm/meetings/{meeting_id}/action-items",
    response={201: dict},
    summary="Record an action item (owned by the decisions pillar)",
)
def meeting_action_item(request, meeting_id: Id, payload: ActionIn):
    org = org_of(request)
    owner = ref(Person.objects.for_org(org), payload.owner_id, "owner_id", "person")
    team = None
    if payload.team_id is not None:
        team = ref(Team.objects.for_org(org), payload.team_id, "team_id", "team")
    item = services.add_action_item(
        org,
        actor_of(request),
        _meeting(request, meeting_id),
        title=payload.title,
        owner=owner,
        due_on=payload.due_on,
        team=team,
        again=payload.again,
    )
    return Status(
        201,
        {
            "id": item.pk,
            "title": item.title,
            "owner_id": owner.pk,
            "due_on": item.due_on,
            "team_id": item.team_id,
        },
    )


class MeetingDecisionIn(InputSchema):
    question: str = Field(..., min_length=1, max_length=300)
    approver_id: Id
    outcome: str = Field("", max_length=5000)
    rationale: str = Field(
        "",
        max_length=5000,
        description="Why. Required with an outcome when the caller is the approver (decided "
        "at once): a decision is final once made.",
    )
    again: bool = Field(False, description=twice.again_doc("decision"))
    decide_by: dt.date | None = Field(
        None, description="By when its approver is to decide it: today or later."
    )
    informed_ids: list[Id] | None = Field(
        None,
        description="Who is told when it is decided (its informed people). Not given: "
        "everyone in the meeting, present or absent, but its approver; [] for nobody.",
    )
    options: list[Annotated[str, Field(min_length=1, max_length=200)]] = Field(
        [],
        max_length=20,
        description="The options considered, by title; the one the outcome names is chosen.",
    )
    initiative_id: Id | None = Field(None, description="The initiative it is about, linked.")


@router.post(
    "/rhythm/meetings/{meeting_id}/decisions",
    response={201: dict},
    summary="Record a decision (owned by the decisions pillar, linked to the meeting)",
)
def meeting_decision(request, meeting_id: Id, payload: MeetingDecisionIn):
    org = org_of(request)
    approver = ref(Person.objects.for_org(org), payload.approver_id, "approver_id", "person")
    informed = None
    if payload.informed_ids is not None:
        informed = [
            ref(Person.objects.for_org(org), pk, "informed_ids", "person")
            for pk in payload.informed_ids
        ]
    initiative = None
    if payload.initiative_id is not None:
        from accord.alignment.models import Initiative

        initiative = ref(
            Initiative.objects.for_org(org), payload.initiative_id, "initiative_id", "initiative"
        )
    d = services.add_decision(
        org,
        actor_of(request),
        _meeting(request, meeting_id),
        question=payload.question,
        approver=approver,
        outcome=payload.outcome,
        rationale=payload.rationale,
        require_rationale=True,
        again=payload.again,
        decide_by=payload.decide_by,
        informed=informed,
        options=payload.options,
        initiative=initiative,
    )
    return Status(
        201, {"id": d.pk, "question": d.question, "status": d.status, "outcome": d.outcome}
    )


@router.post(
    "/rhythm/meetings/{meeting_id}/headlines", response={201: HeadlineOut}, summary="Headline"
)
def meeting_headline(request, meeting_id: Id, payload: HeadlineIn):
    org = org_of(request)
    teams = [ref(Team.objects.for_org(org), t, "cascade_to", "team") for t in payload.cascade_to]
    h = services.add_headline(
        org, actor_of(request), _meeting(request, meeting_id), payload.text, cascade_to=teams
    )
    return Status(201, h)


@router.post(
    "/rhythm/meetings/{meeting_id}/finish", response=MinutesOut, summary="Finish with ratings"
)
def finish_meeting(request, meeting_id: Id, payload: FinishIn):
    org = org_of(request)
    m = services.finish_meeting(
        org,
        actor_of(request),
        _meeting(request, meeting_id),
        ratings=payload.ratings,
        summary=payload.summary if "summary" in payload.model_fields_set else None,
    )
    return _minutes(org, m)


# --- scorecard -----------------------------------------------------------------------------


@router.get("/rhythm/measurables", response=list[MeasurableOut], summary="Scorecard measurables")
@paginate
def list_measurables(request, team_id: Id | None = None, archived: bool = False):
    qs = Measurable.objects.for_org(org_of(request)).filter(is_active=not archived).order_by("id")
    if team_id is not None:
        qs = qs.filter(team_id=team_id)
    return qs


@router.post("/rhythm/measurables", response={201: MeasurableOut}, summary="Add a measurable")
def create_measurable(request, payload: MeasurableIn):
    org = org_of(request)
    m = services.create_measurable(
        org,
        actor_of(request),
        team=ref(Team.objects.for_org(org), payload.team_id, "team_id", "team"),
        owner=ref(Person.objects.for_org(org), payload.owner_id, "owner_id", "person"),
        name=payload.name,
        goal_rule=payload.goal_rule,
        goal_low=payload.goal_low,
        goal_high=payload.goal_high,
        unit=payload.unit,
    )
    return Status(201, m)


@router.patch(
    "/rhythm/measurables/{measurable_id}", response=MeasurableOut, summary="Change a measurable"
)
def update_measurable(request, measurable_id: Id, payload: MeasurablePatch):
    org = org_of(request)
    m = get_or_404(Measurable.objects.for_org(org), measurable_id, "measurable")
    data = payload.model_dump(exclude_unset=True)
    if "owner_id" in data:
        data["owner"] = ref(Person.objects.for_org(org), data.pop("owner_id"), "owner_id", "person")
    return services.update_measurable(
        org, actor_of(request), m, expected_version=if_match(request), **data
    )


@router.post(
    "/rhythm/measurables/{measurable_id}/archive",
    response=MeasurableOut,
    summary="Take a measurable off the scorecard (values kept)",
)
def archive_measurable(request, measurable_id: Id):
    org = org_of(request)
    m = get_or_404(Measurable.objects.for_org(org), measurable_id, "measurable")
    return services.archive_measurable(org, actor_of(request), m)


@router.post(
    "/rhythm/measurables/{measurable_id}/restore",
    response=MeasurableOut,
    summary="Put an archived measurable back on the scorecard",
)
def restore_measurable(request, measurable_id: Id):
    org = org_of(request)
    m = get_or_404(Measurable.objects.for_org(org), measurable_id, "measurable")
    return services.archive_measurable(org, actor_of(request), m, archived=False)


@router.put(
    "/rhythm/measurables/{measurable_id}/values",
    response=MeasurableValueOut,
    summary="Push a weekly value (from another system)",
)
def put_value(request, measurable_id: Id, payload: MeasurableValueIn):
    org = org_of(request)
    m = get_or_404(Measurable.objects.for_org(org), measurable_id, "measurable")
    row = services.record_measurable_value(
        org, actor_of(request), m, week_start=payload.week, value=payload.value, source="api"
    )
    return row


@router.get(
    "/rhythm/measurables/{measurable_id}/values",
    response=list[MeasurableValueOut],
    summary="Weekly values, newest first",
)
@paginate
def list_values(request, measurable_id: Id):
    org = org_of(request)
    m = get_or_404(Measurable.objects.for_org(org), measurable_id, "measurable")
    return MeasurableValue.objects.filter(measurable=m).order_by("-week_start")


# --- calendar feeds (secret URL, no token header: calendar clients cannot send one) --------


@router.get(
    "/rhythm/calendar/{token}.ics",
    auth=None,
    summary="iCalendar feed (secret URL; 404 once revoked)",
    include_in_schema=True,
)
def calendar_feed(request, token: str):
    feed = ical.active_feed(token)
    if feed is None:
        raise Http404("No such calendar feed.")
    response = HttpResponse(ical.feed_body(feed), content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    return response
