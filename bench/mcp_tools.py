"""The MCP tools on a large organization: how long each answer takes through `/mcp`, how
many queries it runs and how large it is.

Run against a migrated copy of a generated organization (never the shared original):

    mkdir -p /tmp/mcp-10k && cp /tmp/evalbench-10000/accord.sqlite3 /tmp/mcp-10k/
    ACCORD_DATA_DIR=/tmp/mcp-10k .venv/bin/python manage.py migrate
    ACCORD_DATA_DIR=/tmp/mcp-10k .venv/bin/python bench/mcp_tools.py --org bench-10000

For each reading tool and resource, as the lead of the top team (whose default scope is
the whole organization) and, for `what_is_at_risk`, as an admin: the median of 5 runs
(after one warm-up) of the whole JSON-RPC POST to `/mcp` through Django's test client
(token check, the SDK's transport, the tool), wall-clock and CPU, the SQL statements it
ran, and the size of the answer. Then the lists (tools, resources, prompts) and the two
prompts, once each. Every answer is checked against the documented bound
(`accord.mcp.answers.MAX_CHARS`: the text, and the structured content as JSON, each at most
16,000 characters; a prompt, three such answers): the run prints each size and exits
non-zero, naming the answers, if any exceeds it. It prints the load average before and
after (the machine may be shared: CPU time is what an answer costs). The tokens it makes
are removed after.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accord.settings")

RUNS = 5


def main() -> None:
    import django

    django.setup()
    import logging

    logging.getLogger("mcp").setLevel(logging.WARNING)  # a line per request otherwise
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from accord.alignment.models import Initiative, KeyResult, Objective
    from accord.api import services as tokens
    from accord.api.models import ApiToken
    from accord.coordination.models import Dependency
    from accord.decisions.models import Decision
    from accord.mcp.answers import MAX_CHARS
    from accord.org.models import Membership, MembershipRole, Organization, Person, Team

    parser = argparse.ArgumentParser()
    parser.add_argument("--org", required=True)
    args = parser.parse_args()
    settings.ALLOWED_HOSTS = ["*"]
    org = Organization.objects.get(slug=args.org)
    root = Team.objects.for_org(org).filter(parent=None).order_by("pk").first()
    lead = (
        Membership.objects.for_org(org)
        .filter(team=root, role=MembershipRole.LEAD)
        .select_related("person")
        .first()
        .person
    )
    admin = Person.objects.for_org(org).filter(role="admin").first() or lead
    made = []

    def client_of(person) -> Client:
        token, raw = tokens.create_token(org, person, "bench")
        made.append(token.pk)
        return Client(headers={"Authorization": f"Bearer {raw}"})

    as_lead, as_admin = client_of(lead), client_of(admin)

    def first(model):
        return model.objects.for_org(org).order_by("pk").values_list("pk", flat=True)[0]

    calls = [
        (as_admin, "tools/call", "what_is_at_risk", {}),
        (as_lead, "tools/call", "what_is_at_risk", {"team": root.slug}),
        (as_lead, "tools/call", "my_week", {}),
        (as_lead, "tools/call", "briefing", {"team": root.slug}),
        (as_lead, "tools/call", "search", {"query": "platform"}),
        (as_lead, "tools/call", "get_team", {"team": root.slug}),
        (as_lead, "tools/call", "get_objective", {"objective_id": first(Objective)}),
        (as_lead, "tools/call", "get_key_result", {"key_result_id": first(KeyResult)}),
        (as_lead, "tools/call", "get_initiative", {"initiative_id": first(Initiative)}),
        (as_lead, "tools/call", "get_dependency", {"dependency_id": first(Dependency)}),
        (as_lead, "tools/call", "get_decision", {"decision_id": first(Decision)}),
        (as_lead, "resources/read", "accord://teams", {}),
        (as_lead, "resources/read", f"accord://teams/{root.pk}", {}),
        (as_lead, "resources/read", "accord://period/current", {}),
        (as_lead, "prompts/get", "prepare_my_weekly_sync", {}),
        (as_lead, "prompts/get", "summarize_what_changed", {"days": "7"}),
        (as_lead, "tools/list", "", {}),
        (as_lead, "resources/list", "", {}),
        (as_lead, "resources/templates/list", "", {}),
        (as_lead, "prompts/list", "", {}),
    ]
    teams = Team.objects.for_org(org).count()
    print(f"{org.slug}: {teams} teams; lead {lead.name}; median of {RUNS}")
    print("load average before: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    print(
        f"{'call':42} {'wall ms':>8} {'cpu ms':>8} {'queries':>8} {'text':>7} {'data':>7}"
        f" (bound {MAX_CHARS})"
    )
    over: list[str] = []
    started = time.process_time()
    try:
        for client, method, name, arguments in calls:
            if method == "resources/read":
                params = {"uri": name}
            elif method.endswith("/list"):
                params = {}
            else:
                params = {"name": name, "arguments": arguments}
            body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params})

            def post(client=client, body=body):
                r = client.post(
                    "/mcp",
                    body,
                    content_type="application/json",
                    headers={"Accept": "application/json, text/event-stream"},
                )
                assert r.status_code == 200, r.content[:300]
                return r.json()["result"]

            result = post()
            # Django's test client clears connection.queries at each request: count with a
            # wrapper around every statement instead.
            queries: list[str] = []

            def count(execute, sql, *rest, queries=queries):
                queries.append(sql)
                return execute(sql, *rest)

            with connection.execute_wrapper(count):
                post()
            wall, cpu = [], []
            for _ in range(RUNS):
                t, c = time.perf_counter(), time.process_time()
                post()
                wall.append(time.perf_counter() - t)
                cpu.append(time.process_time() - c)
            assert not result.get("isError"), result
            text, data = sizes(result)
            label = f"{name or method} {json.dumps(arguments) if arguments else ''}"[:42]
            print(
                f"{label:42} {statistics.median(wall) * 1000:8.0f} "
                f"{statistics.median(cpu) * 1000:8.0f} {len(queries):8d} {text:7d} {data:7d}"
            )
            # A prompt puts at most three bounded answers together (docs/mcp.md); the lists
            # describe the server and are not cut.
            bound = 3 * MAX_CHARS if method == "prompts/get" else MAX_CHARS
            if name and max(text, data) > bound:
                over.append(f"{label.strip()}: {text} text, {data} data")
    finally:
        ApiToken.objects.filter(pk__in=made).delete()
    print(f"CPU in all: {time.process_time() - started:.1f} s")
    print("load average after: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    if over:
        sys.exit("over the bound: " + "; ".join(over))
    print(f"every answer within its bound ({MAX_CHARS} characters, a prompt thrice that)")


def sizes(result: dict) -> tuple[int, int]:
    """The characters of an answer's text (a tool's content, a resource's contents, a
    prompt's messages) and of its structured content as JSON (0 when it has none)."""
    if "messages" in result:
        text = sum(len(m["content"].get("text", "")) for m in result["messages"])
    elif "content" in result or "contents" in result:
        text = sum(len(c.get("text", "")) for c in result.get("content") or result["contents"])
    else:  # a list: its whole JSON
        text = len(json.dumps(result, ensure_ascii=False))
    data = result.get("structuredContent")
    return text, len(json.dumps(data, ensure_ascii=False)) if data is not None else 0


if __name__ == "__main__":
    main()
