"""Organization as code over HTTP: plan, apply, export, CSV and the schema (admins)."""

# No `from __future__ import annotations`: ninja resolves annotations at import time.
import json

from django.http import HttpResponse, StreamingHttpResponse
from ninja import Router

from accord.api.common import actor_of, org_of
from accord.core.errors import NotFound, ServiceError
from accord.interchange import csvio, engine, services

router = Router(tags=["Organization as code"])

MEDIA_YAML = "application/yaml"

# A refused file answers 422 with the API's error and the same report as a plan (changes,
# problems); a file over the size limit, with the API's error alone.
REPORT_422 = {
    "422": {
        "description": "The file cannot be used: the report lists every problem.",
        "content": {"application/json": {"schema": {"type": "object"}}},
    },
    "202": {
        "description": "A large file: planned or applied in the background; follow the job.",
        "content": {"application/json": {"schema": {"type": "object"}}},
    },
}


def _outcome_response(outcome: services.Outcome) -> HttpResponse:
    body = outcome.as_json()
    if not outcome.ok:
        # The API's error, as every 422 has it, beside the report it summarises.
        if outcome.fatal is not None:
            error = {"code": outcome.fatal.kind, "message": outcome.fatal.why}
        elif outcome.unconfirmed and outcome.near_misses:
            error = {
                "code": "columns_unconfirmed",
                "message": f"{outcome.stopped} To import the file without those columns, "
                "send allow_ignored_columns=true (see near_misses).",
            }
        elif outcome.unconfirmed:
            error = {
                "code": "removals_unconfirmed",
                "message": f"{outcome.stopped} To apply it, send allow_removals=true "
                "(see large_removals).",
            }
        elif outcome.stopped:
            error = {"code": "file_refused", "message": outcome.stopped}
        else:
            count = len(outcome.report.problems)
            error = {
                "code": "file_refused",
                "message": f"Nothing was changed: the file has {count} "
                f"problem{'s' if count != 1 else ''} (see report.problems).",
            }
        body = {"error": {**error, "fields": {}}, **body}
    return HttpResponse(
        json.dumps(body, default=str),
        status=200 if outcome.ok else 422,
        content_type="application/json",
    )


def _job_response(job) -> HttpResponse:
    body = {**services.job_json(job), "url": f"/api/v1/interchange/jobs/{job.pk}"}
    response = HttpResponse(
        json.dumps(body, default=str), status=202, content_type="application/json"
    )
    response["Location"] = body["url"]
    return response


def _run_or_queue(
    request,
    kind: str,
    *,
    strict: bool,
    name: str,
    run,
    allow_removals: bool = False,
    allow_ignored_columns: bool = False,
    refuse=None,
):
    """A large file becomes a background job (202 with its id); a small one runs here.
    `refuse(content)`: the outcome that refuses a large file before it is queued, or None."""
    content = _body(request)
    if services.needs_job(content):
        refused = refuse(content) if refuse else None
        if refused is not None:
            return _outcome_response(refused)
        job = services.submit_job(
            org_of(request),
            actor_of(request),
            name=name,
            content=content,
            kind=kind,
            strict=strict,
            allow_removals=allow_removals,
            allow_ignored_columns=allow_ignored_columns,
        )
        return _job_response(job)
    return _outcome_response(run(content))


LARGE = (
    f" A file larger than {services.JOB_BYTES // 1024} KB is planned or applied in the "
    "background: the answer is 202 with the job (`id`, `state`, `progress`, `url`); follow "
    "it at `GET /api/v1/interchange/jobs/{id}`."
)


def _body(request) -> bytes:
    """The request body, up to the file-size cap (files may exceed Django's form-data
    limit, so the stream is read directly; an oversized body is refused before reading)."""
    length = int(request.META.get("CONTENT_LENGTH") or 0)
    if length > engine.max_bytes():
        raise ServiceError(engine.too_large(length), code="too_large")
    if hasattr(request, "_body"):
        return request._body
    return request.read(engine.max_bytes() + 1)


