"""Finding anything in one organization by what was typed: ranked, bounded, tenant-scoped.

What was typed is never handed to the database's query syntax: it is cut into words (letters
and digits), each word becomes a quoted prefix term, and all of them must match. Quotes, `*`,
`NEAR`, `-`, `:` or brackets are separators, so no text can make a query fail or reach
another organization's rows. A word with a British or American spelling matches either
(`variants`: "standardise" finds "standardize", "colour" finds "color")."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from django.db import connection
from django.db.models import F
from django.urls import reverse

from accord.org import permissions
from accord.search import index
from accord.web.templatetags.people import name_of

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
    "cadence": "Cadence",
    "milestone": "Milestone",
    "period": "Period",
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
    object_id: int = field(default=0, compare=False, repr=False)

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


# Among equal matches the kinds go in the order of their codes, but a cadence with its
# meetings, of the same title, and ahead of them (its row id is the higher): "leadership
# sync" finds the cadence, which says when it meets next, before the meetings held.
_CADENCE, _MEETING = index.BY_KIND["cadence"].code, index.MEETING.code
_KIND_STANDING_SQL = (
    f"CASE rowid / {index.ID_SPAN} WHEN {_CADENCE} THEN {_MEETING} ELSE rowid / {index.ID_SPAN} END"
)


def _standing_of_kind():
    from django.db.models import Case, F, SmallIntegerField, Value, When

    return Case(
        When(kind=_CADENCE, then=Value(_MEETING)),
        default=F("kind"),
        output_field=SmallIntegerField(),
    )


# The index rows of what belongs to the searcher's own teams (the teams they are a member
# of): the teams themselves and the work of each. One set, built once per search from the
# indexed team columns (`_own_rows`), never a query per row ranked.
_OWN_SOURCES = (
    ("team", "SELECT m.team_id AS id FROM {mine} m"),
    ("objective", "SELECT o.id FROM alignment_objective o WHERE o.team_id IN {mine}"),
    (
        "key_result",
        "SELECT k.id FROM alignment_keyresult k JOIN alignment_objective o "
        "ON o.id = k.objective_id WHERE o.team_id IN {mine}",
    ),
    ("initiative", "SELECT i.id FROM alignment_initiative i WHERE i.team_id IN {mine}"),
    (
        "dependency",
        "SELECT d.id FROM coordination_dependency d WHERE d.requester_team_id IN {mine} "
        "UNION SELECT d.id FROM coordination_dependency d WHERE d.provider_team_id IN {mine}",
    ),
    (
        "decision",
        "SELECT t.decision_id AS id FROM decisions_decision_teams t WHERE t.team_id IN {mine}",
    ),
    ("issue", "SELECT i.id FROM decisions_issue i WHERE i.team_id IN {mine}"),
    ("action_item", "SELECT a.id FROM decisions_actionitem a WHERE a.team_id IN {mine}"),
    ("cadence", "SELECT c.id FROM rhythm_cadence c WHERE c.team_id IN {mine}"),
    (
        "meeting",
        "SELECT m.id FROM rhythm_meeting m JOIN rhythm_cadence c ON c.id = m.cadence_id "
        "WHERE c.team_id IN {mine}",
    ),
    (
        "milestone",
        "SELECT t.milestone_id AS id FROM alignment_milestone_teams t WHERE t.team_id IN {mine}",
    ),
)
_MY_TEAMS = "(SELECT team_id FROM org_membership WHERE person_id = %s AND ended_on IS NULL)"


def _own_rows(person, codes: list[int], column: str) -> tuple[str, list]:
    """SQL (and its parameters) true for an index row (its id in `column`) of the
    searcher's own teams: one test against a set the database builds once per query from
    the memberships and the tables' indexed team columns, never a query per row; false
    for nobody."""
    me = getattr(person, "pk", None)
    parts = [
        (index.BY_KIND[kind].code, sql)
        for kind, sql in _OWN_SOURCES
        if index.BY_KIND[kind].code in codes
    ]
    if me is None or not parts:
        return "0 = 1", []
    rows = " UNION ALL ".join(
        f"SELECT {code} * {index.ID_SPAN} + x.id FROM ({sql.format(mine=_MY_TEAMS)}) x"
        for code, sql in parts
    )
    return f"{column} IN ({rows})", [me] * sum(sql.count("{mine}") for _, sql in parts)


def _matches(org_id: int, words: list[str], codes: list[int], limit: int, person=None):
    """(kind code, object id) of the best `limit` rows, best first; among equal matches,
    those of `person`'s own teams first (`_own_rows`).

    Ranked among the first CANDIDATES matches: all of them for anything but the first
    letters of a common word, where the rows taken are the first kinds (teams, then people,
    …), and the next letters typed narrow the matches to a fully ranked set."""
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchRank
        from django.db.models import BooleanField, F
        from django.db.models.expressions import RawSQL
        from django.db.models.functions import Length

        from accord.search.models import Document

        query = SearchQuery(
            " & ".join(_term(w, "tsquery") for w in words), search_type="raw", config="simple"
        )
        candidates = Document.objects.filter(org_id=org_id, kind__in=codes, vector=query)
        own, own_params = _own_rows(person, codes, "search_document.id")
        return [
            (pk // index.ID_SPAN, pk % index.ID_SPAN)
            for pk in Document.objects.filter(pk__in=candidates.values("pk")[:CANDIDATES])
            .annotate(
                rank=SearchRank(F("vector"), query),
                own=RawSQL(own, own_params, output_field=BooleanField()),
            )
            .order_by("-rank", Length("title"), F("own").desc(), _standing_of_kind(), "-id")
            .values_list("pk", flat=True)[:limit]
        ]
    # SQLite: a title match first, then one in the body; among them a title that starts
    # with the first word, then the shorter title, then the searcher's own teams' rows,
    # then by kind, the newest first (this week's meeting before last year's). (FTS5's
    # bm25 would need a pass over every row holding each word typed, seconds for a common
    # word at 10,000 teams.)
    terms = " AND ".join(_term(w, "fts5") for w in words)
    marks = ", ".join("%s" for _ in codes)
    own, own_params = _own_rows(person, codes, "rowid")
    found: list[int] = []
    for columns in ("title", "title body"):
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT rowid FROM (SELECT rowid, title FROM {index.TABLE} "
                f"WHERE {index.TABLE} MATCH %s AND org_id = %s AND kind IN ({marks}) "
                f"LIMIT %s) ORDER BY title NOT LIKE %s, length(title), NOT ({own}), "
                f"{_KIND_STANDING_SQL}, rowid DESC LIMIT %s",
                [
                    f"{{{columns}}} : ({terms})",
                    org_id,
                    *codes,
                    CANDIDATES,
                    words[0] + "%",  # a word holds letters and digits only
                    *own_params,
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
    one on the index, then about one per kind found; when people are found, two more for
    those near the searcher (`_near_matches`) and one for their teams."""
    words = terms(q)
    if not words or (kind is not None and kind not in index.BY_KIND):
        return []
    exact = _named_by_identity(org, q, kind, limit)
    rows = exact + [
        r for r in _matches(org.id, words, _codes(person, kind), limit, person) if r not in exact
    ]
    rows = rows[:limit]
    # The people found: those near the searcher who match too may take their places.
    near = (
        _near_matches(org.id, person, words, _codes(person, kind))
        if any(c in _PERSON_CODES for c, _ in rows)
        else []
    )
    wanted: dict[str, list[int]] = {}
    for code, object_id in dict.fromkeys(rows + near):
        wanted.setdefault(index.KIND_OF_CODE[code], []).append(object_id)
    found: dict[tuple[str, int], Hit] = {}
    for kind_name, ids in wanted.items():
        for obj_id, hit in _HYDRATE[kind_name](org, person, ids):
            # Every hit names its object's id (the API's and the assistant's ids to use).
            found[(kind_name, obj_id)] = replace(hit, object_id=obj_id)
    # An object the index names but the organization no longer shows is simply left out.
    keys = [(index.KIND_OF_CODE[c], i) for c, i in rows]
    hits = [found[key] for key in keys if key in found]
    # In the places the ranking gave a kind, its hits by standing (`Hit.standing`), else
    # as ranked: no query more, the hits read say it. People by `_person_standing`, those
    # near the searcher who were not ranked high enough among them.
    named = {key for key in keys[: len(exact)]}
    near_ids = {i for _, i in near}
    for kind_name in wanted:
        places = [n for n, h in enumerate(hits) if h.kind == kind_name]
        pool = [hits[n] for n in places]
        if kind_name == "person":
            ranked = {h.object_id for h in pool}
            pool += [
                found[("person", i)] for _, i in near if i not in ranked and ("person", i) in found
            ]
            pool = [replace(h, standing=_person_standing(h, words, named, near_ids)) for h in pool]
        for n, h in zip(places, sorted(pool, key=lambda h: h.standing)[: len(places)], strict=True):
            hits[n] = h
    return hits


