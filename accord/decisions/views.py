"""Pages: the decision log, a decision, waiting on me, action items, issues, latency."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple
from urllib.parse import urlencode

from django.contrib import messages
from django.core.cache import cache
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from accord.alignment import queries as alignment_queries
from accord.core.counting import FIGURES_SECONDS, count_up_to, shown_count
from accord.core.days import org_today
from accord.core.errors import PermissionDenied, ServiceError
from accord.core.ids import as_id
from accord.core.text import full_stop, sentence
from accord.decisions import followthrough, queries, services
from accord.decisions import latency as latency_figures
from accord.decisions.forms import (
    LINK_CHOICES,
    ActionItemForm,
    DecideForm,
    DecisionForm,
    IssueEditForm,
    IssueForm,
    LinkForm,
    LogFilterForm,
    OptionForm,
    ReasonForm,
    SolveForm,
    SupersedeForm,
)
from accord.decisions.models import (
    UNDECIDED,
    ActionItem,
    ActionSource,
    ActionStatus,
    Decision,
    DecisionLink,
    DecisionOption,
    DecisionStatus,
    Issue,
    IssueEscalation,
    IssueStatus,
    Severity,
    stale_after_days,
)
from accord.org.models import Membership, Person, Role, Team
from accord.org.permissions import require_role
from accord.org.queries import answering, home_team, only_top_team, subtree_ids
from accord.web import pickers, stale
from accord.web.helpers import (
    Window,
    flash_error,
    form_error,
    int_or_none,
    org_view,
    page_number,
    paginate_uncounted,
    success_with_undo,
    team_filter,
    team_scope,
)
from accord.web.pickers import team_filter_picker
from accord.web.templatetags.people import name_of
from accord.web.views import history_for


def _url(request, name, **kwargs):
    return reverse(f"decisions:{name}", kwargs={"org_slug": request.org.slug, **kwargs})


def _can_write(person: Person) -> bool:
    return person.is_active and person.has_role(Role.MEMBER)


def _is_leader(person: Person) -> bool:
    return person.is_active and person.has_role(Role.LEADER)


def _may_act_on_issue(person: Person, issue: Issue) -> bool:
    """Whether `person` may solve, escalate or drop `issue` from its pages: a member of
    its team, or a leader (the issues list asks the same of a page of issues at once)."""
    return _can_write(person) and (
        _is_leader(person) or Membership.objects.filter(person=person, team=issue.team).exists()
    )


# Where a linked object's page lives, for the kinds whose page is addressed by id alone.
LINK_PAGES = {
    "alignment.objective": ("alignment:objective", "objective_id"),
    "alignment.keyresult": ("alignment:key_result", "kr_id"),
    "alignment.initiative": ("alignment:initiative", "initiative_id"),
    "coordination.dependency": ("coordination:detail", "dep_id"),
    "decisions.decision": ("decisions:decision", "decision_id"),
    "decisions.issue": ("decisions:issue", "issue_id"),
}
LINK_KINDS = {
    "alignment.objective": "objective",
    "alignment.keyresult": "key result",
    "alignment.initiative": "initiative",
    "coordination.dependency": "dependency",
    "rhythm.meeting": "meeting",
    "rhythm.checkin": "check-in",
    "decisions.issue": "issue",
    "decisions.decision": "decision",
}


def _occurrence_pages(org, links) -> dict[tuple[str, int], str]:
    """The pages of the meetings and check-ins among `links`, addressed by their cadence
    and occurrence rather than their id: a meeting's own page, a check-in's place in its
    round. One short read per kind among them."""
    from accord.rhythm.models import CheckIn, Meeting
    from accord.rhythm.recurrence import occurrence_key

    wanted: dict[str, list[int]] = {}
    for link in links:
        gone = getattr(link, "subject_gone", False)
        if link.target_type in ("rhythm.meeting", "rhythm.checkin") and not gone:
            wanted.setdefault(link.target_type, []).append(link.target_id)
    pages = {}
    kw = {"org_slug": org.slug}
    for pk, cadence_id, start in (
        Meeting.objects.for_org(org)
        .filter(pk__in=wanted.get("rhythm.meeting", []))
        .values_list("pk", "cadence_id", "occurrence_start")
    ):
        key = occurrence_key(start)
        url = reverse("rhythm:meeting", kwargs={**kw, "cadence_id": cadence_id, "key": key})
        pages["rhythm.meeting", pk] = url
    for pk, cadence_id, start, person_id in (
        CheckIn.objects.for_org(org)
        .filter(pk__in=wanted.get("rhythm.checkin", []))
        .values_list("pk", "cadence_id", "occurrence_start", "person_id")
    ):
        key = occurrence_key(start)
        url = reverse("rhythm:checkin_round", kwargs={**kw, "cadence_id": cadence_id, "key": key})
        pages["rhythm.checkin", pk] = f"{url}#checkin-{person_id}"
    return pages


def _link_rows(request, links) -> list[dict]:
    """What a decision concerns (its links read by `queries.with_subjects` and
    `queries.with_subject_titles`): each with its kind, its name and its page; one deleted
    since keeps its name, marked, with no link."""
    rows = []
    occurrences = _occurrence_pages(request.org, links)
    for link in links:
        href = occurrences.get((link.target_type, link.target_id))
        gone = getattr(link, "subject_gone", False)
        page = None if gone else LINK_PAGES.get(link.target_type)
        if page:
            try:
                href = reverse(
                    page[0], kwargs={"org_slug": request.org.slug, page[1]: link.target_id}
                )
            except NoReverseMatch:
                href = None
        rows.append(
            {
                "kind": LINK_KINDS.get(link.target_type, link.target_type),
                "label": queries.subject_name(link),
                "href": href,
                "deleted": gone,
                "target_type": link.target_type,
                "target_id": link.target_id,
            }
        )
    return rows


def _decision(request, decision_id: int) -> Decision:
    d = (
        Decision.objects.for_org(request.org)
        .select_related("approver", "driver", "superseded_by", "created_by")
        .filter(pk=decision_id)
        .first()
    )
    if d is None:
        raise Http404("No such decision.")
    return d


def _my_memberships(me: Person) -> list[Membership]:
    """The viewer's memberships with their teams, by team name: one read for the list's
    team shortcuts and the team new work lands on."""
    memberships = Membership.objects.for_org(me.org).filter(person=me).select_related("team")
    return sorted(memberships, key=lambda m: m.team.name)


def _my_teams(me: Person) -> list[Team]:
    """The viewer's own teams, a click away from a list's team filter; any other team is
    chosen by typing its name (never a select of every team)."""
    return [m.team for m in _my_memberships(me)]


def _has_open_items(org, person: Person) -> bool:
    """Whether `person` owns an open action item or handed one out that is still open
    (what their own page shows): reads off the owner's and the giver's indexes."""
    open_items = ActionItem.objects.for_org(org).filter(status=ActionStatus.OPEN)
    return open_items.filter(owner=person).exists() or open_items.filter(created_by=person).exists()


HELD_ACTION_ITEM = "held_action_item"


def _action_form(request, initial: dict) -> ActionItemForm:
    """The page's form for a new action item: blank, or, just after a refused one was
    posted from this page, what was typed with the errors beside its fields."""
    held = request.session.pop(HELD_ACTION_ITEM, None)
    if held and held.get("path") == request.path:
        return ActionItemForm(held["data"], org=request.org, person=request.person)
    return ActionItemForm(org=request.org, initial=initial)


def _next_here(request, given: str) -> str:
    """`given` (a form's or link's `next`) when it is a page of this organization, else "":
    a form goes back where it came from, never elsewhere."""
    return given if given.startswith(f"/o/{request.org.slug}/") else ""


def _hold_action_item(request, form: ActionItemForm) -> None:
    """Keeps a refused action item's input for the page it goes back to (`_action_form`);
    its form is posted from three pages, so it is carried over the redirect."""
    path = _next_here(request, request.POST.get("next", "")).split("?", 1)[0]
    request.session[HELD_ACTION_ITEM] = {
        "path": path or _url(request, "actions"),
        "data": {name: request.POST.get(name, "") for name in form.fields},
    }


def _back(request, default: str):
    return redirect(_next_here(request, request.POST.get("next", "")) or default)


def _who_may(check, *args, names: dict[str, str] | None = None) -> str:
    """Who may act, where a page shows the viewer no controls: the refusal the service's
    own check `check(*args)` gives (what a forced post is answered with), its general
    words named where the page knows who (`names`: words → what replaces them); "" when
    the check allows."""
    try:
        check(*args)
    except PermissionDenied as exc:
        text = exc.message
        for words, named in (names or {}).items():
            text = text.replace(words, named, 1)
        return text
    return ""


# --- decision log ------------------------------------------------------------------------


@org_view
def index(request):
    org = request.org
    form = LogFilterForm(request.GET or None, org=org)
    filters = form.valid_filters()
    qs = queries.filter_log(org, **form.log_filters()).prefetch_related("teams")
    page = paginate_uncounted(request, qs, 30)
    params = request.GET.copy()
    params.pop("page", None)
    about, unfiltered = None, params.copy()
    if filters.get("about"):
        # What the log is cut to, named and linked as a decision's page shows its subjects.
        kind, target_id = filters["about"]
        subject = DecisionLink(org=org, target_type=kind, target_id=target_id)
        about = _link_rows(request, queries.with_subject_titles([subject]))[0]
        unfiltered.pop("about", None)
    # The days it is due within, said above the list with a link that clears them (as a
    # briefing's "Decisions due" opens the log on next week's).
    due = {k: filters[k] for k in ("due_since", "due_until") if filters.get(k)}
    undue = params.copy()
    for k in ("due_since", "due_until"):
        undue.pop(k, None)
    ctx = {
        "form": form,
        "page": page,
        "about": about,
        "unfiltered_query": unfiltered.urlencode(),
        "due": due,
        "undue_query": undue.urlencode(),
        "today": org_today(),
        # What the other filters select, by status (the status filter and "overdue" are
        # what the figures count by; their links keep the other filters).
        "counts": queries.log_figures(org, **form.figure_filters()),
        "figures_team": filters.get("team"),
        "figures_filtered": any(
            filters.get(k)
            for k in (
                "q",
                "approver",
                "driver",
                "since",
                "until",
                "decided_since",
                "decided_until",
                "due_since",
                "due_until",
            )
        ),
        "team_query": urlencode(
            {
                k: request.GET[k]
                for k in form.fields
                if k not in ("status", "overdue") and filters.get(k) and k in request.GET
            }
        ),
        "query_string": params.urlencode(),
        "can_write": _can_write(request.person),
        "tab": "log",
        # No decision at all yet (not merely none matching): the page says what one is and
        # how to record the first, instead of a filter with nothing to filter.
        "none_yet": not page.object_list
        and page.number == 1
        and not Decision.objects.for_org(org).exists(),
    }
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "log-rows":
        return render(request, "decisions/_log_rows.html", ctx)
    return render(request, "decisions/log.html", ctx)


@org_view
def new(request):
    org, me = request.org, request.person
    require_role(me, Role.MEMBER, "open decisions")
    form = DecisionForm(request.POST or None, org=org, person=me, initial={"driver": me})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            d = services.create_decision(
                org,
                me,
                data["question"],
                approver=data["approver"],
                outcome=data["outcome"],
                context=data["context"],
                rationale=data["rationale"],
                driver=data["driver"],
                contributors=data["contributors"],
                informed=data["informed"],
                teams=data["teams"],
                decide_by=data["decide_by"],
                revisit_on=data["revisit_on"],
                revisit_trigger=data["revisit_trigger"],
                again=form.again,
            )
        except ServiceError as exc:
            form_error(form, exc)
        else:
            messages.success(request, "Decision recorded.")
            return redirect(_url(request, "decision", decision_id=d.pk))
    return render(request, "decisions/decision_form.html", {"form": form, "tab": "log"})


@org_view
def edit(request, decision_id: int):
    org, me = request.org, request.person
    d = _decision(request, decision_id)
    if d.status not in UNDECIDED:
        messages.error(request, "A decided decision cannot be edited; supersede or reverse it.")
        return redirect(_url(request, "decision", decision_id=d.pk))
    if not services.can_edit_decision(me, d):
        raise PermissionDenied(
            "Only the decision's driver, approver, contributors, whoever opened it, "
            "or a leader may edit it."
        )
    initial = {
        "question": d.question,
        "approver": d.approver,
        "outcome": d.outcome,
        "context": d.context,
        "rationale": d.rationale,
        "driver": d.driver,
        "contributors": list(d.contributors.all()),
        "informed": list(d.informed.all()),
        "teams": list(d.teams.all()),
        "decide_by": d.decide_by,
        "revisit_on": d.revisit_on,
        "revisit_trigger": d.revisit_trigger,
    }
    form = DecisionForm(request.POST or None, org=org, initial=initial)
    pickers.keep_held(form, d)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.update_decision(
                org,
                me,
                d,
                expected_version=int(request.POST.get("version") or d.version),
                contributors=data.pop("contributors"),
                informed=data.pop("informed"),
                teams=data.pop("teams"),
                **data,
            )
        except ServiceError as exc:
            form_error(form, exc)
        else:
            messages.success(request, "Decision updated.")
            return redirect(_url(request, "decision", decision_id=d.pk))
    return render(
        request, "decisions/decision_form.html", {"form": form, "decision": d, "tab": "log"}
    )


@org_view
def detail(request, decision_id: int):
    return _detail_page(request, _decision(request, decision_id))


def _detail_page(
    request,
    d: Decision,
    decide_form: DecideForm | None = None,
    status: int = 200,
    link_form: LinkForm | None = None,
    reason_form: ReasonForm | None = None,
    supersede_form: SupersedeForm | None = None,
):
    """A decision's page; `decide_form`, `link_form`, `reason_form` (reversing) or
    `supersede_form` as posted when that was refused (it keeps what was typed and says
    what is wrong beside it, its section open)."""
    org, me = request.org, request.person
    options = list(DecisionOption.objects.filter(decision=d).order_by("position", "id"))
    editable = services.can_edit_decision(me, d)
    undecided = d.status in UNDECIDED
    supersedes = list(d.supersedes.all())
    # Whoever may edit it says what it concerns, decided or not (an undecided one: the
    # same check as `editable`, asked once).
    linkable = editable or (not undecided and _can_write(me) and services.may_link_decision(me, d))
    if link_form is None and linkable and request.GET.get("link") in LINK_CHOICES:
        link_form = LinkForm(org=org, decision=d, kind=request.GET["link"])
        link_form.fields["target_id"].widget.attrs["autofocus"] = True
    can_close = _can_close(me, d)
    actions = list(queries.action_items_from(org, "decisions.decision", d.pk))
    ctx = {
        "d": d,
        "page_path": _url(request, "decision", decision_id=d.pk),
        "options": options,
        "contributors": list(d.contributors.all()),
        "informed": list(d.informed.all()),
        "teams": list(d.teams.all()),
        "links": _link_rows(
            request, queries.with_subject_titles(queries.with_subjects(d.links.all()))
        ),
        "supersedes": supersedes,
        "supersedes_stop": full_stop(supersedes[-1].question) if supersedes else "",
        "issues": list(d.issues.select_related("team")),
        "actions": actions,
        "open_actions": any(a.status == ActionStatus.OPEN for a in actions),
        "history": history_for(org, "decisions.decision", d.pk),
        "latency": queries.latency_days(d),
        "overdue": d.is_overdue(),
        "editable": editable,
        "linkable": linkable,
        "link_form": link_form if linkable else None,
        "link_kinds": [(key, noun) for key, (*_, noun) in LINK_CHOICES.items()],
        "is_approver": me.pk == d.approver_id and d.status in UNDECIDED and _can_write(me),
        "can_close": can_close,
        # Where the viewer sees no controls, who may act (in the services' words).
        "undecided": undecided,
        "approver_handle": (d.approver.email or "").split("@", 1)[0],
        "who_edits": _who_may(services._may_edit_decision, me, d)
        if undecided and not editable
        else "",
        "who_closes": _who_may(services._may_close, me, d, "supersede or reverse it")
        if d.status == DecisionStatus.DECIDED and not can_close
        else "",
        "option_form": OptionForm(auto_id="id_option_%s"),
        "decide_form": decide_form
        or DecideForm(
            decision=d,
            deciding=me.pk == d.approver_id,
            initial={
                "option": d.chosen_option_id,
                "outcome": d.outcome,
                "rationale": d.rationale,
            },
        ),
        # Two forms on one page, each asking a reason: ids of their own (the posts keep
        # the fields' names).
        "reason_form": reason_form or ReasonForm(auto_id="id_reverse_%s"),
        "supersede_form": supersede_form
        or SupersedeForm(org=org, exclude_id=d.pk, auto_id="id_supersede_%s"),
        "action_form": _action_form(request, {"owner": me}),
        "today": org_today(),
        "tab": "log",
    }
    return render(request, "decisions/decision_detail.html", ctx, status=status)


def _can_close(me: Person, d: Decision) -> bool:
    """Whether the page offers `me` to supersede or reverse `d` (the service decides)."""
    return d.status == DecisionStatus.DECIDED and (me.pk == d.approver_id or _is_leader(me))


def _decision_action(request, decision_id, run, *, decision=None):
    """Run `run(decision)`; a refusal is flashed, and either way back to the decision.
    `decision` is the one the view has read already, if it has."""
    d = decision if decision is not None else _decision(request, decision_id)
    try:
        run(d)
    except ServiceError as exc:
        if exc.status == 403:
            raise
        flash_error(request, exc)
    return redirect(_url(request, "decision", decision_id=d.pk))


@require_POST
@org_view
def add_option(request, decision_id: int):
    form = OptionForm(request.POST, auto_id="id_option_%s")

    def run(d):
        if not form.is_valid():
            raise ServiceError("An option needs a title.")
        services.add_option(request.org, request.person, d, **form.cleaned_data)
        messages.success(request, f"Option “{form.cleaned_data['title']}” added.")

    return _decision_action(request, decision_id, run)


@require_POST
@org_view
def add_link(request, decision_id: int):
    """Link the decision to what it concerns, chosen on its page (`LinkForm`); refused,
    the page again with what was chosen and why, nothing changed."""
    org, me = request.org, request.person
    d = _decision(request, decision_id)
    refused = _who_may(services._may_edit_decision, me, d)
    if refused:
        raise PermissionDenied(refused)
    form = LinkForm(request.POST, org=org, decision=d, kind=request.POST.get("kind", ""))
    if form.is_valid():
        target, label = form.cleaned_data["target_id"], form.cleaned_data["label"]
        name = label or str(target)
        linked = d.links.filter(target_type=form.target_type, target_id=target.pk).exists()
        try:
            services.link(org, me, d, form.target_type, target.pk, label)
        except ServiceError as exc:
            form_error(form, exc)
        else:
            if linked:
                messages.info(request, f"Already linked to “{name}”; nothing changed.")
            else:
                messages.success(request, f"Linked to “{name}”.")
            return redirect(_url(request, "decision", decision_id=d.pk))
    # What is wrong, in the field's own words ("Choose an issue."), not a bare refusal.
    reasons = [e for errors in form.errors.values() for e in errors]
    messages.error(
        request, f"Nothing was linked: {reasons[0]}" if reasons else "Nothing was linked."
    )
    return _detail_page(request, d, link_form=form, status=422)


@require_POST
@org_view
def remove_link(request, decision_id: int):
    """Take back one of the decision's links (its Remove button)."""

    def run(d):
        name = services.unlink(
            request.org,
            request.person,
            d,
            request.POST.get("target_type", ""),
            request.POST.get("target_id", ""),
        )
        messages.success(request, f"No longer linked to “{name}”." if name else "Link removed.")

    return _decision_action(request, decision_id, run)


