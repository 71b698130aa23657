"""The cards on a key result's page (its source) and an initiative's page (its tracker)."""

from __future__ import annotations

from django.template.loader import render_to_string

from accord.alignment.models import PeriodState
from accord.sources import services
from accord.sources.forms import TrackerLinkForm
from accord.sources.models import KeyResultSource, TrackerCredential, TrackerLink
from accord.web.helpers import can_write


def key_result(request, kr) -> str | None:
    source = KeyResultSource.objects.filter(key_result=kr).first()
    may_configure = services.can_configure_source(request.person, kr)
    if source is None and not may_configure:
        return None
    return render_to_string(
        "sources/panel_key_result.html",
        {
            "kr": kr,
            "source": source,
            "may_configure": may_configure,
            "may_pull": can_write(request.person),
            "closed": kr.objective.period.state == PeriodState.CLOSED,
        },
        request=request,
    )


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
