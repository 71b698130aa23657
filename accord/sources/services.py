"""Every write to key-result sources, tracker links and tracker access.

Setting or clearing records an event on the key result or initiative (never a secret). A
pull makes its requests outside any transaction, then writes in one: a success records the
value (or the initiative's progress) through alignment's services, marked as pulled; a
failure changes nothing but the pull state (last error, time, consecutive failures).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import urllib.parse
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accord.activity import services as activity
from accord.alignment import services as alignment
from accord.alignment.models import (
    Initiative,
    InitiativeStatus,
    KeyResult,
    KeyResultValue,
    PeriodState,
)
from accord.core import crypto, outbound
from accord.core.errors import PermissionDenied, ServiceError
from accord.core.services import require_same_org, require_text
from accord.org.models import Organization, Person, Role
from accord.org.permissions import require_role
from accord.rhythm import services as rhythm
from accord.rhythm.models import Measurable
from accord.sources import readers, trackers
from accord.sources.models import (
    KeyResultSource,
    SourceKind,
    Tracker,
    TrackerCredential,
    TrackerLink,
)

PULLED = "source"  # KeyResultValue.source (and MeasurableValue.source) of a pulled value
Target = KeyResult | Measurable  # what a source feeds
NOTE = "from source"


def timeout() -> float:
    return float(getattr(settings, "SOURCES_TIMEOUT", 10))


def _require_owner_or_admin(actor: Person | None, owners: list[int | None], what: str) -> None:
    if actor is None:
        return
    require_role(actor, Role.MEMBER, f"set the source of {what}")
    if actor.has_role(Role.ADMIN) or actor.pk in owners:
        return
    raise PermissionDenied(f"Only the owner of {what} or an admin may change where it comes from.")


def can_configure_source(actor: Person, target: Target) -> bool:
    owners = [target.owner_id]
    if isinstance(target, KeyResult):
        owners.append(target.objective.owner_id)
    try:
        _require_owner_or_admin(actor, owners, target.name)
    except PermissionDenied:
        return False
    return True


def can_configure_tracker(actor: Person, item: Initiative) -> bool:
    try:
        _require_owner_or_admin(actor, [item.owner_id], item.title)
    except PermissionDenied:
        return False
    return True


# --- key-result sources -----------------------------------------------------------------


def _clean_source(data: dict[str, Any]) -> dict[str, Any]:
    kind = data.get("kind")
    if kind not in SourceKind.values:
        raise ServiceError(
            f"Choose a kind of source: {', '.join(SourceKind.values)}.",
            fields={"kind": ["Choose json, csv or prometheus."]},
        )
    out: dict[str, Any] = {"kind": kind}
    out["url"] = outbound.check_url(require_text(data.get("url"), "url", max_length=1000), "url")
    for name in ("json_path", "csv_column", "csv_row", "key_column", "key_value", "query"):
        out[name] = require_text(
            data.get(name), name, max_length=1000 if name == "query" else 200, required=False
        )
    if kind == SourceKind.JSON:
        if not out["json_path"]:
            raise ServiceError(
                "Give the JSONPath to the number.", fields={"json_path": ["Required."]}
            )
        try:
            readers.compile_path(out["json_path"])
        except ValueError as exc:
            raise ServiceError(
                f"{out['json_path']!r} is not a JSONPath: {exc}",
                fields={"json_path": ["Not a JSONPath, e.g. $.data.total"]},
            ) from None
    else:
        out["json_path"] = ""
    if kind == SourceKind.CSV:
        if not out["csv_column"]:
            raise ServiceError(
                "Give the CSV column (its header or its number).",
                fields={"csv_column": ["Required."]},
            )
        row = out["csv_row"].lower()
        if out["key_column"]:
            out["csv_row"] = ""
            if not out["key_value"]:
                raise ServiceError(
                    "Give the value to look for in the key column.",
                    fields={"key_value": ["Required with a key column."]},
                )
        elif row in ("", "last"):
            out["csv_row"] = "last"
        elif not row.isdigit() or int(row) < 1:
            raise ServiceError(
                f"Row {out['csv_row']!r}: give last, a row number (1 = the first after the "
                "header), or a key column and value.",
                fields={"csv_row": ["last or a number from 1"]},
            )
        if out["csv_column"].isdigit() and int(out["csv_column"]) < 1:
            raise ServiceError("Columns are numbered from 1.", fields={"csv_column": ["From 1."]})
    else:
        out.update(csv_column="", csv_row="", key_column="", key_value="")
    if kind == SourceKind.PROMETHEUS:
        if not out["query"]:
            raise ServiceError("Give the Prometheus query.", fields={"query": ["Required."]})
    else:
        out["query"] = ""
    out["header_name"] = require_text(
        data.get("header_name"), "header_name", max_length=100, required=False
    )
    if out["header_name"] and not all(c.isalnum() or c in "-_" for c in out["header_name"]):
        raise ServiceError(
            f"{out['header_name']!r} is not a header name.",
            fields={"header_name": ["Letters, digits, - and _ only."]},
        )
    return out


def _lock_target(org: Organization, actor: Person | None, target: Target) -> Target:
    """The key result or measurable, checked: same organization, the actor its owner (a key
    result's objective's owner too) or an admin, still open to new values."""
    if isinstance(target, Measurable):
        require_same_org(org, target, "measurable")
        target = Measurable.objects.select_related("team").get(pk=target.pk)
        _require_owner_or_admin(actor, [target.owner_id], target.name)
        if not target.is_active:
            raise ServiceError(f"{target.name} is archived: restore it first.")
        return target
    require_same_org(org, target, "key result")
    target = KeyResult.objects.select_related("objective__period").get(pk=target.pk)
    _require_owner_or_admin(actor, [target.owner_id, target.objective.owner_id], target.name)
    if target.objective.period.state == PeriodState.CLOSED:
        period = target.objective.period.name
        raise ServiceError(f"{period} is closed: its key results are frozen.")
    return target


def target_kwargs(target: Target) -> dict[str, Target]:
    """The filter that finds a key result's or a measurable's source."""
    return {"measurable" if isinstance(target, Measurable) else "key_result": target}


@transaction.atomic
def set_source(
    org: Organization,
    actor: Person | None,
    target: Target,
    *,
    header_value: str | None = None,
    **data: Any,
) -> KeyResultSource:
    """Create or replace the source of a key result (or a scorecard measurable).
    `header_value` None keeps the stored secret; "" removes it (with the header)."""
    target = _lock_target(org, actor, target)
    clean = _clean_source(data)
    source = KeyResultSource.objects.select_for_update().filter(**target_kwargs(target)).first()
    secret = (
        None
        if header_value is None
        else require_text(header_value, "header_value", max_length=2000, required=False)
    )
    if secret and not clean["header_name"]:
        raise ServiceError(
            "Name the header the secret goes in.", fields={"header_name": ["Required."]}
        )
    if not clean["header_name"]:
        secret = ""
    if source is None:
        source = KeyResultSource(org=org, created_by=actor, **target_kwargs(target))
    elif secret is None and clean["header_name"] != source.header_name:
        secret = ""  # a stored secret stays with the header it was given for
    for name, value in clean.items():
        setattr(source, name, value)
    if secret is not None:
        source.header_secret = crypto.encrypt(secret)
    if source.pk:
        source.version += 1
    source.failures, source.last_error, source.last_error_at = 0, "", None
    source.last_attempt_at = None  # due at the next scheduled pull
    source.save()
    after = {k: v for k, v in clean.items() if v}
    after["header_secret"] = "set" if source.header_secret else ""
    activity.record(org, actor, "source_set", target, after=after)
    return source


@transaction.atomic
def clear_source(org: Organization, actor: Person | None, target: Target) -> None:
    if isinstance(target, Measurable):
        require_same_org(org, target, "measurable")
        _require_owner_or_admin(actor, [target.owner_id], target.name)
    else:
        require_same_org(org, target, "key result")
        target = KeyResult.objects.select_related("objective").get(pk=target.pk)
        _require_owner_or_admin(actor, [target.owner_id, target.objective.owner_id], target.name)
    source = KeyResultSource.objects.filter(**target_kwargs(target)).first()
    if source is None:
        return
    before = {"kind": source.kind, "url": source.url}
    source.delete()
    activity.record(org, actor, "source_cleared", target, before=before)


def read_source(source: KeyResultSource) -> float:
    """Request the source and read its number; raises PullError."""
    headers = {"Accept": "application/json, text/csv, */*", "User-Agent": "Accord"}
    if source.header_name:
        secret = crypto.decrypt(source.header_secret)
        if secret is None:
            raise readers.PullError(
                "The stored header secret cannot be decrypted (the encryption key changed); "
                "enter it again."
            )
        if secret:
            headers[source.header_name] = secret
    url = source.url
    if source.kind == SourceKind.PROMETHEUS:
        base = url.rstrip("/")
        if not base.endswith("/api/v1/query"):
            base += "/api/v1/query"
        url = f"{base}?{urllib.parse.urlencode({'query': source.query})}"
    try:
        answer = outbound.request("GET", url, headers=headers, timeout=timeout())
    except outbound.OutboundError as exc:
        raise readers.PullError(str(exc)) from None
    if not answer.ok:
        raise readers.PullError(f"The source answered HTTP {answer.status}.")
    if source.kind == SourceKind.JSON:
        return readers.read_json(answer.body, source.json_path)
    if source.kind == SourceKind.CSV:
        return readers.read_csv(
            answer.body, source.csv_column, source.csv_row, source.key_column, source.key_value
        )
    return readers.read_prometheus(answer.body)


@dataclasses.dataclass
class PullResult:
    ok: bool
    message: str
    value: float | None = None


def _fail(model, pk: int, message: str, now: dt.datetime) -> None:
    model.objects.filter(pk=pk).update(
        last_attempt_at=now, last_error=message[:500], last_error_at=now, failures=F("failures") + 1
    )


def _record_key_result(
    org: Organization, source: KeyResultSource, value: float, now: dt.datetime
) -> None:
    kr = KeyResult.objects.select_for_update().get(pk=source.key_result_id)
    today = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    recorded_today = KeyResultValue.objects.filter(
        key_result=kr, source=PULLED, recorded_at__gte=today
    ).exists()
    if value != kr.current or not recorded_today:
        alignment.record_key_result_value(org, None, kr, value, NOTE, source=PULLED)


def _record_measurable(
    org: Organization, source: KeyResultSource, value: float, now: dt.datetime
) -> None:
    """This week's value of the measurable (a scorecard keeps two decimal places)."""
    measurable = Measurable.objects.select_related("team").get(pk=source.measurable_id)
    rounded = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    rhythm.record_measurable_value(
        org, None, measurable, week_start=timezone.localdate(now), value=rounded, source=PULLED
    )


