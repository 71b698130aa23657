"""Organization settings, for admins: the organization's name (`services.rename_organization`;
its address stays), its facts, the way to every other settings page, and its history."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render

from accord.core.errors import ServiceError
from accord.org import services
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


@org_view
def organization(request):
    require_role(request.person, Role.ADMIN, "change the organization's settings")
    org = request.org
    posted = request.POST if request.method == "POST" else None
    form = RenameForm(posted, initial={"name": org.name})
    if request.method == "POST" and form.is_valid():
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
            "counts": headcount(org),
            "guide_young": getting_started.young(org),
            "guide_hidden": getting_started.hidden(org),
            "history": history_for(org, "org.organization", org.pk, limit=10),
        },
    )
