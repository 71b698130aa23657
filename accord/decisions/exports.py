"""Decision log exports: CSV, and Markdown records (ADR-like, one file per decision) zipped;
and the action items list as CSV.

All stream: rows are read in chunks and written out as they come, so a large log never
sits in memory whole. They honour their list's filters (the same query string).
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Iterator

from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.utils import timezone
from django.utils.text import slugify

from accord.core import csvsafe
from accord.core.days import org_today
from accord.decisions import queries
from accord.decisions.forms import LogFilterForm
from accord.decisions.models import ActionItem, ActionStatus, Decision, DecisionOption
from accord.org.models import Organization
from accord.web.helpers import org_view
from accord.web.templatetags.people import name_of

CSV_COLUMNS = [
    "id",
    "question",
    "status",
    "outcome",
    "rationale",
    "context",
    "approver",
    "driver",
    "contributors",
    "informed",
    "teams",
    "options",
    "opened_at",
    "decide_by",
    "decided_at",
    "latency_days",
    "revisit_on",
    "revisit_trigger",
    "superseded_by",
    "supersede_reason",
    "reversal_reason",
]
CHUNK = 200


def export_queryset(org: Organization, params) -> QuerySet[Decision]:
    form = LogFilterForm(params or None, org=org)
    filters = form.log_filters()
    qs = queries.filter_log(org, **filters)
    if not filters["q"]:
        qs = qs.order_by("opened_at", "id")
    return qs.prefetch_related(
        "contributors",
        "informed",
        "teams",
        "supersedes",
        Prefetch("options", queryset=DecisionOption.objects.order_by("position", "id")),
    )


def _names(items) -> str:
    return "; ".join(x.name for x in items)


def _iso(value) -> str:
    return value.isoformat() if value else ""


def csv_rows(qs: QuerySet[Decision]) -> Iterator[list[str]]:
    yield CSV_COLUMNS
    for d in qs.iterator(chunk_size=CHUNK):
        latency = queries.latency_days(d)
        yield [
            str(d.pk),
            d.question,
            d.status,
            d.outcome,
            d.rationale,
            d.context,
            d.approver.name,
            d.driver.name if d.driver else "",
            _names(d.contributors.all()),
            _names(d.informed.all()),
            _names(d.teams.all()),
            "; ".join(o.title for o in d.options.all()),
            _iso(d.opened_at),
            _iso(d.decide_by),
            _iso(d.decided_at),
            "" if latency is None else str(latency),
            _iso(d.revisit_on),
            d.revisit_trigger,
            str(d.superseded_by_id or ""),
            d.supersede_reason,
            d.reversal_reason,
        ]


class _Echo:
    def write(self, value):
        return value


def stream_csv(qs: QuerySet[Decision]) -> Iterator[str]:
    return _stream(csv_rows(qs))


def _stream(rows: Iterable[list[str]]) -> Iterator[str]:
    writer = csvsafe.writer(_Echo())  # cells that spreadsheets would run are neutralised
    for row in rows:
        yield writer.writerow(row)


def _csv_response(rows: Iterable[list[str]], name: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(_stream(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def markdown(d: Decision) -> str:
    """One decision as an architecture-decision-record style Markdown document."""
    lines = [f"# {d.pk}. {d.question}", ""]
    status = d.get_status_display()
    if d.decided_at:
        status += f" on {timezone.localdate(d.decided_at).isoformat()}"
    lines += [f"- **Status:** {status}"]
    if d.superseded_by_id:
        lines.append(f"- **Superseded by:** decision {d.superseded_by_id} — {d.supersede_reason}")
    sup = list(d.supersedes.all())
    if sup:
        lines.append("- **Supersedes:** " + ", ".join(f"decision {s.pk}" for s in sup))
    if d.reversal_reason:
        lines.append(f"- **Reversed because:** {d.reversal_reason}")
    lines.append(f"- **Approver:** {name_of(d.approver)}")
    if d.driver:
        lines.append(f"- **Driver:** {name_of(d.driver)}")
    if d.contributors.all():
        lines.append(f"- **Contributors:** {', '.join(name_of(p) for p in d.contributors.all())}")
    if d.informed.all():
        lines.append(f"- **Informed:** {', '.join(name_of(p) for p in d.informed.all())}")
    if d.teams.all():
        lines.append(f"- **Teams affected:** {', '.join(t.name for t in d.teams.all())}")
    lines.append(f"- **Opened:** {timezone.localdate(d.opened_at).isoformat()}")
    if d.decide_by:
        lines.append(f"- **Decide by:** {d.decide_by.isoformat()}")
    latency = queries.latency_days(d)
    if latency is not None:
        lines.append(f"- **Latency:** {latency} days")
    lines.append("")
    if d.context:
        lines += ["## Context", "", d.context, ""]
    options = list(d.options.all())
    if options:
        lines += ["## Options considered", ""]
        for o in options:
            lines += [f"### {o.title}", ""]
            if o.pros:
                lines += [f"**Pros:** {o.pros}", ""]
            if o.cons:
                lines += [f"**Cons:** {o.cons}", ""]
    lines += ["## Decision", "", d.outcome or "_Not decided yet._", ""]
    if d.rationale:
        lines += ["## Rationale", "", d.rationale, ""]
    if d.revisit_on or d.revisit_trigger:
        lines += ["## Revisit", ""]
        if d.revisit_on:
            lines.append(f"On {d.revisit_on.isoformat()}.")
        if d.revisit_trigger:
            lines.append(f"When {d.revisit_trigger}.")
        lines.append("")
    return "\n".join(lines)


def filename(d: Decision) -> str:
    return f"{d.pk:04d}-{slugify(d.question)[:60] or 'decision'}.md"


class _Chunks:
    """A write-only file for zipfile that hands back what was written since the last call."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        out = b"".join(self.parts)
        self.parts.clear()
        return out


