"""accord createadmin: a person who can sign in and administer an organization."""

from __future__ import annotations

import difflib
import getpass
import os

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accord.core.errors import ServiceError
from accord.core.services import validate_timezone
from accord.org import queries, services
from accord.org.models import Organization, Person, Role

CREATE_HINT = "To create one, pass --create-org NAME (with --org SLUG for its address)."


def find_organization(slug: str | None, *, create_hint: str = CREATE_HINT) -> Organization:
    """The organization at address `slug` (what every command's --org takes); without one,
    the only organization there is. A name, an unknown address or a choice left open is
    refused with what to type instead: nothing is created by a typo. `create_hint` says
    how to create one (commands other than createadmin point to it)."""
    if slug:
        org = Organization.objects.filter(slug=slug).first()
        if org is not None:
            return org
        named = list(Organization.objects.filter(name__iexact=slug).order_by("slug")[:5])
        if named:
            addresses = ", ".join(o.slug for o in named)
            raise CommandError(
                f"No organization at address {slug!r}; --org takes an address, and "
                f"{slug!r} is the name of: {addresses}. Nothing was changed."
            )
        raise CommandError(
            f"No organization at address {slug!r}.{meant_address(slug)} {create_hint} "
            "Nothing was changed."
        )
    orgs = list(Organization.objects.order_by("slug")[:6])
    if len(orgs) == 1:
        return orgs[0]
    if not orgs:
        raise CommandError(f"There is no organization yet. {create_hint} Nothing was changed.")
    raise CommandError(f"{which_organization(orgs)} Nothing was changed.")


def meant_address(slug: str) -> str:
    """ " Did you mean 'acme'?" when an organization's address is close to `slug` (a letter
    off, or `slug` the beginning of it: 'acme' for 'acme-robotics'), else ""."""
    given = slug.strip().lower()
    slugs = list(Organization.objects.values_list("slug", flat=True)[:1000])
    close = difflib.get_close_matches(given, slugs, n=3, cutoff=0.6)
    starts = [s for s in slugs if given and (s.startswith(given) or given.startswith(s))]
    meant = list(dict.fromkeys([*close, *starts]))[:3]
    if not meant:
        return ""
    return " Did you mean " + " or ".join(repr(s) for s in meant) + "?"


def which_organization(orgs: list[Organization]) -> str:
    """What a command says when --org is left out and there are several organizations
    (`orgs`, the first six by address): "Say which organization with --org SLUG (one of
    acme, globex)."."""
    return (
        "Say which organization with --org SLUG (one of "
        + ", ".join(o.slug for o in orgs[:5])
        + (", …" if len(orgs) > 5 else "")
        + ")."
    )


def read_password(given: str | None, env: str) -> str:
    """The password given (--password), else the environment variable `env`'s, else asked
    for at a terminal; refused as the validators say."""
    password = given or os.environ.get(env)
    if not password:
        if not os.isatty(0):
            raise CommandError(f"No password: pass --password or set {env}.")
        password = getpass.getpass("Password: ")
    try:
        validate_password(password)
    except ValidationError as exc:
        raise CommandError("Password refused: " + " ".join(exc.messages)) from None
    return password


def _administers(org: Organization, email: str) -> bool:
    """Whether the login `email` is an active admin of `org`."""
    person = queries.find_person(org, email=email)
    return (
        person is not None
        and person.is_active
        and person.role == Role.ADMIN
        and person.user is not None
        and person.user.is_active
    )


def _created_before(email: str, name: str, slug: str | None) -> Organization | None:
    """`--create-org NAME` when the organization may exist already (a setup script run
    again): the organization, when one of that name (at address `slug`, if given) exists
    and `email` already administers it; None when there is none to create it. An address
    taken by another organization, or an organization of that name `email` does not
    administer, is refused: never a second organization of the same name."""
    name = name.strip()
    if slug:
        taken = Organization.objects.filter(slug=slug).first()
        if taken is not None and taken.name.strip().lower() != name.lower():
            raise CommandError(
                f"The address {slug!r} is taken; leave out --create-org to use that "
                "organization. Nothing was changed."
            )
        same = [taken] if taken is not None else []
    else:
        same = []
    if not same:
        same = list(Organization.objects.filter(name__iexact=name).order_by("slug")[:5])
        if same and slug:
            raise CommandError(
                f"An organization named {same[0].name!r} already exists "
                f"(/o/{same[0].slug}/): give the new one another name. Nothing was changed."
            )
    if not same:
        return None
    for existing in same:
        if _administers(existing, email):
            return existing
    first = same[0]
    raise CommandError(
        f"An organization named {first.name!r} already exists (/o/{first.slug}/) and "
        f"{email} is not one of its admins. To make them one, run `accord createadmin "
        f"--email {email} --org {first.slug}` (without --create-org); for a new "
        "organization, give it another name. Nothing was changed."
    )


