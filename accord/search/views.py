from __future__ import annotations

from django.shortcuts import render

from accord.search import queries
from accord.web.context import go_to
from accord.web.helpers import org_view


def _commands(request, q: str) -> list[dict]:
    """The pages whose name starts a word of what was typed: the palette's "Go to" moves
    (`accord.web.context.go_to`)."""
    from accord.org.models import Membership

    me = request.person
    admin = me is not None and me.has_role("admin")
    teams = []
    if me is not None:
        terms = Membership.objects.for_org(request.org).filter(person=me).order_by("team__name")
        teams = list(terms.values_list("team__slug", "team__name").distinct()[:5])
    return go_to(request.org.slug, q, admin=admin, teams=teams)


@org_view
def search(request):
    """Everything in the organization that matches `?q=`, best first.

    Asked by htmx while someone types (the top bar's box and the Ctrl-K palette), it answers
    a short list; opened as a page (Enter in the box), it lists up to PAGE_LIMIT, optionally
    of one `?kind=`."""
    q = " ".join(request.GET.get("q", "").split())
    kind = request.GET.get("kind") or None
    quick = bool(request.headers.get("HX-Request")) and not request.headers.get("HX-Boosted")
    limit = queries.QUICK_LIMIT if quick else queries.PAGE_LIMIT
    error, hits, status = "", [], 200
    if kind is not None and kind not in queries.KIND_LABELS:
        error, status, kind = "There is nothing of that kind to find.", 400, None
    else:
        try:
            hits = queries.search(request.org, request.person, q, kind=kind, limit=limit)
        except queries.QueryTooLong as exc:
            error, status = str(exc), 400
    # A team named exactly: a few of its objectives and initiatives, and where all are.
    work = queries.team_work(request.org, request.person, q, hits) if hits else None
    # Nothing found: the names of teams and people one typo away, as a way on.
    suggestion = (
        queries.suggest(request.org, request.person, q) if q and not (hits or error) else None
    )
    context = {
        "suggestion": suggestion,
        "team_work": work,
        "q": q,
        "kind": kind,
        "hits": hits,
        "error": error,
        "commands": _commands(request, q) if quick and not error else [],
        "kinds": queries.KIND_LABELS.items(),
        "list_id": request.GET.get("list", "search")[:40],
        "limit": limit,
    }
    if quick:
        # htmx swaps only successful answers: the message shows in the list all the same.
        return render(request, "search/_results.html", context)
    return render(request, "search/page.html", context, status=status)
