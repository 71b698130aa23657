"""Every write to organizations, people, teams and memberships. Each records one event."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email, validate_slug
from django.db import IntegrityError, models, transaction
from django.db.models import Value
from django.db.models.functions import Lower
from django.utils.timezone import localdate, now

from accord.activity import services as activity
from accord.core import security
from accord.core.errors import Conflict, NotFound, PermissionDenied, ServiceError
from accord.core.security import normalize_username
from accord.core.services import (
    check_version,
    delete_unless_in_use,
    lock_row,
    lock_rows,
    parse_date,
    require_long_text,
    require_same_org,
    require_text,
    require_unique_name,
    unique_slug,
    update_and_record,
    validate_timezone,
)
from accord.org import invitations, known, queries, signals
from accord.org.models import (
    DEFAULT_TEAM_KINDS,
    DEFAULT_TEAM_ROLES,
    ROLE_RANK,
    IdentityKind,
    Membership,
    MembershipRole,
    Organization,
    Person,
    PersonIdentity,
    PersonKind,
    Role,
    Team,
    TeamKind,
    TeamLink,
    TeamLinkKind,
    TeamRole,
    TeamState,
    TeamVacancy,
    normalize_identity,
)
from accord.org.permissions import (
    can_manage_agent,
    can_manage_people,
    require_role,
    require_team_admin,
)
from accord.web.templatetags.dates import day as day_text

PERSON_FIELDS = ("name", "email", "title", "role", "timezone", "is_active")
AGENT_FIELDS = (*PERSON_FIELDS, "kind", "owner")
AGENT_OWNER_FIELDS = ("name", "title", "role", "timezone", "is_active", "owner")  # its owner may
PROFILE_FIELDS = ("name", "title", "timezone")  # what anyone (a viewer too) may change of their own
# A person's extra addresses and handles (PersonIdentity): admins add them (imports and single
# sign-on know a person by them), the person themself may remove theirs.
IDENTITY_FIELDS = ("emails", "handles")
TEAM_FIELDS = (
    "name",
    "slug",
    "parent",
    "description",
    "kind",
    "state",
    "mission",
    "website",
    "repository",
    "chat",
    "mailing_list",
)
TEAM_LINKS = ("website", "repository", "chat", "mailing_list")
# What update_team may set the state to; retiring and reactivating have their own services.
LIVE_STATES = (TeamState.FORMING, TeamState.ACTIVE, TeamState.ADVISORY)
MEMBERSHIP_FIELDS = ("role", "allocation", "started_on")


# --- organizations -----------------------------------------------------------------------


@transaction.atomic
def create_organization(name: str, slug: str = "", *, owner_user=None) -> Organization:
    """A new organization; `owner_user`, if given, becomes its first admin."""
    name = require_text(name, "name")
    slug = slug or unique_slug(Organization.objects.all(), name, max_length=60)
    try:
        validate_slug(slug)
        valid = len(slug) <= 60
    except ValidationError:
        valid = False
    if not valid:
        raise ServiceError(
            f"{slug!r} cannot be an organization's address: use at most 60 letters, digits, "
            "hyphens and underscores.",
            fields={"slug": ["Letters, digits, hyphens and underscores."]},
        )
    if Organization.objects.filter(slug=slug).exists():
        raise ServiceError(f"The address {slug!r} is taken.", fields={"slug": ["Already in use."]})
    org = Organization.objects.create(name=name, slug=slug)
    activity.record(org, None, "created", org, after={"name": name, "slug": slug})
    add_default_kinds_and_roles(org)
    if owner_user is not None:
        add_person(
            org,
            None,
            name=owner_user.get_full_name() or owner_user.get_username(),
            email=owner_user.email,
            role=Role.ADMIN,
            user=owner_user,
        )
    return org


def add_default_kinds_and_roles(org: Organization) -> None:
    """What a new organization starts with: the kinds of team and the roles in a team of
    `DEFAULT_TEAM_KINDS` and `DEFAULT_TEAM_ROLES` (each organization edits its own lists
    after). For a new organization only (`create_organization`, `accord generate`)."""
    TeamKind.objects.bulk_create([TeamKind(org=org, slug=s, name=n) for s, n in DEFAULT_TEAM_KINDS])
    TeamRole.objects.bulk_create([TeamRole(org=org, slug=s, name=n) for s, n in DEFAULT_TEAM_ROLES])


@transaction.atomic
def purge_organization(org: Organization) -> dict[str, int]:
    """Delete an organization and every row that belongs to it or refers to it, whatever
    the apps' `on_delete` rules (PROTECT guards against deleting one object in use, not a
    whole tenant at once). Its event log goes too. Returns the rows deleted per model.

    Ids are collected first (rows of models with an `org`, then rows that refer to those,
    until nothing new turns up), then deleted; foreign keys are checked at commit.
    """
    from django.apps import apps

    models = apps.get_models(include_auto_created=True)
    doomed: dict[Any, set] = {}
    for model in models:
        for f in model._meta.concrete_fields:
            if f.is_relation and f.related_model is Organization:
                pks = model._base_manager.filter(**{f.attname: org.pk}).values_list("pk", flat=True)
                doomed.setdefault(model, set()).update(pks)
    grew = True
    while grew:
        grew = False
        for model in models:
            for f in model._meta.concrete_fields:
                targets = doomed.get(f.related_model) if f.is_relation else None
                if not targets:
                    continue
                found: set = set()
                for chunk in _chunks(sorted(targets)):
                    qs = model._base_manager.filter(**{f"{f.attname}__in": chunk})
                    found.update(qs.values_list("pk", flat=True))
                new = found - doomed.get(model, set())
                if new:
                    doomed.setdefault(model, set()).update(new)
                    grew = True
    deleted: dict[str, int] = {}
    for model, pks in doomed.items():
        for chunk in _chunks(sorted(pks)):
            qs = model._base_manager.filter(pk__in=chunk)
            count = qs._raw_delete(qs.db)
            deleted[model._meta.label] = deleted.get(model._meta.label, 0) + count
    Organization.objects.filter(pk=org.pk).delete()
    return deleted


def _chunks(items: list, size: int = 500):
    for start in range(0, len(items), size):
        yield items[start : start + size]


# --- people ------------------------------------------------------------------------------


def _clean_person(data: dict[str, Any], *, kept_timezone: str | None = None) -> dict[str, Any]:
    out = dict(data)
    if "name" in out:
        out["name"] = require_text(out["name"], "name")
    if out.get("email"):
        try:
            validate_email(out["email"])
        except ValidationError:
            raise ServiceError(
                f"{out['email']!r} is not an e-mail address.",
                fields={"email": ["Enter a valid e-mail address."]},
            ) from None
    if "role" in out and out["role"] not in Role.values:
        raise ServiceError(
            f"Unknown role {out['role']!r}; use one of {', '.join(Role.values)}.",
            fields={"role": ["Unknown role."]},
        )
    if "timezone" in out:  # a zone kept from before (EST) stands; a new one is checked
        out["timezone"] = validate_timezone(out["timezone"], kept=kept_timezone)
    return out


@transaction.atomic
def add_person(
    org: Organization,
    actor: Person | None,
    *,
    name: str,
    email: str = "",
    title: str = "",
    role: str = Role.MEMBER,
    timezone: str | None = None,
    user=None,
    emails: Any = None,
    handles: Any = None,
    invite: bool = False,
    team: Team | None = None,
    role_in_team: str = MembershipRole.MEMBER,
) -> Person:
    """A new person; `emails` (extra addresses) and `handles` ("github:ada") are refused
    when they, or `email`, already belong to someone else of the organization. `invite`:
    send them the invitation e-mail too (`send_invitation`; its refusal refuses both).
    `team`: their first team too, as `role_in_team` (`add_membership`; its refusal refuses
    both). Without a `timezone`, the organization's."""
    require_role(actor, Role.ADMIN, "add people")
    data = _clean_person(
        {
            "name": name,
            "email": email,
            "title": title,
            "role": role,
            "timezone": timezone or org.timezone,
        }
    )
    if user is not None and Person.objects.filter(org=org, user=user).exists():
        raise ServiceError(f"{user.get_username()} is already in {org.name}.", code="duplicate")
    pairs = _clean_identities(emails or [], handles or [], primary=data["email"])
    _check_primary_free(org, None, data["email"])
    _check_identities_free(org, None, pairs)
    person = Person.objects.create(org=org, user=user, **data)
    after = activity.snapshot(person, PERSON_FIELDS)
    if pairs:
        PersonIdentity.objects.bulk_create(
            [PersonIdentity(org=org, person=person, kind=k, value=v) for k, v in pairs]
        )
        _note_identities(org, pairs)
        after.update(_identity_lists(pairs))
    activity.record(org, actor, "created", person, after=after)
    if team is not None:
        add_membership(org, actor, person=person, team=team, role=role_in_team or "member")
    if invite:
        send_invitation(org, actor, person)
    return person


NEW_PERSON_FIELDS = ("name", "email", "title", "role", "timezone", *IDENTITY_FIELDS)


@transaction.atomic
def add_people(org: Organization, actor: Person | None, rows: list[dict[str, Any]]) -> list[Person]:
    """Many new people (each a dict of `add_person`'s arguments but `user`) in a few
    queries, each checked as `add_person` checks one and each with its event. One refusal
    refuses them all: add them one at a time to learn which was refused. A row without a
    time zone gets the organization's."""
    require_role(actor, Role.ADMIN, "add people")
    cleaned: list[tuple[dict[str, Any], list[tuple[str, str]]]] = []
    for row in rows:
        unknown = set(row) - set(NEW_PERSON_FIELDS)
        if unknown:
            raise ServiceError(f"Cannot set {', '.join(sorted(unknown))} of a new person.")
        data = _clean_person(
            {
                "name": row.get("name", ""),
                "email": row.get("email", ""),
                "title": row.get("title", ""),
                "role": row.get("role", Role.MEMBER),
                "timezone": row.get("timezone") or org.timezone,
            }
        )
        pairs = _clean_identities(
            row.get("emails") or [], row.get("handles") or [], primary=data["email"]
        )
        cleaned.append((data, pairs))
    # An extra address or handle names one person, and no one's primary address is
    # another's extra one: within this batch, and in the organization.
    primaries = {d["email"].lower() for d, _p in cleaned if d["email"]}
    extra = [pair for _d, pairs in cleaned for pair in pairs]
    seen: set[tuple[str, str]] = set()
    for kind, value in extra:
        if (kind, value) in seen or (kind == IdentityKind.EMAIL and value in primaries):
            raise Conflict(f"{value} is given for two new people.")
        seen.add((kind, value))
    _check_identities_free(org, None, extra)
    _check_primary_free(org, None, *primaries)
    people = Person.objects.bulk_create([Person(org=org, **data) for data, _p in cleaned])
    identities = [
        PersonIdentity(org=org, person=person, kind=k, value=v)
        for person, (_d, pairs) in zip(people, cleaned, strict=True)
        for k, v in pairs
    ]
    PersonIdentity.objects.bulk_create(identities)
    _note_identities(org, [(i.kind, i.value) for i in identities])
    for person, (_d, pairs) in zip(people, cleaned, strict=True):
        after = activity.snapshot(person, PERSON_FIELDS)
        if pairs:
            after.update(_identity_lists(pairs))
        activity.record(org, actor, "created", person, after=after)
    return people


