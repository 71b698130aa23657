"""The import and export page: upload a file, see the plan, then apply it."""

from __future__ import annotations

import base64
import hashlib

from django.conf import settings
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from accord.core.errors import NotFound, PermissionDenied
from accord.interchange import csvio, engine, links, services
from accord.interchange.forms import UploadForm
from accord.web.helpers import org_view, post_only


def _is_admin(request) -> bool:
    try:
        services.require_admin(request.person, "")
    except PermissionDenied:
        return False
    return True


def _run(
    request,
    content: bytes,
    name: str,
    strict: bool,
    *,
    apply: bool,
    allow_removals: bool = False,
    allow_ignored_columns: bool = False,
):
    if name.lower().endswith(".csv"):
        return csvio.import_csv(
            content,
            org_slug=request.org.slug,
            strict=strict,
            dry_run=not apply,
            filename=name,
            actor=request.person,
            allow_ignored_columns=allow_ignored_columns,
        )
    if apply:
        return services.apply_file(
            content,
            org=request.org,
            strict=strict,
            actor=request.person,
            name=name,
            allow_removals=allow_removals,
        )
    return services.plan_file(content, org=request.org, strict=strict, actor=request.person)


def _digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _guidance(request, outcome) -> dict:
    """What the plan (or result) page shows beside an outcome: a refusal about columns with
    a link to the CSV templates and the template(s) to download; the columns of a CSV that
    are not imported, each named; after an apply, links to what it created and changed."""
    if outcome is None:
        return {}
    slug = request.org.slug
    index = reverse("interchange:index", kwargs={"org_slug": slug})
    extra: dict = {"templates_url": f"{index}#csv-templates"}

    def template(section: str) -> str:
        return reverse("interchange:template", kwargs={"org_slug": slug, "section": section})

    fatal = outcome.fatal
    if fatal is not None and fatal.why.endswith(csvio.SEE_TEMPLATES):
        extra["fatal_why"] = fatal.why.removesuffix(csvio.SEE_TEMPLATES).rstrip()
        sections = [outcome.csv_section] if outcome.csv_section else csvio.CSV_SECTIONS
        extra["template_links"] = [(s, template(s)) for s in sections]
    if fatal is None and outcome.ignored_columns:
        extra["column_warnings"] = csvio.column_warnings(outcome)
        if outcome.csv_section:
            extra["template_url"] = template(outcome.csv_section)
    if outcome.applied:
        extra["made"] = links.made(request.org, outcome.changes)
        added = sum(1 for c in outcome.changes if c.section == "people" and c.action == "create")
        if added and not settings.ACCORD_OIDC_ENABLED:  # an import sends no invitation
            extra["cannot_sign_in"] = f"{added} {'person' if added == 1 else 'people'}"
            extra["people_url"] = reverse("org:people", kwargs={"org_slug": slug})
    return extra


def _index_url(request) -> str:
    return reverse("interchange:index", kwargs={"org_slug": request.org.slug})


def _job_url(request, job_id: int) -> str:
    job = services.get_job(request.org, request.person, job_id)  # another's is not found
    return reverse("interchange:job", kwargs={"org_slug": request.org.slug, "job_id": job.pk})


@org_view
def index(request):
    form = UploadForm()
    return render(
        request,
        "interchange/index.html",
        {
            "form": form,
            "is_admin": _is_admin(request),
            "sections": csvio.CSV_SECTIONS,
            "jobs": services.recent_jobs(request.org) if _is_admin(request) else [],
        },
    )


@org_view
@post_only(_index_url)  # a reload of the plan: its file is not kept, so back to the upload
def plan(request):
    services.require_admin(request.person, "import organization files")
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(
            request,
            "interchange/index.html",
            {
                "form": form,
                "is_admin": True,
                "sections": csvio.CSV_SECTIONS,
                "page_path": reverse("interchange:index", kwargs={"org_slug": request.org.slug}),
            },
            status=422,
        )
    upload = form.cleaned_data["file"]
    content = upload.read(engine.max_bytes() + 1)
    strict = form.cleaned_data["strict"]
    if services.needs_job(content):  # a large file is planned by the worker
        job = services.submit_job(
            request.org,
            request.person,
            name=upload.name,
            content=content,
            kind="plan",
            strict=strict,
        )
        return redirect("interchange:job", org_slug=request.org.slug, job_id=job.pk)
    outcome = _run(request, content, upload.name, strict, apply=False)
    return render(
        request,
        "interchange/plan.html",
        {
            "outcome": outcome,
            "name": upload.name,
            "strict": strict,
            "payload": base64.b64encode(content).decode(),
            "digest": _digest(content),
            "applied": False,
            **_guidance(request, outcome),
        },
        status=200 if outcome.ok else 422,
    )


