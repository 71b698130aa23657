"""accord createadmin: a person who can sign in and administer an organization."""

from __future__ import annotations

import getpass
import os

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accord.core.errors import ServiceError
from accord.org import services
from accord.org.models import Organization, Person, Role


class Command(BaseCommand):
    help = (
        "Create an admin who can sign in: a login, and the admin role in an organization "
        "(created when it does not exist). Password from --password, ACCORD_ADMIN_PASSWORD, "
        "or a prompt."
    )

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True, help="Login e-mail.")
        parser.add_argument("--name", default="", help="Full name (default: from the e-mail).")
        parser.add_argument("--org", required=True, help="Organization name.")
        parser.add_argument("--password", default=None, help="Password (avoid on shared hosts).")
        parser.add_argument(
            "--superuser", action="store_true", help="Also allow the Django admin site."
        )

    def handle(self, *args, email, name, org, password, superuser, **options):
        password = password or os.environ.get("ACCORD_ADMIN_PASSWORD")
        if not password:
            if not os.isatty(0):
                raise CommandError("No password: pass --password or set ACCORD_ADMIN_PASSWORD.")
            password = getpass.getpass("Password: ")
        try:
            validate_password(password)
        except ValidationError as exc:
            raise CommandError("Password refused: " + " ".join(exc.messages)) from None
        name = name or email.split("@")[0].replace(".", " ").title()
        try:
            with transaction.atomic():
                user = services.ensure_user(email, password, name=name)
                if superuser:
                    user.is_staff = user.is_superuser = True
                    user.save(update_fields=["is_staff", "is_superuser"])
                organization = Organization.objects.filter(name=org).first()
                if organization is None:
                    organization = services.create_organization(org)
                person = Person.objects.filter(org=organization, user=user).first()
                if person is None:
                    person = services.add_person(
                        organization, None, name=name, email=email, role=Role.ADMIN, user=user
                    )
                elif person.role != Role.ADMIN:
                    services.update_person(organization, None, person, role=Role.ADMIN)
        except ServiceError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"{email} is an admin of {organization.name} (/o/{organization.slug}/)."
            )
        )