_PERSON_CODES = (index.BY_KIND["person"].code, index.INACTIVE_PERSON)
# At most this many people count as near the searcher (`_near_matches`).
NEAR_LIMIT = 2000


def _person_standing(hit: Hit, words: list[str], named: set, near_ids: set[int]) -> int:
    """Among the people found: the one named exactly (by name, address or handle) first,
    then those whose name starts with what was typed, then the rest; in each, the people
    near the searcher first (themselves and their team-mates, as the pickers have them)."""
    pk = hit.object_id
    name = " ".join(re.findall(r"[^\W_]+", hit.title.lower()))
    typed = " ".join(words)
    if ("person", pk) in named or name == typed:
        level = 0
    elif name.startswith(typed):
        level = 1
    else:
        level = 2
    return 2 * level + (pk not in near_ids)


def _near_matches(org_id: int, person, words: list[str], codes: list[int]):
    """(kind code, person id) of the people near `person` (`accord.web.pickers._near`: them
    and the people of their current teams, at most NEAR_LIMIT) whose names match `words`,
    however low the ranking put them: two short reads of the memberships' indexes and one
    of the index, only when people were found."""
    from accord.org.models import Membership

    me = getattr(person, "pk", None)
    codes = [c for c in codes if c in _PERSON_CODES]
    if me is None or not codes:
        return []
    teams = Membership.objects.filter(person_id=me).values("team_id")
    mates = (
        Membership.objects.filter(team_id__in=teams)
        .order_by()
        .values_list("person_id", flat=True)
        .distinct()[:NEAR_LIMIT]
    )
    ids = [me, *(pk for pk in mates if pk != me)]
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery

        from accord.search.models import Document

        query = SearchQuery(
            " & ".join(_term(w, "tsquery") for w in words), search_type="raw", config="simple"
        )
        found = Document.objects.filter(
            org_id=org_id, kind__in=codes, vector=query, object_id__in=ids
        ).values_list("pk", flat=True)[: QUICK_LIMIT * 4]
    else:
        rowids = ", ".join(str(c * index.ID_SPAN + int(pk)) for c in codes for pk in ids)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT rowid FROM {index.TABLE} WHERE {index.TABLE} MATCH %s "
                f"AND org_id = %s AND rowid IN ({rowids}) LIMIT %s",
                [
                    "{title} : (" + " AND ".join(_term(w, "fts5") for w in words) + ")",
                    org_id,
                    QUICK_LIMIT * 4,
                ],
            )
            found = [pk for (pk,) in cursor.fetchall()]
    return [(pk // index.ID_SPAN, pk % index.ID_SPAN) for pk in found]


# "Did you mean …?" (`suggest`): words of at least this many letters are corrected, from
# the names of at most this many teams and people that hold a word one edit away.
SUGGEST_MIN_LENGTH = 4
SUGGEST_ROWS = 50
# Text of more words than this is no misspelt name: nothing is suggested (bounds the work).
SUGGEST_WORDS = 3
# A word longer than this is no misspelt name, and is not corrected: the words one edit
# away number about 55 per letter, all of them terms of one full-text query.
SUGGEST_MAX_LENGTH = 30
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _one_edit_away(word: str) -> set[str]:
    """Every word one edit from `word` (a letter left out, two swapped, one changed or one
    added, of a-z): "platfrom" gives "platform", "jnoas" gives "jonas"."""
    cuts = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    out = {a + b[1:] for a, b in cuts if b}
    out |= {a + b[1] + b[0] + b[2:] for a, b in cuts if len(b) > 1}
    out |= {a + c + b[1:] for a, b in cuts if b for c in _LETTERS}
    out |= {a + c + b for a, b in cuts for c in _LETTERS}
    out.discard(word)
    return {w for w in out if len(w) > 1}


def suggest(org, person, q: str) -> str | None:
    """What `q` may have meant when it finds nothing: each word of it that starts no word
    of a team's or a person's name replaced by the closest word one edit away that is one
    (a misspelt name: "platfrom" → "platform", "jnoas" → "jonas"), else None.

    One query on the index per word corrected, for the exact words one edit away (about
    55 per letter typed) in the names of teams and people, however large the organization:
    the index's own term lists answer it, never a list of every name read into Python.
    (difflib over every name would read 110,000 names at 10,000 teams.)"""
    import difflib

    words = terms(q)
    if len(words) > SUGGEST_WORDS:
        return None
    codes = _codes(person, "team") + _codes(person, "person")
    changed, out = False, []
    for word in words:
        if not SUGGEST_MIN_LENGTH <= len(word) <= SUGGEST_MAX_LENGTH or not word.isalpha():
            out.append(word)
            continue
        near = _one_edit_away(word)
        titles = _titles_holding(org.id, [word, *sorted(near)], codes)
        held = {_plain(w) for t in titles for w in re.findall(r"[^\W_]+", t.lower())}
        if any(w.startswith(word) for w in held) or (
            len(words) > 1 and _matches(org.id, [word], _codes(person, None), 1)
        ):
            out.append(word)  # the word finds something: another word finds nothing
            continue
        found = sorted(
            held & near, key=lambda w: (-difflib.SequenceMatcher(None, word, w).ratio(), w)
        )
        if not found:
            return None
        out.append(found[0])
        changed = True
    return " ".join(out) if changed else None


def _plain(word: str) -> str:
    """`word` without its diacritics, as the index matches it ("josé" is "jose")."""
    import unicodedata

    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))


