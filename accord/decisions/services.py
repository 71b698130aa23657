"""Every write to decisions, action items and issues. Each records its events.

Who may do what:
- any member (not a viewer) may open a decision, raise an issue, record an action item;
- only the approver decides a decision (`actor=None`, the system, may too);
- a decided decision is immutable; it can only be superseded by another decision or
  reversed (by its approver, or a leader/admin), and both keep the original;
- an issue is solved or escalated by people of the team it sits in, or leaders/admins.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.apps import apps
from django.db import transaction
from django.utils import timezone

from accord.activity import describe
from accord.activity import services as activity
from accord.core.dates import check_in_range
from accord.core.errors import Duplicate, PermissionDenied, ServiceError
from accord.core.ids import as_id
from accord.core.services import (
    check_version,
    parse_date,
    require_long_text,
    require_text,
    update_and_record,
)
from accord.decisions import followthrough, notifications, queries
from accord.decisions.models import (
    LINKABLE,
    UNDECIDED,
    ActionItem,
    ActionSource,
    ActionStatus,
    Decision,
    DecisionLink,
    DecisionOption,
    DecisionStatus,
    Issue,
    IssueEscalation,
    IssueStatus,
    IssueVote,
    Severity,
    stale_after_days,
)
from accord.org.models import Membership, Organization, Person, Role, Team
from accord.org.permissions import (
    acts_as,
    refuse_agent,
    refuse_agent_actor,
    refuse_viewer,
    require_role,
)
from accord.org.queries import home_team
from accord.web.templatetags.dates import at_moment, day
from accord.web.templatetags.people import name_of

DECISION_FIELDS = (
    "question",
    "context",
    "outcome",
    "rationale",
    "driver",
    "approver",
    "decide_by",
    "revisit_on",
    "revisit_trigger",
)
ACTION_FIELDS = ("title", "owner", "team", "due_on")
ISSUE_FIELDS = ("title", "description", "severity")


# --- shared checks -----------------------------------------------------------------------


def _one(value: Any, field: str, what: str) -> Any:
    """Exactly one object where a list or nothing might have been given."""
    if isinstance(value, list | tuple | set):
        if len(value) != 1:
            raise ServiceError(
                f"A decision has exactly one {what}; {len(value)} were given.",
                fields={field: [f"Choose exactly one {what}."]},
                code="exactly_one",
            )
        value = next(iter(value))
    return value


def _in_org(org: Organization, obj: Any, field: str, what: str) -> Any:
    if obj is not None and obj.org_id != org.id:
        raise ServiceError(
            f"No {what} {obj.pk} in {org.name}.",
            fields={field: [f"Unknown {what}."]},
            code="unknown_reference",
        )
    return obj


def _active_person(
    org: Organization,
    person: Any,
    field: str,
    what: str,
    *,
    held_id: int | None = None,
    to: str = "",
) -> Person:
    """`person`, who must be active unless they are `held_id`, whom the record being
    changed already holds: a deactivated owner stays until someone chooses another. With
    `to` (what the role asks of them, "decide it"), also someone who may act: a viewer
    changes nothing, so would be given work they could never do."""
    _in_org(org, person, field, what)
    if person is None or person.pk == held_id:
        return person
    if not person.is_active:
        raise ServiceError(
            f"{person.name} is no longer active in {org.name}.",
            fields={field: [f"{person.name} is inactive."]},
        )
    if to:
        refuse_viewer(person, field, to)
    return person


def _people(org: Organization, people: Iterable[Person] | None, field: str) -> list[Person]:
    out = list(people or [])
    for p in out:
        _in_org(org, p, field, "person")
    return out


def _teams(org: Organization, teams: Iterable[Team] | None, field: str) -> list[Team]:
    out = list(teams or [])
    for t in out:
        _in_org(org, t, field, "team")
    return out


def _today() -> dt.date:
    return timezone.localdate()


_date = parse_date


def _writer(actor: Person | None, action: str) -> None:
    require_role(actor, Role.MEMBER, action)


def _is_leader(actor: Person | None) -> bool:
    return actor is None or (actor.is_active and actor.has_role(Role.LEADER))


# --- decisions ---------------------------------------------------------------------------


def _decision_snapshot(d: Decision) -> dict[str, Any]:
    snap = activity.snapshot(d, (*DECISION_FIELDS, "status"))
    return snap


def _check_decision_editable(d: Decision) -> None:
    if d.status not in UNDECIDED:
        raise ServiceError(
            f"This decision is {d.get_status_display().lower()} and cannot be edited; "
            "supersede it with a new decision or reverse it instead.",
            code="immutable",
        )


def _may_edit_decision(actor: Person | None, d: Decision) -> None:
    _writer(actor, "edit decisions")
    if actor is None or _is_leader(actor):
        return
    if actor.pk in (d.driver_id, d.approver_id, d.created_by_id):
        return
    if d.contributors.filter(pk=actor.pk).exists():
        return
    raise PermissionDenied(
        "Only the decision's driver, approver, contributors, whoever opened it, "
        "or a leader may edit it."
    )


def can_edit_decision(actor: Person, decision: Decision) -> bool:
    """Whether `actor` may edit this decision, add options or propose (pages use it)."""
    if decision.status not in UNDECIDED:
        return False
    try:
        _may_edit_decision(actor, decision)
    except PermissionDenied:
        return False
    return True


def _clean_decision(
    org: Organization,
    data: dict[str, Any],
    *,
    not_before: dt.date | None = None,
    opened_on: dt.date | None = None,
    held: Decision | None = None,
    acting: bool = True,
) -> dict[str, Any]:
    """`opened_on`: the day the decision was opened; a revisit date is on or after it."""
    out = dict(data)
    if "question" in out:
        out["question"] = require_text(out["question"], "question", max_length=300)
    for name in ("context", "outcome", "rationale"):
        if name in out:
            out[name] = require_long_text(out[name], name)
    if "revisit_trigger" in out:
        out["revisit_trigger"] = (out["revisit_trigger"] or "").strip()
    if "revisit_trigger" in out and len(out["revisit_trigger"]) > 300:
        raise ServiceError(
            "The revisit trigger is too long (at most 300 characters).",
            fields={"revisit_trigger": ["At most 300 characters."]},
        )
    if "approver" in out:
        approver = _one(out["approver"], "approver", "approver")
        if approver is None:
            raise ServiceError(
                "A decision needs exactly one approver.",
                fields={"approver": ["Choose the one person who decides."]},
                code="exactly_one",
            )
        out["approver"] = _active_person(
            org,
            approver,
            "approver",
            "person",
            held_id=held.approver_id if held else None,
            to="decide it" if acting else "",
        )
        refuse_agent(out["approver"], "approver", "approve decisions")
    if "driver" in out:
        out["driver"] = _in_org(org, _one(out["driver"], "driver", "driver"), "driver", "person")
        # Who drives it works on it: never a viewer, who changes nothing (a file or an
        # import enters what was; one already driving it stays).
        held_driver = held.driver_id if held else None
        if acting and out["driver"] is not None and out["driver"].pk != held_driver:
            refuse_viewer(out["driver"], "driver", "drive a decision")
    for name in ("decide_by", "revisit_on"):
        if name in out:
            out[name] = _date(out[name], name)
    not_before = not_before or _today()
    if out.get("decide_by") and out["decide_by"] < not_before:
        raise ServiceError(
            f"The decide-by date {day(out['decide_by'])} is in the past.",
            fields={"decide_by": ["Choose today or a later date."]},
        )
    if out.get("revisit_on") and opened_on and out["revisit_on"] < opened_on:
        raise ServiceError(
            f"The revisit date {day(out['revisit_on'])} is before the decision was opened "
            f"({day(opened_on)}); choose that day or a later one.",
            fields={"revisit_on": [f"On or after {day(opened_on)}, when it was opened."]},
        )
    return out


def _refuse_twin_decision(
    org: Organization, actor: Person | None, question: str, approver: Person
) -> None:
    twin = queries.twin_decision(org, actor, question, approver)
    if twin is not None:
        raise Duplicate(
            f"You opened this decision {at_moment(twin.opened_at)}, for {approver.name} to "
            f"decide (#{twin.pk}, {twin.get_status_display().lower()}). Follow that one.",
            existing=twin,
            what="decision",
        )


@transaction.atomic
def create_decision(
    org: Organization,
    actor: Person | None,
    question: str,
    approver: Person,
    outcome: str = "",
    *,
    context: str = "",
    rationale: str = "",
    driver: Person | None = None,
    contributors: Iterable[Person] | None = None,
    informed: Iterable[Person] | None = None,
    teams: Iterable[Team] | None = None,
    decide_by: dt.date | None = None,
    revisit_on: dt.date | None = None,
    revisit_trigger: str = "",
    links: Iterable[tuple[str, int, str]] | None = None,
    opened_at: dt.datetime | None = None,
    again: bool = False,
) -> Decision:
    """Open a decision. Only question and approver are required.

    `links` are (target_type "app.model", target_id, label) tuples.
    `opened_at` backdates the opening (importers and the demo); the decide-by date may
    not be before the day it was opened.
    The same question put to the same approver by the same person a moment ago, still
    undecided, is refused (`Duplicate`, `queries.twin_decision`) unless `again`.
    """
    _writer(actor, "open decisions")
    dated = opened_at is not None  # history an import or the demo records: no second click
    opened_at = opened_at or timezone.now()
    check_in_range(opened_at, "opened_at", "The opening")
    data = _clean_decision(
        org,
        {
            "question": question,
            "approver": approver,
            "outcome": outcome,
            "context": context,
            "rationale": rationale,
            "driver": driver if driver is not None else actor,
            "decide_by": decide_by,
            "revisit_on": revisit_on,
            "revisit_trigger": revisit_trigger,
        },
        not_before=timezone.localdate(opened_at),
        opened_on=timezone.localdate(opened_at),
        acting=actor is not None,
    )
    contributors = _people(org, contributors, "contributors")
    informed = _people(org, informed, "informed")
    teams = _teams(org, teams, "teams")
    links = [_clean_link(t, i, label, org) for t, i, label in (links or [])]
    if not again and not dated:
        _refuse_twin_decision(org, actor, data["question"], data["approver"])
    d = Decision.objects.create(org=org, created_by=actor, opened_at=opened_at, **data)
    d.contributors.set(contributors)
    d.informed.set(informed)
    d.teams.set(teams)
    for target_type, target_id, label in links:
        DecisionLink.objects.create(
            org=org, decision=d, target_type=target_type, target_id=target_id, label=label
        )
    after = _decision_snapshot(d)
    after.update(
        contributors=[p.pk for p in contributors],
        informed=[p.pk for p in informed],
        teams=[t.pk for t in teams],
        # What it concerns, named as its page shows it ("Weekly sync · 9 Nov 2026").
        links=[label or f"{describe.kind_label(t)} {i}" for t, i, label in links],
    )
    # Only what was given: a quick record shows three lines, not twelve empty ones.
    after = {k: v for k, v in after.items() if v not in ("", None, [])}
    activity.record(org, actor, "created", d, after=after)
    return d


@transaction.atomic
def update_decision(
    org: Organization,
    actor: Person | None,
    decision: Decision,
    *,
    expected_version: int | None = None,
    contributors: Iterable[Person] | None = None,
    informed: Iterable[Person] | None = None,
    teams: Iterable[Team] | None = None,
    **changes: Any,
) -> Decision:
    """Change an open or proposed decision's fields or roles; refused once decided."""
    _in_org(org, decision, "decision", "decision")
    unknown = set(changes) - set(DECISION_FIELDS)
    if unknown:
        raise ServiceError(f"Cannot change {', '.join(sorted(unknown))} of a decision.")
    d = Decision.objects.select_for_update().get(pk=decision.pk)
    _check_decision_editable(d)
    _may_edit_decision(actor, d)
    check_version(d, expected_version)
    # An unchanged decide-by date that has since passed is not a new mistake.
    if "decide_by" in changes and _date(changes["decide_by"], "decide_by") == d.decide_by:
        changes.pop("decide_by")
    data = _clean_decision(
        org,
        changes,
        opened_on=timezone.localdate(d.opened_at),
        held=d,
        acting=actor is not None,
    )
    roles_before: dict[str, Any] = {}
    roles_after: dict[str, Any] = {}
    for name, values, field in (
        ("contributors", contributors, d.contributors),
        ("informed", informed, d.informed),
        ("teams", teams, d.teams),
    ):
        if values is None:
            continue
        values = _teams(org, values, name) if name == "teams" else _people(org, values, name)
        old = sorted(field.values_list("pk", flat=True))
        new = sorted(v.pk for v in values)
        if old != new:
            field.set(values)
            roles_before[name], roles_after[name] = old, new
    version_before = d.version
    update_and_record(org, actor, d, data)
    if roles_after:
        if d.version == version_before:
            d.version += 1
            d.save(update_fields=["version"])
        activity.record(org, actor, "roles_changed", d, before=roles_before, after=roles_after)
    return d