def pull_source(org: Organization, actor: Person | None, source: KeyResultSource) -> PullResult:
    """Pull once now. A success records the value as pulled (when it changed, or when none
    was recorded today); a failure is recorded on the source and changes nothing else."""
    require_same_org(org, source, "source")
    if actor is not None:
        require_role(actor, Role.MEMBER, "pull a source")
    now = timezone.now()
    try:
        value = read_source(source)
    except readers.PullError as exc:
        _fail(KeyResultSource, source.pk, str(exc), now)
        return PullResult(False, str(exc))
    failure = ""
    with transaction.atomic():
        try:
            if source.measurable_id:
                _record_measurable(org, source, value, now)
            else:
                _record_key_result(org, source, value, now)
        except ServiceError as exc:  # its own savepoint is rolled back
            failure = f"{value:g} was read but not recorded: {exc.message}"
        else:
            KeyResultSource.objects.filter(pk=source.pk).update(
                last_attempt_at=now,
                last_success_at=now,
                last_error="",
                failures=0,
                last_value=value,
            )
    if failure:
        _fail(KeyResultSource, source.pk, failure, now)
        return PullResult(False, failure)
    return PullResult(True, f"Read {value:g}.", value)


# --- work trackers ----------------------------------------------------------------------


def _recognise(url: str) -> trackers.Item:
    item = trackers.recognise(url)
    if item is None:
        raise ServiceError(
            "Not a tracker item: paste the address of a GitHub issue or milestone "
            "(github.com/owner/repo/issues/12, …/milestone/3), a GitLab issue, epic or "
            "milestone (…/-/issues/12, …/-/epics/4, …/-/milestones/2) or a Jira issue "
            "(…/browse/KEY-12).",
            fields={"url": ["Not a GitHub, GitLab or Jira item."]},
            code="unknown_tracker",
        )
    return item


