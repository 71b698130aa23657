"""Every page and every list endpoint of the API answers for a generated organization."""

from __future__ import annotations

import re

from accord.org.models import Role, Team
from tests.conftest import api_client, login, make_person


def _links(html: str, prefix: str) -> list[str]:
    return [h for h in re.findall(r'href="([^"#?]+)', html) if h.startswith(prefix)]


def test_every_kind_of_page_reachable_from_the_navigation_answers(generated, db):
    """From the home page, two links deep: one page of each kind (pages that differ only
    by an id or a team's address are one kind)."""
    org = generated["large"]
    client = login(make_person(org, "Gina Generated", Role.ADMIN))
    prefix = f"/o/{org.slug}/"
    kinds: dict[str, str] = {}
    frontier = [prefix]
    for _depth in range(3):
        found = []
        for url in frontier:
            kind = re.sub(r"\d+", "N", re.sub(r"/teams/[^/]+/", "/teams/T/", url))
            if kind in kinds:
                continue
            kinds[kind] = url
            response = client.get(url)
            assert response.status_code == 200, url
            if "text/html" in response["Content-Type"]:
                found += [u for u in _links(response.content.decode(), prefix) if _page(u)]
        frontier = found
    assert len(kinds) >= 30, sorted(kinds)


def _page(url: str) -> bool:
    return not any(word in url for word in ("/export", "/feed", "/logout", ".ics", ".csv"))


def test_every_list_endpoint_of_the_api_answers(generated, db):
    org = generated["large"]
    client = api_client(make_person(org, "Gil Generated", Role.ADMIN))
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    lists = [
        path
        for path, ops in paths.items()
        if "get" in ops
        and "{" not in path
        and not any(p.get("required") for p in ops["get"].get("parameters", []))
    ]
    assert len(lists) >= 15
    team = Team.objects.for_org(org).get(parent=None)
    needs = {"/api/v1/graph/blast-radius": {"team_id": team.pk}}  # one of two is required
    for path in lists:
        response = client.get(path, needs.get(path, {}))
        ok = (200, 202) if path == "/api/v1/me/briefings/week" else (200,)  # 202: being built
        assert response.status_code in ok, (path, response.content[:300])