def _option_text(value: Any, field: str) -> str:
    """An option's pros or cons: an optional long text, as a description is
    (`require_long_text`): a control character is refused; direction controls, which
    paragraphs of mixed scripts pasted from elsewhere hold, are not."""
    return require_long_text(value, field)


@transaction.atomic
def add_option(
    org: Organization,
    actor: Person | None,
    decision: Decision,
    title: str,
    pros: str = "",
    cons: str = "",
) -> DecisionOption:
    _in_org(org, decision, "decision", "decision")
    d = Decision.objects.select_for_update().get(pk=decision.pk)
    _check_decision_editable(d)
    _may_edit_decision(actor, d)
    title = require_text(title, "title")
    pros, cons = _option_text(pros, "pros"), _option_text(cons, "cons")
    last = d.options.order_by("-position").values_list("position", flat=True).first()
    option = DecisionOption.objects.create(
        org=org,
        decision=d,
        title=title,
        pros=pros,
        cons=cons,
        position=0 if last is None else last + 1,
    )
    d.version += 1
    d.save(update_fields=["version"])
    activity.record(
        org,
        actor,
        "option_added",
        d,
        after={
            k: v
            for k, v in {
                "option": option.pk,
                "title": title,
                "pros": option.pros,
                "cons": option.cons,
            }.items()
            if v
        },
    )
    return option


@transaction.atomic
def update_option(
    org: Organization,
    actor: Person | None,
    option: DecisionOption,
    *,
    title: str | None = None,
    pros: str | None = None,
    cons: str | None = None,
) -> DecisionOption:
    """Change an option's title, pros or cons while its decision is still open to edits."""
    _in_org(org, option, "option", "option")
    d = Decision.objects.select_for_update().get(pk=option.decision_id)
    _check_decision_editable(d)
    _may_edit_decision(actor, d)
    changes: dict[str, Any] = {}
    if title is not None:
        changes["title"] = require_text(title, "title")
    for name, value in (("pros", pros), ("cons", cons)):
        if value is not None:
            changes[name] = _option_text(value, name)
    fields = list(changes)
    before = activity.snapshot(option, fields)
    for name, value in changes.items():
        setattr(option, name, value)
    before, after = activity.diff(before, activity.snapshot(option, fields))
    if not after:
        return option
    option.version += 1
    option.save(update_fields=[*after, "version"])
    d.version += 1
    d.save(update_fields=["version"])
    activity.record(
        org,
        actor,
        "option_changed",
        d,
        before={"option": option.pk, **before},
        after={"option": option.pk, **after},
    )
    return option