@transaction.atomic
def update_person(
    org: Organization,
    actor: Person | None,
    person: Person,
    *,
    expected_version: int | None = None,
    **changes: Any,
) -> Person:
    require_same_org(org, person, "person")
    allowed = AGENT_OWNER_FIELDS if person.is_agent else ()
    unknown = set(changes) - set(PERSON_FIELDS) - set(IDENTITY_FIELDS) - set(allowed)
    if unknown:
        raise ServiceError(f"Cannot change {', '.join(sorted(unknown))} of a person.")
    is_self = actor is not None and actor.pk == person.pk
    if person.is_agent and actor is not None and can_manage_agent(actor, person):
        if set(changes) - set(AGENT_OWNER_FIELDS):
            require_role(actor, Role.ADMIN, "change an agent's e-mail")
    elif (
        set(changes) - set(PROFILE_FIELDS) - set(IDENTITY_FIELDS) or not is_self or actor.is_agent  # type: ignore[union-attr]
    ):
        require_role(actor, Role.ADMIN, "change other people or roles")
    elif set(changes) & set(IDENTITY_FIELDS):
        require_role(actor, Role.MEMBER, "change your addresses and handles")
    else:
        # Their own name, title and time zone are a person's own settings: a viewer's too.
        require_role(actor, Role.VIEWER, "change your profile")
    identities = {k: changes.pop(k) for k in IDENTITY_FIELDS if k in changes}
    data = _clean_person(changes, kept_timezone=person.timezone)
    person = Person.objects.select_for_update().get(pk=person.pk)
    if identities:
        check_version(person, expected_version)
        expected_version = None  # checked once, before either write bumps it
    if data.get("email") and data["email"].lower() != person.email.lower():
        _check_primary_free(org, person, data["email"])
        # An extra address that becomes the primary one is no longer an extra address.
        PersonIdentity.objects.filter(
            person=person, kind=IdentityKind.EMAIL, value=data["email"].lower()
        ).delete()
    if person.is_agent:
        if "owner" in data:
            data["owner"] = _check_owner(org, actor, data["owner"])
        _check_agent_role(data.get("role", person.role), data.get("owner") or person.owner)
    if data.get("role", person.role) != Role.ADMIN and person.role == Role.ADMIN:
        _keep_one_admin(org, person)
    if data.get("is_active") is False and person.role == Role.ADMIN:
        _keep_one_admin(org, person)
    # Deactivating or reactivating someone is said so in the log, not as an edit.
    verb = "updated"
    if "is_active" in data and data["is_active"] != person.is_active:
        verb = "reactivated" if data["is_active"] else "deactivated"
    if data.get("is_active") is False and person.is_active:
        _pause_agents_of(org, actor, person)
        # Someone who leaves works in no team: their current terms end today (kept as
        # history); the work they own keeps its owner until it is handed on.
        _end_current_terms(
            org,
            actor,
            Membership.terms.filter(person=person),
            localdate(),
            f"{person.name} was deactivated",
        )
        for end in ON_DEACTIVATION:
            end(org, actor, person)
    if "role" in data and not person.is_agent:
        _narrow_agents_of(org, actor, person, data["role"])
    person = update_and_record(
        org, actor, person, data, verb=verb, expected_version=expected_version
    )
    if identities:
        _replace_identities(org, actor, person, **identities)
    return person


@transaction.atomic
def share_timezone(person: Person) -> list[Person]:
    """Give `person`'s time zone to the people of their login in its other organizations,
    each changing their own profile there (recorded in each organization); one who has it
    already is left as they are. All or none. The people changed."""
    changed = []
    for other in queries.other_selves(person):
        if other.timezone != person.timezone:
            changed.append(update_person(other.org, other, other, timezone=person.timezone))
    return changed


def forget_person(org: Organization, actor: Person | None, person: Person) -> dict[str, int]:
    """Erase a deactivated person's personal data, keeping what they did under a neutral
    name ("Former member #12"); admins only. See `accord.org.forget`."""
    from accord.org import forget

    return forget.forget_person(org, actor, person)


# --- identities: extra e-mail addresses and handles ---------------------------------------

HANDLE_KINDS = tuple(k for k in IdentityKind.values if k != IdentityKind.EMAIL)


def parse_handle(text: Any) -> tuple[str, str]:
    """`github:ada` (or `slack:@ada`, `matrix:@ada:example.org`) as (kind, normalised value)."""
    if not isinstance(text, str) or ":" not in text:
        raise ServiceError(
            f"{text!r} is not a handle; write it as kind:name, e.g. github:ada "
            f"(kinds: {', '.join(HANDLE_KINDS)}).",
            fields={"handles": ["Write each handle as kind:name, e.g. github:ada."]},
        )
    kind, _, value = text.partition(":")
    kind = kind.strip().lower()
    if kind not in HANDLE_KINDS:
        raise ServiceError(
            f"Unknown kind of handle {kind!r}; use one of {', '.join(HANDLE_KINDS)}.",
            fields={"handles": ["Unknown kind of handle."]},
        )
    value = normalize_identity(kind, value)
    if not value or len(value) > 254 or any(c.isspace() for c in value):
        raise ServiceError(
            f"{text!r} has no name after {kind}: (or one with spaces, or too long).",
            fields={"handles": ["A handle is one word of at most 254 characters."]},
        )
    return kind, value


def handle_text(kind: str, value: str) -> str:
    return f"{kind}:{value}"


def _clean_identities(emails: Any, handles: Any, *, primary: str = "") -> list[tuple[str, str]]:
    """(kind, value) pairs, normalised, each once; the primary address is not repeated."""
    if isinstance(emails, str) or not isinstance(emails, list | tuple):
        raise ServiceError("emails must be a list of addresses.", fields={"emails": ["A list."]})
    if isinstance(handles, str) or not isinstance(handles, list | tuple):
        raise ServiceError("handles must be a list.", fields={"handles": ["A list."]})
    if len(emails) + len(handles) > 50:
        raise ServiceError("A person has at most 50 addresses and handles.")
    pairs: list[tuple[str, str]] = []
    for raw in emails:
        address = normalize_identity(IdentityKind.EMAIL, raw if isinstance(raw, str) else "")
        try:
            validate_email(address)
        except ValidationError:
            raise ServiceError(
                f"{raw!r} is not an e-mail address.",
                fields={"emails": ["Enter valid e-mail addresses."]},
            ) from None
        if address == primary.lower():
            continue
        pairs.append((IdentityKind.EMAIL.value, address))
    pairs.extend(parse_handle(h) for h in handles)
    return list(dict.fromkeys(pairs))


def _identity_lists(pairs) -> dict[str, list[str]]:
    pairs = sorted(pairs)
    return {
        "emails": [v for k, v in pairs if k == IdentityKind.EMAIL],
        "handles": [handle_text(k, v) for k, v in pairs if k != IdentityKind.EMAIL],
    }


def _check_primary_free(org: Organization, person: Person | None, *emails: str) -> None:
    """A primary address may not be someone else's, primary or extra (any case): one
    human is one person. (A run of an organization file matches people by address
    already, and tells here whether anyone has extra ones.)"""
    emails = tuple(sorted({e.lower() for e in emails if e}))
    if not emails:
        return
    run = known.of(org)
    if run is None:
        others = (
            Person.objects.for_org(org)
            .annotate(lower_email=Lower("email"))
            .filter(lower_email__in=emails)
        )
        if person is not None:
            others = others.exclude(pk=person.pk)
        clash = others.order_by("id").values_list("email", "pk", "name").first()
        if clash is not None:
            raise Conflict(f"{clash[0]} is the address of {clash[2]} (person {clash[1]}).")
    if run is not None and not run.may_have_extra_emails():
        return
    taken = PersonIdentity.objects.filter(org=org, kind=IdentityKind.EMAIL, value__in=emails)
    if person is not None:
        taken = taken.exclude(person=person)
    owner = taken.values_list("value", "person_id", "person__name").first()
    if owner is not None:
        raise Conflict(f"{owner[0]} is an address of {owner[2]} (person {owner[1]}).")


def _note_identities(org: Organization, pairs) -> None:
    """Tell the run in progress (known.remembering) that someone has an extra address."""
    run = known.of(org)
    if run is not None and any(k == IdentityKind.EMAIL for k, _v in pairs):
        run.extra_email_added()


def _check_identities_free(org: Organization, person: Person | None, pairs) -> None:
    """Refuse (409) an address or handle that belongs to someone else, naming them."""
    if not pairs:
        return
    found = queries.people_by_identity(
        org,
        emails=[v for k, v in pairs if k == IdentityKind.EMAIL],
        handles=[(k, v) for k, v in pairs if k != IdentityKind.EMAIL],
    )
    for (kind, value), other in found.items():
        if person is None or other.pk != person.pk:
            what = value if kind == IdentityKind.EMAIL else handle_text(kind, value)
            raise Conflict(f"{what} belongs to {other.name} (person {other.pk}).")


def _replace_identities(
    org: Organization, actor: Person | None, person: Person, *, emails=None, handles=None
) -> None:
    """Set the person's extra addresses (when `emails` is given) and handles (when
    `handles` is); one event with the lists before and after. Call in a transaction."""
    current = list(person.identities.values_list("kind", "value"))
    keep = [
        (k, v)
        for k, v in current
        if (emails is None and k == IdentityKind.EMAIL)
        or (handles is None and k != IdentityKind.EMAIL)
    ]
    wanted = _clean_identities(
        emails if emails is not None else [],
        handles if handles is not None else [],
        primary=person.email,
    )
    wanted = list(dict.fromkeys([*keep, *wanted]))
    _check_identities_free(org, person, [p for p in wanted if p not in current])
    gone, new = set(current) - set(wanted), [p for p in wanted if p not in current]
    if not gone and not new:
        return
    if new and actor is not None and not can_manage_people(actor):
        raise PermissionDenied(
            "Only an admin adds an address or handle: imports and single sign-on know a "
            "person by them, so one claimed by someone else would make them that person. "
            "Ask an admin to add it; you may remove yours."
        )
    for kind, value in gone:
        PersonIdentity.objects.filter(person=person, kind=kind, value=value).delete()
    PersonIdentity.objects.bulk_create(
        [PersonIdentity(org=org, person=person, kind=k, value=v) for k, v in new]
    )
    _note_identities(org, new)
    before, after = activity.diff(_identity_lists(current), _identity_lists(wanted))
    person.version += 1
    person.save(update_fields=["version"])
    activity.record(org, actor, "updated", person, before=before, after=after)


@transaction.atomic
def add_identity(
    org: Organization, actor: Person | None, person: Person, *, kind: str, value: str
) -> PersonIdentity:
    """One more address (kind `email`) or handle for a person (they or an admin)."""
    require_same_org(org, person, "person")
    lists = _identity_lists(person.identities.values_list("kind", "value"))
    if kind == IdentityKind.EMAIL:
        update_person(org, actor, person, emails=[*lists["emails"], value])
        value = normalize_identity(kind, value)
    else:
        kind, value = parse_handle(f"{kind}:{value}")
        update_person(org, actor, person, handles=[*lists["handles"], handle_text(kind, value)])
    found = PersonIdentity.objects.filter(person=person, kind=kind, value=value).first()
    if found is None:  # the primary address itself
        raise ServiceError(
            f"{value} is already {person.name}'s primary address.",
            fields={"value": ["Already the primary address."]},
        )
    return found


@transaction.atomic
def remove_identity(org: Organization, actor: Person | None, identity: PersonIdentity) -> None:
    require_same_org(org, identity, "address")
    person = identity.person
    lists = _identity_lists(person.identities.values_list("kind", "value"))
    if identity.kind == IdentityKind.EMAIL:
        lists["emails"].remove(identity.value)
        update_person(org, actor, person, emails=lists["emails"])
    else:
        lists["handles"].remove(handle_text(identity.kind, identity.value))
        update_person(org, actor, person, handles=lists["handles"])


# --- agents ------------------------------------------------------------------------------


def _check_owner(org: Organization, actor: Person | None, owner: Any) -> Person:
    """An agent's owner: an active person (never an agent) of the same organization, and
    — unless an admin (or Accord itself) chooses — the actor themself."""
    if owner is None:
        raise ServiceError(
            "An agent needs an owner: the person accountable for it.",
            fields={"owner": ["Choose the person accountable for this agent."]},
        )
    if not isinstance(owner, Person) or owner.org_id != org.id:
        raise ServiceError(
            "The owner must be a person of this organization.",
            fields={"owner": ["Not a person of this organization."]},
            code="unknown_reference",
        )
    if owner.is_agent:
        raise ServiceError(
            f"{owner.name} is an agent; an agent's owner must be a person.",
            fields={"owner": ["Choose a person, not an agent."]},
            code="agent_not_allowed",
        )
    if not owner.is_active:
        raise ServiceError(
            f"{owner.name} is no longer active in {org.name}.",
            fields={"owner": [f"{owner.name} is inactive."]},
        )
    if actor is not None and actor.pk != owner.pk and not actor.has_role(Role.ADMIN):
        raise PermissionDenied("Only an admin may make someone else accountable for an agent.")
    return owner