def stream_zip(qs: QuerySet[Decision]) -> Iterator[bytes]:
    sink = _Chunks()
    with zipfile.ZipFile(sink, "w", zipfile.ZIP_DEFLATED) as zf:  # type: ignore[arg-type]
        for d in qs.iterator(chunk_size=CHUNK):
            zf.writestr(filename(d), markdown(d))
            chunk = sink.take()
            if chunk:
                yield chunk
    yield sink.take()


@org_view
def csv_export(request):
    qs = export_queryset(request.org, request.GET)
    stamp = timezone.localdate().isoformat()
    return _csv_response(csv_rows(qs), f"{request.org.slug}-decisions-{stamp}.csv")


@org_view
def markdown_export(request):
    qs = export_queryset(request.org, request.GET)
    response = StreamingHttpResponse(stream_zip(qs), content_type="application/zip")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = (
        f'attachment; filename="{request.org.slug}-decisions-{stamp}.zip"'
    )
    return response


@org_view
def markdown_one(request, decision_id: int):
    d = export_queryset(request.org, None).filter(pk=decision_id).first()
    if d is None:
        raise Http404("No such decision.")
    response = HttpResponse(markdown(d), content_type="text/markdown; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename(d)}"'
    return response


# --- action items ------------------------------------------------------------------------

ACTION_COLUMNS = [
    "id",
    "title",
    "status",
    "overdue",
    "owner",
    "team",
    "due_on",
    "slipped_from",
    "source",
    "source_id",
    "recorded_by",
    "recorded_at",
    "done_at",
    "dropped_at",
]
# `?status=`: the open items the list shows (the default), the closed ones, or every one.
ACTION_STATUSES = {"": ActionStatus.OPEN, "open": ActionStatus.OPEN, "all": ""} | {
    s: s for s in (ActionStatus.DONE, ActionStatus.DROPPED)
}


def action_rows(qs: QuerySet[ActionItem], today) -> Iterator[list[str]]:
    yield ACTION_COLUMNS
    for a in qs.iterator(chunk_size=CHUNK):
        yield [
            str(a.pk),
            a.title,
            a.status,
            "yes" if a.is_overdue(today) else "",
            a.owner.name,
            a.team.name if a.team else "",
            _iso(a.due_on),
            _iso(a.slipped_from),
            a.source_type,
            str(a.source_id or ""),
            a.created_by.name if a.created_by else "",
            _iso(a.created_at),
            _iso(a.done_at),
            _iso(a.dropped_at),
        ]


@org_view
def actions_csv(request):
    """The action items of the list's scope (`views.actions_scope`: a team's, one owner's
    of a team, a person's), soonest due first: its open ones, or `?status=` done, dropped
    or all."""
    from accord.decisions.views import actions_scope, scoped_action_items

    given = request.GET.get("status", "")
    if given not in ACTION_STATUSES:
        return HttpResponseBadRequest(
            f"Unknown status {given!r}: use open, done, dropped or all.",
            content_type="text/plain; charset=utf-8",
        )
    scope = actions_scope(request)
    qs = scoped_action_items(request.org, scope, ACTION_STATUSES[given])
    whose = f"{scope.team.slug}" if scope.team else f"person-{scope.person.pk}"
    if scope.owner is not None:
        whose += f"-person-{scope.owner.pk}"
    stamp = timezone.localdate().isoformat()
    name = f"{request.org.slug}-action-items-{whose}-{stamp}.csv"
    return _csv_response(action_rows(qs.select_related("created_by"), org_today()), name)