class Command(BaseCommand):
    help = (
        "Create an admin who can sign in: a login, and the admin role in the organization at "
        "address --org (or a new one with --create-org NAME). Password from --password, "
        "ACCORD_ADMIN_PASSWORD, or a prompt."
    )

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True, help="Login e-mail.")
        parser.add_argument("--name", default="", help="Full name (default: from the e-mail).")
        parser.add_argument(
            "--org",
            default=None,
            help="Address (slug) of the organization; may be left out when there is only one.",
        )
        parser.add_argument(
            "--create-org",
            default=None,
            metavar="NAME",
            help="Create a new organization of this name (at address --org if given); if "
            "it exists and --email already administers it, nothing is changed.",
        )
        parser.add_argument(
            "--timezone",
            default=None,
            metavar="ZONE",
            help="Time zone of the organization --create-org creates (e.g. Europe/Berlin): "
            "new people and their cadences start in it (default UTC). An existing "
            "organization's is changed on its settings page.",
        )
        parser.add_argument("--password", default=None, help="Password (avoid on shared hosts).")
        parser.add_argument(
            "--superuser", action="store_true", help="Also allow the Django admin site."
        )

    def handle(
        self, *args, email, name, org, create_org, password, superuser, timezone=None, **options
    ):
        email = email.strip()  # as sign-in reads it ("x@y.example " pasted with its space)
        zone = _zone(timezone, create_org)  # refused before anything else is looked at
        if create_org is None:
            organization = find_organization(org)  # refused before asking for a password
        else:
            if password or os.environ.get("ACCORD_ADMIN_PASSWORD"):
                # A password given is checked first, as when the organization is new.
                password = read_password(password, "ACCORD_ADMIN_PASSWORD")
            done = _created_before(email, create_org, org)
            if done is not None:  # a setup script run again: nothing to do
                kept = (
                    f" Its time zone stays {done.timezone} (Organization settings changes it)."
                    if zone and zone != done.timezone
                    else ""
                )
                self.stdout.write(
                    self.style.SUCCESS(
                        f"{email} already administers {done.name} (/o/{done.slug}/). "
                        "Nothing was changed (to set a new password: accord password "
                        f"--email {email}).{kept}"
                    )
                )
                return
        password = read_password(password, "ACCORD_ADMIN_PASSWORD")
        name = name or email.split("@")[0].replace(".", " ").title()
        try:
            with transaction.atomic():
                if create_org is not None:
                    organization = services.create_organization(create_org, org or "")
                    if zone:  # chosen, UTC too: the guide's time zone step is done
                        organization = services.set_organization_timezone(
                            organization, None, zone, confirm=True
                        )
                # Someone already in the organization by this address (added by an admin,
                # a file or an import) is given the login: never a second person.
                person = queries.find_person(organization, email=email)
                if person is None:
                    user = services.ensure_user(email, password, name=name)
                    person = Person.objects.filter(org=organization, user=user).first()
                if person is None:
                    person = services.add_person(
                        organization, None, name=name, email=email, role=Role.ADMIN, user=user
                    )
                else:
                    user = services.give_login(organization, None, person, password)
                    if person.role != Role.ADMIN:
                        services.update_person(organization, None, person, role=Role.ADMIN)
                if superuser:
                    user.is_staff = user.is_superuser = True
                    user.save(update_fields=["is_staff", "is_superuser"])
        except ServiceError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"{email} ({person.name}) is an admin of {organization.name} "
                f"(/o/{organization.slug}/) and signs in with this password."
            )
        )
        if create_org is not None:
            self.stdout.write(
                f"Its time zone is {organization.timezone}"
                + (
                    "."
                    if zone
                    else " until you set it on Organization settings (or with --timezone "
                    "when creating): new people and their cadences start in it."
                )
                + " Home's getting-started guide walks you through the rest."
            )


def _zone(given: str | None, create_org: str | None) -> str | None:
    """The zone `--timezone` gives, as the zone database spells it (`validate_timezone`),
    or None; refused (exit 2, nothing looked at or changed) when it is not a place's zone,
    or when no organization is being created: an existing organization's time zone is its
    admins' to change, on its settings page."""
    if given is None:
        return None
    if create_org is None:
        raise CommandError(
            "--timezone sets the time zone of the organization --create-org creates; an "
            "existing organization's is changed on its Organization settings page. Nothing "
            "was changed.",
            returncode=2,
        )
    try:
        return validate_timezone(given.strip(), "timezone")
    except ServiceError as exc:
        raise CommandError(
            f"--timezone {given!r}: {exc.message} Nothing was changed.", returncode=2
        ) from None