def _titles_holding(org_id: int, words: list[str], codes: list[int]) -> list[str]:
    """The titles of at most SUGGEST_ROWS rows of `codes` holding one of `words` (the
    first as a prefix, the others whole)."""
    first, rest = words[0], words[1:]
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery

        from accord.search.models import Document

        query = SearchQuery(
            " | ".join([_prefix(first, "tsquery"), *rest]), search_type="raw", config="simple"
        )
        return list(
            Document.objects.filter(org_id=org_id, kind__in=codes, vector=query).values_list(
                "title", flat=True
            )[:SUGGEST_ROWS]
        )
    match = " OR ".join([_prefix(first, "fts5"), *(f'"{w}"' for w in rest)])
    marks = ", ".join("%s" for _ in codes)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT title FROM {index.TABLE} WHERE {index.TABLE} MATCH %s AND org_id = %s "
            f"AND kind IN ({marks}) LIMIT %s",
            [f"{{title}} : ({match})", org_id, *codes, SUGGEST_ROWS],
        )
        return [title for (title,) in cursor.fetchall()]


# How many of a team's objectives, and of its initiatives, a search naming it shows.
TEAM_WORK_SHOWN = 3


@dataclass(frozen=True)
class TeamWork:
    """What a team named exactly is working on: a few of its objectives of the current
    period and of its open initiatives (those of its priority stack first), and where all
    of them are."""

    team: str
    team_url: str  # the team's own hit: the work is shown right after it
    hits: list[Hit]
    objectives_url: str  # the team's alignment page: its objectives, its stack
    initiatives_url: str  # the initiatives list cut to the team


