"""The `accord` command: help, unknown commands, load-demo, createadmin."""

from __future__ import annotations

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.http import HttpRequest
from django.test import Client
from django.utils import timezone

from accord import cli, demo
from accord.activity.models import Event
from accord.org import services
from accord.org.models import Organization, Person, Role, Team

ACCORD = str(Path(sys.executable).with_name("accord"))  # the installed console script


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([ACCORD, *args], capture_output=True, text=True, timeout=60)


def test_help_lists_every_command(db):
    result = run("--help")
    assert result.returncode == 0
    for name, (_, description) in cli.COMMANDS.items():
        assert f"  {name}" in result.stdout
        assert description in result.stdout
    for name in ("demo", "serve", "worker", "migrate", "createadmin", "load-demo"):
        assert name in cli.COMMANDS


def test_a_command_describes_its_options(db):
    result = run("createadmin", "--help")
    assert result.returncode == 0
    assert "--email" in result.stdout and "--org" in result.stdout


def test_an_unknown_command_exits_2_with_a_message():
    result = run("frobnicate")
    assert result.returncode == 2
    assert "accord: unknown command 'frobnicate'" in result.stderr
    assert "usage: accord <command>" in result.stderr


def counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label not in ("sessions", "admin")
    }


@pytest.mark.django_db(transaction=True)  # commit, so the database checks every foreign key
def test_load_demo_twice_changes_nothing_and_reset_reloads_it():
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert "Loaded Northwind Outfitters" in out.getvalue()
    acme = services.create_organization("Acme", "acme")
    services.create_team(acme, None, name="Platform", slug="platform")
    first = counts()
    last_event = Event.objects.order_by("-id").values_list("id", flat=True).first()
    assert first["org.Person"] >= 150 and first["org.Team"] >= 20
    # What the demo says happened happened by now: nothing recorded for later today.
    now = timezone.now()
    for model in apps.get_models():
        for f in model._meta.fields:
            if f.get_internal_type() == "DateTimeField" and (
                f.name == "at" or f.name.endswith("ed_at")
            ):
                later = model._default_manager.filter(**{f"{f.name}__gt": now})
                assert not later.exists(), (model._meta.label, f.name, later.first())
    from accord.rhythm.models import MeasurableValue

    shares = MeasurableValue.objects.filter(measurable__unit="%")
    assert shares.exists() and not shares.filter(value__gt=100).exists()  # no 103% CSAT

    out = StringIO()
    call_command("load_demo", stdout=out)
    assert "already loaded" in out.getvalue()
    assert counts() == first  # the second run changes nothing
    assert Event.objects.order_by("-id").values_list("id", flat=True).first() == last_event

    northwind = Organization.objects.get(slug=demo.DEMO_SLUG)
    services.create_team(northwind, None, name="Skunkworks", slug="skunkworks")
    out = StringIO()
    call_command("load_demo", "--reset", stdout=out)
    assert "Deleted the demo organization." in out.getvalue()
    assert not Team.objects.filter(slug="skunkworks").exists()  # what was added went with it
    again = counts()
    for label in ("org.Team", "org.Person", "org.Membership"):
        assert again[label] == first[label], label
    assert list(Team.objects.filter(org=acme).values_list("slug", flat=True)) == ["platform"]


def createadmin(*args: str) -> str:
    out = StringIO()
    call_command("createadmin", *args, stdout=out)
    return out.getvalue()