@require_POST
@org_view
def propose(request, decision_id: int):
    def run(d):
        form = DecideForm(request.POST, decision=d)
        if not form.is_valid():
            raise ServiceError("Write the proposed outcome first, or choose an option.")
        services.propose(request.org, request.person, d, **form.cleaned_data)
        messages.success(request, "Proposed to the approver.")

    return _decision_action(request, decision_id, run)


@require_POST
@org_view
def decide(request, decision_id: int):
    d = _decision(request, decision_id)
    # The approver's form asks for the rationale; anyone else is refused by the service.
    form = DecideForm(request.POST, decision=d, deciding=request.person.pk == d.approver_id)
    if not form.is_valid():  # shown again as typed, what is missing said beside it
        missing = [
            what
            for field, what in (("outcome", "an outcome"), ("rationale", "a rationale"))
            if field in form.errors
        ]
        messages.error(
            request,
            f"A decision needs {' and '.join(missing or ['an outcome'])}; nothing was decided.",
        )
        return _detail_page(request, d, decide_form=form, status=422)

    def run(d):
        services.decide(request.org, request.person, d, **form.cleaned_data, require_rationale=True)
        told = d.informed.exists() or d.teams.exists()
        messages.success(
            request, "Decided; the informed people and teams are told." if told else "Decided."
        )

    return _decision_action(request, decision_id, run, decision=d)