def team_work(org, person, q: str, hits: list[Hit]) -> TeamWork | None:
    """`TeamWork` of the team whose name `q` is exactly (any case, spaces collapsed) when
    the search found it, else None: the team's work rarely holds its name, so a search for
    "platform" would find the team but nothing it does. Two short reads of the team's rows
    (TEAM_WORK_SHOWN of each), none when no team is named."""
    from accord.alignment.models import (
        OPEN_INITIATIVE_STATUSES,
        Initiative,
        Objective,
        ObjectiveStatus,
    )
    from accord.alignment.queries import current_period
    from accord.org.models import Team

    typed = " ".join(q.split()).casefold()
    named = next(
        (h for h in hits if h.kind == "team" and " ".join(h.title.split()).casefold() == typed),
        None,
    )
    if named is None:
        return None
    team = Team.objects.for_org(org).filter(pk=named.object_id).only("slug", "name").first()
    if team is None:
        return None
    period = current_period(org)
    objectives = (
        Objective.objects.for_org(org)
        .filter(team=team, period=period)
        .exclude(status=ObjectiveStatus.DROPPED)
        .order_by("title", "id")
        .values_list("pk", flat=True)[:TEAM_WORK_SHOWN]
    )
    initiatives = (
        Initiative.objects.for_org(org)
        .filter(team=team, status__in=OPEN_INITIATIVE_STATUSES)
        .order_by(F("rank").asc(nulls_last=True), "title", "id")
        .values_list("pk", flat=True)[:TEAM_WORK_SHOWN]
    )
    work = []
    for ids, hydrate in ((list(objectives), _objectives), (list(initiatives), _initiatives)):
        if ids:
            by_id = dict(hydrate(org, person, ids))
            work += [by_id[pk] for pk in ids if pk in by_id]
    if not work:
        return None
    return TeamWork(
        team=team.name,
        team_url=named.url,
        hits=work,
        objectives_url=_url("alignment:team", org, team_slug=team.slug),
        initiatives_url=_url("alignment:initiatives", org) + f"?team={team.slug}",
    )


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
        url = _url("org:team", org, team_slug=t.slug)
        yield t.pk, Hit("team", t.name, detail, url, object_id=t.pk)