@transaction.atomic
def set_tracker_link(
    org: Organization, actor: Person | None, initiative: Initiative, url: str
) -> TrackerLink:
    require_same_org(org, initiative, "initiative")
    _require_owner_or_admin(actor, [initiative.owner_id], initiative.title)
    url = outbound.check_url(require_text(url, "url", max_length=1000), "url")
    item = _recognise(url)
    link = TrackerLink.objects.select_for_update().filter(initiative=initiative).first()
    if link is None:
        link = TrackerLink(org=org, initiative=initiative, created_by=actor)
    else:
        link.version += 1
    link.url, link.tracker, link.item_kind = url, item.tracker, item.kind
    link.state, link.closed, link.done_count, link.total_count, link.title = (
        "",
        False,
        None,
        None,
        "",
    )
    link.failures, link.last_error, link.last_error_at, link.last_attempt_at = 0, "", None, None
    link.save()
    activity.record(
        org, actor, "tracker_linked", initiative, after={"url": url, "tracker": item.tracker}
    )
    return link


@transaction.atomic
def clear_tracker_link(org: Organization, actor: Person | None, initiative: Initiative) -> None:
    require_same_org(org, initiative, "initiative")
    _require_owner_or_admin(actor, [initiative.owner_id], initiative.title)
    link = TrackerLink.objects.filter(initiative=initiative).first()
    if link is None:
        return
    before = {"url": link.url, "tracker": link.tracker}
    link.delete()
    activity.record(org, actor, "tracker_unlinked", initiative, before=before)