def _check_agent_role(role: str, owner: Person) -> None:
    """An agent never administers, and never has a wider role than its owner."""
    if role == Role.ADMIN:
        raise ServiceError(
            "An agent cannot be an admin; choose viewer, member or leader.",
            fields={"role": ["An agent cannot be an admin."]},
        )
    if ROLE_RANK[Role(role)] > ROLE_RANK[Role(owner.role)]:
        raise ServiceError(
            f"An agent's role cannot be wider than its owner's: {owner.name} is a {owner.role}.",
            fields={"role": [f"At most {owner.role}."]},
        )


@transaction.atomic
def add_agent(
    org: Organization,
    actor: Person | None,
    *,
    name: str,
    owner: Person | None,
    title: str = "",
    role: str = Role.MEMBER,
    timezone: str | None = None,
    email: str = "",
) -> Person:
    """A new agent (an AI assistant or an automation) owned by `owner`, who is accountable
    for what it does. Admins add agents for anyone; a member or leader adds one they own.
    An agent has no login: it acts only through API tokens. Without a `timezone`, the
    organization's."""
    if actor is not None:
        if actor.is_agent:
            raise PermissionDenied("An agent cannot add agents.")
        require_role(actor, Role.MEMBER, "add an agent")
    data = _clean_person(
        {
            "name": name,
            "email": email,
            "title": title,
            "role": role,
            "timezone": timezone or org.timezone,
        }
    )
    owner = _check_owner(org, actor, owner)
    _check_agent_role(data["role"], owner)
    agent = Person.objects.create(org=org, kind=PersonKind.AGENT, owner=owner, **data)
    activity.record(org, actor, "created", agent, after=activity.snapshot(agent, AGENT_FIELDS))
    return agent


def _require_agent_manager(org: Organization, actor: Person | None, agent: Person) -> None:
    require_same_org(org, agent, "person")
    # Who may ask comes first: one who manages no agents is refused alike for any person.
    if actor is not None and not actor.has_role(Role.ADMIN) and actor.pk != agent.owner_id:
        raise PermissionDenied(f"Only {agent.name}'s owner or an admin may manage it.")
    if not agent.is_agent:
        raise ServiceError(f"{agent.name} is a person, not an agent.", code="not_an_agent")
    if actor is not None and not can_manage_agent(actor, agent):
        raise PermissionDenied(f"Only {agent.name}'s owner or an admin may manage it.")


@transaction.atomic
def pause_agent(org: Organization, actor: Person | None, agent: Person) -> Person:
    """Pause an agent: its tokens are refused from the next request until it is resumed."""
    _require_agent_manager(org, actor, agent)
    agent = Person.objects.select_for_update().get(pk=agent.pk)
    if agent.paused_at is None:
        agent.paused_at = now()
        agent.version += 1
        agent.save(update_fields=["paused_at", "version"])
        activity.record(org, actor, "paused", agent, after={"paused_at": agent.paused_at})
    return agent


@transaction.atomic
def resume_agent(org: Organization, actor: Person | None, agent: Person) -> Person:
    _require_agent_manager(org, actor, agent)
    agent = Person.objects.select_for_update(of=("self",)).select_related("owner").get(pk=agent.pk)
    if agent.paused_at is not None:
        if not agent.owner.is_active:
            raise ServiceError(
                f"{agent.owner.name}, who owns {agent.name}, is inactive; give it a new owner "
                "first.",
                fields={"owner": ["The owner is inactive."]},
            )
        before = {"paused_at": agent.paused_at}
        agent.paused_at = None
        agent.version += 1
        agent.save(update_fields=["paused_at", "version"])
        activity.record(org, actor, "resumed", agent, before=before, after={"paused_at": None})
    return agent


# What each app ends when someone is deactivated, called inside the deactivation's
# transaction as (org, actor, person): their API tokens and their own calendar address are
# revoked, so that reactivating them later does not bring back a secret that may have
# leaked meanwhile. Apps add theirs in AppConfig.ready().
ON_DEACTIVATION: list[Callable[[Organization, Person | None, Person], None]] = []


def _pause_agents_of(org: Organization, actor: Person | None, person: Person) -> None:
    """Someone who leaves takes their accountability with them: their agents pause."""
    for agent in Person.objects.filter(owner=person, paused_at__isnull=True).order_by("id"):
        agent.paused_at = now()
        agent.version += 1
        agent.save(update_fields=["paused_at", "version"])
        activity.record(
            org,
            actor,
            "paused",
            agent,
            after={"paused_at": agent.paused_at, "reason": f"{person.name} was deactivated"},
        )


def _narrow_agents_of(org: Organization, actor: Person | None, person: Person, role: str) -> None:
    """An agent never has a wider role than its owner: when the owner's narrows, so do
    their agents' (each change recorded like any other)."""
    wider = [r for r, rank in ROLE_RANK.items() if rank > ROLE_RANK[Role(role)]]
    for agent in Person.objects.filter(org=org, owner=person, role__in=wider).order_by("id"):
        update_and_record(org, actor, agent, {"role": role})


def _keep_one_admin(org: Organization, leaving: Person) -> None:
    """Refuse to leave `org` without an active admin who can sign in (has an active login):
    an admin without one cannot administer anything, so they do not count."""
    others = Person.objects.filter(
        org=org, role=Role.ADMIN, is_active=True, user__isnull=False, user__is_active=True
    ).exclude(pk=leaving.pk)
    if not others.exists():
        raise ServiceError(
            f"{leaving.name} is the last admin of {org.name} who can sign in; make someone "
            "else with a login admin first.",
            fields={"role": ["The organization needs at least one admin."]},
        )


@transaction.atomic
def unlock_sign_in(org: Organization, actor: Person | None, person: Person) -> int:
    """Lift a sign-in lockout on `person`'s account (the failures counted against their
    sign-in name); admins of the person's organization only. Returns the failure records
    cleared. A lockout of an address is lifted with `accord manage axes_reset_ip`."""
    from axes.utils import reset as axes_reset

    require_same_org(org, person, "person")
    require_role(actor, Role.ADMIN, "unlock someone's sign-in")
    if person.user is None:
        raise ServiceError(f"{person.name} has no login, so nothing is locked.", code="no_login")
    if (why := _login_elsewhere(org, person.user)) is not None:
        raise PermissionDenied(
            f"{why}: an operator lifts its lock (`accord manage axes_reset_username`)."
        )
    username = normalize_username(person.user.get_username())
    lock = security.sign_in_lock(username=username)
    cleared = axes_reset(username=username)
    activity.record(
        org,
        actor,
        "unlocked",
        person,
        before={"sign_in_locked": lock is not None},
        after={"sign_in_locked": False, "failures_cleared": cleared},
    )
    return cleared


def check_password(password: str, user=None) -> None:
    """Refuse a password Django's validators (AUTH_PASSWORD_VALIDATORS) refuse."""
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ServiceError(
            "That password is too weak: " + " ".join(exc.messages),
            fields={"password": list(exc.messages)},
            code="weak_password",
        ) from None


def _login_elsewhere(org: Organization, user: Any) -> str | None:
    """Why an admin of `org` may not change `user`'s password or lift its lock: it is the
    login of someone in another organization (one login serves all of a person's
    organizations), or an operator's. None when it is this organization's alone."""
    if user.is_superuser or user.is_staff:
        return f"{user.get_username()} is an operator's login"
    if Person.objects.filter(user=user).exclude(org=org).exists():
        return f"{user.get_username()} also signs in to another organization"
    return None


class LoginNeedsItsHolder(ServiceError):
    """The person's address is already an Accord login, which an admin may not attach them
    to nor choose the password of: only its holder joins them to it (`join_with_login`),
    with a join link (`sign_in_link`, `send_invitation`). The message says nothing of whose
    login it is, nor of other organizations."""

    def __init__(self, message: str = ""):
        super().__init__(message or LOGIN_NEEDS_ITS_HOLDER, code="login_exists")


LOGIN_NEEDS_ITS_HOLDER = (
    "That address already has an Accord login; make a sign-in link so its holder can join."
)


def _account_of_address(person: Person) -> Any | None:
    """The existing account named by `person`'s main address (in any case), or None."""
    if not person.email:
        return None
    return get_user_model().objects.filter(username__iexact=person.email).first()


def _login_of(
    org: Organization, person: Person, password: str | None, *, by_admin: bool = True
) -> tuple[Any, bool]:
    """The login `person` signs in with: theirs, else a new one of their main address
    (with `password`, or none usable); also whether it was linked just now. An account that
    already has their address is never attached by an admin (`LoginNeedsItsHolder`: only
    its holder joins it, `join_with_login`); the operator's command (`by_admin` False) may.
    Refused for a person without an address, or whose address is another person's login
    here."""
    if person.user_id is None and not person.email:
        raise ServiceError(f"{person.name} has no e-mail address to sign in with.")
    user = person.user or _account_of_address(person)
    if user is not None and person.user_id is None:
        other = Person.objects.filter(org=org, user=user).exclude(pk=person.pk).first()
        if other is not None:
            raise Conflict(f"{person.email} is how {other.name} (person {other.pk}) signs in.")
        if Person.objects.filter(pk=person.pk, user=user).exists():  # `person` was stale
            person.refresh_from_db(fields=["user", "version"])
        elif by_admin:
            raise LoginNeedsItsHolder()
    if user is None:
        user = ensure_user(person.email, password, name=person.name)
    elif password is not None:
        if by_admin and (why := _login_elsewhere(org, user)) is not None:
            raise PermissionDenied(
                f"{why}: its password is its own, changed only by them (or by an operator "
                "with `accord password`)."
            )
        check_password(password, user)
        user.set_password(password)
        user.save(update_fields=["password"])
    if person.user_id is not None:
        return user, False
    person.user = user
    person.version += 1
    person.save(update_fields=["user", "version"])
    return user, True


@transaction.atomic
def give_login(org: Organization, actor: Person | None, person: Person, password: str) -> Any:
    """Let `person` sign in with their main address and `password`: their login is created
    (or the account of that address is theirs), or its password replaced (`_login_of`)."""
    require_same_org(org, person, "person")
    if actor is not None:
        require_role(actor, Role.ADMIN, "give people a login")
    user, linked = _login_of(org, person, password, by_admin=actor is not None)
    verb = "login_given" if linked else "password_set"
    activity.record(org, actor, verb, person, after={"login": user.get_username()})
    return user


@transaction.atomic
def sign_in_link(org: Organization, actor: Person | None, person: Person) -> str:
    """A one-time link for `person` to sign in with (an invitation, or a lost password), as
    the path of its page: to choose their password (valid for PASSWORD_RESET_TIMEOUT, spent
    once a password is set); when their address is already an Accord login they are not
    linked to, a join link (`tokens.join_link_person`) for its holder to prove it and join;
    when their login is also someone's in another organization (or an operator's), whose
    password no admin here may choose, none: refused, saying how they get back in
    (`own_login_note`). Their login is made if their address has none (with no usable
    password until then). The newest link replaces the earlier ones. Admins only; refused
    while password sign-in is off, and for someone deactivated or an agent. The page says
    nothing of whether the address was a login already, but the link is the admin's to
    open (a join link's page says it): an invitation e-mail, whose link only the address's
    holder sees, tells the admin less."""
    from django.conf import settings
    from django.urls import reverse

    from accord.org.tokens import make_join_token

    require_same_org(org, person, "person")
    if actor is not None:
        require_role(actor, Role.ADMIN, "make sign-in links")
    if not settings.ACCORD_PASSWORD_SIGNIN:
        raise ServiceError("Password sign-in is off here: people sign in with single sign-on.")
    how, user = _password_login(org, actor, person)
    if how == invitations.OWN_PASSWORD:
        raise ServiceError(own_login_note(person), code="own_login")
    expires_at = now() + invitations.expiry()
    after = {"login": person.email if user is None else user.get_username()}
    after["link_expires_at"] = expires_at.isoformat()
    event = activity.record(org, actor, invitations.LINK_MADE, person, after=after)
    if how == JOIN:
        return reverse("join", kwargs={"token": make_join_token(person, event)})
    uid, token = _password_token(user)  # after its event: it replaces the links made before
    return reverse("set_password", kwargs={"uidb64": uid, "token": token})


