"""Nothing found: "Did you mean …?" offers the names of teams and people one typo away,
found through the index's own term lists (`queries.suggest`), never by reading every name."""

from __future__ import annotations

from accord.org import services
from accord.search import queries
from tests.conftest import login

URL = "/o/acme/search/"


def suggest(cast, q):
    return queries.suggest(cast.org, cast.member, q)


def test_a_misspelt_team_or_person_is_suggested(cast):
    services.add_person(cast.org, None, name="Jonas Costa", email="jonas@acme.example")
    assert suggest(cast, "platfrom") == "platform"  # two letters swapped
    assert suggest(cast, "jnoas") == "jonas"
    assert suggest(cast, "Jonas Cotsa") == "jonas costa"  # only the misspelt word changes
    assert suggest(cast, "plattform") == "platform"  # one letter too many
    assert suggest(cast, "platorm") == "platform"  # one too few


def test_nothing_is_suggested_for_a_word_far_from_every_name_or_too_short(cast):
    assert suggest(cast, "zzzzzz") is None
    assert suggest(cast, "plt") is None  # shorter than SUGGEST_MIN_LENGTH
    assert suggest(cast, "platform") is None  # found: nothing to correct
    assert queries.suggest(cast.other_org, cast.outsider, "platfrom") is None  # not theirs


def test_the_type_ahead_and_the_page_offer_it_when_nothing_matches(cast):
    client = login(cast.member)
    quick = client.get(URL, {"q": "platfrom"}, headers={"HX-Request": "true"}).content.decode()
    assert "Did you mean" in quick and 'data-href="/o/acme/search/?q=platform"' in quick
    page = client.get(URL, {"q": "platfrom"}).content.decode()
    assert "Nothing matches “platfrom”. Did you mean" in page
    assert 'href="/o/acme/search/?q=platform"' in page
    assert "Did you mean" not in client.get(URL, {"q": "platform"}).content.decode()


def test_a_word_too_long_to_be_a_name_is_not_corrected_nor_spelt_out_in_a_query(cast):
    """A 200-letter word (cut to MAX_TERM_LENGTH, 40) once made about 2,200 alternative
    spellings, every one a term of one full-text query; words longer than
    SUGGEST_MAX_LENGTH are left as they are."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    long = "abcdefghij" * 20
    with CaptureQueriesContext(connection) as ran:
        assert suggest(cast, long) is None
        kept = long[: queries.MAX_TERM_LENGTH]
        assert suggest(cast, f"platfrom {long[:190]}") == f"platform {kept}"
    sql = " ".join(q["sql"] for q in ran.captured_queries)
    assert long[:31] not in sql.lower()
    assert len(sql) < 20_000, len(sql)  # "platfrom": about 440 terms
    edge = "abcdefghij" * 3  # SUGGEST_MAX_LENGTH letters are still corrected
    services.add_person(cast.org, None, name=edge, email="edge@acme.example")
    assert suggest(cast, edge[:-1] + "x") == edge
