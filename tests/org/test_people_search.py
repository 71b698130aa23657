"""Finding a person in the people list and the person pickers by any of their addresses and
handles, not only by name: exactly, in any case, with or without `@`, never across
organizations."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accord.org import queries, services
from tests.conftest import login, sqlite_plan


@pytest.fixture
def known(cast):
    """Mia has a home address and handles on chat and the code host; Otto, of another
    organization, has the same chat handle there."""
    services.update_person(
        cast.org,
        None,
        cast.member,
        emails=["mia@home.example"],
        handles=["slack:miam", "github:mia-codes", "matrix:@mia:example.org"],
    )
    services.update_person(cast.other_org, None, cast.outsider, handles=["slack:miam"])
    return cast


def rows(response) -> str:
    """The people list's rows (the page's header names whoever is signed in)."""
    assert response.status_code == 200
    html = response.content.decode()
    return html[html.index('id="people-rows"') : html.index("</tbody>")]


def listed(cast, q: str) -> set[str]:
    html = rows(login(cast.viewer).get("/o/acme/people/", {"q": q}))
    return {p.name for p in (cast.admin, cast.leader, cast.member, cast.viewer) if p.name in html}


@pytest.mark.parametrize(
    "q",
    [
        "mia@home.example",
        "Mia@Home.Example",
        "@miam",
        "miam",
        "MiaM",
        "slack:miam",
        "Slack:@miam",
        "mia-codes",
        "github:mia-codes",
        "@mia:example.org",
        "matrix:mia:example.org",
    ],
)
def test_the_people_list_finds_a_person_by_an_address_or_a_handle(known, q):
    assert listed(known, q) == {"Mia Member"}


def test_only_an_exact_handle_of_that_kind_finds_them(known):
    assert listed(known, "slack:miam") == {"Mia Member"}
    for q in ("github:miam", "miam@home.example", "mia-cod", "irc:mia"):
        assert listed(known, q) == set(), q


def test_another_organizations_handles_are_not_searched(known):
    client = login(known.outsider)
    globex = rows(client.get("/o/globex/people/", {"q": "miam"}))
    assert f"/o/globex/people/{known.outsider.pk}/" in globex  # Otto's own handle there
    assert "Mia Member" not in globex
    assert client.get("/o/acme/people/", {"q": "miam"}).status_code == 404


def pick(cast, q: str, kind: str = "person") -> str:
    response = login(cast.member).get(f"/o/acme/pick/{kind}/", {"q": q})
    assert response.status_code == 200
    return response.content.decode()


def test_a_person_picker_finds_people_by_address_or_handle(known):
    for kind in ("person", "human"):
        for q in ("@miam", "github:mia-codes", "MIA@home.example", "mia.member@acme.example"):
            found = pick(known, q, kind)
            assert f'data-value="{known.member.pk}"' in found, (kind, q)
            assert found.count('role="option"') == 1, (kind, q)
    # Part of an address is not a name: the picker matches names, not every address.
    assert 'role="option"' not in pick(known, "acme.example")


def test_the_lookup_is_an_exact_one_on_the_identities_index(known):
    """The identities are found by (org, kind, value), as the unique index has them."""
    with CaptureQueriesContext(connection) as ctx:
        list(queries.identity_owners(known.org, "@MiaM"))
    (sql,) = [q["sql"] for q in ctx.captured_queries]
    assert "LIKE" not in sql.upper() and "org_id" in sql and '"kind" IN' in sql
    if connection.vendor == "sqlite":
        plan = sqlite_plan(sql.replace("%s", "?"))
        assert "(org_id=? AND kind=? AND value=?)" in plan, plan
    assert queries.identity_owners(known.org, "two words") is None
    assert queries.identity_owners(known.org, "") is None


def test_the_people_list_answers_who_has_a_role(cast):
    client = login(cast.admin)
    admins = client.get("/o/acme/people/?role=admin").content.decode()
    assert "Ada Admin" in admins and "Mia Member" not in admins and "Leo Leader" not in admins
    assert '<option value="admin" selected>Admins</option>' in admins
    everyone = client.get("/o/acme/people/?role=owner").content.decode()  # not a role
    assert "Ada Admin" in everyone and "Mia Member" in everyone