@transaction.atomic
def remove_option(org: Organization, actor: Person | None, option: DecisionOption) -> None:
    _in_org(org, option, "option", "option")
    d = Decision.objects.select_for_update().get(pk=option.decision_id)
    _check_decision_editable(d)
    _may_edit_decision(actor, d)
    activity.record(
        org, actor, "option_removed", d, before={"option": option.pk, "title": option.title}
    )
    option.delete()
    d.version += 1
    d.save(update_fields=["version"])


def may_link_decision(actor: Person, decision: Decision) -> bool:
    """Whether `actor` may say what this decision concerns (`link`, `unlink`): whoever may
    edit it, whatever its status (what a decided record concerns may still be noted)."""
    try:
        _may_edit_decision(actor, decision)
    except PermissionDenied:
        return False
    return True


@transaction.atomic
def link(
    org: Organization,
    actor: Person | None,
    decision: Decision,
    target_type: str,
    target_id: int,
    label: str = "",
) -> DecisionLink:
    """Say what a decision concerns: ("alignment.objective", 12, "Grow revenue"). Linked
    already, the link stands as it is (nothing is recorded twice)."""
    _in_org(org, decision, "decision", "decision")
    d = Decision.objects.select_for_update().get(pk=decision.pk)
    _may_edit_decision(actor, d)
    target_type, target_id, label = _clean_link(target_type, target_id, label, org)
    if target_type == "decisions.decision" and target_id == d.pk:
        raise ServiceError(
            "A decision cannot be linked to itself.",
            fields={"target_id": ["Choose another decision."]},
        )
    found = DecisionLink.objects.filter(
        decision=d, target_type=target_type, target_id=target_id
    ).first()
    if found:
        return found
    obj = DecisionLink.objects.create(
        org=org, decision=d, target_type=target_type, target_id=target_id, label=label
    )
    # The history names what it concerns, as the page does (unlabelled, its name now).
    named = label or queries.with_subject_titles([obj])[0].subject_title
    activity.record(
        org,
        actor,
        "linked",
        d,
        after={"target_type": target_type, "target_id": target_id, "label": named},
    )
    return obj


@transaction.atomic
def unlink(
    org: Organization,
    actor: Person | None,
    decision: Decision,
    target_type: str,
    target_id: Any,
) -> str:
    """Take back what `link` said the decision concerns; what it concerned may have been
    deleted since. Refused, changing nothing, where there is no such link. Returns the
    name the link gave it (as the history records it)."""
    _in_org(org, decision, "decision", "decision")
    d = Decision.objects.select_for_update().get(pk=decision.pk)
    _may_edit_decision(actor, d)
    missing = [n for n, v in (("target_type", target_type), ("target_id", target_id)) if not v]
    if missing:
        raise ServiceError(
            "Name the link to remove: its target_type and target_id.",
            fields={name: ["Required."] for name in missing},
        )
    pk = as_id(target_id)
    found = (
        queries.with_subjects(
            DecisionLink.objects.filter(decision=d, target_type=target_type, target_id=pk)
        ).first()
        if pk
        else None
    )
    if found is None:
        raise ServiceError(
            "This decision is not linked to that; nothing was removed.",
            fields={"target_id": ["Not linked."]},
            code="not_linked",
        )
    named = queries.subject_name(queries.with_subject_titles([found])[0])
    activity.record(
        org,
        actor,
        "unlinked",
        d,
        before={"target_type": target_type, "target_id": pk, "label": named},
    )
    found.delete()
    return named


def _clean_link(
    target_type: str, target_id: Any, label: str, org: Organization
) -> tuple[str, int, str]:
    if target_type not in LINKABLE:
        raise ServiceError(
            f"A decision cannot be linked to {target_type!r}; use one of "
            f"{', '.join(sorted(LINKABLE))}.",
            fields={"target_type": ["Unknown kind of target."]},
        )
    try:
        target_id = int(target_id)
    except (TypeError, ValueError):
        raise ServiceError(
            f"{target_id!r} is not an id.", fields={"target_id": ["Enter a number."]}
        ) from None
    # Only an object of this organization that exists: never another tenant's, never a guess.
    if not apps.get_model(target_type).objects.filter(org=org, pk=target_id).exists():
        raise ServiceError(
            f"No {target_type} {target_id} in {org.name}.", fields={"target_id": ["Unknown."]}
        )
    return target_type, target_id, require_text(label, "label", max_length=300, required=False)


@transaction.atomic
def propose(
    org: Organization,
    actor: Person | None,
    decision: Decision,
    outcome: str = "",
    rationale: str = "",
    *,
    option: Any = None,
    as_history: bool = False,
    proposed_at: dt.datetime | None = None,
) -> Decision:
    """Put a proposed outcome in front of the approver, one of the options considered
    (`option`: its outcome its title unless written) or another. `as_history`: the
    decision was proposed elsewhere already (an organization file read back), with or
    without the outcome written down; it is entered as it stands. `proposed_at`: when it
    was proposed, if not now (importers and the demo): the decision and its event say it."""
    _in_org(org, decision, "decision", "decision")
    d = Decision.objects.select_for_update().get(pk=decision.pk)
    if d.status != DecisionStatus.OPEN:
        raise ServiceError(
            f"Only an open decision can be proposed; this one is {d.status}.",
            code="wrong_status",
        )
    _may_edit_decision(actor, d)
    when = _moment(proposed_at, "proposed_at", "The proposal", after=d.opened_at, since="opened")
    changes: dict[str, Any] = {"status": DecisionStatus.PROPOSED, "proposed_at": when}
    chosen = _option_of(d, option)
    if chosen is not None:
        changes["chosen_option"] = chosen
        outcome = _outcome_for(d, chosen, outcome, as_history=as_history)
    if outcome:
        changes["outcome"] = require_long_text(outcome, "outcome")
    if rationale:
        changes["rationale"] = require_long_text(rationale, "rationale")
    if not changes.get("outcome", d.outcome) and not as_history:
        raise ServiceError(
            "Write the proposed outcome first.", fields={"outcome": ["Required to propose."]}
        )
    return update_and_record(org, actor, d, changes, verb="proposed")


def _outcome_for(
    d: Decision, chosen: DecisionOption, outcome: str, *, as_history: bool = False
) -> str:
    """The outcome of choosing `chosen`: what was written, unless nothing was, or only the
    title of the option chosen before (the form shows the outcome so far) with another
    option chosen now: its title. An outcome someone wrote is kept, whichever option.
    `as_history` (an organization file read back): the outcome as it stands, even none."""
    written = (outcome or "").strip()
    if as_history:
        return written or d.outcome
    if not written:
        return chosen.title
    before = d.chosen_option if d.chosen_option_id else None
    if before is not None and chosen.pk != before.pk and written == d.outcome == before.title:
        return chosen.title
    return written