@org_view
@post_only(_index_url)
def apply(request):
    services.require_admin(request.person, "import organization files")
    try:
        content = base64.b64decode(request.POST.get("payload", ""), validate=True)
    except ValueError:
        content = b""
    if len(content) > engine.max_bytes() or _digest(content) != request.POST.get("digest"):
        return HttpResponse("The planned file did not arrive intact; upload it again.", status=400)
    name = request.POST.get("name", "upload.yaml")
    strict = request.POST.get("strict") == "1"
    # The plan's checkboxes "I understand this removes …" and "… the column Emial is
    # ignored": checked here, not only in the page.
    confirmed = {
        "allow_removals": request.POST.get("allow_removals") == "1",
        "allow_ignored_columns": request.POST.get("allow_ignored_columns") == "1",
    }
    if services.needs_job(content):
        job = services.submit_job(
            request.org,
            request.person,
            name=name,
            content=content,
            kind="apply",
            strict=strict,
            **confirmed,
        )
        return redirect("interchange:job", org_slug=request.org.slug, job_id=job.pk)
    outcome = _run(request, content, name, strict, apply=True, **confirmed)
    context = {
        "outcome": outcome,
        "name": name,
        "strict": strict,
        "applied": outcome.applied,
        **_guidance(request, outcome),
    }
    if outcome.unconfirmed:  # the plan again, with its Apply and the box to tick
        context.update(
            payload=base64.b64encode(content).decode(), digest=_digest(content), offer=True
        )
    return render(request, "interchange/plan.html", context, status=200 if outcome.ok else 422)


def _job_context(request, job) -> dict:
    return {"job": job, "name": job.name, "strict": job.strict}


@org_view
def job(request, job_id: int):
    """A background plan or apply: its progress while it runs, its plan report when done."""
    job = services.get_job(request.org, request.person, job_id)
    if not job.finished:
        return render(request, "interchange/job.html", _job_context(request, job))
    outcome = services.Outcome.from_json(job.result) if job.result else None
    return render(
        request,
        "interchange/plan.html",
        {
            **_job_context(request, job),
            "outcome": outcome,
            "applied": bool(outcome and outcome.applied),
            **_guidance(request, outcome),
        },
        status=200 if job.state == job.State.DONE else 422,
    )


@org_view
def job_progress(request, job_id: int):
    """The progress part of the job page, polled by htmx; once the job has finished the
    page reloads to show its report."""
    job = services.get_job(request.org, request.person, job_id)
    response = render(request, "interchange/_job_progress.html", _job_context(request, job))
    if job.finished:
        response["HX-Refresh"] = "true"
    return response


@org_view
@post_only(_job_url)
def job_apply(request, job_id: int):
    """Apply exactly the file a finished background plan read."""
    planned = services.get_job(request.org, request.person, job_id)
    finished_plan = planned.kind == "plan" and planned.state == planned.State.DONE
    # An apply refused for want of confirming its removals (or a CSV's ignored columns) is
    # offered again, with the box.
    unconfirmed = planned.kind == "apply" and bool((planned.result or {}).get("unconfirmed"))
    if not (finished_plan or unconfirmed):
        return HttpResponse(
            "Only a finished plan can be applied; upload the file again.", status=400
        )
    job = services.submit_job(
        request.org,
        request.person,
        name=planned.name,
        content=bytes(planned.content),
        kind="apply",
        strict=planned.strict,
        allow_removals=request.POST.get("allow_removals") == "1",
        allow_ignored_columns=request.POST.get("allow_ignored_columns") == "1",
    )
    return redirect("interchange:job", org_slug=request.org.slug, job_id=job.pk)


@org_view
def export(request, fmt: str):
    services.require_admin(request.person, "export the organization")
    org = request.org
    if fmt not in ("zip", "yaml"):
        raise NotFound(f"No export format {fmt!r}: export.yaml or export.zip.")
    made = services.record_export(
        org, request.person, fmt="csv" if fmt == "zip" else "yaml", via="page"
    )
    if fmt == "zip":
        response = StreamingHttpResponse(csvio.export_zip(org), content_type="application/zip")
    else:
        response = StreamingHttpResponse(
            services.export_yaml(org), content_type="application/yaml; charset=utf-8"
        )
    response["Content-Disposition"] = f'attachment; filename="{made.name}"'
    return response


@org_view
def export_me(request):
    services.record_export(
        request.org, request.person, fmt="yaml", via="page", person=request.person
    )
    response = StreamingHttpResponse(
        services.export_person(request.person), content_type="application/yaml; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="my-accord-data.yaml"'
    return response


@org_view
def template(request, section: str):
    if section not in csvio.kinds_by_section():
        raise NotFound(f"No CSV template {section!r}.")
    response = HttpResponse(csvio.template(section), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{section}.csv"'
    return response
