"""accord password: let someone already in an organization sign in with a password."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from accord.core.errors import ServiceError
from accord.core.management.commands.createadmin import find_organization, read_password
from accord.org import queries, services


class Command(BaseCommand):
    help = (
        "Give a person of the organization a login with a password, or set a new one: "
        "found by any of their addresses; their role is unchanged. Password from "
        "--password, ACCORD_PASSWORD, or a prompt."
    )

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True, help="An address of the person.")
        parser.add_argument(
            "--org",
            default=None,
            help="Address (slug) of the organization; may be left out when there is only one.",
        )
        parser.add_argument("--password", default=None, help="Password (avoid on shared hosts).")

    def handle(self, *args, email, org, password, **options):
        organization = find_organization(org)
        person = queries.find_person(organization, email=email)
        if person is None:
            raise CommandError(
                f"No one in {organization.name} has the address {email}: add them first "
                "(People → Add a person, the API or an organization file). Nothing was changed."
            )
        password = read_password(password, "ACCORD_PASSWORD")
        had = person.user_id is not None
        try:
            services.give_login(organization, None, person, password)
        except ServiceError as exc:
            raise CommandError(f"{exc.message} Nothing was changed.") from None
        self.stdout.write(
            self.style.SUCCESS(
                f"{person.name} signs in to {organization.name} as {person.email} "
                f"{'with the new password' if had else 'with this password'}."
            )
        )