def _close_decision(
    request, decision_id: int, form, run, done: str, missing: dict[str, str], key: str
):
    """Supersede or reverse a decision from its page (`run(d, cleaned_data)`): done, back to
    it with `done` said. Refused for what was typed (the form's own checks, said as
    `missing` says them for each field, or the service's naming a field: an empty reason,
    one too long), the page again with the form as typed, its section open and the refusal
    under the field it names (422), as a meeting's refused summary comes back; refused
    otherwise (no longer decided), said at the top of the decision's page."""
    d = _decision(request, decision_id)
    try:
        if not form.is_valid():
            said = {name: missing.get(name, form.errors[name][0]) for name in form.errors}
            raise ServiceError(" ".join(said.values()), fields={k: [v] for k, v in said.items()})
        run(d, form.cleaned_data)
    except ServiceError as exc:
        flash_error(request, exc)  # 403 and 404 propagate
        named = [name for name in exc.fields if name in form.fields]
        if not named or not _can_close(request.person, d):  # no form to show it in
            return redirect(_url(request, "decision", decision_id=d.pk))
        if len(named) == 1:  # the whole sentence, under the field it is about
            beside = {named[0]: [exc.message]}
        else:
            beside = {name: list(exc.fields[name]) for name in named}
        for name, said in beside.items():
            form.errors.pop(name, None)
            form.add_error(name, said)
        form.fields[named[0]].widget.attrs["autofocus"] = True
        return _detail_page(request, d, status=422, **{key: form})
    messages.success(request, done)
    return redirect(_url(request, "decision", decision_id=d.pk))