@router.post(
    "/interchange/plan",
    summary="What applying an organization file would change (changes nothing)",
    description="Send the YAML file as the request body (Content-Type: application/yaml). "
    "`strict=true` makes any problem abort. The answer lists the changes per kind and "
    "every problem (path, line, value, why). 422 when the file cannot be used. "
    "`large_removals` lists what applying it would take away in a large share (more than "
    "half of a kind of item, or more than 20): apply then needs `allow_removals=true`." + LARGE,
    openapi_extra={
        "requestBody": {"content": {MEDIA_YAML: {"schema": {"type": "string"}}}},
        "responses": REPORT_422,
    },
)
def plan(request, strict: bool = False):
    services.require_admin(actor_of(request), "plan organization files")
    return _run_or_queue(
        request,
        "plan",
        strict=strict,
        name="upload.yaml",
        run=lambda content: services.plan_file(
            content, org=org_of(request), strict=strict, actor=actor_of(request)
        ),
    )


@router.post(
    "/interchange/apply",
    summary="Apply an organization file (one transaction, or short ones for a large file)",
    description="Idempotent: applying the same file twice changes nothing. Without `strict`, "
    "problems are skipped and listed; with it, any problem aborts and nothing is written. A "
    "file with a section that cannot be applied (e.g. no admin left) writes nothing. A file "
    "that takes away more than half of a kind of item (people, memberships, teams…), or more "
    "than 20 of them, is applied only with `allow_removals=true`: without it the answer is "
    "422 `removals_unconfirmed` with `large_removals` (the plan lists them too)." + LARGE,
    openapi_extra={
        "requestBody": {"content": {MEDIA_YAML: {"schema": {"type": "string"}}}},
        "responses": REPORT_422,
    },
)
def apply(request, strict: bool = False, allow_removals: bool = False):
    services.require_admin(actor_of(request), "apply organization files")
    return _run_or_queue(
        request,
        "apply",
        strict=strict,
        name="upload.yaml",
        allow_removals=allow_removals,
        run=lambda content: services.apply_file(
            content,
            org=org_of(request),
            strict=strict,
            actor=actor_of(request),
            name="upload.yaml",
            allow_removals=allow_removals,
        ),
    )


@router.post(
    "/interchange/csv",
    summary="Import one CSV file (teams, people, memberships, objectives, key results…)",
    description="The columns say which section it is (or give `section`), known in any case, "
    "with or without spaces, - or _. Excel's BOM, `;` and Windows line ends are accepted. "
    "Nothing is removed. `dry_run=true` only reports. Enumerated values (role, status, "
    "kind, yes/no…) are read in any case and stored as Accord writes them. Columns the "
    "section does not have are ignored and listed (`ignored_columns`); one that looks like "
    "a known column misspelt (`near_misses`, e.g. Emial: email) is ignored only with "
    "`allow_ignored_columns=true`: without it the answer is 422 `columns_unconfirmed` and "
    "nothing is changed, for a dry run too (its plan is in the answer; a file large enough "
    "for the background is refused so at once, from its header, before any job)." + LARGE,
    openapi_extra={
        "requestBody": {"content": {"text/csv": {"schema": {"type": "string"}}}},
        "responses": REPORT_422,
    },
)
def import_csv(
    request,
    section: str = "",
    strict: bool = False,
    dry_run: bool = False,
    allow_ignored_columns: bool = False,
):
    services.require_admin(actor_of(request), "import CSV files")
    org = org_of(request)
    return _run_or_queue(
        request,
        "plan" if dry_run else "apply",
        strict=strict,
        name="upload.csv",  # a background job finds the section from the header
        allow_ignored_columns=allow_ignored_columns,
        refuse=None if allow_ignored_columns else lambda c: _columns_unconfirmed(c, org),
        run=lambda content: _as_the_import_would(
            csvio.import_csv(
                content,
                org_slug=org.slug,
                section=section or None,
                strict=strict,
                dry_run=dry_run,
                actor=actor_of(request),
                allow_ignored_columns=allow_ignored_columns,
            ),
            allow_ignored_columns,
        ),
    )