def test_createadmin_makes_a_login_that_administers_the_organization(db):
    password = "a long and unguessable passphrase"
    out = createadmin(
        "--email",
        "root@initech.example",
        "--create-org",
        "Initech",
        "--name",
        "Bill Lumbergh",
        "--password",
        password,
    )
    assert "root@initech.example (Bill Lumbergh) is an admin of Initech (/o/initech/)" in out
    person = Person.objects.get(org__name="Initech", email="root@initech.example")
    assert person.role == Role.ADMIN and person.name == "Bill Lumbergh"
    client = Client()
    # Sign-in throttling needs the request every sign-in has.
    assert client.login(request=HttpRequest(), username="root@initech.example", password=password)
    assert client.get("/o/initech/people/").status_code == 200
    # Again for someone already in the organization: they become admin, not a second person.
    member = Person.objects.create(org=person.org, name="Milton", role=Role.MEMBER)
    member.user = services.ensure_user("milton@initech.example", password)
    member.save()
    createadmin("--email", "milton@initech.example", "--org", "initech", "--password", password)
    assert Person.objects.filter(org__name="Initech").count() == 2
    assert Organization.objects.filter(name="Initech").count() == 1
    member.refresh_from_db()
    assert member.role == Role.ADMIN


def test_createadmin_and_password_give_a_login_to_someone_already_added(db):
    """Someone added by an admin, a file or an import (no login) is given the login, not
    doubled; a later run sets a new password; `accord password` does the same without
    changing the role."""
    org = services.create_organization("Initech", "initech")
    nina = services.add_person(org, None, name="Nina Integrator", email="nina@initech.example")
    out = createadmin("--email", "Nina@initech.example", "--password", "Correct-Horse-42x")
    assert "(Nina Integrator) is an admin of Initech" in out
    assert Person.objects.filter(org=org).count() == 1
    nina.refresh_from_db()
    assert nina.role == Role.ADMIN and nina.user is not None
    createadmin("--email", "nina@initech.example", "--password", "Battery-Staple-77y")
    client = Client()
    assert client.login(
        request=HttpRequest(), username="nina@initech.example", password="Battery-Staple-77y"
    )
    milton = services.add_person(org, None, name="Milton", email="milton@initech.example")
    out = StringIO()
    call_command("password", "--email", "milton@initech.example", "--password",
                 "Red-Stapler-1999", stdout=out)  # fmt: skip
    assert "Milton signs in to Initech as milton@initech.example with this password" in (
        out.getvalue()
    )
    milton.refresh_from_db()
    assert milton.role == Role.MEMBER and milton.user is not None
    assert Client().login(
        request=HttpRequest(), username="milton@initech.example", password="Red-Stapler-1999"
    )
    with pytest.raises(CommandError, match=r"No one in Initech has the address x@y\.example"):
        call_command("password", "--email", "x@y.example", "--password", "Red-Stapler-1999")


