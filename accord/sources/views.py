"""Pages to set a key result's source, link an initiative to a tracker, and the
organization's tracker access. The cards on the key-result and initiative pages are in
`panels.py`."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from accord.activity.models import ChatWebhook
from accord.alignment.models import Initiative, KeyResult
from accord.core.errors import NotFound, PermissionDenied, ServiceError
from accord.org.models import Role
from accord.org.permissions import can_manage_team
from accord.rhythm.models import Measurable
from accord.sources import services
from accord.sources.forms import CredentialForm, SourceForm, TrackerLinkForm
from accord.sources.models import KeyResultSource, Tracker, TrackerCredential, TrackerLink
from accord.web.helpers import change_and_redirect, flash_error, form_error, org_view, post_only

# The pages the forms that post to these addresses are on (see `post_only`).


def _kr_page(request, kr_id: int) -> str:
    return _kr_url(request, _kr(request, kr_id))


def _measurable_page(request, measurable_id: int) -> str:
    return _measurable_url(request, _measurable(request, measurable_id))


def _initiative_page(request, initiative_id: int) -> str:
    return _initiative_url(request, _initiative(request, initiative_id))


def _integrations_page(request, tracker: str) -> str:
    if tracker not in Tracker.values:
        raise NotFound(f"No tracker {tracker!r}.")
    return reverse("sources:integrations", kwargs={"org_slug": request.org.slug})


SOURCE_FIELDS = (
    "kind",
    "url",
    "json_path",
    "csv_column",
    "csv_row",
    "key_column",
    "key_value",
    "query",
    "header_name",
)


def _kr(request, kr_id: int) -> KeyResult:
    return get_object_or_404(
        KeyResult.objects.for_org(request.org).select_related("objective__period"), pk=kr_id
    )


def _kr_url(request, kr: KeyResult) -> str:
    return reverse("alignment:key_result", kwargs={"org_slug": request.org.slug, "kr_id": kr.pk})


def _initiative(request, initiative_id: int) -> Initiative:
    return get_object_or_404(Initiative.objects.for_org(request.org), pk=initiative_id)


def _initiative_url(request, item: Initiative) -> str:
    return reverse(
        "alignment:initiative", kwargs={"org_slug": request.org.slug, "initiative_id": item.pk}
    )


def _source_edit(request, target, back: str, extra: dict):
    if not services.can_configure_source(request.person, target):
        raise PermissionDenied(
            f"Only the owner of {target.name} or an admin may change where it comes from."
        )
    source = KeyResultSource.objects.filter(**services.target_kwargs(target)).first()
    if request.method == "POST":
        form = SourceForm(request.POST)
        if form.is_valid():
            data = {k: form.cleaned_data[k] for k in SOURCE_FIELDS}
            secret = form.cleaned_data["header_value"] or None
            try:
                services.set_source(
                    request.org, request.person, target, header_value=secret, **data
                )
            except ServiceError as exc:
                form_error(form, exc)
            else:
                messages.success(request, f"{target.name} will be pulled from its source.")
                return redirect(back)
    else:
        initial = {k: getattr(source, k) for k in SOURCE_FIELDS} if source else {}
        form = SourceForm(initial=initial or {"kind": "json", "csv_row": "last"})
    return render(
        request,
        "sources/source_edit.html",
        {"name": target.name, "form": form, "source": source, "back": back, **extra},
    )


def _pull(request, target, back: str):
    source = get_object_or_404(KeyResultSource, **services.target_kwargs(target))
    try:
        result = services.pull_source(request.org, request.person, source)
    except ServiceError as exc:
        flash_error(request, exc)
    else:
        (messages.success if result.ok else messages.error)(
            request, f"Pulled {target.name}: {result.message}"
        )
    return redirect(back)


def _clear(request, target, back: str):
    return change_and_redirect(
        request,
        lambda: services.clear_source(request.org, request.person, target),
        f"{target.name} is no longer pulled; record its values by hand.",
        back,
    )


@org_view
def kr_source_edit(request, kr_id: int):
    kr = _kr(request, kr_id)
    return _source_edit(request, kr, _kr_url(request, kr), {"kr": kr})


@org_view
@post_only(_kr_page)
def kr_pull(request, kr_id: int):
    kr = _kr(request, kr_id)
    return _pull(request, kr, _kr_url(request, kr))


@org_view
@post_only(_kr_page)
def kr_clear(request, kr_id: int):
    kr = _kr(request, kr_id)
    return _clear(request, kr, _kr_url(request, kr))


def _measurable(request, measurable_id: int) -> Measurable:
    return get_object_or_404(
        Measurable.objects.for_org(request.org).select_related("team"), pk=measurable_id
    )


def _measurable_url(request, m: Measurable) -> str:
    """The measurable's page when the person may open it, else its team's scorecard."""
    kwargs = {"org_slug": request.org.slug, "team_slug": m.team.slug}
    if can_manage_team(request.person, m.team):
        return reverse("rhythm:measurable_edit", kwargs={**kwargs, "measurable_id": m.pk})
    return reverse("rhythm:team", kwargs=kwargs)


@org_view
def measurable_source_edit(request, measurable_id: int):
    m = _measurable(request, measurable_id)
    return _source_edit(request, m, _measurable_url(request, m), {"measurable": m})


@org_view
@post_only(_measurable_page)
def measurable_pull(request, measurable_id: int):
    m = _measurable(request, measurable_id)
    return _pull(request, m, _measurable_url(request, m))


@org_view
@post_only(_measurable_page)
def measurable_clear(request, measurable_id: int):
    m = _measurable(request, measurable_id)
    return _clear(request, m, _measurable_url(request, m))


@org_view
@post_only(_initiative_page)
def tracker_set(request, initiative_id: int):
    item = _initiative(request, initiative_id)
    form = TrackerLinkForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Paste the address of a tracker item.")
        return redirect(_initiative_url(request, item))
    try:
        link = services.set_tracker_link(
            request.org, request.person, item, form.cleaned_data["url"]
        )
    except ServiceError as exc:
        flash_error(request, exc)
        return redirect(_initiative_url(request, item))
    result = services.pull_tracker(request.org, request.person, link)
    (messages.success if result.ok else messages.error)(
        request, f"Linked to {link.get_tracker_display()}: {result.message}"
    )
    return redirect(_initiative_url(request, item))


@org_view
@post_only(_initiative_page)
def tracker_pull(request, initiative_id: int):
    item = _initiative(request, initiative_id)
    link = get_object_or_404(TrackerLink, initiative=item)
    try:
        result = services.pull_tracker(request.org, request.person, link)
    except ServiceError as exc:
        flash_error(request, exc)
    else:
        (messages.success if result.ok else messages.error)(
            request, f"Pulled {item.title}: {result.message}"
        )
    return redirect(_initiative_url(request, item))


@org_view
@post_only(_initiative_page)
def tracker_clear(request, initiative_id: int):
    item = _initiative(request, initiative_id)
    return change_and_redirect(
        request,
        lambda: services.clear_tracker_link(request.org, request.person, item),
        f"{item.title} is no longer linked to a tracker.",
        _initiative_url(request, item),
    )


def _integration_rows(request, forms: dict | None = None):
    creds = {c.tracker: c for c in TrackerCredential.objects.for_org(request.org)}
    failing = {}
    for tracker, url, error in (
        TrackerLink.objects.for_org(request.org)
        .exclude(last_error="")
        .values_list("tracker", "url", "last_error")[:50]
    ):
        failing.setdefault(tracker, []).append((url, error))
    rows = []
    for value, label in Tracker.choices:
        cred = creds.get(value)
        form = (forms or {}).get(value) or CredentialForm(
            initial={"base_url": cred.base_url if cred else ""},
            prefix=value,
            has_token=bool(cred and cred.token),
        )
        rows.append(
            {
                "tracker": value,
                "label": label,
                "cred": cred,
                "form": form,
                "failing": failing.get(value, [])[:5],
            }
        )
    return rows


def _chat_teams(org) -> list[tuple]:
    """(team, chat kinds) of each team with an active chat webhook, by team name."""
    teams: dict[int, tuple] = {}
    hooks = (
        ChatWebhook.objects.for_org(org)
        .filter(is_active=True)
        .select_related("team")
        .order_by("team__name", "pk")
    )
    for hook in hooks:
        kinds = teams.setdefault(hook.team_id, (hook.team, []))[1]
        if hook.get_flavor_display() not in kinds:
            kinds.append(hook.get_flavor_display())
    return list(teams.values())


@org_view
def integrations(request):
    return render(
        request,
        "sources/integrations.html",
        {
            "rows": _integration_rows(request),
            "is_admin": request.person.has_role(Role.ADMIN),
            "chat_teams": _chat_teams(request.org),
        },
    )


@org_view
@post_only(_integrations_page)
def integration_set(request, tracker: str):
    if tracker not in Tracker.values:
        raise ServiceError(f"Unknown tracker {tracker!r}.")
    stored = TrackerCredential.objects.for_org(request.org).filter(tracker=tracker).first()
    form = CredentialForm(request.POST, prefix=tracker, has_token=bool(stored and stored.token))
    if form.is_valid():
        token = "" if form.cleaned_data["remove_token"] else form.cleaned_data["token"] or None
        try:
            services.set_credential(
                request.org,
                request.person,
                tracker,
                base_url=form.cleaned_data["base_url"],
                token=token,
            )
        except ServiceError as exc:
            form_error(form, exc)
        else:
            messages.success(request, f"{Tracker(tracker).label} access saved.")
            return redirect(reverse("sources:integrations", kwargs={"org_slug": request.org.slug}))
    if request.POST.get(f"{tracker}-token"):
        form.add_error(None, "Nothing was saved; the token you typed is kept in its field.")
    return render(
        request,
        "sources/integrations.html",
        {
            "rows": _integration_rows(request, {tracker: form}),
            "is_admin": True,
            "chat_teams": _chat_teams(request.org),
            "page_path": reverse("sources:integrations", kwargs={"org_slug": request.org.slug}),
        },
        status=422,
    )