def _as_the_import_would(outcome: services.Outcome, allowed: bool) -> services.Outcome:
    """A dry run answers as the import would (as `accord import csv --dry-run` exits): a
    file with a column that looks misspelt is refused (422 `columns_unconfirmed`, its plan
    beside the error) unless `allow_ignored_columns` confirms it, so a script that checks a
    file first is not told it is fine."""
    if outcome.ok and outcome.near_misses and not allowed:
        outcome.aborted = outcome.unconfirmed = True
        outcome.stopped = f"Importing this file needs confirming: {outcome.near_miss_text()}."
    return outcome


def _columns_unconfirmed(content: bytes, org) -> services.Outcome | None:
    """A large CSV (a background job's) refused as a small one is (`_as_the_import_would`),
    dry run or import, when a column of its header looks misspelt and that was not
    confirmed: at once, from the header, rather than a job whose plan says nothing of it.
    Its section is the one the job finds from the header. None when its columns are fine,
    or when the header cannot be read at all (the job reports that, as it always has)."""
    try:
        document, _, ignored = csvio.parse_csv(content, rows=False)
    except services.Fatal:
        return None
    near = {cell: meant for cell, meant in ignored.items() if meant}
    if not near:
        return None
    outcome = services.Outcome(
        org,
        aborted=True,
        unconfirmed=True,
        ignored_columns=list(ignored),
        near_misses=near,
        csv_section=next(iter(document)),
        notes=[csvio.ignored_text(ignored)],
    )
    outcome.stopped = f"Importing this file needs confirming: {outcome.near_miss_text()}."
    return outcome


@router.get(
    "/interchange/jobs/{job_id}",
    summary="A background plan or apply of a large file: state, progress and result",
    description="`state` is queued, running, done or failed; `progress` has `done` and "
    "`total` changes and the `phase`; `result` is the plan report (as the plan and apply "
    "endpoints answer it) once the job has finished; `error` says why it failed. Admins of "
    "the job's organization only.",
)
def job(request, job_id: int):
    found = services.get_job(org_of(request), actor_of(request), job_id)
    return HttpResponse(
        json.dumps(services.job_json(found), default=str), content_type="application/json"
    )


@router.get(
    "/interchange/export",
    summary="The whole organization as an organization file (YAML) or a zip of CSVs",
    description="Streamed: memory does not grow with the organization's size.",
)
def export(request, format: str = "yaml"):
    org = org_of(request)
    services.require_admin(actor_of(request), "export the organization")
    if format not in ("yaml", "csv"):
        raise NotFound(f"No export format {format!r}: yaml or csv.")
    made = services.record_export(org, actor_of(request), fmt=format, via="api")
    if format == "csv":
        response = StreamingHttpResponse(csvio.export_zip(org), content_type="application/zip")
    else:
        response = StreamingHttpResponse(services.export_yaml(org), content_type=MEDIA_YAML)
    response["Content-Disposition"] = f'attachment; filename="{made.name}"'
    return response


@router.get(
    "/interchange/export/me",
    summary="Your own data: everything Accord holds about you (YAML)",
    description="Your profile and addresses, your teams, the work you own and the decisions "
    "and issues you take part in, your action items, check-ins, comments, time off, "
    "key-result values and confidence you recorded, re-rankings, requests you made, meeting "
    "attendance, votes, inbox, the notices sent to you, your weekly briefings, how Accord "
    "reaches you, your calendar addresses and API tokens (names and dates, never secrets), "
    "saved views, signals about you, and the event log's lines of what you did (sign-ins "
    "included) and of changes to your profile. Streamed. Each download is recorded "
    "(an event only you and admins read).",
)
def export_me(request):
    person = actor_of(request)
    services.record_export(person.org, person, fmt="yaml", via="api", person=person)
    response = StreamingHttpResponse(services.export_person(person), content_type=MEDIA_YAML)
    response["Content-Disposition"] = 'attachment; filename="my-accord-data.yaml"'
    return response


@router.get("/interchange/schema", summary="The JSON Schema of the organization file")
def schema(request):
    return services.json_schema()


@router.get("/interchange/templates/{section}.csv", summary="The CSV column template of a section")
def csv_template(request, section: str):
    if section not in csvio.kinds_by_section():
        raise NotFound(f"No section {section!r}.")
    response = HttpResponse(csvio.template(section), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{section}.csv"'
    return response