def test_createadmin_refuses_a_weak_password_with_a_non_zero_exit(tmp_path):
    env = {**os.environ, "ACCORD_DATA_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [
            ACCORD,
            *("createadmin", "--email", "a@b.example", "--create-org", "Initech"),
            *("--password", "1234"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert result.returncode == 1
    assert "Password refused" in result.stderr
    assert "too short" in result.stderr


@pytest.mark.parametrize("command", [["health"], ["export"], ["signals"]])
def test_a_command_on_a_database_not_set_up_says_to_migrate(tmp_path, command):
    env = {**os.environ, "ACCORD_DATA_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    result = subprocess.run([ACCORD, *command], capture_output=True, text=True, timeout=60, env=env)
    assert result.returncode == 1
    assert "run `accord migrate` first" in result.stderr
    assert "Traceback" not in result.stderr


def test_createadmin_without_a_password_says_how_to_give_one(db, monkeypatch):
    monkeypatch.delenv("ACCORD_ADMIN_PASSWORD", raising=False)
    monkeypatch.setattr("os.isatty", lambda fd: False)
    with pytest.raises(CommandError, match="pass --password or set ACCORD_ADMIN_PASSWORD"):
        createadmin("--email", "a@b.example", "--create-org", "Initech")
    assert not Organization.objects.filter(name="Initech").exists()


def test_createadmin_takes_the_address_and_never_creates_an_organization_by_accident(db):
    password = "a long and unguessable passphrase"
    org = services.create_organization("Initech", "initech-hq")
    # The name where the address belongs: refused, saying which address the name has.
    with pytest.raises(CommandError, match="'Initech' is the name of: initech-hq"):
        createadmin("--email", "a@initech.example", "--org", "Initech", "--password", password)
    # An unknown address: refused, saying how to create one.
    with pytest.raises(CommandError, match=r"No organization at address 'globex'.*--create-org"):
        createadmin("--email", "a@initech.example", "--org", "globex", "--password", password)
    assert Organization.objects.count() == 1
    assert not Person.objects.filter(email="a@initech.example").exists()
    # Left out with one organization: that one; with two, which one is asked.
    createadmin("--email", "a@initech.example", "--password", password)
    assert Person.objects.get(email="a@initech.example").org == org
    services.create_organization("Initrode", "initrode")
    with pytest.raises(CommandError, match="Say which organization with --org SLUG"):
        createadmin("--email", "b@initech.example", "--password", password)
    # The address that exists, given to --create-org, is refused rather than reused.
    with pytest.raises(CommandError, match="'initrode' is taken"):
        createadmin(
            "--email",
            "b@initech.example",
            "--org",
            "initrode",
            "--create-org",
            "Initrode 2",
            "--password",
            password,
        )
    createadmin("--email", "b@initech.example", "--org", "initrode", "--password", password)
    assert Person.objects.get(email="b@initech.example").org.slug == "initrode"
    assert Organization.objects.count() == 2


# --- what the interchange and signals commands say when refusing -------------------------


def test_every_command_taking_org_lists_the_choices_when_it_is_left_out(cast):
    """`accord export` said only "Say which organization with --org SLUG" where `accord
    import csv` lists the addresses: one helper for both."""
    choices = r"Say which organization with --org SLUG \(one of acme, globex\)\."
    for command in (["export"], ["signals"], ["health"]):
        with pytest.raises(CommandError, match=choices):
            call_command(*command, stdout=StringIO())
    with pytest.raises(CommandError, match=r"No organization 'acm'\. Did you mean 'acme'\?"):
        call_command("export", "--org", "acm", stdout=StringIO())


def _from_the_command_line(monkeypatch, capsys, *argv: str) -> tuple[int, str, str]:
    """`accord *argv` as the command line runs it (its exit status, output and errors),
    in this test's database (the connection is left open for the test's transaction)."""
    from django.core.management import ManagementUtility

    monkeypatch.setattr("django.db.connections.close_all", lambda: None)
    with pytest.raises(SystemExit) as stopped:
        ManagementUtility(["accord", *argv]).execute()
    said = capsys.readouterr()
    return stopped.value.code, said.out, said.err


def test_a_refused_import_or_plan_says_why_once_and_exits_1(cast, tmp_path, monkeypatch, capsys):
    bad = tmp_path / "memberships.csv"
    bad.write_text("team,person\r\nnowhere,nobody@acme.example\r\n")
    code, out, err = _from_the_command_line(
        monkeypatch, capsys, "import", "csv", str(bad), "--org", "acme", "--strict"
    )
    assert code == 1
    assert out.lower().count("nothing was changed") == 1, out
    assert "CommandError" not in err and "Nothing was changed" not in err, err
    # A misspelt column: the import says so, and how to import anyway, once.
    misspelt = tmp_path / "people.csv"
    misspelt.write_text("email,name,Tilte\r\nnia@acme.example,Nia,Engineer\r\n")
    code, out, err = _from_the_command_line(
        monkeypatch, capsys, "import", "csv", str(misspelt), "--org", "acme"
    )
    assert code == 1 and err == "", err
    assert out.count("Not imported") == 1 and out.count("--allow-ignored-columns") == 1, out
    # A plan that cannot be applied.
    plan = tmp_path / "acme.yaml"
    plan.write_text("accord: 1\norganization: {slug: acme}\nteams: {slug: x}\n")
    code, out, err = _from_the_command_line(monkeypatch, capsys, "plan", str(plan))
    assert code == 1 and err == "", err
    assert out.lower().count("nothing was changed") == 1, out
    # With --json the output is the report alone: the refusal is the error, as before.
    code, out, err = _from_the_command_line(
        monkeypatch, capsys, "import", "csv", str(bad), "--org", "acme", "--strict", "--json"
    )
    assert code == 1 and out.lstrip().startswith("{")
    assert err.strip() == "CommandError: Nothing was changed."


def test_signals_of_an_unknown_kind_lists_the_kinds(cast):
    from accord.core.errors import ServiceError

    with pytest.raises(ServiceError) as refused:
        call_command("signals", "--org", "acme", "--kind", "nonsense", stdout=StringIO())
    said = str(refused.value)
    assert said.startswith("Unknown kind of signal 'nonsense'. The kinds are: ")
    assert "dependencies.overdue" in said and "/api/v1/" not in said
    with pytest.raises(ServiceError, match=r"Did you mean 'dependencies\.overdue'\?"):
        call_command("signals", "--org", "acme", "--kind", "dependencies.overdu")


def test_the_demo_on_another_port_links_to_itself(monkeypatch, settings):
    """`accord demo --port 8123`: links in the demo's e-mails, feeds and webhooks lead to
    the demo on 8123 (the app's and the worker's), and `accord serve` has nothing to warn
    of; a SITE_URL that was set is kept."""
    from accord.core.management.commands.demo import demo_links
    from accord.core.management.commands.serve import _site_url_unsaid

    monkeypatch.delenv("SITE_URL", raising=False)
    # Through the fixture first, so that what the demo sets is undone after the test.
    settings.SITE_URL = "http://localhost:8000"
    assert _site_url_unsaid(8123)  # the default leads to port 8000
    worker_env: dict[str, str] = {}
    demo_links(worker_env, "http://localhost:8123")
    assert worker_env["SITE_URL"] == settings.SITE_URL == "http://localhost:8123"
    assert _site_url_unsaid(8123) == ""

    monkeypatch.setenv("SITE_URL", "https://accord.example.com")
    settings.SITE_URL = "https://accord.example.com"
    worker_env = {"SITE_URL": "https://accord.example.com"}
    demo_links(worker_env, "http://localhost:8123")
    assert worker_env["SITE_URL"] == settings.SITE_URL == "https://accord.example.com"


# --- a new customer's details: near addresses, spaces, help texts ------------------------


def test_an_address_given_short_names_the_one_meant(db, tmp_path):
    """`--org acme` when the only organization is acme-robotics said no "did you mean"
    (difflib's default cutoff misses a prefix)."""
    services.create_organization("Acme Robotics", "acme-robotics")
    path = tmp_path / "people.csv"
    path.write_text("name,email\r\nNia,nia@acme.example\r\n")
    with pytest.raises(CommandError, match=r"Did you mean 'acme-robotics'\?"):
        call_command("import", "csv", str(path), "--org", "acme", stdout=StringIO())
    with pytest.raises(CommandError, match=r"Did you mean 'acme-robotics'\?"):
        call_command("export", "--org", "acme-robot", stdout=StringIO())


def test_createadmin_ignores_spaces_around_the_address_as_sign_in_does(db):
    services.create_organization("Initech", "initech")
    createadmin("--email", " x@initech.example ", "--password", "a long and unguessable one")
    assert Person.objects.get(org__slug="initech").email == "x@initech.example"


def test_help_mentions_csv_import_and_dashed_commands_name_themselves(db):
    assert "accord import csv FILE" in cli.COMMANDS["import"][1]
    for name in ("load-demo", "fill-event-teams"):
        result = run(name, "--help")
        assert result.returncode == 0, result.stderr
        assert f"usage: accord {name} " in result.stdout, result.stdout
        assert name.replace("-", "_") not in result.stdout