def _option_of(d: Decision, option: Any) -> DecisionOption | None:
    """`option` (an option or its id) when it is one of `d`'s own, else a clear refusal."""
    if option in (None, ""):
        return None
    pk = option.pk if isinstance(option, DecisionOption) else option
    pk = as_id(pk)
    found = DecisionOption.objects.filter(decision=d, pk=pk).first() if pk else None
    if found is None:
        raise ServiceError(
            "That option is not one of this decision's.",
            fields={"option": ["Choose one of the options considered."]},
        )
    return found


RATIONALE_NEEDED = "Say why this outcome: the record keeps it."


def check_rationale(rationale: str, already: str = "") -> None:
    """Refused, changing nothing, unless there is a rationale (given, or `already`
    written): deciding makes the record final. The edges that ask a person to decide (the
    decision's page, a meeting's forms, the API) ask for it; files and imports do not."""
    if not ((rationale or "").strip() or (already or "").strip()):
        raise ServiceError(
            "Give the rationale: deciding makes this record final; it can then only be "
            "superseded or reversed.",
            fields={"rationale": [RATIONALE_NEEDED]},
            code="rationale_required",
        )


@transaction.atomic
def decide(
    org: Organization,
    actor: Person | None,
    decision: Decision,
    outcome: str = "",
    rationale: str = "",
    *,
    decided_at: dt.datetime | None = None,
    expected_version: int | None = None,
    option: Any = None,
    as_history: bool = False,
    require_rationale: bool = False,
    solving: Issue | None = None,
) -> Decision:
    """The approver decides, for one of the options considered (`option`: the outcome is
    its title unless written) or another. The informed people and affected teams are
    named in the event. `as_history`: decided elsewhere already (an organization file read
    back), its outcome as it stands. `require_rationale`: refused, changing nothing,
    unless a rationale is given or already written (the decision's page, a meeting's
    forms and the API ask it of the approver; files, imports and the demo may record a
    decision without one). Whoever raised an open issue it is about is told, but for the
    issue it is `solving` (its raiser is told it is solved instead)."""
    _in_org(org, decision, "decision", "decision")
    d = Decision.objects.select_for_update().get(pk=decision.pk)
    if actor is not None and actor.pk != d.approver_id:
        raise PermissionDenied(f"Only the approver ({d.approver.name}) can decide this decision.")
    refuse_agent_actor(actor, "decide a decision")
    _writer(actor, "decide")
    if d.status not in UNDECIDED:
        raise ServiceError(f"This decision is already {d.status}.", code="wrong_status")
    check_version(d, expected_version)
    chosen = _option_of(d, option)
    if chosen is not None:
        outcome = _outcome_for(d, chosen, outcome, as_history=as_history) or chosen.title
    elif not (outcome or "").strip() and d.status == DecisionStatus.PROPOSED:
        chosen = d.chosen_option  # the proposal decided as it stands
    outcome = require_long_text(outcome, "outcome") or d.outcome
    if not outcome:
        raise ServiceError(
            "A decision needs an outcome.", fields={"outcome": ["Write what was decided."]}
        )
    if require_rationale:
        check_rationale(rationale, d.rationale)
    when = decided_at or timezone.now()
    check_in_range(when, "decided_at", "The decision date")
    if when < d.opened_at:
        raise ServiceError("A decision cannot be decided before it was opened.")
    fields = ("status", "outcome", "rationale", "decided_at", "chosen_option")
    before = activity.snapshot(d, fields)
    d.status = DecisionStatus.DECIDED
    d.outcome = outcome
    d.chosen_option = chosen
    if rationale:
        d.rationale = require_long_text(rationale, "rationale")
    d.decided_at = when
    d.version += 1
    d.save(update_fields=[*fields, "version"])
    after = activity.snapshot(d, fields)
    # Who is told (queued below, delivered by the worker): named in the event too.
    informed = list(d.informed.values_list("pk", flat=True))
    teams = list(d.teams.values_list("pk", flat=True))
    if informed:
        after["informed"] = informed
    if teams:
        after["teams"] = teams
    after["latency_hours"] = round((when - d.opened_at).total_seconds() / 3600, 1)
    activity.record(org, actor, "decided", d, before=before, after=after)
    notifications.announce(org, actor, d, "decided")
    # Whoever raised an open issue it is about is told (the one it solves at once is told
    # that instead: `solve_issue_with_decision`).
    about = set(d.links.filter(target_type="decisions.issue").values_list("target_id", flat=True))
    about.discard(solving.pk if solving is not None else None)
    for issue in (
        Issue.objects.for_org(org)
        .filter(pk__in=about, status=IssueStatus.OPEN)
        .select_related("raised_by")
    ):
        notifications.tell_raiser(org, actor, issue, "decided", d)
    return d


def _moment(
    at: dt.datetime | None, field: str, what: str, *, after: dt.datetime | None, since: str
) -> dt.datetime:
    """When a change happened: now, or `at` for history entered later (the demo, imports),
    which may be neither out of range, nor after now, nor before `after` (the moment the
    thing was `since`, "opened", "decided"): the one moment the row and its event record."""
    now = timezone.now()
    if at is None:
        return now
    check_in_range(at, field, what)
    if at > now:
        raise ServiceError(
            f"{what} cannot be dated later than now.", fields={field: ["Not later than now."]}
        )
    if after is not None and at < after:
        raise ServiceError(
            f"{what} cannot be dated before it was {since}.",
            fields={field: [f"Not before it was {since}."]},
        )
    return at


def _may_close(actor: Person | None, d: Decision, action: str) -> None:
    _writer(actor, action)
    refuse_agent_actor(actor, action)
    if actor is not None and actor.pk != d.approver_id and not _is_leader(actor):
        raise PermissionDenied(f"Only the approver ({d.approver.name}) or a leader may {action}.")


@transaction.atomic
def supersede(
    org: Organization,
    actor: Person | None,
    decision: Decision,
    by: Decision,
    reason: str,
    *,
    closed_at: dt.datetime | None = None,
) -> Decision:
    """Replace a decided decision by another; both are kept and point at each other.
    `closed_at`: when, if not now (the demo): the decision and its event say it."""
    _in_org(org, decision, "decision", "decision")
    _in_org(org, by, "by", "decision")
    d = Decision.objects.select_for_update().get(pk=decision.pk)
    new = Decision.objects.select_for_update().get(pk=by.pk)
    _may_close(actor, d, "supersede this decision")
    if d.status != DecisionStatus.DECIDED:
        raise ServiceError(
            f"Only a decided decision can be superseded; this one is {d.status}.",
            code="wrong_status",
        )
    if new.pk == d.pk:
        raise ServiceError(
            "A decision cannot supersede itself.", fields={"by": ["Choose another decision."]}
        )
    if new.status != DecisionStatus.DECIDED:
        # Only a live decision replaces one: an open question would leave the record
        # pointing at nothing decided, and nothing could undo it.
        why = (
            "is not decided yet"
            if new.status in UNDECIDED
            else f"is itself {new.get_status_display().lower()}"
        )
        raise ServiceError(
            f"“{new.question}” {why}; only a decided decision can replace another. "
            "Decide it first, then supersede this one with it.",
            fields={"by": ["Choose a decided decision."]},
            code="replacement_not_decided",
        )
    reason = require_text(reason, "reason", max_length=2000)
    when = _moment(closed_at, "closed_at", "The replacement", after=d.decided_at, since="decided")
    update_and_record(
        org,
        actor,
        d,
        {
            "status": DecisionStatus.SUPERSEDED,
            "superseded_by": new,
            "supersede_reason": reason,
            "closed_at": when,
        },
        verb="superseded",
    )
    activity.record(org, actor, "supersedes", new, after={"supersedes": d.pk, "reason": reason})
    notifications.announce(org, actor, d, "superseded")
    # Its open action items stay open (their owners finish or drop them), and their owners
    # are told the decision they carry out was replaced.
    notifications.tell_action_owners(org, actor, d)
    return d


