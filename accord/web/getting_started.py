"""Home's "Getting started" card: what the admins of a new organization do first, each step
done or not, with the page that does it.

Shown to admins only, while the organization is young (its first YOUNG_DAYS days), until
every step is done or an admin hides it. Hiding is recorded on the organization, as every
change is ("hid the getting-started guide of", `web.services.hide_getting_started`): it is
hidden for every admin, and Organization settings brings it back.

A handful of short reads, each an `exists()` off an index (none counts anything): the teams
and people are home's headcount, already read; then whether it is hidden, whether the time
zone was set, the first team without a lead, an objective, a cadence, a team's chat (or an
e-mail sent) and a worker (accord.core.background).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe

from accord.activity.models import ChatWebhook, DeliveryStatus, Event, Notification
from accord.activity.services import target_type_of
from accord.core import background
from accord.org.invitations import email_configured
from accord.org.models import Membership, Organization, Person, Role, Team

YOUNG_DAYS = 90  # an organization's first quarter
HIDDEN, SHOWN = "getting_started_hidden", "getting_started_shown"  # the events' verbs


def young(org: Organization, now: dt.datetime | None = None) -> bool:
    """Whether the organization was created in the last YOUNG_DAYS days."""
    now = now or timezone.now()
    return org.created_at is not None and now - org.created_at < dt.timedelta(days=YOUNG_DAYS)


def hidden(org: Organization) -> bool:
    """Whether an admin hid the card (and none has brought it back since): the newest of
    the two events on the organization, off the (org, target, created at) index."""
    newest = (
        Event.objects.for_org(org)
        .filter(target_type=target_type_of(org), target_id=str(org.pk), verb__in=(HIDDEN, SHOWN))
        .order_by("-created_at", "-id")
        .values_list("verb", flat=True)
        .first()
    )
    return newest == HIDDEN


def zone_set(org: Organization) -> bool:
    """Whether the organization's time zone was set: it is another than UTC, the zone it
    starts with, or an admin chose it (changed it, or saved UTC on Organization settings:
    `org.services.timezone_chosen`)."""
    from accord.org.services import timezone_chosen

    return org.timezone != "UTC" or timezone_chosen(org)


def first_team_without_lead(org: Organization) -> Team | None:
    """The first (oldest) team that is not retired and has no current lead, co-lead or
    chair who is active (`LEADING_ROLES`): whom requests to it reach nobody of its own."""
    leads = Membership.objects.leading().filter(team=OuterRef("pk"), person__is_active=True)
    return (
        Team.objects.for_org(org)
        .current()
        .filter(~Exists(leads))
        .order_by("pk")
        .only("slug", "name")
        .first()
    )


def _url(name: str, org: Organization, **kwargs) -> str:
    return reverse(name, kwargs={"org_slug": org.slug, **kwargs})


def steps(org: Organization, counts: dict[str, int]) -> list[dict]:
    """The steps in order: {"key", "title", "done", "text", "links": [(label, href)]} (the
    text is HTML, written here). `counts` is home's headcount ({"teams": n, "people": n})."""
    from accord.alignment.models import Objective, Period
    from accord.rhythm.models import Cadence

    interchange = _url("interchange:index", org)
    has_objective = Objective.objects.for_org(org).exists()
    has_period = has_objective or _exists(Period, org)
    chat = ChatWebhook.objects.for_org(org).filter(is_active=True).exists()
    mailed = (
        chat
        or Notification.objects.for_org(org)
        .filter(channel="email", status=DeliveryStatus.SENT)
        .exists()
    )
    # Where a chat webhook is added: a team's Rhythm page (the first team's, as an example).
    chat_link = ("The teams (each has a Rhythm page)", _url("org:teams", org))
    if not mailed and counts["teams"]:
        first = Team.objects.for_org(org).current().order_by("pk").values_list("slug", "name")
        found = first.first()
        if found is not None:
            chat_link = (f"Rhythm page of {found[1]}", _url("rhythm:team", org, team_slug=found[0]))
    leaderless = first_team_without_lead(org) if counts["teams"] else None
    if leaderless is not None:
        lead_links = [
            (
                f"Name the lead of {leaderless.name}",
                _url("org:team", org, team_slug=leaderless.slug),
            ),
            ("The teams", _url("org:teams", org)),
        ]
    else:
        lead_links = [("The teams", _url("org:teams", org))]
    return [
        {
            "key": "timezone",
            "title": "Set the organization's time zone",
            "done": zone_set(org),
            "text": "New people (added, invited, imported) start in it, and so do the "
            "cadences they set up (a weekly check-in at 09:00 is 09:00 there); each person "
            "may change their own. Done once it is another zone than UTC, or an admin "
            "saved it on Organization settings (UTC too, for an organization that works "
            "in UTC).",
            "links": [("Organization settings", _url("org:settings", org))],
        },
        {
            "key": "teams",
            "title": "Create the teams",
            "done": counts["teams"] > 0,
            "text": "The team tree: departments, teams, working groups. Write them one by "
            "one, or bring them all at once from an organization file or a CSV.",
            "links": [
                ("Add a team", _url("org:team_new", org)),
                ("Import an organization file or CSV", interchange),
            ],
        },
        {
            "key": "people",
            "title": "Add or invite people",
            "done": counts["people"] > 1,
            "text": "Invite them by e-mail (a pasted list at once), add them one by one, or "
            "import them from a CSV; each one's page can also make a sign-in link to send.",
            "links": [
                ("Invite people", _url("org:people_invite", org)),
                ("Add a person", _url("org:person_new", org)),
                ("Import people from CSV", interchange),
            ],
        },
        {
            "key": "leads",
            "title": "Name each team's lead",
            "done": counts["teams"] > 0 and leaderless is None,
            "text": mark_safe(
                "A team's lead (or co-lead, chair) is told what other teams ask of it and "
                "answers for it; without one, that goes to the leads of a team above it, or "
                "to the admins. On a team's page, Edit a member's row to make them its lead, "
                "or import people with a <code>team_role</code> column beside "
                "<code>team</code>. Done once every team has a lead."
            ),
            "links": lead_links,
        },
        {
            "key": "objectives",
            "title": "Set a period and the first objectives",
            "done": has_objective,
            "text": "A period (a quarter, say) and what the organization means to achieve in "
            "it, with key results to measure it.",
            "links": ([] if has_period else [("Set a period", _url("alignment:periods", org))])
            + [("Write an objective", _url("alignment:objective_new", org))],
        },
        {
            "key": "cadence",
            "title": "Set up the meeting rhythm",
            "done": _exists(Cadence, org),
            "text": "Cadences: the teams' weekly check-ins and syncs, the organization's "
            "reviews. Accord reminds people and keeps the agenda.",
            "links": [("Add a cadence", _url("rhythm:cadence_new", org))],
        },
        {
            "key": "messages",
            "title": "Connect team chat or e-mail",
            "done": mailed,
            "text": mark_safe(
                "A team's chat webhook (Slack, Microsoft Teams, Mattermost), added on its "
                "Rhythm page, carries its reminders and notices; e-mail goes out through the "
                "server's SMTP settings (<code>EMAIL_HOST</code>…, README “Settings”). Done "
                "once a chat webhook is set or an e-mail has gone out."
                if email_configured()
                else "A team's chat webhook (Slack, Microsoft Teams, Mattermost), added on "
                "its Rhythm page, carries its reminders and notices. This server sends no "
                "e-mail yet: whoever runs it sets <code>EMAIL_HOST</code>, with "
                "<code>EMAIL_PORT</code>, <code>EMAIL_HOST_USER</code>, "
                "<code>EMAIL_HOST_PASSWORD</code>, <code>EMAIL_USE_TLS</code> and "
                "<code>DEFAULT_FROM_EMAIL</code> as the mail server needs (README "
                "“Settings”), and restarts the app and <code>accord worker</code>. Done once "
                "a chat webhook is set or an e-mail has gone out."
            ),
            "links": [chat_link],
        },
        {
            "key": "worker",
            "title": "Start the background worker",
            "done": background.worker_running(),
            "text": mark_safe(
                "Reminders, notices, briefings and Insights need <code>accord worker</code> "
                "running next to the app: whoever runs Accord starts it (README, “Background "
                "work”)."
            ),
            "links": [],
        },
    ]


def _exists(model, org: Organization) -> bool:
    return model.objects.for_org(org).exists()


def card(org: Organization, me: Person | None, counts: dict[str, int]) -> dict | None:
    """What home's card shows ({"steps", "done", "total"}), or None: not for anyone but an
    admin, nor once the organization is past its first YOUNG_DAYS days, hidden by an
    admin, or done with every step."""
    if me is None or not me.is_active or not me.has_role(Role.ADMIN) or not young(org):
        return None
    if hidden(org):
        return None
    found = steps(org, counts)
    done = sum(1 for s in found if s["done"])
    if done == len(found):
        return None
    return {"steps": found, "done": done, "total": len(found)}
