"""accord forget: erase a deactivated person's personal data from an organization."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accord.core.errors import ServiceError
from accord.core.management.commands.createadmin import find_organization
from accord.org import queries, services
from accord.org.forget import label_of

# How each count of `forget_person` reads, in the order said.
SAID = {
    "events_rewritten": "Events rewritten with the neutral name",
    "texts_rewritten": "Others' inbox items, notices, signals, briefings, agendas rewritten",
    "comments_emptied": "Comments emptied (each stays, without its text)",
    "checkins_emptied": "Check-ins emptied of their highlights and blockers",
    "notes_emptied": "Notes of key-result values and confidences emptied",
    "headlines_emptied": "Meeting headlines emptied",
    "time_off_removed": "Time off removed",
    "inbox_items_removed": "Inbox items removed",
    "notifications_removed": "Notifications removed",
    "briefings_removed": "Stored briefings removed",
    "tokens_removed": "API tokens removed",
    "calendar_feeds_removed": "Calendar feeds removed",
    "saved_views_removed": "Saved views removed",
    "exports_removed": "Records of downloads of their own data removed",
    "settings_removed": "Personal settings removed",
    "login_removed": "Login removed, with its sessions",
}


class _Preview(Exception):
    """Rolls back a run made only to count what it would do."""

    def __init__(self, counts: dict[str, int]):
        self.counts = counts


class Command(BaseCommand):
    help = (
        "Forget a deactivated person: their name, addresses, handles and login are erased "
        "(they read as “Former member #id” wherever their work stays), the text of their "
        "comments and check-ins emptied, their time off, inbox, notifications, briefings, "
        "tokens, calendar feeds, settings and saved views deleted, and the event log "
        "rewritten without their name. Without --yes, says what it would do and changes "
        "nothing. It cannot be undone."
    )

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="Address (slug) of the organization.")
        parser.add_argument(
            "--person", required=True, metavar="EMAIL", help="An address of the person."
        )
        parser.add_argument(
            "--yes", action="store_true", help="Confirm: forget them now (cannot be undone)."
        )

    def handle(self, *args, org, person, yes, **options):
        organization = find_organization(org)
        found = queries.find_person(organization, email=person)
        if found is None:
            raise CommandError(
                f"No one in {organization.name} has the address {person}. Nothing was changed."
            )
        name, label = found.name, label_of(found)
        try:
            if yes:
                counts = services.forget_person(organization, None, found)
            else:
                counts = self._preview(organization, found)
        except ServiceError as exc:
            raise CommandError(f"{exc.message} Nothing was changed.") from None
        lines = [f"  {text}: {counts[key]}" for key, text in SAID.items() if counts.get(key)]
        if not yes:
            self.stdout.write(
                "\n".join(
                    [
                        f"Forgetting {name} ({person}) in {organization.name} would leave "
                        f"them as “{label}”:",
                        *lines,
                        "Nothing was changed. Run again with --yes to forget them; it "
                        "cannot be undone.",
                    ]
                )
            )
            raise CommandError("Not confirmed: pass --yes.")
        self.stdout.write("\n".join(lines))
        self.stdout.write(
            self.style.SUCCESS(f"{name} is forgotten in {organization.name}: now “{label}”.")
        )

    def _preview(self, organization, found) -> dict[str, int]:
        """What forgetting would do, counted by doing it and rolling it back."""
        try:
            with transaction.atomic():
                raise _Preview(services.forget_person(organization, None, found))
        except _Preview as preview:
            return preview.counts