@transaction.atomic
def reverse(
    org: Organization,
    actor: Person | None,
    decision: Decision,
    reason: str,
    *,
    closed_at: dt.datetime | None = None,
) -> Decision:
    """Undo a decided decision, with why; the original outcome is kept. `closed_at`: when,
    if not now (the demo): the decision and its event say it."""
    _in_org(org, decision, "decision", "decision")
    d = Decision.objects.select_for_update().get(pk=decision.pk)
    _may_close(actor, d, "reverse this decision")
    if d.status != DecisionStatus.DECIDED:
        raise ServiceError(
            f"Only a decided decision can be reversed; this one is {d.status}.",
            code="wrong_status",
        )
    reason = require_text(reason, "reason", max_length=2000)
    when = _moment(closed_at, "closed_at", "The reversal", after=d.decided_at, since="decided")
    d = update_and_record(
        org,
        actor,
        d,
        {"status": DecisionStatus.REVERSED, "reversal_reason": reason, "closed_at": when},
        verb="reversed",
    )
    notifications.announce(org, actor, d, "reversed")
    return d


# --- action items ------------------------------------------------------------------------


def _clean_action(
    org: Organization, data: dict[str, Any], held: ActionItem | None = None, *, acting: bool = True
) -> dict[str, Any]:
    out = dict(data)
    if "title" in out:
        out["title"] = require_text(out["title"], "title", max_length=300)
    if "owner" in out:
        owner = out["owner"]
        if owner is None:
            raise ServiceError(
                "An action item needs an owner.", fields={"owner": ["Choose who will do it."]}
            )
        out["owner"] = _active_person(
            org,
            owner,
            "owner",
            "person",
            held_id=held.owner_id if held else None,
            to="carry it out" if acting else "",
        )
    if "team" in out:
        out["team"] = _in_org(org, out["team"], "team", "team")
    if "due_on" in out:
        out["due_on"] = _date(out["due_on"], "due_on")
    return out


@transaction.atomic
def create_action_item(
    org: Organization,
    actor: Person | None,
    title: str,
    owner: Person,
    due_on: dt.date | None = None,
    team: Team | None = None,
    source_type: str = "",
    source_id: int | None = None,
    *,
    created_at: dt.datetime | None = None,
    again: bool = False,
) -> ActionItem:
    """An action item. `source_type` is one of ActionSource ("rhythm.meeting", …) or "".
    Without a `team` it is for the owner's home team (`home_team`), so that it is on that
    team's list and its lead sees it; none when the owner is in no team.

    A new item is due today or later; history (Accord's own writes, `actor` None, and
    `created_at`, which dates it back: the demo) keeps the due date it is given. The same
    item recorded by the same person a moment ago, still open, is refused (`Duplicate`,
    `queries.twin_action_item`) unless `again`."""
    _writer(actor, "record action items")
    data = _clean_action(
        org,
        {"title": title, "owner": owner, "team": team, "due_on": due_on},
        acting=actor is not None,
    )
    if data["team"] is None:
        data["team"] = home_team(data["owner"])
    history = actor is None or created_at is not None  # an import, the demo: as it was
    if not history and data["due_on"] is not None and data["due_on"] < _today():
        # As the form says it (the person's day, as for every date a person types).
        raise ServiceError(
            f"The due date {day(data['due_on'])} is in the past; choose today or later.",
            fields={"due_on": ["The date is in the past; choose today or later."]},
            code="past_date",
        )
    source_type = source_type or ""
    if source_type not in ActionSource.values:
        raise ServiceError(
            f"Unknown source {source_type!r}; use one of "
            f"{', '.join(v for v in ActionSource.values if v)} or none.",
            fields={"source_type": ["Unknown source."]},
        )
    if source_type and source_id is None:
        raise ServiceError(
            "Say which item the action came from.", fields={"source_id": ["Required."]}
        )
    # The source (a decision, an issue, a meeting, a check-in) is one of this organization's.
    if (
        source_type
        and not apps.get_model(source_type).objects.filter(org=org, pk=source_id).exists()
    ):
        what = ActionSource(source_type).label.lower()
        raise ServiceError(
            f"No {what} {source_id} in {org.name}.", fields={"source_id": [f"Unknown {what}."]}
        )
    if not again and not history:
        twin = queries.twin_action_item(
            org, actor, data["title"], data["owner"], data["team"], source_type, source_id
        )
        if twin is not None:
            raise Duplicate(
                f"You recorded this action item for {data['owner'].name} "
                f"{at_moment(twin.created_at)} (#{twin.pk}, still open). Follow that one.",
                existing=twin,
                what="action item",
            )
    item = ActionItem.objects.create(
        org=org,
        created_by=actor,
        source_type=source_type,
        source_id=source_id if source_type else None,
        created_at=created_at or timezone.now(),
        **data,
    )
    followthrough.changed(org.pk, None, followthrough.state(item))
    activity.record(
        org,
        actor,
        "created",
        item,
        after=activity.snapshot(item, (*ACTION_FIELDS, "source_type", "source_id")),
    )
    if not history:
        notifications.tell_owner(org, actor, item)  # given by someone else: an e-mail
    return item


def can_change_action(actor: Person, item: ActionItem) -> bool:
    """Whether `actor` may edit, complete, drop or reopen this action item (pages use it)."""
    try:
        _may_change_action(actor, item, "change it")
    except PermissionDenied:
        return False
    return True


def changeable_actions(actor: Person, items: Iterable[ActionItem], led: set[int]) -> set[int]:
    """The ids of `items` that `actor` may change (`can_change_action`), given the teams
    they lead (`led`): a list shows Done and Drop on those rows
    only, without a query each."""
    if not (actor.is_active and actor.has_role(Role.MEMBER)):
        return set()
    return {item.pk for item in items if _may_change(actor, item, led)}


def _may_change(actor: Person | None, item: ActionItem, led: set[int] | None = None) -> bool:
    """Whether `actor` may change `item`: Accord itself, a leader, its owner, whoever
    recorded it and a lead of its team (one of `led`, when given); an agent also where its
    owner owns it, recorded it or leads its team, as it may change its owner's key results
    (it works on their behalf: `acts_as`); a leader's rights only by its own role. At most
    one query."""
    if actor is None or _is_leader(actor):
        return True
    people = acts_as(actor)
    if item.owner_id in people or item.created_by_id in people:
        return True
    if not item.team_id:
        return False
    if led is not None:
        return item.team_id in led
    return Membership.objects.leading().filter(person__in=people, team_id=item.team_id).exists()


def _may_change_action(actor: Person | None, item: ActionItem, action: str) -> None:
    _writer(actor, action)
    if _may_change(actor, item):
        return
    raise PermissionDenied(
        "Only the action item's owner, whoever recorded it, its team's lead or a leader "
        f"may {action}."
    )


