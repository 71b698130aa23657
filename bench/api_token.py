"""Benchmark of finding an API call's token: the statement written once per connection
(`accord.api.services.authenticate`) against the ORM query it replaced, the bare SQL, and a
whole API call for scale. CPU per call, median of 5 rounds of 2,000 calls, side by side in
one run, inside a transaction rolled back at the end.

    python bench/api_token.py                          # a fresh SQLite database in a temp dir
    python bench/api_token.py --data-dir /tmp/demo     # an existing data directory
    python bench/api_token.py --database-url postgres://accord@127.0.0.1:PORT/accord
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accord.settings")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", help="an Accord data directory (default: a fresh one)")
    parser.add_argument("--database-url", help="PostgreSQL instead of the data directory's SQLite")
    parser.add_argument("--calls", type=int, default=2000)
    args = parser.parse_args()
    scratch = None if args.data_dir else tempfile.TemporaryDirectory(prefix="bench-token-")
    os.environ["ACCORD_DATA_DIR"] = args.data_dir or scratch.name
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import Client

    from accord.api import services
    from accord.api.models import ApiToken
    from accord.org import services as org_services
    from accord.org.models import Role

    call_command("migrate", verbosity=0)
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from inprocess import serve_in_process

    serve_in_process()
    with transaction.atomic():
        org = org_services.create_organization("Token Bench", "token-bench")
        person = org_services.add_person(
            org, None, name="Tess Token", email="tess@token-bench.example", role=Role.ADMIN
        )
        _, raw = services.create_token(org, person, "bench")
        services.authenticate(raw)  # recorded as used: later calls only read
        digest = services._digest(raw)

        def orm():
            return ApiToken.objects.select_related("person", "person__owner", "org").get(
                digest=digest, revoked_at__isnull=True, person__is_active=True
            )

        lookup = services._TokenLookup.of(connection)

        def bare():
            with connection.cursor() as cursor:
                cursor.execute(lookup.sql, [digest, True])
                cursor.fetchone()

        client = Client(headers={"Authorization": f"Bearer {raw}"})

        def api_call():
            assert client.get("/api/v1/me").status_code == 200

        cases = [
            ("the ORM query (before)", orm, args.calls),
            ("authenticate() (now)", lambda: services.authenticate(raw), args.calls),
            ("its statement, bare", bare, args.calls),
            ("a whole call: GET /api/v1/me", api_call, args.calls // 10),
        ]
        times: dict[str, list[float]] = {name: [] for name, _, _ in cases}
        for _name, fn, _ in cases:
            fn()  # warm-up
        for _ in range(5):
            for name, fn, n in cases:
                start = time.process_time()
                for _ in range(n):
                    fn()
                times[name].append((time.process_time() - start) / n * 1000)
        transaction.set_rollback(True)

    now = statistics.median(times["authenticate() (now)"])
    print(f"{connection.vendor}, CPU per call, median of 5 rounds")
    for name, _, _ in cases:
        ms = statistics.median(times[name])
        print(f"  {name:32} {ms:7.3f} ms   {ms / now:5.1f}x authenticate()")
    if scratch is not None:
        connection.close()
        scratch.cleanup()


if __name__ == "__main__":
    main()