@require_POST
@org_view
def supersede(request, decision_id: int):
    def run(d, data):
        services.supersede(request.org, request.person, d, by=data["by"], reason=data["reason"])

    return _close_decision(
        request,
        decision_id,
        SupersedeForm(
            request.POST, org=request.org, exclude_id=decision_id, auto_id="id_supersede_%s"
        ),
        run,
        "Superseded; the original is kept.",
        {
            "by": "Choose the decided decision that replaces this one.",
            "reason": "Say why it is superseded.",
        },
        "supersede_form",
    )


@require_POST
@org_view
def reverse_decision(request, decision_id: int):
    def run(d, data):
        services.reverse(request.org, request.person, d, data["reason"])

    return _close_decision(
        request,
        decision_id,
        ReasonForm(request.POST, auto_id="id_reverse_%s"),
        run,
        "Reversed; the original outcome is kept.",
        {"reason": "Say why the decision is reversed."},
        "reason_form",
    )


# --- waiting on me and latency -----------------------------------------------------------


@org_view
def waiting(request):
    org, me = request.org, request.person
    today = org_today()
    mine = list(queries.waiting_on(me))
    driving = list(
        queries.decisions(org)
        .filter(driver=me, status__in=UNDECIDED)
        .exclude(approver=me)
        .order_by(queries.DECIDE_BY_FIRST, "opened_at")
    )
    my_items = list(
        queries.action_items(org)
        .filter(owner=me, status=ActionStatus.OPEN)
        .order_by(queries.DUE_FIRST, "id")[:50]
    )
    return render(
        request,
        "decisions/waiting.html",
        {
            "mine": mine,
            "driving": driving,
            "my_items": my_items,
            "today": today,
            "tab": "waiting",
        },
    )


LATENCY_ROWS = 25  # teams and approvers the latency page lists, the slowest first


@org_view
def latency(request):
    """Stored figures of the last 30, 90 or 365 days (`latency.py`), the slowest first
    (teams and approvers of few decisions last)."""
    org = request.org
    days = latency_figures.period_of(request.GET.get("days", latency_figures.DEFAULT_PERIOD))
    # Or an alignment period (`?period=<id>`: this quarter, the last one): computed for the
    # view over the decisions decided on its days so far (nothing stored for it).
    periods, period = alignment_queries.period_chosen(org, request.GET.get("period"))
    if period is not None:
        until = min(period.end, org_today())

        def measured():
            report = queries.decision_latency(org, since=period.start, until=until)
            return latency_figures.of_report(org, report, limit=LATENCY_ROWS)

        # Measured over the whole organization's quarter: kept a minute, as large figures are.
        key = f"decision-latency:{org.pk}:{period.pk}:{until.isoformat()}"
        figures = cache.get_or_set(key, measured, FIGURES_SECONDS)
    else:
        figures = latency_figures.read(org, days, limit=LATENCY_ROWS)
    overdue = queries.overdue_decisions(org)
    shown = list(overdue[:LATENCY_ROWS])
    total = len(shown) if len(shown) < LATENCY_ROWS else queries.overdue_figure(org)
    return render(
        request,
        "decisions/latency.html",
        {
            "figures": figures,
            "days": days,
            "periods": latency_figures.PERIODS,
            "alignment_periods": periods,
            "period": period,
            "min_decisions": latency_figures.MIN_DECISIONS,
            "overdue": shown,
            "overdue_count": total,
            "overdue_more": total > len(shown),
            "today": org_today(),
            "tab": "latency",
        },
    )


# --- action items ------------------------------------------------------------------------


ACTIONS_PER_PAGE = 50  # open action items a list page shows


class ActionsScope(NamedTuple):
    """Whose action items a list (the page, its CSV) shows: a team's (`team`, `only`),
    perhaps of one `owner`, or a person's own of any team (`person`); `fell_back` says why
    an address that named no one shows a team ("home", "organization")."""

    team: Team | None
    only: bool
    person: Person | None
    owner: Person | None
    fell_back: str
    home: Team | None
    mine: list[Membership]


def _person_of(org, given) -> Person:
    pid = as_id(given)
    person = Person.objects.for_org(org).filter(pk=pid).first() if pid else None
    if person is None:
        raise Http404("No such person.")
    return person


def actions_scope(request) -> ActionsScope:
    org, me = request.org, request.person
    team, only = team_filter(request)
    mine = _my_memberships(me)
    # Asked for no one in particular (no `?team=` or `?person=`: the filter's form always
    # sends `team`), someone with no open item of their own or handed out, a department
    # head, sees their home team's, told why, rather than an empty page; someone in no
    # team either (a viewer, an executive) sees the organization's: its only team at the
    # top. `?person=` shows their own; `?team=…&owner=` one owner's items of that team.
    fell_back = ""
    home = home_team(me, mine)
    asked = {"team", "person", "owner"} & set(request.GET)
    if team is None and not asked and not _has_open_items(org, me):
        if home is not None:
            team, fell_back = home, "home"
        elif top := only_top_team(org):
            team, fell_back = top, "organization"
    person = owner = None
    if team is None:
        person = _person_of(org, request.GET.get("person") or request.GET.get("owner") or me.pk)
    elif request.GET.get("owner"):
        owner = _person_of(org, request.GET["owner"])
    return ActionsScope(team, only, person, owner, fell_back, home, mine)