@transaction.atomic
def update_action_item(
    org: Organization,
    actor: Person | None,
    item: ActionItem,
    *,
    expected_version: int | None = None,
    **changes: Any,
) -> ActionItem:
    _in_org(org, item, "action_item", "action item")
    unknown = set(changes) - set(ACTION_FIELDS)
    if unknown:
        raise ServiceError(f"Cannot change {', '.join(sorted(unknown))} of an action item.")
    item = ActionItem.objects.select_for_update().get(pk=item.pk)
    _may_change_action(actor, item, "change it")
    if item.status != ActionStatus.OPEN:
        raise ServiceError(f"This action item is {item.status}; reopen it first.")
    was = followthrough.state(item)
    cleaned = _clean_action(org, changes, item, acting=actor is not None)
    # Never due before it was recorded (a person's edit; the system, entering history that
    # happened elsewhere, dates it as it was).
    recorded_on = timezone.localdate(item.created_at)
    if (
        actor is not None
        and cleaned.get("due_on") is not None
        and cleaned["due_on"] != item.due_on
        and cleaned["due_on"] < recorded_on
    ):
        raise ServiceError(
            f"The due date {day(cleaned['due_on'])} is before the action item was recorded "
            f"({day(recorded_on)}); choose that day or a later one.",
            fields={"due_on": [f"On or after {day(recorded_on)}, when it was recorded."]},
        )
    # Re-dated once its due day had ended everywhere, it slipped: follow-through counts it
    # late whatever its new date. Re-planned before, it counts against its new date: the
    # moment that would have been late for its completion (`followthrough.done_in_time`),
    # the same for every editor, whatever their zone.
    if (
        "due_on" in cleaned
        and cleaned["due_on"] != item.due_on
        and item.slipped_from is None
        and item.due_on is not None
        and not followthrough.done_in_time(timezone.now(), item.due_on)
    ):
        cleaned["slipped_from"] = item.due_on
    given = "owner" in cleaned and cleaned["owner"].pk != item.owner_id
    item = update_and_record(org, actor, item, cleaned, expected_version=expected_version)
    followthrough.changed(org.pk, was, followthrough.state(item))
    if given:
        notifications.tell_owner(org, actor, item)  # given to someone else: an e-mail
    return item


@transaction.atomic
def complete_action_item(
    org: Organization,
    actor: Person | None,
    item: ActionItem,
    *,
    done_at: dt.datetime | None = None,
) -> ActionItem:
    """Mark done now (or at `done_at`, for importers); the time is what follow-through uses."""
    _in_org(org, item, "action_item", "action item")
    item = ActionItem.objects.select_for_update().get(pk=item.pk)
    _may_change_action(actor, item, "complete it")
    if item.status != ActionStatus.OPEN:
        raise ServiceError(f"This action item is already {item.status}.", code="wrong_status")
    was = followthrough.state(item)
    item = update_and_record(
        org,
        actor,
        item,
        {"status": ActionStatus.DONE, "done_at": done_at or timezone.now()},
        verb="completed",
    )
    followthrough.changed(org.pk, was, followthrough.state(item))
    return item


@transaction.atomic
def drop_action_item(
    org: Organization,
    actor: Person | None,
    item: ActionItem,
    reason: str = "",
    *,
    dropped_at: dt.datetime | None = None,
) -> ActionItem:
    """Drop an open item, now or at `dropped_at` (the demo): the item and its event say
    the same moment."""
    _in_org(org, item, "action_item", "action item")
    item = ActionItem.objects.select_for_update().get(pk=item.pk)
    _may_change_action(actor, item, "drop it")
    if item.status != ActionStatus.OPEN:
        raise ServiceError(f"This action item is already {item.status}.", code="wrong_status")
    was = followthrough.state(item)
    item = update_and_record(
        org,
        actor,
        item,
        {
            "status": ActionStatus.DROPPED,
            "dropped_at": _moment(
                dropped_at, "dropped_at", "The drop", after=item.created_at, since="recorded"
            ),
        },
        verb="dropped",
    )
    followthrough.changed(org.pk, was, followthrough.state(item))
    return item


@transaction.atomic
def reopen_action_item(org: Organization, actor: Person | None, item: ActionItem) -> ActionItem:
    _in_org(org, item, "action_item", "action item")
    item = ActionItem.objects.select_for_update().get(pk=item.pk)
    _may_change_action(actor, item, "reopen it")
    if item.status == ActionStatus.OPEN:
        return item
    was = followthrough.state(item)
    item = update_and_record(
        org,
        actor,
        item,
        {"status": ActionStatus.OPEN, "done_at": None, "dropped_at": None},
        verb="reopened",
    )
    followthrough.changed(org.pk, was, followthrough.state(item))
    return item


# --- issues ------------------------------------------------------------------------------


def _may_act_for_team(actor: Person | None, team: Team, action: str) -> None:
    _writer(actor, action)
    if actor is None or _is_leader(actor):
        return
    if Membership.objects.filter(person=actor, team=team).exists():
        return
    raise PermissionDenied(f"Only people of {team.name} or a leader may {action}.")


def _severity(value: str) -> str:
    if value not in Severity.values:
        raise ServiceError(
            f"Unknown severity {value!r}; use one of {', '.join(Severity.values)}.",
            fields={"severity": ["Unknown severity."]},
        )
    return value


@transaction.atomic
def raise_issue(
    org: Organization,
    actor: Person | None,
    team: Team,
    title: str,
    description: str = "",
    severity: str = Severity.MEDIUM,
    *,
    opened_at: dt.datetime | None = None,
    raised_by: Person | None = None,
    raised_in: Team | None = None,
    again: bool = False,
) -> Issue:
    """Any member may raise an issue for any team to solve.

    `raised_by` defaults to the actor; importers and the demo (actor None) name the person.
    `raised_in`: the team that raises it (its "Issues raised by" list follows it), when
    another than `team`, where it sits (a check-in's blocker: raised by the team of whoever
    checked in, for the team that blocks them); by default `team` itself.
    The same issue raised for the same team by the same person a moment ago, still open,
    is refused (`Duplicate`, `queries.twin_issue`) unless `again`.
    """
    _writer(actor, "raise issues")
    if team is None:
        raise ServiceError("Say which team should solve it.", fields={"team": ["Required."]})
    _in_org(org, team, "team", "team")
    title = require_text(title, "title", max_length=300)
    severity = _severity(severity)
    when = opened_at or timezone.now()
    check_in_range(when, "opened_at", "The opening")
    twin = None if again or opened_at else queries.twin_issue(org, actor, title, team)
    if twin is not None:
        raise Duplicate(
            f"You raised this for {team.name} {at_moment(twin.opened_at)} (#{twin.pk}, still "
            "open). Follow that issue.",
            existing=twin,
            what="issue",
        )
    if raised_in is not None:
        _in_org(org, raised_in, "raised_in", "team")
    issue = Issue.objects.create(
        org=org,
        team=team,
        raised_in=raised_in or team,
        title=title,
        description=require_long_text(description, "description"),
        severity=severity,
        raised_by=_in_org(org, raised_by, "raised_by", "person") if raised_by else actor,
        opened_at=when,
        level_since=when,
    )
    activity.record(
        org, actor, "raised", issue, after=activity.snapshot(issue, (*ISSUE_FIELDS, "team"))
    )
    return issue


@transaction.atomic
def update_issue(
    org: Organization,
    actor: Person | None,
    issue: Issue,
    *,
    expected_version: int | None = None,
    **changes: Any,
) -> Issue:
    _in_org(org, issue, "issue", "issue")
    unknown = set(changes) - set(ISSUE_FIELDS)
    if unknown:
        raise ServiceError(f"Cannot change {', '.join(sorted(unknown))} of an issue.")
    issue = Issue.objects.select_for_update().get(pk=issue.pk)
    if actor is None or actor.pk != issue.raised_by_id:
        _may_act_for_team(actor, issue.team, "change this issue")
    else:
        _writer(actor, "change this issue")
    if "title" in changes:
        changes["title"] = require_text(changes["title"], "title", max_length=300)
    if "description" in changes:
        changes["description"] = require_long_text(changes["description"], "description")
    if "severity" in changes:
        changes["severity"] = _severity(changes["severity"])
    return update_and_record(org, actor, issue, changes, expected_version=expected_version)


