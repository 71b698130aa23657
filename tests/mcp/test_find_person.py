"""The assistant's search finds a person by any of their addresses and handles, as the
API's `?email=` and `?handle=` do, within the token's organization only."""

from __future__ import annotations

from accord.org import services
from tests.mcp.test_bounds import client_of, rpc


def search(client, query: str, **arguments) -> dict:
    result = rpc(
        client, "tools/call", {"name": "search", "arguments": {"query": query, **arguments}}
    )
    assert not result.get("isError"), result
    return result


def test_the_search_tool_finds_a_person_by_an_extra_address_or_a_handle(cast):
    services.update_person(
        cast.org,
        None,
        cast.member,
        emails=["mia@home.example"],
        handles=["github:mia-codes", "slack:miam"],
    )
    services.update_person(cast.other_org, None, cast.outsider, handles=["slack:otto"])
    client = client_of(cast.leader)
    page = f"/o/acme/people/{cast.member.pk}/"
    for query in ("MIA@home.example", "github:mia-codes", "@miam"):
        for kind in ({}, {"kind": "person"}):
            found = search(client, query, **kind)
            first = found["structuredContent"]["results"][0]
            assert (first["kind"], first["title"]) == ("person", "Mia Member"), (query, kind)
            assert first["url"].endswith(page)
    assert search(client, "slack:otto")["structuredContent"]["results"] == []
    assert search(client, "slack:mia-codes")["structuredContent"]["results"] == []