def scoped_action_items(org, scope: ActionsScope, status: str = "") -> QuerySet[ActionItem]:
    """The action items of a list's scope (all of them: its pages, or its CSV)."""
    if scope.team is None:
        return queries.action_item_list(org, owner=scope.person, status=status)
    return queries.action_item_list(
        org, team=scope.team, only=scope.only, owner=scope.owner, status=status
    )


@org_view
def actions(request):
    """Action items of a person (default: me) or of a team, with follow-through; a team's
    by owner, and one owner's of a team."""
    org, me = request.org, request.person
    scope = actions_scope(request)
    team, only, person, owner, fell_back, home, mine = scope
    today = org_today()  # follow-through and overdue: the same for every reader
    if owner is not None:
        filters = {"person": owner, "team_ids": subtree_ids(team, only=only)}
    elif person is not None:
        filters = {"person": person}
    else:
        filters = {"team": team, "subtree": not only}
    ft30 = queries.follow_through(org, days=followthrough.WINDOW_DAYS, today=today, **filters)
    ft90 = queries.follow_through(org, days=90, today=today, **filters)
    # Or over an alignment period (`?period=<id>`: this quarter, the last one): the items
    # due on its days up to yesterday, summed from the same stored daily tallies; the
    # tables below then count that period instead of the last 30 days.
    periods, period = alignment_queries.period_chosen(org, request.GET.get("period"), today=today)
    span_days, span_end, ft_period = followthrough.WINDOW_DAYS, today, None
    if period is not None:
        span_end = min(period.end + dt.timedelta(days=1), today)
        span_days = max(0, (span_end - period.start).days)
        ft_period = queries.follow_through(org, days=span_days, today=span_end, **filters)
    # A page of open items (soonest due first), one more read to know of a next page.
    number = page_number(request)
    if team is not None and owner is None:
        open_items, recent = queries.team_action_lists(
            org,
            team,
            only=only,
            open_offset=(number - 1) * ACTIONS_PER_PAGE,
            open_limit=ACTIONS_PER_PAGE + 1,
            closed_limit=20,
        )
        open_page = Window(open_items, number, ACTIONS_PER_PAGE)
    else:  # one person's items (of a team, or of any), off the owner's index
        items = scoped_action_items(org, scope)
        opened = items.filter(status=ActionStatus.OPEN)
        open_page = paginate_uncounted(request, opened, ACTIONS_PER_PAGE)
        closed = items.exclude(status=ActionStatus.OPEN).order_by(queries.CLOSED_LAST_OWN, "-id")
        recent = list(closed[:20])
    open_items = open_page.object_list
    # "Overdue now", on the page and in each row: open items past their due date, however
    # long ago (the list below shows them), not only those that fell due in the window.
    if owner is not None:
        overdue_count = count_up_to(
            scoped_action_items(org, scope, ActionStatus.OPEN).filter(due_on__lt=today)
        )
    elif person is not None:
        overdue_count = queries.overdue_now_by(org, "owner", [person.pk], today).get(person.pk, 0)
    else:
        key = "team" if only else "tree"
        overdue_count = queries.overdue_now_by(org, key, [team.pk], today).get(team.pk, 0)
    # Who owes the team's open items (members or not), the most overdue first: a screen of
    # them at a time (`?owners=2`: the next).
    owners, owners_count, owners_page = [], 0, None
    if team is not None and owner is None:
        owners_number = min(max(1, int_or_none(request.GET.get("owners")) or 1), 10_000)
        offset = (owners_number - 1) * queries.OWNERS_SHOWN
        owners, owners_count = queries.owners_of_open_items(
            org, team, only=only, today=today, offset=offset, limit=queries.OWNERS_SHOWN
        )
        owners_page = Window(
            owners + ([None] if owners_count > offset + len(owners) else []),
            owners_number,
            queries.OWNERS_SHOWN,
        )
    below_rows = []
    own_row = None
    if team is not None and not only and owner is None:
        # A department's follow-through is its teams': each team below, with its own below,
        # and the items filed to the department itself, so that the rows add up.
        below = list(Team.objects.for_org(org).current().filter(parent=team).order_by("name")[:50])
        ids = [t.pk for t in below]
        by_tree = queries.follow_through_by(
            org, key="tree", days=span_days, today=span_end, ids=ids
        )
        late_by_tree = queries.overdue_now_by(org, "tree", ids, today)
        below_rows = [(t, by_tree.get(t.pk), late_by_tree.get(t.pk, 0)) for t in below]
        if below_rows:
            own = queries.follow_through_by(
                org, key="team", days=span_days, today=span_end, ids=[team.pk]
            )
            own_late = queries.overdue_now_by(org, "team", [team.pk], today).get(team.pk, 0)
            if own or own_late:
                own_row = (team, own.get(team.pk), own_late)
    given, given_count = queries.handed_out(org, me) if person == me else ([], 0)
    given_more = shown_count(given_count) if given_count > len(given) else ""
    led = {m.team_id for m in mine if m.is_leading}
    # The list's own address (whose items, no page): its CSV, and its owners' links.
    whose: dict = {"person": person.pk} if person else {"team": team.slug}
    if only:
        whose["only"] = 1
    if owner is not None:
        whose["owner"] = owner.pk
    return render(
        request,
        "decisions/actions.html",
        {
            "subject": person or team,
            "person": person,
            "team": team,
            "owner": owner,
            "fell_back": fell_back,
            "mine_href": f"?person={me.pk}",
            "only": only,
            "ft30": ft30,
            "ft90": ft90,
            "ft_period": ft_period,
            "period": period,
            "alignment_periods": periods,
            # What "Due" and "On time" count over: the last 30 days, or the period.
            "span_label": period.name if period else "30 d",
            "overdue": [i for i in open_items if i.due_on and i.due_on < today],
            "upcoming": [i for i in open_items if not (i.due_on and i.due_on < today)],
            "open_page": open_page,
            "recent": recent,
            "overdue_count": overdue_count,
            "owners": owners,
            "owners_count": shown_count(owners_count),
            "owners_total": owners_count,
            "owners_page": owners_page,
            "below_rows": below_rows,
            "own_row": own_row,
            "given": given,
            "given_count": given_more,
            "today": today,
            # The rows' columns that say something: whose, unless the list is one person's;
            # which team, unless it is one team's alone.
            "show_owner": person is None and owner is None,
            "show_team": not (team is not None and only),
            "whose": urlencode(whose),
            # New work is for the team shown, but not the whole organization's by default.
            "form": _action_form(
                request,
                {
                    "owner": person or owner or me,
                    "team": home if fell_back else (team or home),
                },
            ),
            "can_write": _can_write(me),
            # the rows whose Done, Drop or Reopen the viewer may use
            "changeable": services.changeable_actions(me, [*open_items, *recent, *given], led),
            "teams": [m.team for m in mine],
            "team_picker": team_filter_picker(org, team, id="team-pick", placeholder="Mine"),
            "tab": "actions",
            # An action item's address less its id ("…/actions/"), reversed once for the
            # rows' four links each rather than per link.
            "actions_href": _url(request, "action", item_id=0)[:-2],
        },
    )