def signs_in_with_own_login(org: Organization, person: Person) -> bool:
    """Whether `person`'s login is also someone's in another organization (or an
    operator's): its password is its holder's alone, and no admin here makes them a link
    to choose one (`sign_in_link`)."""
    return person.user is not None and _login_elsewhere(org, person.user) is not None


def own_login_note(person: Person) -> str:
    """What an admin is told for someone who `signs_in_with_own_login`, instead of a link:
    how they sign in, and how they get back in when they lost their password."""
    said = (
        f"{person.name} signs in with the password of their own Accord login, which no admin "
        "here chooses: there is no sign-in link to make for them. If they lost it, "
    )
    if invitations.email_configured():
        return said + (
            "“Forgot your password?” on the sign-in page e-mails them a link to choose a new one."
        )
    return said + "someone who runs Accord sets a new one (`accord password`)."


# How a one-time link lets someone in, besides `invitations.NEW_PASSWORD` (choose the
# password of a login of theirs) and `OWN_PASSWORD` (they have one, shared elsewhere).
JOIN = invitations.JOIN


def _password_login(org: Organization, actor: Person | None, person: Person) -> tuple[str, Any]:
    """How `person` gets in with a link, and their login: (NEW_PASSWORD, login) to choose
    its password (made now if their address has none); (JOIN, None) when their address is
    already a login they are not linked to, whose holder joins them (`join_with_login`);
    (OWN_PASSWORD, login) when their login is also someone's in another organization (or
    an operator's), whose password is theirs alone."""
    if not person.is_active or person.is_agent:
        raise ServiceError(f"{person.name} cannot sign in (deactivated, or an agent).")
    try:
        user, _linked = _login_of(org, person, None)
    except LoginNeedsItsHolder:
        return JOIN, None
    if not user.is_active:
        raise ServiceError(f"The account of {user.get_username()} is switched off.")
    if _login_elsewhere(org, user) is not None:
        return invitations.OWN_PASSWORD, user
    return invitations.NEW_PASSWORD, user


@transaction.atomic
def join_with_login(token: str, user: Any) -> Person:
    """The holder of a login joins the person a join link was made for (`sign_in_link`,
    `send_invitation`): `user` is the login they proved they hold (signed in with its
    password, or signed in as it already), which must be the account of the person's
    address. The person is linked to it (recorded as `login_given`, by the person).
    Refused when the link does not work (`tokens.join_link_person`: too old, replaced,
    spent once the person has a login; the person deactivated or an agent), when the login
    is switched off, and when someone else of the organization already signs in with it."""
    from accord.org.tokens import JoinLinkRefused, join_link_person

    try:
        person = join_link_person(token, lock=True)
    except JoinLinkRefused as exc:
        raise ServiceError(JOIN_REFUSED[exc.reason], code=f"join_{exc.reason}") from None
    if user is None or not user.is_active:
        raise PermissionDenied("That login is switched off.")
    if normalize_username(user.get_username()) != normalize_username(person.email):
        raise PermissionDenied(f"You are not signed in as {person.email}.")
    org = person.org
    other = Person.objects.filter(org=org, user=user).exclude(pk=person.pk).first()
    if other is not None:
        raise Conflict(f"{user.get_username()} already signs in to {org.name} as {other.name}.")
    person.user = user
    person.version += 1
    person.save(update_fields=["user", "version"])
    after = {"login": user.get_username(), "joined_by": "its holder"}
    activity.record(org, person, "login_given", person, after=after)
    return person


