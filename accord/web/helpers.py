"""What every page view shares: the org decorator, service errors on forms, pagination."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from functools import wraps
from typing import NamedTuple

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseForbidden, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.utils.http import url_has_allowed_host_and_scheme, urlencode

from accord.core.errors import NotFound, PermissionDenied, ServiceError, Stale
from accord.core.services import read_decimal
from accord.org.models import Person, Role, Team
from accord.org.queries import covers_every_team, home_team
from accord.web import stale

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Pages that exist only to change something: a form to create, edit or delete, a check-in.
WRITE_PAGE = re.compile(r"(^|_)(new|edit|delete|checkin)$")


def can_write(person: Person | None) -> bool:
    """Whether a person may change the organization's data: members and above. Viewers
    read everything and change nothing but their own settings."""
    return person is not None and person.is_active and person.has_role(Role.MEMBER)


def own_settings(view):
    """Mark a page where people change only their own settings (password, notifications,
    calendar, API tokens, briefing schedule): viewers may use it too."""
    view.own_settings = True
    return view


def own_profile(view):
    """Mark a page about one person (`person_id` in its address) that is their own settings
    when it is theirs: the form of their profile (name, title, time zone), which a viewer
    may use for themself, never for anyone else."""
    view.own_settings = lambda request, kwargs: (
        request.person is not None and kwargs.get("person_id") == request.person.pk
    )
    return view


def _own_settings(request, view, kwargs: dict) -> bool:
    own = getattr(view, "own_settings", False)
    return bool(own(request, kwargs) if callable(own) else own)


def refuse(request, message: str) -> HttpResponse:
    """The one answer to a refused request: 403 with the reason, as a page."""
    return HttpResponseForbidden(
        render_to_string("web/forbidden.html", {"message": message}, request)
    )


def _viewer_refusal(request, view, kwargs: dict) -> HttpResponse | None:
    """A viewer's post, or visit to a page that is only a form, is refused before the view
    runs: the same 403 whichever page it is, and nothing is read from the input."""
    if can_write(request.person) or _own_settings(request, view, kwargs):
        return None
    match = request.resolver_match
    if request.method in SAFE_METHODS and not (match and WRITE_PAGE.search(match.url_name or "")):
        return None
    return refuse(
        request,
        f"You are a viewer in {request.org.name}: you can see everything but change nothing. "
        "An admin of the organization can change your role.",
    )


def org_view(view):
    """A page inside an organization: the middleware has set request.org and request.person.

    Views take `org_slug` from the URL but use `request.org`; service errors that mean
    "not yours" become 404 and refusals become 403 pages. Viewers' writes are refused here,
    for every page alike (see `own_settings` and `own_profile` for the exceptions).
    """

    @wraps(view)
    def wrapper(request, org_slug, *args, **kwargs):
        if request.org is None:  # pragma: no cover - the middleware guarantees this
            raise Http404
        refused = _viewer_refusal(request, view, kwargs)
        if refused is not None:
            return refused
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(exc.message) from None
        except PermissionDenied as exc:
            return refuse(request, exc.message)

    return wrapper


def post_only(page: Callable[..., str]):
    """An address only a form posts to (apply an import, revoke a token, pause a webhook…):
    opened by GET or HEAD (a pasted link, a reload, Enter in the address bar) it leads to
    the page the form is on, `page(request, **kwargs)` (a URL; it may raise NotFound for an
    address that names nothing, as the form's own page would), not to a blank 405. Goes
    under `org_view`."""

    def wrap(view):
        @wraps(view)
        def inner(request, **kwargs):
            if request.method in ("GET", "HEAD"):
                return redirect(page(request, **kwargs))
            if request.method != "POST":
                return HttpResponseNotAllowed(["POST"])
            return view(request, **kwargs)

        return inner

    return wrap


def keep_once(request, what: str, value: str, **about) -> None:
    """Keep a secret a POST just made (an API token, a sign-in link) for the page it
    redirects to, which shows it once (`take_once`): a reload there posts nothing again, so
    makes no second one. `about` names what it belongs to (a person), with the organization."""
    request.session[f"accord_once_{what}"] = {"org": request.org.pk, **about, "value": value}


def take_once(request, what: str, **about) -> str | None:
    """The secret `keep_once` kept for this page, forgotten as it is shown; None if none."""
    key = f"accord_once_{what}"
    kept = request.session.get(key)
    if not kept or kept.get("org") != request.org.pk:
        return None
    if any(kept.get(name) != value for name, value in about.items()):
        return None
    return request.session.pop(key)["value"]


def form_error(form: forms.Form, exc: ServiceError) -> None:
    """Show a service's refusal on the form: per field where it names one, else at the top.

    "Not allowed" and "not found" are not input errors: they propagate, so `org_view`
    answers 403 or 404 rather than a form that could never be submitted. Refused because
    its object changed since the form was opened, it says what changed (`web.stale`).
    """
    _reraise_access_errors(exc)
    if isinstance(exc, Stale) and form.is_bound:
        stale.refuse(form, exc)
        return
    form.add_error(None, exc.message)
    field_errors(form, exc)


def field_errors(form: forms.Form, exc: ServiceError) -> None:
    """A service's refusal beside the form's fields it names (its message shown apart)."""
    for name, msgs in exc.fields.items():
        if name in form.fields:
            for msg in msgs:
                form.add_error(name, msg)


def flash_error(request, exc: ServiceError) -> None:
    """Show a service's refusal as a message on the next page (403/404 propagate); one
    refused because its object changed meanwhile says what changed (`web.stale`)."""
    _reraise_access_errors(exc)
    messages.error(request, stale.describe(exc) if isinstance(exc, Stale) else exc.message)


UNDO_TAG = "undo:"  # a message's extra tag: the address its Undo button posts to


def success_with_undo(request, text: str, undo_url: str) -> None:
    """A success message with an Undo button beside it (web/base.html) that posts to
    `undo_url`, with the page showing it as `next`: a quick action taken by mistake (a
    list's Done) is put right in one tap, without a confirmation before every use."""
    messages.success(request, text, extra_tags=f"{UNDO_TAG}{undo_url}")


def change_and_redirect(
    request, change: Callable[[], object], done: str, back: str, *, failed: str | None = None
) -> HttpResponse:
    """The answer of a page that only changes one thing (retire a team, remove a member):
    run the service call `change`, flash `done` or the service's refusal (403/404
    propagate), and redirect to the URL `back`, or to `failed` after a refusal when that
    differs (a deleted record's page is gone; the page that offered to delete it is not)."""
    try:
        change()
    except ServiceError as exc:
        flash_error(request, exc)
        return redirect(failed or back)
    messages.success(request, done)
    return redirect(back)


def _reraise_access_errors(exc: ServiceError) -> None:
    if isinstance(exc, PermissionDenied | NotFound):
        raise exc


def paginate(request, queryset, per_page: int = 50):
    paginator = Paginator(queryset, per_page)
    return paginator.get_page(request.GET.get("page"))


class Window:
    """One page of a list read without counting the list: `paginate_uncounted` fetches one
    row more than it shows, which is enough to offer "next" and "previous" links. It has
    the parts of Django's `Page` that templates use, except the total and the page count."""

    def __init__(self, rows: list, number: int, per_page: int):
        self.number = number
        self.per_page = per_page
        self.object_list = rows[:per_page]
        self._more = len(rows) > per_page

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    def has_next(self) -> bool:
        return self._more

    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self.has_next() or self.has_previous()

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1

    def start_index(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.object_list else 0

    def end_index(self) -> int:
        return (self.number - 1) * self.per_page + len(self.object_list)


def pages_of(total: int, window: Window) -> int | None:
    """How many pages a list has, from `total`, a count made apart from `window` (a stored
    or cached figure), when the rows read agree with it; None when they do not (rows added
    since it was counted make more pages than it says)."""
    pages = max(1, -(-total // window.per_page))
    agrees = window.number < pages or (window.number == pages and not window.has_next())
    return pages if agrees else None


def filters_digest(request, ignore: tuple[str, ...] = ("page", "sort")) -> str:
    """A short digest of the URL's query, less `ignore`: names the list its filters keep,
    as in the cache key of that list's figures (the page and the order change no count)."""
    kept = sorted((k, v) for k, values in request.GET.lists() if k not in ignore for v in values)
    return hashlib.sha256(urlencode(kept).encode()).hexdigest()[:20]


def page_number(request) -> int:
    """The `page` parameter of a list (from 1); anything else is the first page."""
    return min(max(1, int_or_none(request.GET.get("page")) or 1), 1_000_000)


def paginate_uncounted(request, queryset, per_page: int = 50) -> Window:
    """A page of `queryset` (the `page` parameter, from 1) in one query and no COUNT, for
    lists that can hold millions of rows: counting them on every view is what costs.
    Read as `queryset[offset : offset + per_page + 1]`; a list read otherwise makes its own
    `Window` of per_page + 1 rows."""
    number = page_number(request)
    offset = (number - 1) * per_page
    return Window(list(queryset[offset : offset + per_page + 1]), number, per_page)


def int_or_none(value) -> int | None:
    """A whole number from a form or query value, or None when it is missing or not one."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


SLUG = re.compile(r"[-a-zA-Z0-9_]{1,80}")  # an address (slug) as URLs and models have it


def slug_or_none(value) -> str | None:
    """`value` when it can be an address (a slug: letters, digits, hyphens, underscores, at
    most 80), else None: what is looked up by slug is checked first, so a value no slug can
    be (a NUL byte: PostgreSQL refuses it with an error) is never asked of the database."""
    text = value.strip() if isinstance(value, str) else ""
    return text if SLUG.fullmatch(text) else None


def team_filter(request):
    """A list's team filter from the URL: `?team=SLUG` is that team and every team below it,
    `&only=1` the team alone. (team, only), or (None, False) without one; a slug no team of
    this organization has is a 404, so another organization's team filters nothing."""
    slug = (request.GET.get("team") or "").strip()
    if not slug:
        return None, False
    if slug_or_none(slug) is None:
        raise Http404("No such team in this organization.")
    team = Team.objects.for_org(request.org).select_related("parent").filter(slug=slug).first()
    if team is None:
        raise Http404(f"No team “{slug}” in this organization.")
    return team, request.GET.get("only") == "1"


class TeamScope(NamedTuple):
    """The team a list shows (None: every team), whether that team alone (`only`), and
    whether it is the viewer's home scope (`home`): chosen because the address named no
    team, which the page says, with a link to every team (`?team=`)."""

    team: Team | None
    only: bool
    home: bool


def team_scope(request) -> TeamScope:
    """A list's team filter (`team_filter`) that opens on the viewer's home scope: with no
    `team` in the address, the viewer's home team (`home_team`) and the teams below it; an
    explicit `?team=SLUG` is always obeyed, and `?team=` (empty, as the filter's emptied
    box sends it) is every team. Someone in no team, or whose home team is the only one at
    the top (it and the teams below it are every team), sees every team.

        team, only, home = team_scope(request)
    """
    if "team" in request.GET:
        return TeamScope(*team_filter(request), home=False)
    team = home_team(request.person)
    if team is None or covers_every_team(team):
        return TeamScope(None, False, False)
    return TeamScope(team, request.GET.get("only") == "1", True)


def safe_next(request, target: str | None, default: str = "") -> str:
    """`target` (a `next` a form or link carries) when it stays on this site, else
    `default`: a page never sends anyone to an address someone else chose."""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


class NumberField(forms.FloatField):
    """A number as a person types it (`core.services.read_decimal`: "1,234.5", "99,97",
    "1.234,5"), not only as Python reads one; a text box with a decimal keypad, since a
    browser's number box refuses a decimal comma before the server sees it."""

    widget = forms.TextInput(attrs={"inputmode": "decimal"})
    unit = ""  # a unit the number may be followed by ("99,96 %"), as `read_decimal` reads

    def to_python(self, value):
        if value in self.empty_values or (isinstance(value, str) and not value.strip()):
            return None
        number = read_decimal(value, self.unit)
        if not number.is_finite():
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return float(number)