@require_POST
@org_view
def action_new(request):
    form = ActionItemForm(request.POST, org=request.org, person=request.person)
    if form.is_valid():
        data = form.cleaned_data
        source_type = request.POST.get("source_type", "")
        source_id = request.POST.get("source_id") or None
        try:
            item = services.create_action_item(
                request.org,
                request.person,
                data["title"],
                data["owner"],
                due_on=data["due_on"],
                team=data["team"],
                source_type=source_type,
                source_id=as_id(source_id),
                again=form.again,
            )
        except ServiceError as exc:
            if exc.status == 403:
                raise
            flash_error(request, exc)
        else:
            team = f" ({item.team.name})" if item.team else ""  # chosen, or the owner's
            messages.success(
                request, f"Action item recorded: “{data['title']}” for {data['owner'].name}{team}."
            )
    else:
        errors = "; ".join(
            f"{form.fields[k].label or k.replace('_', ' ').capitalize()}: {' '.join(v)}"
            if k in form.fields
            else " ".join(v)
            for k, v in form.errors.items()
        )
        messages.error(request, f"The action item was not recorded. {errors}")
        _hold_action_item(request, form)
    return _back(request, _url(request, "actions"))


def _source_link(org, item: ActionItem) -> tuple[str, str, str] | None:
    """Where an action item came from, as (label, URL, zone): its decision, issue or
    meeting; a meeting's label says its day in its cadence's time zone, the zone given."""
    if not item.source_id:
        return None
    slug = org.slug
    if item.source_type == ActionSource.DECISION:
        d = Decision.objects.for_org(org).filter(pk=item.source_id).first()
        if d:
            return d.question, reverse("decisions:decision", args=[slug, d.pk]), ""
    elif item.source_type == ActionSource.ISSUE:
        i = Issue.objects.for_org(org).filter(pk=item.source_id).first()
        if i:
            return i.title, reverse("decisions:issue", args=[slug, i.pk]), ""
    elif item.source_type == ActionSource.MEETING:
        from accord.rhythm.models import Meeting

        found = Meeting.objects.for_org(org).filter(pk=item.source_id)
        m = found.select_related("cadence").first()
        if m:
            url = reverse("rhythm:meeting", args=[slug, m.cadence_id, m.key])
            return str(m), url, m.cadence.timezone
    return None


def _replaced_by(org, item: ActionItem) -> Decision | None:
    """The decision that superseded the one `item` came from, if it came from one since
    superseded: the item stays as it was, said so on its page."""
    if item.source_type != ActionSource.DECISION or not item.source_id:
        return None
    found = (
        Decision.objects.for_org(org)
        .filter(pk=item.source_id, status=DecisionStatus.SUPERSEDED)
        .select_related("superseded_by")
        .first()
    )
    return found.superseded_by if found else None


@org_view
def action_detail(request, item_id: int):
    """One action item: where it came from, its state, comments and history; its owner,
    whoever recorded it, its team's lead or a leader edit it here."""
    org, me = request.org, request.person
    item = (
        ActionItem.objects.for_org(org)
        .select_related("owner", "team", "created_by")
        .filter(pk=item_id)
        .first()
    )
    if item is None:
        raise Http404("No such action item.")
    may_act = _can_write(me) and services.can_change_action(me, item)
    who_acts = ""
    if not may_act:
        names = {"the action item's owner": f"its owner ({name_of(item.owner)})"}
        if item.created_by:
            names["whoever recorded it"] = f"whoever recorded it ({name_of(item.created_by)})"
        if item.team:
            names["its team's lead"] = f"{item.team.name}'s lead"
        what = "complete, drop or edit it" if item.status == ActionStatus.OPEN else "reopen it"
        who_acts = _who_may(services._may_change_action, me, item, what, names=names)
    initial = {"title": item.title, "owner": item.owner, "due_on": item.due_on, "team": item.team}
    form = ActionItemForm(
        request.POST or None,
        org=org,
        initial=initial,
        recorded_on=timezone.localdate(item.created_at),
    )
    pickers.keep_held(form, item)
    if request.method == "POST":
        if not may_act:
            raise PermissionDenied("You may not change this action item.")
        if form.is_valid():
            try:
                services.update_action_item(
                    org,
                    me,
                    item,
                    expected_version=int(request.POST.get("version") or item.version),
                    **form.cleaned_data,
                )
            except ServiceError as exc:
                form_error(form, exc)
            else:
                messages.success(request, "Action item updated.")
                return redirect(_url(request, "action", item_id=item.pk))
    source = _source_link(org, item)
    return render(
        request,
        "decisions/action_detail.html",
        {
            "a": item,
            # From a decision since superseded: the one that replaced it (the item stays).
            "replaced_by": _replaced_by(org, item),
            "form": form,
            "editing": request.method == "POST",
            "may_act": may_act,
            "who_acts": who_acts,
            "source": source,
            "source_stop": full_stop(source[0]) if source else "",
            "history": history_for(org, "decisions.actionitem", item.pk),
            "today": org_today(),
            # The zone the page's times are in (the reader's), said beside them.
            "zone": timezone.get_current_timezone_name(),
            "tab": "actions",
        },
        # A refused edit, shown again as typed with what is wrong beside its field.
        status=422 if request.method == "POST" else 200,
    )


def _item_action(request, item_id, fn, done_msg, *, undoable=False):
    """`undoable`: the message offers Undo, which reopens the item (a mis-tap on a list's
    Done or Drop is put right in one tap)."""
    item = ActionItem.objects.for_org(request.org).filter(pk=item_id).first()
    if item is None:
        raise Http404("No such action item.")
    try:
        fn(request.org, request.person, item)
    except ServiceError as exc:
        if exc.status == 403:
            raise
        flash_error(request, exc)
    else:
        text = sentence(done_msg.format(item.title))
        if undoable:
            success_with_undo(request, text, _url(request, "action_reopen", item_id=item.pk))
        else:
            messages.success(request, text)
    return _back(request, _url(request, "actions"))


@require_POST
@org_view
def action_complete(request, item_id: int):
    return _item_action(request, item_id, services.complete_action_item, "Done: {}", undoable=True)


@require_POST
@org_view
def action_drop(request, item_id: int):
    return _item_action(request, item_id, services.drop_action_item, "Dropped: {}", undoable=True)


@require_POST
@org_view
def action_reopen(request, item_id: int):
    return _item_action(request, item_id, services.reopen_action_item, "Reopened: {}")


# --- issues ------------------------------------------------------------------------------