def note_sign_in(person: Person, at: Any) -> None:
    """`person` signed in to their organization at `at`: the moment of the sign-in event
    `activity.signins.landed` records in the same transaction, which is this write's event
    (one UPDATE; the person's version is not an edit of their profile, so it stays)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("note_sign_in() must be called inside the sign-in's transaction")
    Person.objects.filter(pk=person.pk).update(last_signed_in=at)
    person.last_signed_in = at


JOIN_REFUSED = {
    "invalid": "This link is not a working join link.",
    "expired": "This link is too old. Ask an administrator of the organization for a new one.",
    "replaced": (
        "A newer link was made for you since this one, and replaced it. Use the newest link "
        "you were sent, or ask an administrator of the organization for a new one."
    ),
    "spent": "This link was used already: you are in the organization.",
    "cannot": "This link no longer works: ask an administrator of the organization.",
}


def _password_token(user: Any) -> tuple[str, str]:
    """(uidb64, token) of a one-time link for `user` to choose their password. Made after
    the event that records the link (`invitations.LINK_MADE`, or `INVITED` with a link):
    the newest link replaces the earlier ones (`accord.org.tokens`)."""
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from accord.org.tokens import sign_in_links

    return urlsafe_base64_encode(force_bytes(user.pk)), sign_in_links.make_token(user)


@transaction.atomic
def send_invitation(org: Organization, actor: Person | None, person: Person) -> dict[str, Any]:
    """E-mail `person` an invitation to the organization, through the one delivery path
    (queued here, sent by the worker): who invited them, the address they sign in with,
    and a one-time link to choose their password with when it stops working (a join link
    when their address is already a login they are not linked to, told and recorded as a
    link to choose a password, so the admin, who never sees it, is not told; the
    organization's address when their login is also another organization's, or when people
    sign in with single sign-on only). Admins only; refused for someone who has
    signed in since they were added, who is deactivated, an agent or without an address,
    when e-mail is not set up, and a second time within a minute. Recorded as `invited`.
    Returns {"email", "signs_in_with", "expires_at"} (no link: it is in the e-mail alone)."""
    from django.conf import settings

    from accord.activity import delivery
    from accord.activity.models import Notification

    require_same_org(org, person, "person")
    require_role(actor, Role.ADMIN, "invite people")
    if person.is_agent or not person.is_active:
        raise ServiceError(
            f"{person.name} cannot sign in (deactivated, or an agent), so is not invited.",
            code="cannot_sign_in",
        )
    if not person.email:
        raise ServiceError(
            f"{person.name} has no e-mail address to send an invitation to.",
            fields={"email": ["An invitation needs an e-mail address."]},
            code="no_email",
        )
    if not invitations.email_configured():
        raise ServiceError(
            "Accord sends no e-mail here (EMAIL_HOST or EMAIL_BACKEND is not set): make a "
            "sign-in link on their page and send it yourself.",
            code="email_not_configured",
        )
    if invitations.last_sign_in(person) is not None:
        raise ServiceError(
            f"{person.name} already signs in; a sign-in link gets them a new password.",
            code="already_signed_in",
        )
    when = now()
    key = invitations.topic(person)
    recent = Notification.objects.filter(
        topic=key, person=person, created_at__gt=when - invitations.RESEND_AFTER
    )
    if recent.exists():
        raise ServiceError(
            f"An invitation to {person.email} was queued less than a minute ago.",
            code="just_invited",
        )
    expires_at = user = None
    if settings.ACCORD_PASSWORD_SIGNIN:
        how, user = _password_login(org, actor, person)
    else:
        how = invitations.SINGLE_SIGN_ON
    # A join link (their address is a login already) is told to the admin, and recorded, as
    # a link to choose a password: they are not told whether the address was a login.
    told = invitations.NEW_PASSWORD if how == JOIN else how
    after = {"email": person.email, "signs_in_with": told}
    if how in (invitations.NEW_PASSWORD, JOIN):
        expires_at = when + invitations.expiry()
        after["link_expires_at"] = expires_at.isoformat()
    # Recorded before its link is made, which then replaces the earlier ones (undone with
    # the rest when the e-mail is not queued).
    event = activity.record(org, actor, invitations.INVITED, person, after=after)
    if how == JOIN:
        from accord.org.tokens import make_join_token

        link = invitations.join_link(make_join_token(person, event))
    elif how == invitations.NEW_PASSWORD:
        link = invitations.password_link(*_password_token(user))
    else:
        link = invitations.org_link(org)
    subject, text, label = invitations.message(org, actor, person, how=how, expires_at=expires_at)
    queued = delivery.notify(
        org,
        kind=invitations.KIND,
        key=key,
        subject=subject,
        text=text,
        link=link,
        link_label=label,
        people=[person],
        once_per=invitations.RESEND_AFTER,
        now=when,
    )
    if not queued:
        raise ServiceError(
            f"{person.name} turned e-mail off: make a sign-in link on their page instead.",
            code="email_off",
        )
    return {"email": person.email, "signs_in_with": told, "expires_at": expires_at}


@transaction.atomic
def invite_people(
    org: Organization,
    actor: Person | None,
    text: str,
    *,
    role: str = Role.MEMBER,
    timezone: str | None = None,
    team: Team | None = None,
    role_in_team: str = MembershipRole.MEMBER,
    send: bool = True,
) -> invitations.Plan:
    """Add the people of a pasted list (`invitations.parse`: "Name <address>", "address"
    or "Name, address", one a line) in one transaction, each through `add_person` (with
    `role` and `timezone`, else the organization's), to `team` too when given (as
    `team_role`), and queue each one's invitation e-mail when `send`. Those already in the
    organization are skipped. A line that cannot be read refuses the whole list, naming
    each such line: nothing changes.
    Returns the plan carried out (`new` then holds the people added)."""
    require_role(actor, Role.ADMIN, "invite people")
    if team is not None:
        require_same_org(org, team, "team")
        _refuse_retired(team)
        role_in_team = team_role(org, role_in_team)
    if send and not invitations.email_configured():
        raise ServiceError(
            "Accord sends no e-mail here (EMAIL_HOST or EMAIL_BACKEND is not set): add them "
            "without invitations, then make each a sign-in link on their page.",
            fields={"send": ["E-mail is not set up."]},
            code="email_not_configured",
        )
    found = invitations.plan(org, text)
    if found.errors:
        raise ServiceError(
            "Nobody was added. Correct these lines: " + "; ".join(found.error_messages),
            fields={"people": found.error_messages},
            code="bad_lines",
        )
    if not found.new and not found.existing:
        raise ServiceError(
            "Paste one person a line.", fields={"people": ["Nobody to add."]}, code="empty"
        )
    for line in found.new:
        line.existing = add_person(
            org,
            actor,
            name=line.name,
            email=line.email,
            role=role,
            timezone=timezone,
            invite=send,
        )
        if team is not None:
            add_membership(org, actor, person=line.existing, team=team, role=role_in_team)
    return found


def ensure_user(email: str, password: str | None, *, name: str = "") -> Any:
    """The login user for `email`, created (with `password`) when missing."""
    User = get_user_model()
    user = User.objects.filter(username=email).first()
    if user is None:
        first, _, last = name.partition(" ")
        user = User(username=email, email=email, first_name=first[:150], last_name=last[:150])
        if password:
            check_password(password, user)
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
    return user


# --- teams -------------------------------------------------------------------------------


def _all_refusals(*checks: Callable[[], Any]) -> None:
    """Run every check, then refuse with all their field errors at once (their messages
    joined), so a form learns of a bad web page and a bad mailing list in one submit, not
    one per submit. Not being allowed is not an input error: it is raised at once."""
    found: list[ServiceError] = []
    for check in checks:
        try:
            check()
        except (PermissionDenied, NotFound, Conflict):
            raise
        except ServiceError as exc:
            found.append(exc)
    if len(found) == 1:
        raise found[0]
    if found:
        fields: dict[str, list[str]] = {}
        for exc in found:
            for name, errors in exc.fields.items():
                fields.setdefault(name, []).extend(errors)
        raise ServiceError(
            " ".join(exc.message for exc in found), fields=fields, code=found[0].code
        )


def _check_parent(org: Organization, team: Team | None, parent: Team | None) -> None:
    if parent is None:
        return
    require_same_org(org, parent, "parent team")
    retired = Team.objects.filter(pk=parent.pk, state=TeamState.RETIRED).exists()
    if retired and (team is None or not team.is_retired):
        raise ServiceError(
            f"{parent.name} is retired: a current team cannot be placed under it.",
            fields={"parent": [f"{parent.name} is retired."]},
            code="parent_retired",
        )
    if team is None or team.pk is None:
        return
    if parent.pk == team.pk:
        raise ServiceError(
            f"{team.name} cannot be its own parent.",
            fields={"parent": ["A team cannot contain itself."]},
        )
    if team.pk in queries.ancestor_ids(org, [parent.pk])[parent.pk]:
        raise ServiceError(
            f"Moving {team.name} under {parent.name} would make a cycle: "
            f"{parent.name} is inside {team.name}.",
            fields={"parent": [f"{parent.name} is a sub-team of {team.name}."]},
            code="cycle",
        )


def _check_team_name(org: Organization, name: str, parent: Team | None, team: Team | None) -> None:
    """Refuse a current team named as a current sibling (same parent, or both at the top),
    whatever the case: two "Brand Marketing" side by side cannot be told apart in pickers,
    messages ("Brand Marketing 100% + Brand Marketing 100%") or files. Teams of one name
    elsewhere in the tree are common in large organizations (an "Operations" in every
    division): pickers name where each sits. A retired team's name may be taken again;
    reactivating one whose name a current sibling has since taken is refused."""
    # By the lower-case name's index: a scan of the organization's names for each new team
    # (an import of 10,000) took a minute.
    same = (
        Team.objects.for_org(org)
        .current()
        .alias(lower_name=Lower("name"))
        .filter(lower_name=Lower(Value(name)), parent=parent)
    )
    if team is not None and team.pk is not None:
        same = same.exclude(pk=team.pk)
    clash = same.order_by("id").values_list("name", "slug").first()
    if clash is not None:
        where = f"under {parent.name}" if parent is not None else "at the top of the tree"
        raise ServiceError(
            f"A team {where} is already called {clash[0]!r} (/{clash[1]}/): two teams of one "
            "name side by side cannot be told apart. Choose another name, or rename or retire "
            "that team first.",
            fields={"name": [f"Another team {where} has this name."]},
            code="duplicate",
        )


@transaction.atomic
def create_team(
    org: Organization,
    actor: Person | None,
    *,
    name: str,
    slug: str = "",
    parent: Team | None = None,
    description: str = "",
    kind: TeamKind | str | None = None,
    state: str = TeamState.ACTIVE,
    mission: str = "",
    website: str = "",
    repository: str = "",
    chat: str = "",
    mailing_list: str = "",
    retired_on: Any = None,
) -> Team:
    """A new team. It may start retired (`state="retired"`, `retired_on` default today),
    as an import of an organization's past does; a current team cannot start under a
    retired one."""
    require_role(actor, Role.LEADER, "change the team tree")
    retired = state == TeamState.RETIRED
    named: dict[str, str] = {}
    extra: dict[str, Any] = {}

    def check_name() -> None:
        named["name"] = require_text(name, "name")
        if not retired:
            _check_team_name(org, named["name"], parent, None)

    fields = {
        "kind": kind,
        "state": TeamState.ACTIVE if retired else state,
        "mission": mission,
        "website": website,
        "repository": repository,
        "chat": chat,
        "mailing_list": mailing_list,
    }
    _all_refusals(
        check_name,
        lambda: _check_parent(org, Team(state=state) if retired else None, parent),
        lambda: extra.update(_clean_team_fields(org, fields)),
    )
    name = named["name"]
    if retired:
        extra.update(state=TeamState.RETIRED, retired_on=_retirement_day(retired_on))
    teams = Team.objects.for_org(org)
    if slug:
        if teams.filter(slug=slug).exists():
            raise ServiceError(
                f"A team with the address {slug!r} already exists.",
                fields={"slug": ["Already in use."]},
            )
    else:
        slug = unique_slug(teams, name)
    try:
        with transaction.atomic():
            team = Team.objects.create(
                org=org,
                name=name,
                slug=slug,
                parent=parent,
                description=require_long_text(description, "description"),
                **extra,
            )
    except IntegrityError:  # the same address taken at the same moment
        raise ServiceError(
            f"A team with the address {slug!r} already exists.",
            fields={"slug": ["Already in use."]},
        ) from None
    after = activity.snapshot(team, (*TEAM_FIELDS, "retired_on") if retired else TEAM_FIELDS)
    activity.record(org, actor, "created", team, after=after)
    return team


@transaction.atomic
def update_team(
    org: Organization,
    actor: Person | None,
    team: Team,
    *,
    expected_version: int | None = None,
    **changes: Any,
) -> Team:
    require_same_org(org, team, "team")
    unknown = set(changes) - set(TEAM_FIELDS)
    if unknown:
        raise ServiceError(f"Cannot change {', '.join(sorted(unknown))} of a team.")
    require_role(actor, Role.LEADER, "change the team tree")
    team = Team.objects.select_for_update().get(pk=team.pk)
    if "name" in changes:
        changes["name"] = require_text(changes["name"], "name")
    if "state" in changes and changes["state"] != team.state and team.is_retired:
        raise ServiceError(
            f"{team.name} is retired; reactivate it to change its state.",
            fields={"state": ["Reactivate the team first."]},
            code="retired",
        )
    cleaned: dict[str, Any] = {}
    checks = [lambda: cleaned.update(_clean_team_fields(org, changes))]
    if "parent" in changes:
        # One move at a time per organization: two concurrent moves (A under B, B under A)
        # could each pass the cycle check alone and make a cycle together.
        Organization.objects.select_for_update().get(pk=org.pk)
        checks.append(lambda: _check_parent(org, team, changes["parent"]))
    if not team.is_retired and (
        ("name" in changes and changes["name"].lower() != team.name.lower())
        or ("parent" in changes and getattr(changes["parent"], "pk", None) != team.parent_id)
    ):
        named, under = changes.get("name", team.name), changes.get("parent", team.parent)
        checks.append(lambda: _check_team_name(org, named, under, team))
    _all_refusals(*checks)
    changes.update(cleaned)
    if "slug" in changes:
        slug = changes["slug"]
        if not slug or Team.objects.for_org(org).filter(slug=slug).exclude(pk=team.pk).exists():
            raise ServiceError(
                f"The address {slug!r} is empty or taken.", fields={"slug": ["Already in use."]}
            )
    changed = {name for name, value in changes.items() if getattr(team, name) != value}
    verb = "moved" if changed == {"parent"} else "updated"
    if "description" in changes:
        changes["description"] = require_long_text(changes["description"], "description")
    old_parent_id = team.parent_id
    team = update_and_record(
        org, actor, team, changes, verb=verb, expected_version=expected_version
    )
    if team.parent_id != old_parent_id:
        signals.team_moved.send(
            Team, team=team, old_parent_id=old_parent_id, new_parent_id=team.parent_id
        )
    return team


def _clean_link(field: str, value: Any) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    label = field.replace("_", " ")
    if len(value) > 500 or "\n" in value or "\x00" in value:
        raise ServiceError(
            f"The {label} must be one line of at most 500 characters.",
            fields={field: ["One line, at most 500 characters."]},
        )
    is_url = True
    try:
        URLValidator(schemes=["http", "https"])(value)
    except ValidationError:
        is_url = False
    if is_url:
        return value
    if field == "mailing_list":
        try:
            validate_email(value)
            return value
        except ValidationError:
            pass
    if field == "chat" and " " not in value:
        return value  # a channel by name, e.g. #platform or slack:#platform
    wanted = {
        "website": "a web address starting with https://",
        "repository": "a web address starting with https://",
        "chat": "a channel (#platform) or a web address",
        "mailing_list": "an e-mail address or a web address",
    }[field]
    raise ServiceError(
        f"The {label} {value!r} is not {wanted}.", fields={field: [f"Enter {wanted}."]}
    )


def team_kind(org: Organization, kind: TeamKind | str | None) -> TeamKind | None:
    """A kind of this organization, given as itself or by slug; None for no kind."""
    if kind is None or kind == "":
        return None
    if isinstance(kind, TeamKind):
        require_same_org(org, kind, "team kind")
        return kind
    found = TeamKind.objects.for_org(org).filter(slug=str(kind).strip().lower()).first()
    if found is None:
        known = ", ".join(
            TeamKind.objects.for_org(org).order_by("slug").values_list("slug", flat=True)
        )
        raise ServiceError(
            f"Unknown team kind {kind!r}; {org.name} has: {known or 'none yet'}.",
            fields={"kind": ["Unknown kind."]},
        )
    return found


def _clean_team_fields(org: Organization, data: dict[str, Any]) -> dict[str, Any]:
    """Kind, state, mission and links of a team, validated (only those present in `data`);
    every bad one refused at once."""
    out: dict[str, Any] = {}

    def state(value: Any) -> str:
        if value not in LIVE_STATES:
            raise ServiceError(
                f"A team's state is one of {', '.join(LIVE_STATES)}, not {value!r}; "
                "retire a team with its own action, which records the date.",
                fields={"state": ["Forming, active or advisory."]},
            )
        return value

    def mission(value: Any) -> str:
        return require_text(value, "mission", max_length=2000, required=False, label="The mission")

    cleaners: dict[str, Callable[[Any], Any]] = {
        "kind": lambda value: team_kind(org, value),
        "state": state,
        "mission": mission,
        **{field: functools.partial(_clean_link, field) for field in TEAM_LINKS},
    }

    def clean(field: str) -> None:
        out[field] = cleaners[field](data[field])

    _all_refusals(*(functools.partial(clean, field) for field in cleaners if field in data))
    return out


def _retirement_day(on: Any) -> Any:
    day = parse_date(on, "retired_on") or localdate()
    if day > localdate():
        raise ServiceError(
            f"A team cannot be retired in the future ({day_text(day)}).",
            fields={"retired_on": ["Today or earlier."]},
        )
    return day


@transaction.atomic
def retire_team(org: Organization, actor: Person | None, team: Team, *, on: Any = None) -> Team:
    """Retire a team as of `on` (default today). Its history stays readable; it leaves
    active lists, pickers, health roll-ups and the dependency map. Its current terms end
    on that day (reactivating the team does not bring them back).

    The rule for sub-teams: a team is retired only once every sub-team is retired or
    moved elsewhere, so no current team ever sits under a retired one."""
    require_same_org(org, team, "team")
    require_role(actor, Role.LEADER, "retire a team")
    team = Team.objects.select_for_update().get(pk=team.pk)
    if team.is_retired:
        raise ServiceError(
            f"{team.name} is already retired (since {day_text(team.retired_on)}).",
            code="already_retired",
        )
    day = _retirement_day(on)
    current = Team.objects.for_org(org).current().filter(parent=team).order_by("name")
    names = list(current.values_list("name", flat=True)[:5])
    if names:
        raise ServiceError(
            f"{team.name} still has current sub-teams ({', '.join(names)}); retire or move "
            "them first.",
            code="has_current_children",
        )
    team = update_and_record(
        org, actor, team, {"state": TeamState.RETIRED, "retired_on": day}, verb="retired"
    )
    # Its requests are cancelled or answered, its open issues go up to the team above.
    signals.team_retired.send(Team, org=org, actor=actor, team=team)
    # Nobody works in a team that no longer exists: its current terms end with it (kept as
    # its history), so its members' shares are free for other teams.
    _end_current_terms(
        org, actor, Membership.terms.filter(team=team), day, f"{team.name} was retired"
    )
    return team


@transaction.atomic
def reactivate_team(
    org: Organization, actor: Person | None, team: Team, *, state: str = TeamState.ACTIVE
) -> Team:
    """Bring a retired team back (as active, forming or advisory), without members: the
    terms its retirement ended stay ended. Refused while its parent is retired:
    reactivate or change the parent first."""
    require_same_org(org, team, "team")
    require_role(actor, Role.LEADER, "reactivate a team")
    team = Team.objects.select_for_update(of=("self",)).select_related("parent").get(pk=team.pk)
    if not team.is_retired:
        raise ServiceError(f"{team.name} is not retired.", code="not_retired")
    if state not in LIVE_STATES:
        raise ServiceError(
            f"A reactivated team is forming, active or advisory, not {state!r}.",
            fields={"state": ["Forming, active or advisory."]},
        )
    if team.parent is not None and team.parent.is_retired:
        raise ServiceError(
            f"{team.name} is under {team.parent.name}, which is retired; reactivate "
            f"{team.parent.name} first or move {team.name} elsewhere.",
            code="parent_retired",
        )
    _check_team_name(org, team.name, team.parent, team)
    return update_and_record(
        org, actor, team, {"state": state, "retired_on": None}, verb="reactivated"
    )


# --- the organization's own lists: kinds of team, roles in teams --------------------------


def _list_name(model: type[models.Model], org: Organization, name: Any, noun: str, entry=None):
    name = require_text(name, "name", max_length=100)
    require_unique_name(model.objects.for_org(org), name, noun, entry, ignore_case=True)
    return name


def _add_to_list(
    model: type[models.Model],
    org: Organization,
    actor: Person | None,
    name: Any,
    slug: Any,
    noun: str,
):
    """A new entry (`slug`, `name`) of one of the organization's lists; the slug, what files
    and the API use, is made from the name when not given."""
    name = _list_name(model, org, name, noun)
    entries = model.objects.for_org(org)
    slug = (slug or "").strip().lower()
    if slug:
        if not re.fullmatch(r"[-a-z0-9_]{1,40}", slug):
            raise ServiceError(
                f"The short name {slug!r} may use only letters, digits, - and _ (40 at most).",
                fields={"slug": ["Letters, digits, - and _."]},
            )
        if entries.filter(slug=slug).exists():
            raise ServiceError(
                f"A {noun} {slug!r} already exists.", fields={"slug": ["Already in use."]}
            )
    else:
        slug = unique_slug(entries, name, max_length=40)
    entry = model.objects.create(org=org, slug=slug, name=name)
    activity.record(org, actor, "created", entry, after={"slug": slug, "name": name})
    return entry


def _rename_in_list(model, org: Organization, actor: Person | None, entry, name: Any, noun: str):
    """A new display name; the slug (what files and the API use) stays."""
    entry = model.objects.select_for_update().get(pk=entry.pk)
    name = _list_name(model, org, name, noun, entry)
    return update_and_record(org, actor, entry, {"name": name}, verb="renamed")


@transaction.atomic
def add_team_kind(
    org: Organization, actor: Person | None, *, name: str, slug: str = ""
) -> TeamKind:
    require_role(actor, Role.ADMIN, "change the kinds of team")
    return _add_to_list(TeamKind, org, actor, name, slug, "kind of team")


@transaction.atomic
def rename_team_kind(
    org: Organization, actor: Person | None, kind: TeamKind, name: str
) -> TeamKind:
    require_same_org(org, kind, "team kind")
    require_role(actor, Role.ADMIN, "change the kinds of team")
    return _rename_in_list(TeamKind, org, actor, kind, name, "kind of team")


@transaction.atomic
def remove_team_kind(org: Organization, actor: Person | None, kind: TeamKind) -> None:
    """Refused while any team, retired ones included, is of this kind."""
    require_same_org(org, kind, "team kind")
    require_role(actor, Role.ADMIN, "change the kinds of team")
    kind = TeamKind.objects.select_for_update().get(pk=kind.pk)
    used = Team.objects.filter(kind=kind).count()
    if used:
        raise ServiceError(
            f"{used} team(s) are of the kind {kind.name!r}; give them another kind first.",
            code="in_use",
        )
    activity.record(org, actor, "deleted", kind, before={"slug": kind.slug, "name": kind.name})
    kind.delete()


# --- roles in teams ----------------------------------------------------------------------


def team_role(org: Organization, role: Any) -> str:
    """The key of one of this organization's team roles, given as a key or a `TeamRole`."""
    if isinstance(role, TeamRole):
        require_same_org(org, role, "team role")
        return role.slug
    key = str(role or "").strip().lower()
    if key in MembershipRole.values:  # lead and member: the product relies on them
        return key
    if not TeamRole.objects.for_org(org).filter(slug=key).exists():
        known = ", ".join(
            TeamRole.objects.for_org(org).order_by("slug").values_list("slug", flat=True)
        )
        raise ServiceError(
            f"Unknown team role {role!r}; {org.name} has: {known or 'none yet'}.",
            fields={"role": ["Unknown role."]},
        )
    return key


