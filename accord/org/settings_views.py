"""Organization settings, for admins: the organization's name (`services.rename_organization`;
its address stays), its time zone (`services.set_organization_timezone`), its facts, the
way to every other settings page, and its history."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render

from accord.core.errors import ServiceError
from accord.org import services
from accord.org.forms import TimezoneField
from accord.org.models import Organization, Role
from accord.org.permissions import require_role
from accord.org.queries import headcount
from accord.web import getting_started
from accord.web.helpers import form_error, org_view

NAME_MAX = Organization._meta.get_field("name").max_length


class RenameForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=NAME_MAX,
        help_text="What every page, e-mail and export calls the organization.",
    )


class TimezoneForm(forms.Form):
    timezone = TimezoneField(
        label="Time zone",
        help_text="New people (added, invited, imported) start in it, and so do the cadences "
        "they set up; each person may change their own. Changing it changes nobody's.",
    )


@org_view
def organization(request):
    require_role(request.person, Role.ADMIN, "change the organization's settings")
    org = request.org
    posted = request.POST if request.method == "POST" else None
    zone_posted = posted if posted is not None and posted.get("action") == "timezone" else None
    if zone_posted is not None:
        posted = None
    form = RenameForm(posted, initial={"name": org.name})
    zone_form = TimezoneForm(zone_posted, initial={"timezone": org.timezone})
    if zone_posted is not None and zone_form.is_valid():
        old = org.timezone
        try:
            org = services.set_organization_timezone(
                org, request.person, zone_form.cleaned_data["timezone"], confirm=True
            )
        except ServiceError as exc:
            form_error(zone_form, exc)
        else:
            if org.timezone == old:
                messages.info(request, f"The time zone stays {org.timezone}.")
            else:
                messages.success(
                    request,
                    f"New people now start in {org.timezone}; nobody's own time zone changed.",
                )
            return redirect("org:settings", org_slug=org.slug)
    if posted is not None and form.is_valid():
        old = org.name
        try:
            org = services.rename_organization(org, request.person, form.cleaned_data["name"])
        except ServiceError as exc:
            form_error(form, exc)
        else:
            if org.name == old:
                messages.info(request, "The name is unchanged.")
            else:
                messages.success(
                    request,
                    f"Renamed to “{org.name}”. Its address /o/{org.slug}/ stays, so links "
                    "keep working.",
                )
            return redirect("org:settings", org_slug=org.slug)
    from accord.web.views import history_for

    return render(
        request,
        "org/settings.html",
        {
            "form": form,
            "zone_form": zone_form,
            "counts": headcount(org),
            "guide_young": getting_started.young(org),
            "guide_hidden": getting_started.hidden(org),
            "history": history_for(org, "org.organization", org.pk, limit=10),
        },
    )
