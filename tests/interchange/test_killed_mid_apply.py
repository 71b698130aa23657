"""A process that dies in the middle of applying a file leaves nothing half-written.

A separate Python process applies a file to a SQLite database on disk and is killed
(os._exit: no Python cleanup, no rollback code runs) after some rows were written; the
database afterwards holds nothing of that file.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

from tests import template_db

from .helpers import ORG_FILE

ROOT = Path(__file__).resolve().parents[2]

CHILD = textwrap.dedent(
    """
    import os, sys
    os.environ["DJANGO_SETTINGS_MODULE"] = "accord.settings"
    import django
    django.setup()
    from django.core.management import call_command
    call_command("migrate", verbosity=0)
    if sys.argv[1] == "apply":
        from accord.org import services as org_services
        from accord.interchange import services
        real = org_services.add_memberships
        def die_after_writing(*args, **kwargs):
            real(*args, **kwargs)
            os._exit(9)  # the process dies here, mid-transaction
        org_services.add_memberships = die_after_writing
        services.apply_file(open(sys.argv[2]).read(), org_slug="initech")
    """
)


def test_a_killed_apply_leaves_the_database_as_it_was(tmp_path):
    db = tmp_path / "accord.sqlite3"
    # Migrated already where the test database's template is at hand (the child's migrate
    # then has nothing to do): migrating from nothing takes half a minute.
    template_db.migrated_sqlite(db)
    org_file = tmp_path / "org.yaml"
    org_file.write_text(ORG_FILE)
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}"}
    killed = subprocess.run(
        [sys.executable, "-c", CHILD, "apply", str(org_file)],
        cwd=ROOT,
        env=env,
        capture_output=True,
    )
    assert killed.returncode == 9, killed.stderr.decode()[-2000:]
    with sqlite3.connect(db) as conn:
        for table in ("org_organization", "org_team", "org_person", "org_membership"):
            assert conn.execute(f"select count(*) from {table}").fetchone() == (0,), table
        assert conn.execute("select count(*) from activity_event").fetchone() == (0,)