@transaction.atomic
def add_team_role(
    org: Organization, actor: Person | None, *, name: str, slug: str = ""
) -> TeamRole:
    require_role(actor, Role.ADMIN, "change the roles in teams")
    return _add_to_list(TeamRole, org, actor, name, slug, "team role")


@transaction.atomic
def rename_team_role(
    org: Organization, actor: Person | None, role: TeamRole, name: str
) -> TeamRole:
    require_same_org(org, role, "team role")
    require_role(actor, Role.ADMIN, "change the roles in teams")
    return _rename_in_list(TeamRole, org, actor, role, name, "team role")


@transaction.atomic
def remove_team_role(org: Organization, actor: Person | None, role: TeamRole) -> None:
    """Refused while any term (past ones included) or open position has this role, and
    for `lead` and `member`, which the product relies on."""
    require_same_org(org, role, "team role")
    require_role(actor, Role.ADMIN, "change the roles in teams")
    role = TeamRole.objects.select_for_update().get(pk=role.pk)
    if role.slug in MembershipRole.values:
        raise ServiceError(
            f"The role {role.name!r} cannot be removed: Accord relies on it "
            "(a lead may change the team; member is the default).",
            code="in_use",
        )
    used = Membership.terms.filter(org=org, role=role.slug).count()
    used += TeamVacancy.objects.filter(org=org, role=role.slug).count()
    if used:
        raise ServiceError(
            f"{used} term(s) or open position(s) have the role {role.name!r}; "
            "give them another role first.",
            code="in_use",
        )
    activity.record(org, actor, "deleted", role, before={"slug": role.slug, "name": role.name})
    role.delete()


# --- open positions ----------------------------------------------------------------------


def _vacancy_note(note: Any) -> str:
    """An open position's note: optional, refused as `require_text` refuses."""
    return require_text(note, "note", max_length=500, required=False, label="The note")


@transaction.atomic
def open_vacancy(
    org: Organization,
    actor: Person | None,
    team: Team,
    *,
    role: Any = MembershipRole.LEAD,
    since: Any = None,
    note: str = "",
) -> TeamVacancy:
    """Declare that `team` looks for someone in `role` ("Lead: position open"). Adding a
    member with that role closes it."""
    require_same_org(org, team, "team")
    require_team_admin(actor, team, "declare an open position")
    role = team_role(org, role)
    day = parse_date(since, "since") or localdate()
    note = _vacancy_note(note)
    duplicate = ServiceError(f"{team.name} already has an open {role} position.", code="duplicate")
    if TeamVacancy.objects.filter(team=team, role=role).exists():
        raise duplicate
    try:
        with transaction.atomic():
            vacancy = TeamVacancy.objects.create(
                org=org, team=team, role=role, since=day, note=note
            )
    except IntegrityError:
        raise duplicate from None
    run = known.of(org)
    if run is not None:
        run.vacancy_opened(team.pk, role)
    activity.record(
        org, actor, "opened", vacancy, after={"team": team.pk, "role": role, "since": str(day)}
    )
    return vacancy


@transaction.atomic
def update_vacancy(
    org: Organization, actor: Person | None, vacancy: TeamVacancy, **changes: Any
) -> TeamVacancy:
    """Change when an open position opened or its note; its team and role are what it is."""
    require_same_org(org, vacancy, "open position")
    require_team_admin(actor, vacancy.team, "change an open position")
    unknown = set(changes) - {"since", "note"}
    if unknown:
        raise ServiceError(f"Cannot change {', '.join(sorted(unknown))} of an open position.")
    vacancy = TeamVacancy.objects.select_for_update().get(pk=vacancy.pk)
    if "since" in changes:
        changes["since"] = parse_date(changes["since"], "since") or vacancy.since
    if "note" in changes:
        changes["note"] = _vacancy_note(changes["note"])
    return update_and_record(org, actor, vacancy, changes)


@transaction.atomic
def close_vacancy(
    org: Organization, actor: Person | None, vacancy: TeamVacancy, *, verb: str = "closed"
) -> None:
    require_same_org(org, vacancy, "open position")
    require_team_admin(actor, vacancy.team, "close an open position")
    activity.record(
        org, actor, verb, vacancy, before={"team": vacancy.team_id, "role": vacancy.role}
    )
    TeamVacancy.objects.filter(pk=vacancy.pk).delete()


@transaction.atomic
def delete_team(org: Organization, actor: Person | None, team: Team) -> None:
    require_same_org(org, team, "team")
    require_role(actor, Role.LEADER, "change the team tree")
    team = Team.objects.select_for_update().get(pk=team.pk)  # the stored state, not a copy
    if team.children.exists():
        names = ", ".join(team.children.values_list("name", flat=True)[:5])
        raise ServiceError(
            f"{team.name} still has sub-teams ({names}); move or delete them first.",
            code="has_children",
        )
    # A team's history (issues, decisions, requests, minutes…) is never deleted with it:
    # only a team created by mistake goes; one that worked is retired, which keeps it all.
    from accord.org.leaving import counted_text, team_history

    history = team_history(org, team)
    if history:
        instead = (
            "it stays retired, which keeps its history"
            if team.is_retired
            else "retire it instead, which keeps its history"
        )
        raise ServiceError(
            f"{team.name} has {counted_text(history)}: {instead}.", code="has_history"
        )
    before = activity.snapshot(team, TEAM_FIELDS)
    links = TeamLink.objects.filter(models.Q(from_team=team) | models.Q(to_team=team))
    for link in links.select_related("from_team", "to_team").order_by("id"):
        _record_link(org, actor, "unlinked", link)
    links.delete()
    activity.record(org, actor, "deleted", team, before=before, after=activity.rehome_events(team))
    team_id = team.pk  # deleting clears it
    delete_unless_in_use(team, team.name)
    signals.team_deleted.send(Team, org_id=org.pk, team_id=team_id, parent_id=team.parent_id)


# --- links between teams -----------------------------------------------------------------


def _link_kind(kind: Any) -> str:
    if kind not in TeamLinkKind.values:
        raise ServiceError(
            f"Unknown kind of team link {kind!r}; use one of {', '.join(TeamLinkKind.values)}.",
            fields={"kind": ["Unknown kind."]},
        )
    return str(kind)


def _liaison(org: Organization, kind: str, team: Team, person: Any) -> Person | None:
    """The person of a liaison link: required for that kind, a current member of the team
    they represent; no other kind names a person."""
    if kind != TeamLinkKind.LIAISON:
        if person is not None:
            raise ServiceError(
                "Only a liaison link names a person.", fields={"person": ["Leave empty."]}
            )
        return None
    if person is None:
        raise ServiceError(
            "A liaison link names the person who liaises.", fields={"person": ["Required."]}
        )
    if not isinstance(person, Person) or person.org_id != org.id:
        raise ServiceError(
            "The liaison must be someone in this organization.",
            fields={"person": ["Not a person of this organization."]},
            code="other_org",
        )
    if not Membership.objects.filter(person=person, team=team).exists():
        raise ServiceError(
            f"{person.name} is not a member of {team.name}; a liaison represents their own team.",
            fields={"person": [f"Not a member of {team.name}."]},
        )
    return person


def _record_link(org: Organization, actor: Person | None, verb: str, link: TeamLink) -> None:
    data = {"kind": link.kind, "to_team": link.to_team_id, "to_team_name": link.to_team.name}
    if link.person_id:
        data["person"] = link.person_id
    if verb == "linked":
        activity.record(org, actor, verb, link.from_team, after=data)
    else:
        activity.record(org, actor, verb, link.from_team, before=data)