def _check_level(issue: Issue, seen_team: int | None, done: str) -> None:
    """Refuse to act on an issue from a form opened while it was with another team
    (`seen_team`, the team the form showed; None: not checked): escalated meanwhile, it is
    the new team's now, and what was typed was written without knowing why it went up."""
    if seen_team is None or seen_team == issue.team_id:
        return
    up = issue.escalations.select_related("by", "to_team").order_by("-at", "-id").first()
    if up is not None and up.to_team_id == issue.team_id:
        who = name_of(up.by) if up.by else "Accord"
        why = f"{who} escalated it to {issue.team.name} {at_moment(up.at)}, after you opened "
        why += "this form"
        why += f" (“{up.reason}”)"
    else:
        why = f"it is with {issue.team.name} now, not the team it was with when you opened this"
    raise ServiceError(
        f"Not {done}: {why}. Read why; if it is still for you to say, send it again.",
        code="moved",
    )


@transaction.atomic
def escalate_issue(
    org: Organization,
    actor: Person | None,
    issue: Issue,
    reason: str,
    *,
    at: dt.datetime | None = None,
    seen_team: int | None = None,
) -> Issue:
    """Hand the issue to the parent team, with why. The root team cannot escalate further.
    `seen_team`: the team the form showed it with; refused when it moved since."""
    _in_org(org, issue, "issue", "issue")
    issue = Issue.objects.select_for_update().select_related("team").get(pk=issue.pk)
    if issue.status == IssueStatus.OPEN:
        _check_level(issue, seen_team, "escalated")
    _may_act_for_team(actor, issue.team, "escalate its issues")
    if issue.status != IssueStatus.OPEN:
        raise ServiceError(f"This issue is already {issue.status}.", code="wrong_status")
    parent = issue.team.parent
    if parent is None:
        raise ServiceError(
            f"{issue.team.name} is the top of the team tree; there is no one above to "
            "escalate to. Solve or drop the issue here.",
            code="at_root",
        )
    reason = require_text(reason, "reason", max_length=2000)
    when = at or timezone.now()
    days = max(0, (when - issue.level_since).days)
    IssueEscalation.objects.create(
        org=org,
        issue=issue,
        from_team=issue.team,
        to_team=parent,
        reason=reason,
        by=actor,
        at=when,
        days_at_level=days,
    )
    before = {"team": issue.team_id}
    issue.team = parent
    issue.level_since = when
    issue.flagged_at = None  # a new level, a new clock
    issue.version += 1
    issue.save(update_fields=["team", "level_since", "flagged_at", "version"])
    activity.record(
        org,
        actor,
        "escalated",
        issue,
        before=before,
        after={"team": parent.pk, "reason": reason, "days_at_level": days},
    )
    return issue


@transaction.atomic
def solve_issue(
    org: Organization,
    actor: Person | None,
    issue: Issue,
    resolution: str,
    *,
    decision: Decision | None = None,
    at: dt.datetime | None = None,
    seen_team: int | None = None,
) -> Issue:
    """Close the issue with how it was solved (optionally the decision that solved it).
    `seen_team`: the team the form showed it with; refused when it moved since."""
    _in_org(org, issue, "issue", "issue")
    _in_org(org, decision, "decision", "decision")
    issue = Issue.objects.select_for_update().select_related("team").get(pk=issue.pk)
    if issue.status == IssueStatus.OPEN:
        _check_level(issue, seen_team, "solved")
    _may_act_for_team(actor, issue.team, "solve its issues")
    if issue.status != IssueStatus.OPEN:
        raise ServiceError(f"This issue is already {issue.status}.", code="wrong_status")
    resolution = require_text(resolution, "resolution", max_length=5000)
    issue = update_and_record(
        org,
        actor,
        issue,
        {
            "status": IssueStatus.SOLVED,
            "resolution": resolution,
            "decision": decision,
            "closed_at": at or timezone.now(),
            "closed_by": actor,
        },
        verb="solved",
    )
    notifications.tell_raiser(org, actor, issue, "solved", decision)
    return issue


@transaction.atomic
def drop_issue(
    org: Organization,
    actor: Person | None,
    issue: Issue,
    reason: str,
    *,
    seen_team: int | None = None,
) -> Issue:
    _in_org(org, issue, "issue", "issue")
    issue = Issue.objects.select_for_update().select_related("team").get(pk=issue.pk)
    if issue.status == IssueStatus.OPEN:
        _check_level(issue, seen_team, "dropped")
    _may_act_for_team(actor, issue.team, "drop its issues")
    if issue.status != IssueStatus.OPEN:
        raise ServiceError(f"This issue is already {issue.status}.", code="wrong_status")
    reason = require_text(reason, "reason", max_length=2000)
    issue = update_and_record(
        org,
        actor,
        issue,
        {
            "status": IssueStatus.DROPPED,
            "resolution": reason,
            "closed_at": timezone.now(),
            "closed_by": actor,
        },
        verb="dropped",
    )
    notifications.tell_raiser(org, actor, issue, "dropped")
    return issue


# --- solving issues in a meeting (identify, discuss, solve) --------------------------------
# An issue has an owner and a rank in its team's list; people vote on it (one vote each,
# changeable); in the meeting it is solved (a decision and action items), kept for next
# time or escalated to the parent team (`escalate_issue`). Each is one call, one transaction.

RANK_MAX = 999


def _open_issue_for_update(org: Organization, issue: Issue) -> Issue:
    _in_org(org, issue, "issue", "issue")
    issue = Issue.objects.select_for_update().select_related("team").get(pk=issue.pk)
    if issue.status != IssueStatus.OPEN:
        raise ServiceError(f"This issue is already {issue.status}.", code="wrong_status")
    return issue


@transaction.atomic
def set_issue_owner(
    org: Organization, actor: Person | None, issue: Issue, owner: Person | None
) -> Issue:
    """Who brings the issue to the meeting and sees it through (None: nobody yet)."""
    issue = _open_issue_for_update(org, issue)
    _may_act_for_team(actor, issue.team, "choose who owns its issues")
    if owner is not None and owner.pk != issue.owner_id:
        to = "see it through" if actor is not None else ""
        owner = _active_person(org, owner, "owner", "person", to=to)
    return update_and_record(org, actor, issue, {"owner": owner}, verb="assigned")


def _rank(value: Any) -> int | None:
    if value in (None, ""):
        return None
    try:
        rank = int(str(value).strip())
    except ValueError:
        rank = 0
    if not 1 <= rank <= RANK_MAX:
        raise ServiceError(
            f"A rank is a whole number from 1 (first) to {RANK_MAX}, not {value!r}.",
            fields={"rank": [f"From 1 to {RANK_MAX}."]},
        )
    return rank


@transaction.atomic
def edit_issue(
    org: Organization,
    actor: Person | None,
    issue: Issue,
    *,
    title: str,
    description: str,
    severity: str,
    owner: Person | None,
    rank: Any,
    expected_version: int | None = None,
) -> Issue:
    """An open issue changed from its page at once: its own facts, its owner and its rank,
    each recorded as its own change (all or nothing). `expected_version`: the version the
    form was opened at; refused when the issue changed since (`check_version`)."""
    issue = _open_issue_for_update(org, issue)
    check_version(issue, expected_version)
    facts = {"title": title, "description": description, "severity": severity}
    changed = {k: v for k, v in facts.items() if getattr(issue, k) != v}
    if changed:
        issue = update_issue(org, actor, issue, **changed)
    if (owner.pk if owner else None) != issue.owner_id:
        issue = set_issue_owner(org, actor, issue, owner)
    if _rank(rank) != issue.rank:
        issue = rank_issue(org, actor, issue, rank)
    return issue