@org_view
def issues(request):
    """A team's issue list with solve/escalate, or every open issue in the organization.
    With no team in the address, the viewer's home team and the teams below it
    (`team_scope`), said so with a link to every team."""
    org, me = request.org, request.person
    team, only, home = team_scope(request)
    show = "closed" if request.GET.get("show") == "closed" else "open"
    # `raised=1`: the issues the team raised, wherever they sit now (escalated ones too).
    raised = team is not None and request.GET.get("raised") == "1"
    # `severity=critical`: one severity. A value the list does not know is left out and
    # said so on the page, rather than a list silently wider than asked.
    severity, ignored = request.GET.get("severity", ""), []
    if severity and severity not in Severity.values:
        ignored.append(("severity", severity))
        severity = ""
    scope = {"team": team, "only": only, "show": show, "raised": raised}
    qs = queries.issue_list(org, **scope, severity=severity).prefetch_related(
        Prefetch("escalations", queryset=IssueEscalation.objects.order_by("at", "id"))
    )
    # At the team: how many it raised now sit (open) or were closed (closed) above it, to
    # follow them (up to 200): either list is of the issues held here, and points to those.
    elsewhere = (
        shown_count(
            queries.count_up_to(queries.raised_elsewhere(org, team, only=only, show=show), 200),
            200,
        )
        if team is not None and not raised
        else "0"
    )
    counts = queries.issue_figures(org, **scope)
    page = paginate_uncounted(request, qs, 50)
    mine = set(Membership.objects.for_org(org).filter(person=me).values_list("team_id", flat=True))
    leader = _is_leader(me)
    days = stale_after_days(org)
    rows = [
        {
            "issue": i,
            "may_act": _can_write(me) and (leader or i.team_id in mine),
            "stale": i.is_stale(days=days),
        }
        for i in page
    ]
    return render(
        request,
        "decisions/issues.html",
        {
            "page_path": _url(request, "issues"),
            "team": team,
            "only": only,
            "home": home,
            # Every team: `?team=` (no team at all would be the viewer's home scope).
            "every_href": "?team="
            + ("&show=closed" if show == "closed" else "")
            + (f"&severity={severity}" if severity else ""),
            "raised": raised,
            "elsewhere": elsewhere,
            "page": page,
            "rows": rows,
            "show": show,
            "severity": severity,
            # How many the list holds (any severity) and of each (value, label, how many),
            # most severe first: figures, as the decision log's.
            "total": counts["total"],
            "severities": [(s, Severity(s).label, counts[s]) for s in queries.SEVERITIES_FIRST],
            "ignored": ignored,
            "can_write": _can_write(me),
            "teams": _my_teams(me),
            "team_picker": team_filter_picker(org, team, id="team-pick", placeholder="Every team"),
            "tab": "issues",
            # An issue's address less its id ("…/issues/"), reversed once for the page's
            # many links rather than per link.
            "issues_href": _url(request, "issue", issue_id=0)[:-2],
        },
    )


@org_view
def issue_detail(request, issue_id: int):
    return _issue_page(request, _issue_shown(request, issue_id))


def _issue_shown(request, issue_id: int) -> Issue:
    issue = (
        Issue.objects.for_org(request.org)
        .select_related(
            "team", "team__parent", "raised_by", "raised_in", "decision", "closed_by", "owner"
        )
        .filter(pk=issue_id)
        .first()
    )
    if issue is None:
        raise Http404("No such issue.")
    return issue


def _issue_page(
    request,
    issue: Issue,
    edit_form: IssueEditForm | None = None,
    *,
    refused: tuple[str, SolveForm | ReasonForm] | None = None,
):
    """An issue's page; `edit_form`: a refused edit shown again as typed (answered 422);
    `refused`: ("solve" | "escalate" | "drop", its form) refused, shown again as typed,
    its section open and what is wrong beside its field (answered 422)."""
    org, me = request.org, request.person
    posted = dict([refused]) if refused else {}
    may_act = _may_act_on_issue(me, issue)
    if edit_form is None and may_act and issue.status == "open":
        edit_form = IssueEditForm(
            org=org,
            initial={
                "title": issue.title,
                "severity": issue.severity,
                "description": issue.description,
                "owner": issue.owner,
                "rank": issue.rank,
            },
        )
        pickers.keep_held(edit_form, issue)  # its owner shown, though no longer offered
    solve_form = posted.get("solve") or SolveForm(org=org)
    return render(
        request,
        "decisions/issue_detail.html",
        {
            "page_path": _url(request, "issue", issue_id=issue.pk),
            "edit_form": edit_form,
            "issue": issue,
            # A sentence ending with the decision's question takes no full stop more.
            "decision_stop": full_stop(issue.decision.question) if issue.decision_id else "",
            "escalations": list(issue.escalations.select_related("from_team", "to_team", "by")),
            "actions": list(queries.action_items_from(org, "decisions.issue", issue.pk)),
            # The follow-up of the decision that solved it, which may still be open.
            "decision_actions": list(
                queries.action_items_from(org, "decisions.decision", issue.decision_id)
            )
            if issue.decision_id
            else [],
            "history": history_for(org, "decisions.issue", issue.pk),
            "may_act": may_act,
            "who_acts": _who_may(
                services._may_act_for_team, me, issue.team, "solve, escalate or drop it"
            )
            if issue.status == "open" and not may_act
            else "",
            "stale": issue.is_stale(),
            "votes": sum(issue.votes.values_list("value", flat=True)),
            "solve_form": solve_form,
            # The decision chosen in a refused Solve form: its open action items, said.
            "solve_open": _open_items_of_decision(org, _chosen_decision(solve_form)),
            # Escalate and drop both ask a reason: ids of their own (the posts keep the
            # fields' names).
            "escalate_form": posted.get("escalate") or ReasonForm(auto_id="id_escalate_%s"),
            "drop_form": posted.get("drop") or ReasonForm(auto_id="id_drop_%s"),
            "refused": refused[0] if refused else "",
            "action_form": _action_form(request, {"owner": me, "team": issue.team}),
            "today": org_today(),
            "tab": "issues",
        },
        status=422 if refused or (edit_form is not None and edit_form.is_bound) else 200,
    )


@require_POST
@org_view
def issue_edit(request, issue_id: int):
    org = request.org
    issue = _issue_shown(request, issue_id)
    form = IssueEditForm(request.POST, org=org)
    pickers.keep_held(form, issue)  # an owner who may no longer be chosen stays
    if form.is_valid():
        try:
            services.edit_issue(
                org,
                request.person,
                issue,
                expected_version=int_or_none(request.POST.get("version")),
                **form.cleaned_data,
            )
        except ServiceError as exc:
            form_error(form, exc)
            issue = _issue_shown(request, issue_id)
            if issue.status != IssueStatus.OPEN:  # closed meanwhile: no form to show it in
                messages.error(request, _not_saved(issue, form))
        else:
            messages.success(request, "Issue saved.")
            return redirect(_url(request, "issue", issue_id=issue.pk))
    return _issue_page(request, issue, form)  # the service wrote nothing to this one


def _not_saved(issue: Issue, form: IssueEditForm) -> str:
    """Why an edit of an issue closed meanwhile was not saved, with what was typed (the
    page shows no edit form for a closed issue)."""
    why = stale.last_change(issue) or f"It is {issue.get_status_display().lower()}"
    typed = [
        f"{form.fields[name].label or name.capitalize()} “{value}”"
        for name in ("title", "description")
        if (value := (form.data.get(name) or "").strip())
    ]
    kept = f" What you typed, not saved: {'; '.join(typed)}" if typed else ""
    return f"Not saved: {why}.{kept}"


