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
