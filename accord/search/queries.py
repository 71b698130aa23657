"""Finding anything in one organization by what was typed: ranked, bounded, tenant-scoped.

What was typed is never handed to the database's query syntax: it is cut into words (letters
and digits), each word becomes a quoted prefix term, and all of them must match. Quotes, `*`,
`NEAR`, `-`, `:` or brackets are separators, so no text can make a query fail or reach
another organization's rows. A word with a British or American spelling matches either
(`variants`: "standardise" finds "standardize", "colour" finds "color")."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.db import connection
from django.urls import reverse

from accord.org import permissions
from accord.search import index

# Longer text is refused rather than searched.
MAX_QUERY_LENGTH = 200
# At most this many words count; a word is cut to this many characters.
MAX_TERMS = 8
MAX_TERM_LENGTH = 40
# How many results a type-ahead answer and the results page show.
QUICK_LIMIT = 8
PAGE_LIMIT = 50
# Ranking reads at most this many matches (see _matches).
CANDIDATES = 2000

KIND_LABELS = {
    "team": "Team",
    "person": "Person",
    "objective": "Objective",
    "key_result": "Key result",
    "initiative": "Initiative",
    "dependency": "Dependency",
    "decision": "Decision",
    "issue": "Issue",
    "action_item": "Action item",
    "meeting": "Meeting",
}


class QueryTooLong(ValueError):
    pass


@dataclass(frozen=True)
class Hit:
    kind: str
    title: str
    detail: str
    url: str
    # Among the places the ranking gave hits of one kind, a lower standing goes first (an
    # open action item before a closed one, the searcher's own first: `search`).
    standing: int = field(default=0, compare=False, repr=False)

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]


def terms(q: str) -> list[str]:
    """The words of `q` the index can match, lower-cased; [] when there are none."""
    if len(q) > MAX_QUERY_LENGTH:
        raise QueryTooLong(f"Search with at most {MAX_QUERY_LENGTH} characters.")
    words = re.findall(r"[^\W_]+", q.lower())
    return [w[:MAX_TERM_LENGTH] for w in words[:MAX_TERMS]]


def _codes(person, kind: str | None) -> list[int]:
    """The index kinds this person may find: deactivated people only for admins."""
    codes = [s.code for s in index.SOURCES if kind in (None, s.kind)]
    if index.BY_KIND["person"].code in codes and permissions.can_manage_people(person):
        codes.append(index.INACTIVE_PERSON)
    return codes


# British and American spellings of one word, tried together wherever either is typed
# (`variants`): -ise/-ize and -yse/-yze with their endings (organised, analysing,
# standardisation), -our/-or (colour, behaviours, favourite). A stem of at least three
# letters before the ending keeps short words as they are ("size", "four", "hour").
_SPELLINGS = (
    (re.compile(r"^(\w{3,}[iy])([sz])(e|ed|es|ing|er|ers|ation|ations)$"), {"s": "z", "z": "s"}),
    (re.compile(r"^(\w{3,})(our|or)(s|ed|ing|ite|ites|able|al)?$"), {"our": "or", "or": "our"}),
)


def variants(word: str) -> list[str]:
    """`word` and its other spelling (British or American), if it has one."""
    for pattern, other in _SPELLINGS:
        found = pattern.match(word)
        if found:
            stem, swapped, ending = found.group(1), found.group(2), found.group(3) or ""
            if pattern is _SPELLINGS[0][0] and stem.endswith("y") and ending.startswith("ation"):
                break  # "analysation" is no word
            return [word, f"{stem}{other[swapped]}{ending}"]
    return [word]


def _term(word: str, syntax: str) -> str:
    """A word as a prefix term (a one-letter word as itself: every word has a prefix of one
    letter, and a one-letter prefix is not indexed); a word spelt two ways (`variants`)
    as either."""
    spelt = [_prefix(w, syntax) for w in variants(word)]
    if len(spelt) == 1:
        return spelt[0]
    return "(" + (" OR " if syntax == "fts5" else " | ").join(spelt) + ")"


def _prefix(word: str, syntax: str) -> str:
    if syntax == "fts5":
        return f'"{word}"*' if len(word) > 1 else f'"{word}"'
    return f"{word}:*" if len(word) > 1 else word


def _matches(org_id: int, words: list[str], codes: list[int], limit: int):
    """(kind code, object id) of the best `limit` rows, best first.

    Ranked among the first CANDIDATES matches: all of them for anything but the first
    letters of a common word, where the rows taken are the first kinds (teams, then people,
    …), and the next letters typed narrow the matches to a fully ranked set."""
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchRank
        from django.db.models import F
        from django.db.models.functions import Length

        from accord.search.models import Document

        query = SearchQuery(
            " & ".join(_term(w, "tsquery") for w in words), search_type="raw", config="simple"
        )
        candidates = Document.objects.filter(org_id=org_id, kind__in=codes, vector=query)
        return [
            (pk // index.ID_SPAN, pk % index.ID_SPAN)
            for pk in Document.objects.filter(pk__in=candidates.values("pk")[:CANDIDATES])
            .annotate(rank=SearchRank(F("vector"), query))
            .order_by("-rank", Length("title"), "kind", "-id")
            .values_list("pk", flat=True)[:limit]
        ]
    # SQLite: a title match first, then one in the body; among them a title that starts
    # with the first word, then the shorter title, then by kind, the newest first (this
    # week's meeting before last year's). (FTS5's bm25 would need a pass over every row
    # holding each word typed, seconds for a common word at 10,000 teams.)
    terms = " AND ".join(_term(w, "fts5") for w in words)
    marks = ", ".join("%s" for _ in codes)
    found: list[int] = []
    for columns in ("title", "title body"):
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT rowid FROM (SELECT rowid, title FROM {index.TABLE} "
                f"WHERE {index.TABLE} MATCH %s AND org_id = %s AND kind IN ({marks}) "
                "LIMIT %s) ORDER BY title NOT LIKE %s, length(title), "
                f"rowid / {index.ID_SPAN}, rowid DESC LIMIT %s",
                [
                    f"{{{columns}}} : ({terms})",
                    org_id,
                    *codes,
                    CANDIDATES,
                    words[0] + "%",  # a word holds letters and digits only
                    limit + len(found),
                ],
            )
            seen = set(found)
            found += [pk for (pk,) in cursor.fetchall() if pk not in seen]
        if len(found) >= limit:
            break
    return [(pk // index.ID_SPAN, pk % index.ID_SPAN) for pk in found[:limit]]


def search(org, person, q: str, *, kind: str | None = None, limit: int = QUICK_LIMIT):
    """The best `limit` things in `org` that match `q`, best first, as `Hit`s.

    Raises QueryTooLong for text over MAX_QUERY_LENGTH; text without a word finds nothing.
    A person whom `q` names exactly by an extra address or a handle (`ada@home.example`,
    `@ada`, `slack:ada`) comes first. One query on the identities when `q` is one word,
    one on the index, then one per kind found (at most nine)."""
    words = terms(q)
    if not words or (kind is not None and kind not in index.BY_KIND):
        return []
    exact = _named_by_identity(org, q, kind, limit)
    rows = exact + [
        r for r in _matches(org.id, words, _codes(person, kind), limit) if r not in exact
    ]
    rows = rows[:limit]
    wanted: dict[str, list[int]] = {}
    for code, object_id in rows:
        wanted.setdefault(index.KIND_OF_CODE[code], []).append(object_id)
    found: dict[tuple[str, int], Hit] = {}
    for kind_name, ids in wanted.items():
        for obj_id, hit in _HYDRATE[kind_name](org, person, ids):
            found[(kind_name, obj_id)] = hit
    # An object the index names but the organization no longer shows is simply left out.
    hits = [found[key] for key in ((index.KIND_OF_CODE[c], i) for c, i in rows) if key in found]
    # In the places the ranking gave a kind, its hits by standing (`Hit.standing`), else
    # as ranked: no query more, the hits read say it.
    for kind_name in wanted:
        places = [n for n, h in enumerate(hits) if h.kind == kind_name]
        for n, h in zip(
            places, sorted((hits[n] for n in places), key=lambda h: h.standing), strict=True
        ):
            hits[n] = h
    return hits


def _named_by_identity(org, q: str, kind: str | None, limit: int) -> list[tuple[int, int]]:
    """(kind code, person id) of the people `q` names by one of their extra addresses or
    handles, as the API's `?email=` and `?handle=` find them (the index holds names,
    titles and primary addresses only)."""
    from accord.org.queries import identity_owners

    owners = identity_owners(org, q) if kind in (None, "person") else None
    if owners is None:
        return []
    code = index.BY_KIND["person"].code
    ids = dict.fromkeys(owners.values_list("person_id", flat=True)[:limit])  # once each
    return [(code, pk) for pk in ids]


def _url(name: str, org, **kwargs) -> str:
    return reverse(name, kwargs={"org_slug": org.slug, **kwargs})


def _teams(org, person, ids):
    from accord.org.models import Team

    for t in Team.objects.for_org(org).filter(pk__in=ids).select_related("parent"):
        detail = f"in {t.parent.name}" if t.parent_id else "Top of the tree"
        yield t.pk, Hit("team", t.name, detail, _url("org:team", org, team_slug=t.slug))


def _people(org, person, ids):
    from accord.org.models import Person

    qs = Person.objects.for_org(org).filter(pk__in=ids)
    if not permissions.can_manage_people(person):
        qs = qs.filter(is_active=True)
    for p in qs:
        detail = p.title if p.is_active else f"{p.title} (deactivated)".strip()
        yield p.pk, Hit("person", p.name, detail, _url("org:person", org, person_id=p.pk))


def _objectives(org, person, ids):
    from accord.alignment.models import Objective

    qs = Objective.objects.for_org(org).filter(pk__in=ids).select_related("team", "period")
    for o in qs:
        who = o.team.name if o.team_id else "Organization"
        url = _url("alignment:objective", org, objective_id=o.pk)
        yield o.pk, Hit("objective", o.title, f"{who} · {o.period.name}", url)


def _key_results(org, person, ids):
    from accord.alignment.models import KeyResult

    for k in KeyResult.objects.for_org(org).filter(pk__in=ids).select_related("objective"):
        url = _url("alignment:key_result", org, kr_id=k.pk)
        yield k.pk, Hit("key_result", k.name, k.objective.title, url)


def _initiatives(org, person, ids):
    from accord.alignment.models import Initiative

    for i in Initiative.objects.for_org(org).filter(pk__in=ids).select_related("team"):
        url = _url("alignment:initiative", org, initiative_id=i.pk)
        yield i.pk, Hit("initiative", i.title, f"{i.team.name} · {i.get_status_display()}", url)


def _dependencies(org, person, ids):
    from accord.coordination.models import Dependency

    qs = Dependency.objects.for_org(org).filter(pk__in=ids)
    for d in qs.select_related("requester_team", "provider_team"):
        detail = f"{d.requester_team.name} → {d.provider_team.name} · {d.get_state_display()}"
        yield (
            d.pk,
            Hit("dependency", d.title, detail, _url("coordination:detail", org, dep_id=d.pk)),
        )


def _decisions(org, person, ids):
    """Each with what tells one from another as the decision log does: its status and the
    day it was decided (or opened), its teams and its approver. One query: the first two
    teams by name and how many there are read beside each row."""
    from django.db.models import Count, OuterRef, Subquery
    from django.utils import timezone

    from accord.decisions.models import Decision
    from accord.web.templatetags.dates import day

    links = Decision.teams.through.objects.filter(decision_id=OuterRef("pk"))
    names = links.order_by("team__name", "team_id").values("team__name")
    qs = (
        Decision.objects.for_org(org)
        .filter(pk__in=ids)
        .select_related("approver")
        .annotate(
            team_1=Subquery(names[:1]),
            team_2=Subquery(names[1:2]),
            team_count=Subquery(
                links.order_by().values("decision_id").annotate(n=Count("pk")).values("n")[:1]
            ),
        )
    )
    for d in qs:
        status = d.get_status_display()
        if d.decided_at:
            when = day(timezone.localtime(d.decided_at))
            said = f"Decided {when}" if d.status == "decided" else f"{status}, decided {when}"
        else:
            said = f"{status}, opened {day(timezone.localtime(d.opened_at))}"
        parts = [said]
        teams = [t for t in (d.team_1, d.team_2) if t]
        if teams:
            more = (d.team_count or 0) - len(teams)
            parts.append(", ".join(teams) + (f" and {more} more" if more > 0 else ""))
        parts.append(f"approver {d.approver.name}")
        url = _url("decisions:decision", org, decision_id=d.pk)
        yield d.pk, Hit("decision", d.question, " · ".join(parts), url)


def _issues(org, person, ids):
    from accord.decisions.models import Issue

    for i in Issue.objects.for_org(org).filter(pk__in=ids).select_related("team"):
        detail = f"{i.team.name} · {i.get_status_display()}"
        yield i.pk, Hit("issue", i.title, detail, _url("decisions:issue", org, issue_id=i.pk))


def _action_items(org, person, ids):
    from accord.decisions.models import ActionItem
    from accord.web.templatetags.dates import day

    qs = ActionItem.objects.for_org(org).filter(pk__in=ids).select_related("owner", "team")
    for a in qs:
        due = f" · due {day(a.due_on)}" if a.due_on and a.status == "open" else ""
        team = f" · {a.team.name}" if a.team else ""
        detail = f"{a.owner.name}{team}{due} · {a.get_status_display().lower()}"
        url = _url("decisions:action", org, item_id=a.pk)
        # Open before done or dropped; of each, the searcher's own first.
        standing = 2 * (a.status != "open") + (a.owner_id != getattr(person, "pk", None))
        yield a.pk, Hit("action_item", a.title, detail, url, standing=standing)


def _meetings(org, person, ids):
    from django.utils import timezone

    from accord.rhythm.models import Meeting
    from accord.web.templatetags.dates import weekday

    for m in Meeting.objects.for_org(org).filter(pk__in=ids).select_related("cadence"):
        url = _url("rhythm:meeting", org, cadence_id=m.cadence_id, key=m.key)
        detail = f"{weekday(timezone.localtime(m.scheduled_start))} · {m.get_status_display()}"
        yield m.pk, Hit("meeting", m.cadence.name, detail, url)


_HYDRATE = {
    "team": _teams,
    "person": _people,
    "objective": _objectives,
    "key_result": _key_results,
    "initiative": _initiatives,
    "dependency": _dependencies,
    "decision": _decisions,
    "issue": _issues,
    "action_item": _action_items,
    "meeting": _meetings,
}