@require_http_methods(["GET", "POST"])
@org_view
def issue_new(request):
    """Raise an issue, on a page of its own as every new thing is: for the team the address
    names (`?team=SLUG`, as the issues list of a team links here), else the person's home
    team (`home_team`), any other chosen by typing its name. Refused, the form again at
    the top with what was typed, what is wrong said first and beside its field."""
    org, me = request.org, request.person
    asked, _ = team_filter(request)  # an unknown team is a 404, as on the list
    form = IssueForm(
        request.POST or None, org=org, person=me, initial={"team": asked or home_team(me)}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            issue = services.raise_issue(
                org,
                me,
                data["team"],
                data["title"],
                description=data["description"],
                severity=data["severity"],
                again=form.again,
            )
        except ServiceError as exc:
            if exc.status == 403:
                raise
            form_error(form, exc)
        else:
            messages.success(request, f"Issue raised for {issue.team.name}.{_told(issue, me)}")
            return redirect(f"{_url(request, 'issues')}?team={issue.team.slug}")
    return render(
        request,
        "decisions/issue_form.html",
        {"form": form, "team": asked, "tab": "issues"},
        status=422 if form.errors else 200,
    )


def _issue_action(request, issue_id, action: str, form, run, missing: str):
    """Solve, escalate or drop an issue from its page or the issues list: done, back where
    it was posted from; refused (the form's own checks or the service's), the issue's page
    with the form as typed, its section open and what is wrong beside the field (422)."""
    issue = _issue_shown(request, issue_id)
    back = f"{_url(request, 'issues')}?team={issue.team.slug}"
    if form.is_valid():
        try:
            run(issue, form.cleaned_data)
        except ServiceError as exc:
            if issue.status != IssueStatus.OPEN or exc.code == "at_root":
                # No form to show it again in (closed meanwhile, or nowhere to go up to).
                flash_error(request, exc)
                return _back(request, back)
            form_error(form, exc)  # 403 and 404 propagate
            if exc.code == "moved" and not _may_act_on_issue(request.person, issue):
                # Moved to a team whose issue it is not theirs to act on: no form to show
                # the refusal in; said at the top, with what was typed.
                typed = " ".join(str(v) for v in form.cleaned_data.values() if isinstance(v, str))
                kept = f" What you typed, not sent: “{typed.strip()}”" if typed.strip() else ""
                messages.error(request, f"{exc.message}{kept}")
        else:
            return _back(request, back)
    else:
        form.add_error(None, missing)
    return _issue_page(request, issue, refused=(action, form))


def _seen_team(request) -> int | None:
    """The team the issue was with when its Solve, Escalate or Drop form was opened (the
    form's `level`): the service refuses to act on it if it has moved since."""
    return int_or_none(request.POST.get("level"))


def _issue_form(request, issue_id: int, action: str):
    """The issues list's Solve or Escalate form for one issue, fetched (htmx) when its
    button is opened; the issue's page, which has both, for anyone else."""
    issue = (
        Issue.objects.for_org(request.org)
        .select_related("team", "team__parent")
        .filter(pk=issue_id)
        .first()
    )
    if issue is None:
        raise Http404("No such issue.")
    if not request.headers.get("HX-Request"):
        return redirect(_url(request, "issue", issue_id=issue.pk))
    me = request.person
    may_act = (
        issue.status == "open"
        and _may_act_on_issue(me, issue)
        and (action == "solve" or issue.team.parent_id is not None)
    )
    return render(
        request,
        "decisions/_issue_form.html",
        {
            "issue": issue,
            "action": action,
            "may_act": may_act,
            "next": _next_here(request, request.GET.get("next", "")),
        },
    )


def _told(issue, me) -> str:
    """What the confirmation of an issue raised with or escalated to a team with no lead
    adds of who was told ("Platform has no lead: Engineering's leads were told."); empty
    when its own leads were."""
    told = answering(issue.org_id, issue.team)
    if told.own:
        return ""
    said = told.told(me.pk if me is not None else None)
    return f" {said[0].upper()}{said[1:]}."


@require_http_methods(["GET", "POST"])
@org_view
def issue_escalate(request, issue_id: int):
    if request.method == "GET":
        return _issue_form(request, issue_id, "escalate")

    def run(issue, data):
        issue = services.escalate_issue(
            request.org, request.person, issue, data["reason"], seen_team=_seen_team(request)
        )
        messages.success(request, f"Escalated to {issue.team.name}.{_told(issue, request.person)}")

    form = ReasonForm(request.POST, auto_id="id_escalate_%s")
    return _issue_action(
        request, issue_id, "escalate", form, run, "Say why it goes up a level; nothing changed."
    )


@require_http_methods(["GET", "POST"])
@org_view
def issue_solve(request, issue_id: int):
    if request.method == "GET":
        return _issue_form(request, issue_id, "solve")

    def run(issue, data):
        services.solve_issue(
            request.org,
            request.person,
            issue,
            data["resolution"],
            decision=data["decision"],
            seen_team=_seen_team(request),
        )
        still = _open_items_of_decision(request.org, data["decision"] and data["decision"].pk)
        left = (
            f" Its decision has {_still_open(still)}, listed on the issue's page." if still else ""
        )
        messages.success(request, f"Solved: {sentence(issue.title)}{left}")

    form = SolveForm(request.POST, org=request.org)
    return _issue_action(
        request, issue_id, "solve", form, run, "Say how it was solved; nothing changed."
    )


def _chosen_decision(form) -> int | None:
    """The id of the decision a Solve form holds (as sent, or as chosen when it was
    valid), or None."""
    if not form.is_bound:
        return None
    chosen = (getattr(form, "cleaned_data", None) or {}).get("decision")
    return chosen.pk if chosen is not None else as_id(form.data.get("decision"))


def _still_open(n: int) -> str:
    return f"{n} action item{'s' if n != 1 else ''} still open"


def _open_items_of_decision(org, decision_id: int | None) -> int:
    """How many action items from this organization's decision `decision_id` are open."""
    if not decision_id:
        return 0
    items = queries.action_items_from(org, "decisions.decision", decision_id)
    return items.filter(status=ActionStatus.OPEN).count()


@org_view
def issue_solve_notice(request, issue_id: int):
    """What the Solve form says of the decision chosen in it (`?decision=ID`), fetched
    (htmx) when one is chosen: how many of its action items are still open. A notice:
    solving is not refused for it."""
    issue = _issue_shown(request, issue_id)
    open_count = _open_items_of_decision(request.org, as_id(request.GET.get("decision")))
    return render(
        request, "decisions/_solve_notice.html", {"issue": issue, "solve_open": open_count}
    )


@require_POST
@org_view
def issue_drop(request, issue_id: int):
    def run(issue, data):
        services.drop_issue(
            request.org, request.person, issue, data["reason"], seen_team=_seen_team(request)
        )
        messages.success(request, f"Dropped: {sentence(issue.title)}")

    form = ReasonForm(request.POST, auto_id="id_drop_%s")
    return _issue_action(
        request, issue_id, "drop", form, run, "Say why it is dropped; nothing changed."
    )