def pull_tracker(org: Organization, actor: Person | None, link: TrackerLink) -> PullResult:
    """Pull the item's state and progress once now; the initiative's progress follows."""
    require_same_org(org, link, "tracker link")
    if actor is not None:
        require_role(actor, Role.MEMBER, "pull a tracker")
    now = timezone.now()
    item = trackers.recognise(link.url)
    cred = TrackerCredential.objects.filter(org=org, tracker=link.tracker).first()
    token = crypto.decrypt(cred.token) if cred else ""
    try:
        if item is None:
            raise trackers.TrackerError("The address is no longer a tracker item.")
        if token is None:
            raise trackers.TrackerError(
                "The stored token cannot be decrypted (the encryption key changed); set it again."
            )
        progress = trackers.fetch(item, cred.base_url if cred else "", token or "", timeout())
    except trackers.TrackerError as exc:
        _fail(TrackerLink, link.pk, str(exc), now)
        if exc.auth and cred is not None:
            TrackerCredential.objects.filter(pk=cred.pk).update(
                auth_error=str(exc)[:500], auth_error_at=now
            )
        return PullResult(False, str(exc))
    with transaction.atomic():
        initiative = Initiative.objects.select_for_update().get(pk=link.initiative_id)
        if initiative.progress != progress.percent and initiative.status != "done":
            alignment.update_initiative(org, None, initiative, progress=progress.percent)
        current = TrackerLink.objects.select_for_update().filter(pk=link.pk).first() or link
        note = _finish_initiative(org, current, initiative, progress)
        TrackerLink.objects.filter(pk=link.pk).update(
            note=note,
            last_attempt_at=now,
            last_success_at=now,
            last_error="",
            failures=0,
            state=progress.state[:100],
            closed=progress.closed,
            done_count=progress.done,
            total_count=progress.total,
            title=progress.title[:300],
        )
        if cred is not None and cred.auth_error:
            TrackerCredential.objects.filter(pk=cred.pk).update(auth_error="", auth_error_at=None)
    message = f"{progress.state}, {progress.done} of {progress.total} done."
    return PullResult(True, f"{message} {note}" if note else message)


def _finish_initiative(
    org: Organization, link: TrackerLink, initiative: Initiative, progress: trackers.Progress
) -> str:
    """When the item is finished (closed, every child done), mark an active or paused
    initiative done through alignment, whose checks (e.g. undelivered dependencies) may refuse.

    It is done once, when the item becomes finished, and again on each pull while a refusal
    stands; an initiative a person reopens afterwards is left alone. Answers the pull note:
    the refusal's reason, or empty."""
    finished = progress.closed and progress.done == progress.total
    if not finished or initiative.status not in (InitiativeStatus.ACTIVE, InitiativeStatus.PAUSED):
        return ""
    if link.finished and not link.note:
        return ""  # finished before, and not refused: a person's later status stands
    name = trackers.NAMES[link.tracker]
    reason = f"The {name} {link.item_kind} {link.url} is {progress.state}, all its work done."
    try:
        with transaction.atomic():
            alignment.set_initiative_status(org, None, initiative, InitiativeStatus.DONE, reason)
    except ServiceError as exc:
        return f"Not marked done: {exc}"[:500]
    return ""


@transaction.atomic
def set_credential(
    org: Organization,
    actor: Person | None,
    tracker: str,
    *,
    base_url: str | None = None,
    token: str | None = None,
) -> TrackerCredential:
    """Set an organization's API base URL and/or token for one tracker kind (admins).
    `None` keeps a value; "" clears it. The token is stored encrypted and never shown."""
    require_role(actor, Role.ADMIN, "change the organization's integrations")
    if tracker not in Tracker.values:
        raise ServiceError(
            f"Unknown tracker {tracker!r}; use github, gitlab or jira.",
            fields={"tracker": ["Unknown tracker."]},
        )
    cred = TrackerCredential.objects.select_for_update().filter(org=org, tracker=tracker).first()
    if cred is None:
        cred = TrackerCredential(org=org, tracker=tracker)
    else:
        cred.version += 1
    after: dict[str, Any] = {}
    if base_url is not None:
        base = require_text(base_url, "base_url", max_length=500, required=False)
        cred.base_url = outbound.check_url(base, "base_url").rstrip("/") if base else ""
        after["base_url"] = cred.base_url
    if token is not None:
        secret = require_text(token, "token", max_length=2000, required=False)
        cred.token = crypto.encrypt(secret)
        cred.token_set_at = timezone.now() if secret else None
        cred.auth_error, cred.auth_error_at = "", None
        after["token"] = "set" if secret else "removed"
    cred.save()
    activity.record(org, actor, "integration_set", cred, after=after)
    return cred