@transaction.atomic
def link_teams(
    org: Organization,
    actor: Person | None,
    from_team: Team,
    to_team: Team,
    kind: str = TeamLinkKind.STAKEHOLDER,
    *,
    person: Person | None = None,
) -> TeamLink:
    """Link two teams of `org`: with kind "stakeholder", `to_team` is a stakeholder of
    `from_team` (e.g. a SIG of a working group); with kind "liaison", `person`, a current
    member of `from_team`, represents it to `to_team`. Leaders and admins only."""
    for team, field in ((from_team, "from_team"), (to_team, "to_team")):
        if team is None:
            raise ServiceError("Choose both teams.", fields={field: ["Required."]})
        if team.org_id != org.id:
            raise ServiceError(
                f"{team.name} is not a team of {org.name}; link teams of one organization.",
                fields={field: ["Not a team of this organization."]},
                code="other_org",
            )
    require_role(actor, Role.LEADER, "link teams")
    kind = _link_kind(kind)
    if from_team.pk == to_team.pk:
        raise ServiceError(
            f"{from_team.name} cannot be linked to itself.",
            fields={"to_team": ["Choose another team."]},
            code="self_link",
        )
    person = _liaison(org, kind, from_team, person)
    label = TeamLinkKind(kind).label.lower()
    duplicate = ServiceError(
        f"{to_team.name} is already a {label} of {from_team.name}.", code="duplicate"
    )
    if kind == TeamLinkKind.LIAISON:
        duplicate = ServiceError(
            f"{from_team.name} already has a liaison to {to_team.name}.", code="duplicate"
        )
    if TeamLink.objects.filter(from_team=from_team, to_team=to_team, kind=kind).exists():
        raise duplicate
    try:
        with transaction.atomic():
            link = TeamLink.objects.create(
                org=org, from_team=from_team, to_team=to_team, kind=kind, person=person
            )
    except IntegrityError:
        raise duplicate from None
    _record_link(org, actor, "linked", link)
    return link


@transaction.atomic
def unlink_teams(
    org: Organization,
    actor: Person | None,
    from_team: Team,
    to_team: Team,
    kind: str = TeamLinkKind.STAKEHOLDER,
) -> None:
    """Remove the link `link_teams` made. Leaders and admins only."""
    require_same_org(org, from_team, "team")
    require_same_org(org, to_team, "team")
    require_role(actor, Role.LEADER, "unlink teams")
    kind = _link_kind(kind)
    link = (
        TeamLink.objects.select_for_update()
        .select_related("from_team", "to_team")
        .filter(org=org, from_team=from_team, to_team=to_team, kind=kind)
        .first()
    )
    if link is None:
        raise NotFound(
            f"{to_team.name} is not a {TeamLinkKind(kind).label.lower()} of {from_team.name}."
        )
    _record_link(org, actor, "unlinked", link)
    link.delete()


# --- memberships -------------------------------------------------------------------------


class _NotGiven:
    """An allocation nobody gave (a form's empty "Add a member" field, an invitation, a
    file without the column): `default_allocation` decides it. Not None, which is a share
    given as unknown."""

    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN: Any = _NotGiven()

# Said wherever an allocation may be left out (forms, the API): `default_allocation`'s rule.
ALLOCATION_DEFAULT_RULE = (
    "Left out: 100% for someone in no team yet; unknown for someone already in a team "
    "(never refused; set it on the team page once known)."
)


def default_allocation(shares: list[tuple[int, int | None]]) -> int | None:
    """The share of a new current term nobody gave, from the person's current terms
    (`shares`): their whole time when they are in no team yet, else unknown (None), which
    no check refuses. A share that is not given never refuses an addition."""
    return 100 if not shares else None


def _current_shares(person: Person) -> list[tuple[int, int | None]]:
    """(team id, allocation) of each of the person's current terms."""
    return list(
        Membership.objects.filter(person=person).order_by().values_list("team_id", "allocation")
    )


def _check_allocation(
    person: Person, team: Team, allocation: Any, shares: list[tuple[int, int | None]] | None = None
) -> int | None:
    """A share in percent, or None when unknown (volunteers); the given shares of a
    person's current terms (`shares`, read when not given) add up to at most 100%. An
    allocation `NOT_GIVEN` is `default_allocation`'s, never refused."""
    if shares is None:
        shares = _current_shares(person)
    if allocation is NOT_GIVEN:
        return default_allocation([(t, a) for t, a in shares if t != team.pk])
    allocation = _check_range(allocation)
    if allocation is None:
        return None
    total = allocation + sum(a for t, a in shares if a is not None and t != team.pk)
    if total > 100:
        others = list(
            Membership.objects.filter(person=person, allocation__isnull=False)
            .exclude(team=team)
            .select_related("team")
            .order_by("team__name")
        )
        parts = " + ".join(f"{m.team.name} {m.allocation}%" for m in others)
        raise ServiceError(
            f"{person.name} would be allocated {total}%: {parts} + {team.name} {allocation}%. "
            f"At most 100% is allowed; {max(0, 100 - (total - allocation))}% is free.",
            fields={"allocation": [f"Would make {total}% in all (at most 100%)."]},
            code="over_allocated",
        )
    return allocation


def _term_day(value: Any, field: str) -> Any:
    day = parse_date(value, field)
    if day is not None and day > localdate():
        raise ServiceError(
            f"A term cannot {'start' if field == 'started_on' else 'end'} in the future "
            f"({day_text(day)}).",
            fields={field: ["Today or earlier."]},
        )
    return day


def _fill_vacancy(org: Organization, actor: Person | None, team: Team, role: str) -> None:
    run = known.of(org)
    if run is not None and not run.may_have_vacancy(team.pk, role):
        return
    vacancy = TeamVacancy.objects.filter(team=team, role=role).first()
    if vacancy is not None:
        activity.record(org, actor, "filled", vacancy, before={"team": team.pk, "role": role})
        vacancy.delete()


@transaction.atomic
def add_membership(
    org: Organization,
    actor: Person | None,
    *,
    person: Person,
    team: Team,
    role: str = MembershipRole.MEMBER,
    allocation: Any = NOT_GIVEN,
    started_on: Any = None,
    ended_on: Any = None,
) -> Membership:
    """Start a term of `person` in `team` (or record a past one, with `ended_on`). A current
    term in a role the team has an open position for fills it. An allocation not given is
    `default_allocation`'s (100% for someone in no team, else unknown); a past term's is
    100%, as it always was."""
    require_same_org(org, person, "person")
    require_same_org(org, team, "team")
    require_team_admin(actor, team, "change its members")
    role = team_role(org, role)
    started_on = _term_day(started_on, "started_on")
    ended_on = _term_day(ended_on, "ended_on")
    if started_on and ended_on and ended_on < started_on:
        raise ServiceError(
            "A term ends on or after the day it started.",
            fields={"ended_on": ["On or after the start."]},
        )
    if ended_on is None:
        _refuse_retired(team)
    # Lock the person so two concurrent additions cannot both pass the 100% check.
    lock_row(Person, person.pk)
    if ended_on is None:
        shares = _current_shares(person)
        if any(t == team.pk for t, _a in shares):
            raise ServiceError(f"{person.name} is already in {team.name}.", code="duplicate")
        allocation = _check_allocation(person, team, allocation, shares)
    else:
        allocation = 100 if allocation is NOT_GIVEN else _check_range(allocation)
    try:
        # No savepoint of its own: the refusal leaves this function's transaction, which
        # rolls the failed insert back (the check above, under the lock, finds duplicates
        # first; the database's constraint has the last word).
        membership = Membership.objects.create(
            org=org,
            person=person,
            team=team,
            role=role,
            allocation=allocation,
            started_on=started_on,
            ended_on=ended_on,
        )
    except IntegrityError:
        raise ServiceError(f"{person.name} is already in {team.name}.", code="duplicate") from None
    _record_new_term(org, actor, membership)
    if ended_on is None:
        _fill_vacancy(org, actor, team, role)
    return membership


def _refuse_retired(team: Team) -> None:
    """Nobody starts a term in a retired team (its terms ended with it); a past term may
    still be recorded."""
    if team.is_retired:
        raise ServiceError(
            f"{team.name} is retired: reactivate it before adding people to it (a past term, "
            "with an end date, may still be recorded).",
            fields={"team": ["This team is retired."]},
            code="team_retired",
        )


@transaction.atomic
def add_memberships(
    org: Organization, actor: Person | None, rows: list[dict[str, Any]]
) -> list[Membership]:
    """Many current terms (each a dict of `add_membership`'s arguments but `ended_on`) in a
    few queries, each checked as `add_membership` checks one (together with the terms
    before it in `rows`) and each with its event. One refusal refuses them all: add them
    one at a time to learn which was refused."""
    roles: dict[Any, str] = {}
    terms = []
    for row in rows:
        unknown = set(row) - {"person", "team", "role", "allocation", "started_on"}
        if unknown:
            raise ServiceError(f"Cannot set {', '.join(sorted(unknown))} of a new term.")
        person, team = row["person"], row["team"]
        require_same_org(org, person, "person")
        require_same_org(org, team, "team")
        require_team_admin(actor, team, "change its members")
        given = row.get("role", MembershipRole.MEMBER)
        if given not in roles:
            roles[given] = team_role(org, given)
        started_on = _term_day(row.get("started_on"), "started_on")
        _refuse_retired(team)
        terms.append((person, team, roles[given], row.get("allocation", NOT_GIVEN), started_on))
    # Lock the people so that a concurrent addition cannot pass the 100% check beside these.
    lock_rows(Person, [person.pk for person, *_rest in terms])
    shares: dict[int, list[tuple[int, int | None]]] = {}
    current = Membership.objects.filter(person__in=[t[0].pk for t in terms]).order_by()
    for person_id, team_id, allocation in current.values_list("person_id", "team_id", "allocation"):
        shares.setdefault(person_id, []).append((team_id, allocation))
    memberships = []
    for person, team, role, allocation, started_on in terms:
        held = shares.setdefault(person.pk, [])
        if any(t == team.pk for t, _a in held):
            raise ServiceError(f"{person.name} is already in {team.name}.", code="duplicate")
        allocation = _check_allocation(person, team, allocation, held)
        held.append((team.pk, allocation))
        memberships.append(
            Membership(
                org=org,
                person=person,
                team=team,
                role=role,
                allocation=allocation,
                started_on=started_on,
            )
        )
    try:
        memberships = Membership.objects.bulk_create(memberships)
    except IntegrityError:
        raise ServiceError(
            "One of these people is already in the team.", code="duplicate"
        ) from None
    for m in memberships:
        _record_new_term(org, actor, m)
        _fill_vacancy(org, actor, m.team, m.role)
    return memberships


def _term_names(m: Membership) -> dict[str, str]:
    """The names a term's events read by ("added Nora Lindqvist to Platform"), as they were
    then: its label ("Nora Lindqvist in Platform") cannot say where a name with " in " ends."""
    return {"person_name": m.person.name, "team_name": m.team.name}


def _record_new_term(org: Organization, actor: Person | None, m: Membership) -> None:
    after = {"person": m.person_id, "team": m.team_id, "role": m.role, "allocation": m.allocation}
    if m.started_on:
        after["started_on"] = str(m.started_on)
    if m.ended_on:
        after["ended_on"] = str(m.ended_on)
    activity.record(org, actor, "created", m, after=after | _term_names(m))


def _check_range(allocation: Any) -> int | None:
    """A share from 0 to 100%, or None (empty) when unknown."""
    if allocation is None or (isinstance(allocation, str) and not allocation.strip()):
        return None
    try:
        value = int(allocation)
    except (TypeError, ValueError):
        value = -1
    if not 0 <= value <= 100:
        raise ServiceError(
            f"Allocation must be a whole number from 0 to 100 or empty, not {allocation!r}.",
            fields={"allocation": ["Enter a whole number from 0 to 100."]},
        )
    return value