def _people(org, person, ids):
    from accord.org.models import Person
    from accord.web.pickers import _teams_of

    qs = Person.objects.for_org(org).filter(pk__in=ids)
    if not permissions.can_manage_people(person):
        qs = qs.filter(is_active=True)
    people = list(qs)
    # Namesakes told apart by their teams, as the pickers do (one query for all of them).
    teams = _teams_of([p.pk for p in people])
    for p in people:
        title = p.title if p.is_active else f"{p.title} (deactivated)".strip()
        detail = " · ".join(filter(None, [teams.get(p.pk, ""), title]))
        url = _url("org:person", org, person_id=p.pk)
        yield p.pk, Hit("person", p.name, detail, url, object_id=p.pk)


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
        parts.append(f"approver {name_of(d.approver)}")
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
        detail = f"{name_of(a.owner)}{team}{due} · {a.get_status_display().lower()}"
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


def _cadences(org, person, ids):
    """Each with whose it is and when it is next (an upcoming meeting is no row until it is
    opened: its cadence finds it), as the cadence list reads it (`next_occurrences`)."""
    from django.db.models import Prefetch
    from django.utils import timezone

    from accord.rhythm import queries as rhythm
    from accord.rhythm.models import Cadence, OccurrenceException
    from accord.web.templatetags.dates import weekday, weekday_moment

    moves = Prefetch("exceptions", queryset=OccurrenceException.objects.order_by("original_start"))
    qs = Cadence.objects.for_org(org).filter(pk__in=ids).select_related("team")
    cads = list(qs.prefetch_related(moves))
    running = [c for c in cads if c.is_running]
    upcoming = rhythm.next_occurrences(running) if running else {}
    for c in cads:
        whose = c.team.name if c.team_id else c.get_scope_display()
        occ = upcoming.get(c.pk)
        if not c.is_running:
            when = "paused"
        elif occ is None:
            when = "nothing ahead"
        elif c.all_day:
            when = f"next {weekday(occ.day)}"
        else:
            when = f"next {weekday_moment(timezone.localtime(occ.start))}"
        url = _url("rhythm:cadence", org, cadence_id=c.pk)
        yield c.pk, Hit("cadence", c.name, f"{whose} · {when}", url)


def _milestones(org, person, ids):
    """Each on the milestones page, at its row: its date, its kind and its period."""
    from accord.alignment.models import Milestone
    from accord.web.templatetags.dates import weekday

    page = _url("alignment:milestones", org)
    for m in Milestone.objects.for_org(org).filter(pk__in=ids).select_related("period"):
        parts = [weekday(m.date), m.get_kind_display()]
        if m.period_id:
            parts.append(m.period.name)
        yield m.pk, Hit("milestone", m.name, " · ".join(parts), f"{page}#milestone-{m.pk}")


def _periods(org, person, ids):
    """Each as the alignment page of that period."""
    from accord.alignment.models import Period
    from accord.web.templatetags.dates import day_span

    page = _url("alignment:index", org)
    for p in Period.objects.for_org(org).filter(pk__in=ids):
        detail = f"{day_span(p.start, p.end)} · {p.get_state_display()}"
        yield p.pk, Hit("period", p.name, detail, f"{page}?period={p.pk}")


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
    "cadence": _cadences,
    "milestone": _milestones,
    "period": _periods,
}