@transaction.atomic
def rank_issue(org: Organization, actor: Person | None, issue: Issue, rank: Any) -> Issue:
    """Place the issue in its team's list: 1 comes first; empty takes it out of the order."""
    issue = _open_issue_for_update(org, issue)
    _may_act_for_team(actor, issue.team, "rank its issues")
    return update_and_record(org, actor, issue, {"rank": _rank(rank)}, verb="ranked")


@transaction.atomic
def vote_issue(org: Organization, actor: Person, issue: Issue, value: Any) -> IssueVote | None:
    """The actor's vote on an open issue: 1 (up), -1 (down) or 0 (take the vote back).
    One vote per person per issue: voting again changes it."""
    _writer(actor, "vote on issues")
    if actor is None:
        raise ServiceError("Only a person can vote.")
    _in_org(org, actor, "person", "person")
    issue = _open_issue_for_update(org, issue)
    try:
        value = int(str(value).strip())
    except ValueError:
        value = None
    if value not in (-1, 0, 1):
        raise ServiceError(
            "A vote is 1 (up), -1 (down) or 0 (take it back).",
            fields={"value": ["Vote up, down or take it back."]},
        )
    found = IssueVote.objects.filter(issue=issue, person=actor).first()
    before = found.value if found else 0
    if before == value:
        return found
    if value == 0:
        found.delete()
        found = None
    elif found:
        found.value = value
        found.save(update_fields=["value", "updated_at"])
    else:
        found = IssueVote.objects.create(org=org, issue=issue, person=actor, value=value)
    activity.record(org, actor, "voted", issue, before={"vote": before}, after={"vote": value})
    return found


@transaction.atomic
def keep_issue(org: Organization, actor: Person | None, issue: Issue, note: str = "") -> Issue:
    """Not solved today: keep the issue on the list for next time (it stays where it is)."""
    issue = _open_issue_for_update(org, issue)
    _may_act_for_team(actor, issue.team, "keep its issues for next time")
    note = require_text(note, "note", max_length=500, required=False, label="The note")
    issue.kept_count += 1
    issue.version += 1
    issue.save(update_fields=["kept_count", "version"])
    activity.record(
        org,
        actor,
        "kept",
        issue,
        after={"kept_count": issue.kept_count, **({"note": note} if note else {})},
    )
    return issue


@transaction.atomic
def solve_issue_with_decision(
    org: Organization,
    actor: Person | None,
    issue: Issue,
    *,
    outcome: str,
    rationale: str = "",
    approver: Person | None = None,
    actions: Iterable[dict[str, Any]] = (),
    meeting_id: int | None = None,
    require_rationale: bool = False,
    informed: Iterable[Person] | None = None,
) -> Issue:
    """Solve the issue as a team does in its meeting: the decision taken (decided at once,
    its approver the actor unless named), the action items that carry it out (each from
    the issue) and the issue closed by that decision. All of it or nothing.
    `require_rationale`: decided at once, it is refused without a rationale, as `decide`
    (a meeting's page and the API ask for it; named another approver, it waits for them).
    `informed`: the decision's informed people (solved in a meeting: everyone in it)."""
    issue = _open_issue_for_update(org, issue)
    _may_act_for_team(actor, issue.team, "solve its issues")
    outcome = require_text(outcome, "outcome", max_length=5000)
    approver = approver if approver is not None else actor
    if approver is None:
        raise ServiceError("Name who approves the decision.", fields={"approver": ["Required."]})
    _active_person(org, approver, "approver", "person", to="decide it" if actor else "")
    refuse_agent(approver, "approver", "approve decisions")
    decided_now = actor is None or actor.pk == approver.pk
    if require_rationale and decided_now:
        check_rationale(rationale)
    links = [("decisions.issue", issue.pk, issue.title[:300])]
    if meeting_id is not None:
        links.append(("rhythm.meeting", meeting_id, ""))
    # Solved once (the issue closes), so never a second click: no twin is looked for.
    decision = create_decision(
        org,
        actor,
        f"How do we solve “{issue.title}”?"[:300],
        approver,
        outcome,
        rationale=rationale,
        teams=[issue.team],
        informed=informed,
        links=links,
        again=True,
    )
    if decided_now:
        decision = decide(
            org,
            actor,
            decision,
            outcome,
            rationale,
            require_rationale=require_rationale,
            solving=issue,  # its raiser is told it is solved, below
        )
    for n, a in enumerate(actions):
        if not (a.get("title") or "").strip():
            continue
        try:
            create_action_item(
                org,
                actor,
                a.get("title"),
                a.get("owner"),
                due_on=a.get("due_on"),
                team=issue.team,
                source_type=ActionSource.ISSUE,
                source_id=issue.pk,
                again=True,
            )
        except ServiceError as exc:
            raise ServiceError(
                f"Action item {n + 1}: {exc.message}",
                fields={f"action_{n + 1}_{k}": v for k, v in exc.fields.items()},
                code=exc.code,
            ) from None
    return solve_issue(org, actor, issue, outcome, decision=decision)


# --- flags raised by the worker ------------------------------------------------------------


def flag_stale_issues(org: Organization, now: dt.datetime | None = None) -> int:
    """Record `decisions.issue.stuck` once per level for issues open too long at one level,
    saying in `stuck_since` when it got stuck by the rule (the stale days after it reached
    its level), however long after that this job notices it.

    Each issue is claimed with one conditional UPDATE, so two workers never flag it twice.
    """
    now = now or timezone.now()
    stale = dt.timedelta(days=stale_after_days(org))
    cutoff = now - stale
    candidates = (
        Issue.objects.for_org(org)
        .filter(status=IssueStatus.OPEN, level_since__lte=cutoff)
        .filter(flagged_at__isnull=True)
        .select_related("team")
    )
    flagged = 0
    for issue in candidates:
        with transaction.atomic():
            claimed = Issue.objects.filter(
                pk=issue.pk, level_since=issue.level_since, flagged_at__isnull=True
            ).update(flagged_at=now)
            if not claimed:
                continue
            activity.record(
                org,
                None,
                "stuck",
                issue,
                after={
                    "team": issue.team_id,
                    "stuck_since": issue.level_since + stale,
                    "days_at_level": (now - issue.level_since).days,
                    "severity": issue.severity,
                },
            )
            flagged += 1
    return flagged


def flag_overdue_decisions(org: Organization, today: dt.date | None = None) -> int:
    """Record `decisions.decision.overdue` once for each undecided decision past decide-by,
    saying in `overdue_since` the day it became overdue (`Decision.overdue_since`, the day
    after its decide-by date), however long after that this job notices it."""
    today = today or timezone.localdate()
    now = timezone.now()
    flagged = 0
    for d in Decision.objects.for_org(org).filter(
        status__in=UNDECIDED, decide_by__lt=today, overdue_flagged_at__isnull=True
    ):
        with transaction.atomic():
            if not Decision.objects.filter(pk=d.pk, overdue_flagged_at__isnull=True).update(
                overdue_flagged_at=now
            ):
                continue
            activity.record(
                org,
                None,
                "overdue",
                d,
                after={
                    "approver": d.approver_id,
                    "decide_by": d.decide_by,
                    "overdue_since": d.overdue_since,
                    "days_overdue": (today - d.decide_by).days,
                },
            )
            flagged += 1
    return flagged