@transaction.atomic
def update_membership(
    org: Organization,
    actor: Person | None,
    membership: Membership,
    *,
    expected_version: int | None = None,
    **changes: Any,
) -> Membership:
    """Change the role, allocation or start of a current term."""
    require_same_org(org, membership, "membership")
    unknown = set(changes) - set(MEMBERSHIP_FIELDS)
    if unknown:
        raise ServiceError(f"Cannot change {', '.join(sorted(unknown))} of a membership.")
    require_team_admin(actor, membership.team, "change its members")
    lock_row(Person, membership.person_id)
    membership = Membership.terms.select_related("person", "team").get(pk=membership.pk)
    if membership.is_past:
        raise ServiceError(
            f"{membership.person.name}'s term in {membership.team.name} has ended; "
            "a past term is kept as it was.",
            code="past_term",
        )
    if "role" in changes:
        changes["role"] = team_role(org, changes["role"])
    if "started_on" in changes:
        changes["started_on"] = _term_day(changes["started_on"], "started_on")
    if "allocation" in changes:
        changes["allocation"] = _check_allocation(
            membership.person, membership.team, changes["allocation"]
        )
    updated = update_and_record(
        org,
        actor,
        membership,
        changes,
        expected_version=expected_version,
        keep=_term_names(membership),
    )
    if "role" in changes:
        _fill_vacancy(org, actor, membership.team, changes["role"])
    return updated


@transaction.atomic
def end_term(
    org: Organization, actor: Person | None, membership: Membership, *, on: Any = None
) -> Membership:
    """End a person's current term in a team as of `on` (default today). The term is kept
    as history (who led this team, when); the person may start a new term later."""
    require_same_org(org, membership, "membership")
    require_team_admin(actor, membership.team, "change its members")
    membership = (
        Membership.terms.select_for_update(of=("self",))
        .select_related("person", "team")
        .get(pk=membership.pk)
    )
    if membership.is_past:
        raise ServiceError(
            f"{membership.person.name}'s term in {membership.team.name} already ended "
            f"on {day_text(membership.ended_on)}.",
            code="past_term",
        )
    day = _term_day(on, "ended_on") or localdate()
    if membership.started_on and day < membership.started_on:
        raise ServiceError(
            f"The term started on {day_text(membership.started_on)}; it cannot end before.",
            fields={"ended_on": ["On or after the start."]},
        )
    return _close_term(org, actor, membership, day)


def _close_term(
    org: Organization, actor: Person | None, m: Membership, day: Any, why: str | None = None
) -> Membership:
    """End the current term `m` on `day`: its liaison links go, one "ended" event (whose
    `reason` says why, when the term ends with something else)."""
    TeamLink.objects.filter(
        kind=TeamLinkKind.LIAISON, from_team_id=m.team_id, person_id=m.person_id
    ).delete()
    before = {"ended_on": None}
    m.ended_on = day
    m.version += 1
    m.save(update_fields=["ended_on", "version"])
    after = {"ended_on": str(day)} | ({"reason": why} if why else {}) | _term_names(m)
    activity.record(org, actor, "ended", m, before=before, after=after)
    return m


def _end_current_terms(
    org: Organization, actor: Person | None, terms: models.QuerySet, day: Any, why: str
) -> int:
    """End every current term of `terms` on `day` (or on its start, for one that started
    later), as `end_term` ends one, saying why. Call inside the transaction of the change
    that ends them (retiring a team, deactivating a person). Returns how many ended."""
    ended = list(terms.select_for_update(of=("self",)).filter(ended_on__isnull=True).order_by("id"))
    for m in ended:
        _close_term(org, actor, m, max(day, m.started_on) if m.started_on else day, why)
    return len(ended)


@transaction.atomic
def remove_membership(org: Organization, actor: Person | None, membership: Membership) -> None:
    """Delete a term as if it never was (a mistake); `end_term` keeps it as history."""
    require_same_org(org, membership, "membership")
    require_team_admin(actor, membership.team, "change its members")
    membership = Membership.terms.select_for_update().get(pk=membership.pk)
    activity.record(
        org,
        actor,
        "deleted",
        membership,
        before=activity.snapshot(
            membership, ("person", "team", "role", "allocation", "started_on", "ended_on")
        )
        | _term_names(membership),
    )
    if not membership.is_past:
        TeamLink.objects.filter(
            kind=TeamLinkKind.LIAISON, from_team=membership.team_id, person=membership.person_id
        ).delete()
    membership.delete()


def person_for_user(org: Organization, user) -> Person:
    person = Person.objects.filter(org=org, user=user, is_active=True).first()
    if person is None:
        raise PermissionDenied("You are not a member of this organization.")
    return person


# --- single sign-on ------------------------------------------------------------------------


def retire_unproven_password(user: Any, email: str) -> None:
    """The provider proves who holds `email`. When its login has a password and someone
    with that address waits to join an organization the login is not in, that password
    may have been chosen by another organization's admin (who may add anyone's address and
    open the sign-in link themselves), not by the holder: it stops working, and every
    session signed in with it ends (Django checks the password's hash on each request).
    The holder signs in with the provider; the person waiting then joins with their join
    link, signed in as the login. Recorded on the login's people (`password_retired`)."""
    if not user.has_usable_password():
        return
    people = list(Person.objects.filter(user=user).select_related("org"))
    orgs = {p.org_id for p in people}
    waiting = (
        Person.objects.filter(email__iexact=email, user__isnull=True, is_active=True)
        .exclude(org_id__in=orgs)
        .exists()
    )
    if not waiting:
        return
    user.set_unusable_password()
    user.save(update_fields=["password"])
    for person in people:
        activity.record(
            person.org, None, "password_retired", person, after={"login": user.get_username()}
        )


class SignOnRefused(ServiceError):
    """A provider vouched for someone Accord will not sign in; the message says why."""

    status = 403


@transaction.atomic
def user_for_provider_email(email: str, name: str = "", *, new_people_org: str = "") -> Any:
    """The login user for someone an OpenID Connect provider vouches for by a verified
    e-mail address: the account of that address; else the login of the person who has it
    as one of their other addresses (the same human, whose organization recorded it); else
    a new account for the people an admin added with that address (linked to them); else,
    when `new_people_org` names an organization, a new account and a new member of it.
    Anyone else is refused.

    An extra address is only its organization's word, unchecked with the address's holder:
    the login it leads to is used only when all who have the address on record agree on
    it (every person with it, main or extra, who has a login has that one; every one with
    no login yet is in an organization that records it for that login), and that login
    serves no other organization and is not an operator's. Otherwise the sign-on is
    refused, naming neither whose login it is nor any organization (`SSO_DISAGREE`): one
    organization's admin never makes another organization's person, or the login it
    shares, someone else's."""
    email = normalize_username(email)
    try:
        validate_email(email)
    except ValidationError:
        raise SignOnRefused(
            f"The provider gave {email!r}, which is not an e-mail address."
        ) from None
    User = get_user_model()
    users = list(
        User.objects.filter(models.Q(username__iexact=email) | models.Q(email__iexact=email))[:2]
    )
    if len(users) > 1:
        raise SignOnRefused(
            f"More than one Accord account uses {email}; an administrator must merge them."
        )
    if users:
        if not users[0].is_active:
            raise SignOnRefused(f"The Accord account of {email} is switched off.")
        retire_unproven_password(users[0], email)
        return users[0]
    # People who have it as their main address (with a login or not), and people who have
    # it as one of their other addresses (with a login or not).
    people = Person.objects.select_related("org", "user").filter(is_active=True).order_by("id")
    main = list(people.filter(email__iexact=email))
    extra = list(
        people.filter(
            identities__kind=IdentityKind.EMAIL,
            identities__value=normalize_identity(IdentityKind.EMAIL, email),
        ).distinct()
    )
    unlinked = list({p.pk: p for p in [*main, *extra] if p.user_id is None}.values())
    unlinked.sort(key=lambda p: p.pk)
    user = None
    claimants = [p for p in extra if p.user is not None]  # say it is their login
    if claimants:
        accounts = {p.user for p in claimants}
        if len(accounts) > 1:
            raise SignOnRefused(
                f"{email} is an address of people with different Accord accounts; an "
                "administrator must merge them."
            )
        user = accounts.pop()
        claimants += [p for p in main if p.user_id == user.pk]
        orgs = {p.org_id for p in claimants}
        if (
            any(p.user_id not in (None, user.pk) for p in main)  # another login has it
            or any(p.org_id not in orgs for p in unlinked)  # someone else's, elsewhere
            or user.is_superuser
            or user.is_staff
            or Person.objects.filter(user=user).exclude(org__in=orgs).exists()
        ):
            raise SignOnRefused(SSO_DISAGREE.format(email=email))
        if not user.is_active:
            raise SignOnRefused(f"The Accord account of {email} is switched off.")
    if user is not None or unlinked:
        user = user or ensure_user(email, None, name=name or unlinked[0].name)
        for person in unlinked:
            if Person.objects.filter(org=person.org, user=user).exists():
                continue
            person.user = user
            person.version += 1
            person.save(update_fields=["user", "version"])
            activity.record(person.org, person, "signed_up", person, after={"email": email})
        return user
    if not new_people_org:
        raise SignOnRefused(
            f"No one in Accord signs in as {email}. Ask an administrator of your "
            "organization to add you with this address."
        )
    org = Organization.objects.filter(slug=new_people_org).first()
    if org is None:
        raise SignOnRefused(
            f"Accord is set to add new people to the organization {new_people_org!r}, "
            "which does not exist. Tell the people who run Accord."
        )
    user = ensure_user(email, None, name=name)
    add_person(
        org, None, name=name or email.split("@")[0], email=email, role=Role.MEMBER, user=user
    )
    return user


# Refused sign-on when the organizations that have an address on record do not agree on
# the login it signs in to (see `user_for_provider_email`); it names none of them.
SSO_DISAGREE = (
    "Accord cannot tell which login {email} signs in to: the people it is on record for do "
    "not agree. An administrator must sort it out before you can sign in with it."
)


# --- the organization's own settings (Organization settings page) ------------------------


@transaction.atomic
def set_organization_timezone(
    org: Organization, actor: Person | None, timezone: Any, *, confirm: bool = False
) -> Organization:
    """The time zone new people (added, invited, imported, signing on) start with, and
    a cadence set up from a template with none given, recorded ("updated", the old and
    the new zone). Nobody's zone changes: each person keeps theirs. Admins only; a zone
    that is not a place's is refused, as anywhere (`validate_timezone`). `confirm`: an
    admin chose the zone it already has (an organization that works in UTC saves it on
    its settings page): recorded once ("timezone_confirmed"), as the getting-started
    guide's first step reads it; otherwise an unchanged zone records nothing."""
    require_role(actor, Role.ADMIN, "change the organization's time zone")
    if actor is not None and actor.org_id != org.pk:
        raise PermissionDenied("Only an admin of this organization may change its time zone.")
    zone = validate_timezone(str(timezone or "").strip(), kept=org.timezone)
    org = Organization.objects.select_for_update().get(pk=org.pk)
    if zone == org.timezone:
        if confirm and not timezone_chosen(org):
            activity.record(org, actor, "timezone_confirmed", org, after={"timezone": zone})
        return org
    return update_and_record(org, actor, org, {"timezone": zone})


def timezone_chosen(org: Organization) -> bool:
    """Whether an admin has chosen the organization's time zone: changed it, or confirmed
    the one it has (`set_organization_timezone`), as recorded in its events."""
    from accord.activity.models import Event

    return (
        Event.objects.for_org(org)
        .filter(target_type=activity.target_type_of(org), target_id=str(org.pk))
        .filter(verb__in=("updated", "timezone_confirmed"), after__has_key="timezone")
        .exists()
    )


@transaction.atomic
def rename_organization(org: Organization, actor: Person | None, name: Any) -> Organization:
    """A new name for the organization, recorded ("renamed", the old and the new name). Its
    address (slug) stays, so every link, bookmark, calendar feed, file and API call that
    names it keeps working. Admins only; an empty or overlong name is refused."""
    require_role(actor, Role.ADMIN, "rename the organization")
    if actor is not None and actor.org_id != org.pk:
        raise PermissionDenied("Only an admin of this organization may rename it.")
    limit = Organization._meta.get_field("name").max_length
    name = require_text(name, "name", max_length=limit)
    org = Organization.objects.select_for_update().get(pk=org.pk)
    return update_and_record(org, actor, org, {"name": name}, verb="renamed")
