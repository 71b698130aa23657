"""Settings come from the environment with safe defaults, and bad values stop start-up."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

ACCORD = str(Path(sys.executable).with_name("accord"))
PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.db import connection
out = {"SECRET_KEY": settings.SECRET_KEY, "DEBUG": settings.DEBUG,
       "ALLOWED_HOSTS": settings.ALLOWED_HOSTS, "ENGINE": settings.DATABASES["default"]["ENGINE"],
       "NAME": str(settings.DATABASES["default"]["NAME"])}
if "sqlite" in out["ENGINE"]:
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        out["journal_mode"] = cursor.fetchone()[0]
        cursor.execute("PRAGMA foreign_keys")
        out["foreign_keys"] = cursor.fetchone()[0]
print(json.dumps(out))
"""


def clean_env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("SECRET_KEY", "DEBUG", "DATABASE_URL", "ALLOWED_HOSTS")
    }
    return {
        **env,
        "ACCORD_DATA_DIR": str(data_dir),
        "DJANGO_SETTINGS_MODULE": "accord.settings",
        **extra,
    }


def probe(data_dir: Path, **extra: str) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        capture_output=True,
        text=True,
        timeout=60,
        env=clean_env(data_dir, **extra),
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_a_secret_key_is_generated_into_the_data_directory_and_kept(tmp_path):
    first = probe(tmp_path)
    key_file = tmp_path / "secret_key"
    assert key_file.read_text().strip() == first["SECRET_KEY"]
    assert len(first["SECRET_KEY"]) >= 50
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert probe(tmp_path)["SECRET_KEY"] == first["SECRET_KEY"]  # kept between runs
    other = probe(tmp_path / "elsewhere")
    assert other["SECRET_KEY"] != first["SECRET_KEY"]  # never a constant in the code


def test_a_secret_key_from_the_environment_wins(tmp_path):
    assert probe(tmp_path, SECRET_KEY="from-the-env")["SECRET_KEY"] == "from-the-env"
    assert not (tmp_path / "secret_key").exists()


def test_debug_is_off_unless_asked(tmp_path):
    assert probe(tmp_path)["DEBUG"] is False
    assert probe(tmp_path, DEBUG="yes")["DEBUG"] is True
    assert probe(tmp_path, DEBUG="0")["DEBUG"] is False


def test_a_bad_boolean_stops_start_up_naming_the_variable(tmp_path):
    result = subprocess.run(
        [ACCORD, "migrate"],
        capture_output=True,
        text=True,
        timeout=60,
        env=clean_env(tmp_path, DEBUG="perhaps"),
    )
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "accord: DEBUG must be true or false, not 'perhaps'. See the README's Settings section."
    )
    assert not (tmp_path / "accord.sqlite3").exists()  # nothing was started


def test_the_default_database_is_sqlite_in_the_data_directory_in_wal_mode(tmp_path):
    settings = probe(tmp_path)
    assert settings["ENGINE"] == "django.db.backends.sqlite3"
    assert settings["NAME"] == str(tmp_path / "accord.sqlite3")
    assert settings["journal_mode"] == "wal"
    assert settings["foreign_keys"] == 1


def test_postgresql_is_one_variable_away(tmp_path):
    settings = probe(tmp_path, DATABASE_URL="postgres://accord:pw@db.internal:5433/accord")
    assert settings["ENGINE"] == "django.db.backends.postgresql"
    assert settings["NAME"] == "accord"


def test_allowed_hosts_come_from_a_comma_separated_list(tmp_path):
    assert probe(tmp_path)["ALLOWED_HOSTS"] == ["localhost", "127.0.0.1", "[::1]"]
    hosts = probe(tmp_path, ALLOWED_HOSTS="accord.example.com, .example.org")["ALLOWED_HOSTS"]
    assert hosts == ["accord.example.com", ".example.org"]
