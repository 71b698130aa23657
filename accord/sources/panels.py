"""The cards on a key result's and a scorecard measurable's pages (their source, one
template) and an initiative's page (its tracker)."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.urls import reverse

from accord.alignment.models import PeriodState
from accord.sources import services
from accord.sources.forms import TrackerLinkForm
from accord.sources.models import KeyResultSource, TrackerCredential, TrackerLink
from accord.web.helpers import can_write


def _source_card(request, target, source, prefix: str, kwargs: dict, closed: bool) -> str | None:
    may_configure = services.can_configure_source(request.person, target)
    if source is None and not may_configure:
        return None
    kwargs = {"org_slug": request.org.slug, **kwargs}
    return render_to_string(
        "sources/panel_source.html",
        {
            "name": target.name,
            "source": source,
            "may_configure": may_configure,
            "may_pull": can_write(request.person),
            "closed": closed,
            "edit_url": reverse(f"sources:{prefix}_source_edit", kwargs=kwargs),
            "pull_url": reverse(f"sources:{prefix}_pull", kwargs=kwargs),
            "clear_url": reverse(f"sources:{prefix}_clear", kwargs=kwargs),
        },
        request=request,
    )


def key_result(request, kr) -> str | None:
    source = KeyResultSource.objects.filter(key_result=kr).first()
    closed = kr.objective.period.state == PeriodState.CLOSED
    return _source_card(request, kr, source, "kr", {"kr_id": kr.pk}, closed)


def measurable(request, m) -> str | None:
    source = KeyResultSource.objects.filter(measurable=m).first()
    # An archived measurable is not pulled: its card says so and offers nothing.
    return _source_card(request, m, source, "measurable", {"measurable_id": m.pk}, not m.is_active)


def initiative(request, item) -> str | None:
    link = TrackerLink.objects.filter(initiative=item).first()
    may_configure = services.can_configure_tracker(request.person, item)
    if link is None and not may_configure:
        return None
    auth_error = ""
    if link is not None:
        cred = TrackerCredential.objects.filter(org=item.org_id, tracker=link.tracker).first()
        auth_error = cred.auth_error if cred else ""
    return render_to_string(
        "sources/panel_initiative.html",
        {
            "item": item,
            "link": link,
            "auth_error": auth_error,
            "form": TrackerLinkForm(initial={"url": link.url if link else ""}),
            "may_configure": may_configure,
            "may_pull": can_write(request.person),
        },
        request=request,
    )
