"""Turning the Kubernetes community data into an Accord organization.

`build(dataset)` makes an organization document (the same structure as an organization
file), which `import_directory` applies through the organization-file engine, so the import
is validated before writing, runs in one transaction, and is idempotent: importing the same
data twice changes nothing the second time. It never lowers an admin's role, and a field
changed in Accord since the last import keeps Accord's value unless the data changed it too
(services._three_way).

    groups (SIGs, working groups, committees)  -> teams under one root, one per kind, of
                                                   the kind sig, working-group, committee or
                                                   user-group; mission, community folder,
                                                   Slack channel and mailing list as the
                                                   team's mission and links; a group marked
                                                   `archived: true` (or `status: archived`)
                                                   is a retired team
    chairs and tech leads                       -> people, and memberships as chair or
                                                   lead (tech leads; a chair who is also a
                                                   tech lead is a lead), allocation unknown
                                                   (volunteers); emeritus leads carry no
                                                   dates, so they are not past terms
    a group's Steering Committee liaison         -> team link (kind liaison) from the
                                                   steering committee to the group, naming
                                                   the liaison, a current steering member
    meetings                                    -> cadences (RRULE + time zone)
    enhancement proposals (KEPs)                -> initiatives owned by their group
    releases (v1.x milestones)                  -> periods
    participating groups                        -> dependencies: delivered (implemented),
                                                   accepted (implementable), else requested,
                                                   needed by the release's date; none (and
                                                   one line of the report each) for a
                                                   proposal naming no release, or still open
                                                   while its release is out (stale)
    working groups' stakeholder SIGs            -> team links (kind stakeholder), any group
                                                   kind whose data names stakeholder SIGs
    replaces / superseded-by                    -> initiative links (kind replaces), one per
                                                   pair whichever side names it
    see-also, feature-gates                     -> the initiative's description
    stage (alpha, beta, stable, …)              -> the initiative's stage
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from django.utils import timezone
from django.utils.text import slugify

from accord.interchange import kubernetes
from accord.interchange.kubernetes import Dataset, Kep
from accord.interchange.report import DEFAULTED, IGNORED, Report

ROOT = "kubernetes"
CATEGORIES = {  # kind -> (slug, name)
    "sig": ("special-interest-groups", "Special Interest Groups"),
    "wg": ("working-groups", "Working Groups"),
    "committee": ("committees", "Committees"),
    "ug": ("user-groups", "User Groups"),
}
KIND_LABEL = {"sig": "SIG", "wg": "WG", "committee": "Committee", "ug": "UG"}
TEAM_KINDS = {  # group kind -> Accord's kind of team (slug, name: the defaults where they exist)
    "sig": ("sig", "Special-interest group"),
    "wg": ("working-group", "Working group"),
    "committee": ("committee", "Committee"),
    "ug": ("user-group", "User group"),
}
COMMUNITY = "https://github.com/kubernetes/community/tree/master/"  # each group's folder
STATUS = {  # KEP status -> initiative status
    "provisional": "proposed",
    "implementable": "active",
    "implemented": "done",
    "deferred": "paused",
    "rejected": "dropped",
    "withdrawn": "dropped",
    "replaced": "dropped",
    "superseded": "dropped",
    "removed": "dropped",
    None: "proposed",
}
OPEN = {"proposed", "active", "paused"}
# Release dates from the Kubernetes release history (not in the dataset). Later releases
# are estimated at the project's cadence of three a year, and reported as estimates.
RELEASED = {
    (1, 0): "2015-07-21", (1, 1): "2015-11-09", (1, 2): "2016-03-17", (1, 3): "2016-07-01",
    (1, 4): "2016-09-26", (1, 5): "2016-12-12", (1, 6): "2017-03-28", (1, 7): "2017-06-29",
    (1, 8): "2017-09-28", (1, 9): "2017-12-15", (1, 10): "2018-03-26", (1, 11): "2018-06-27",
    (1, 12): "2018-09-27", (1, 13): "2018-12-03", (1, 14): "2019-03-25", (1, 15): "2019-06-19",
    (1, 16): "2019-09-18", (1, 17): "2019-12-09", (1, 18): "2020-03-25", (1, 19): "2020-08-26",
    (1, 20): "2020-12-08", (1, 21): "2021-04-08", (1, 22): "2021-08-04", (1, 23): "2021-12-07",
    (1, 24): "2022-05-03", (1, 25): "2022-08-23", (1, 26): "2022-12-09", (1, 27): "2023-04-11",
    (1, 28): "2023-08-15", (1, 29): "2023-12-13", (1, 30): "2024-04-17", (1, 31): "2024-08-13",
    (1, 32): "2024-12-11", (1, 33): "2025-04-23", (1, 34): "2025-08-27", (1, 35): "2025-12-17",
}  # fmt: skip
RELEASE_EVERY = dt.timedelta(days=122)
CADENCE_START = dt.date(2026, 1, 5)  # a fixed anchor, so re-importing changes nothing


def _release_dates(data: Dataset, report: Report) -> dict[str, tuple[dt.date, dt.date]]:
    """release name -> (start, end): a release's period runs from the day after the previous
    release to its own release day."""
    ends: dict[tuple[int, int], dt.date] = {}
    last_known = max(RELEASED)
    for release in data.releases:
        key = (release.major, release.minor)
        if key in RELEASED:
            ends[key] = dt.date.fromisoformat(RELEASED[key])
        elif key > last_known and release.major == 1:
            steps = release.minor - last_known[1]
            ends[key] = dt.date.fromisoformat(RELEASED[last_known]) + steps * RELEASE_EVERY
            report.add(
                "estimated_release_date",
                f"{release.name} has no release date yet; its end was estimated as "
                f"{ends[key]} (one release every four months).",
                file="keps/",
                value=release.name,
                action=DEFAULTED,
            )
        else:
            report.add(
                "unknown_release",
                f"{release.name} is not a Kubernetes release; no period made.",
                file="keps/",
                value=release.name,
            )
    out = {}
    previous: dt.date | None = None
    for key in sorted(ends):
        end = ends[key]
        start = previous + dt.timedelta(days=1) if previous else end - dt.timedelta(days=90)
        out[f"v{key[0]}.{key[1]}"] = (start, end)
        previous = end
    return out


def _kep_ids(data: Dataset) -> dict[str, str]:
    ids, used = {}, set()
    for kep in data.keps:
        candidate = f"kep-{kep.number}" if kep.number is not None else ""
        if not candidate or candidate in used:
            candidate = f"kep/{kep.key}"
        used.add(candidate)
        ids[kep.key] = candidate
    return ids


def build(
    data: Dataset, *, name: str = "Kubernetes", today: dt.date | None = None
) -> tuple[dict[str, Any], Report]:
    """The organization document for `data`, and the report (the reader's oddities plus
    what could not be turned into Accord objects)."""
    report = data.report
    today = today or timezone.localdate()
    groups = {g.slug: g for g in data.groups}

    teams = [{"slug": ROOT, "name": name, "description": "The Kubernetes project."}]
    for kind, (slug, title) in CATEGORIES.items():
        if any(g.kind == kind for g in data.groups):
            teams.append({"slug": slug, "name": title, "parent": ROOT})
    team_links = [
        {"from": g.slug, "to": s, "kind": "stakeholder"}
        for g in data.groups
        for s in dict.fromkeys(g.stakeholders)
        if s != g.slug
    ]
    # Kinds, mission, links and retirement are fields of their own; stakeholders are links.
    team_kinds = [
        {"slug": slug, "name": label}
        for kind, (slug, label) in TEAM_KINDS.items()
        if any(g.kind == kind for g in data.groups)
    ]
    for g in data.groups:
        team = {
            "slug": g.slug,
            "name": f"{KIND_LABEL[g.kind]} {g.name}"
            if g.kind != "committee"
            else f"{g.name} Committee",
            "parent": CATEGORIES[g.kind][0],
            "kind": TEAM_KINDS[g.kind][0],
            "mission": g.mission[:2000],
            "website": COMMUNITY + g.slug if re.fullmatch(r"[-a-z0-9_]+", g.slug) else "",
            "chat": f"#{g.slack}" if g.slack and " " not in g.slack else "",
            "mailing_list": g.mailing_list if _is_link(g.mailing_list) else "",
        }
        if meeting_links := _meeting_links(g):
            team["description"] = meeting_links
        if g.archived:
            team["state"] = "retired"
        teams.append(team)

    # People: current chairs and tech leads, in each group they lead as chair or lead (a
    # tech lead, who may change the team). Volunteers: their share of time is unknown.
    led: dict[str, dict[str, str]] = {}
    for g in data.groups:
        for lead in g.leads:
            if lead.role == "emeritus":
                continue
            roles = led.setdefault(lead.handle.lower(), {})
            role = "lead" if lead.role == "tech_lead" else "chair"
            if roles.get(g.slug) != "lead":
                roles[g.slug] = role
    steering = {
        lead.handle.lower()
        for g in data.groups
        if g.slug == "committee-steering"
        for lead in g.leads
        if lead.role != "emeritus"
    }
    people, memberships, email_of = [], [], {}
    for handle, person in sorted(data.people.items()):
        if handle not in led:
            continue
        email_of[handle] = person.email
        people.append(
            {
                "email": person.email,
                "name": person.name[:200],
                "title": person.company[:200],
                "role": "leader" if handle in steering else "member",
                # Their GitHub login: someone already in Accord by that handle (with any
                # address) is that person, not a new one.
                "handles": [f"github:{person.handle}"],
            }
        )
        for slug, role in led[handle].items():
            memberships.append(
                {"team": slug, "person": person.email, "role": role, "allocation": None}
            )
    # The Steering Committee's liaison to a group represents the committee there.
    for g in data.groups:
        if not g.liaison or g.slug == "committee-steering":
            continue
        if g.liaison in steering and g.liaison in email_of:
            team_links.append(
                {
                    "from": "committee-steering",
                    "to": g.slug,
                    "kind": "liaison",
                    "person": email_of[g.liaison],
                }
            )
        else:
            report.add(
                "unknown_liaison",
                f"The liaison of {g.slug}, {g.liaison}, is not a current member of the "
                "Steering Committee; no liaison link was made.",
                file="sigs.yaml",
                value=g.liaison,
                action=IGNORED,
            )

    # Releases as periods.
    periods_by_release = _release_dates(data, report)
    periods = []
    current = next(
        (r for r, (s, e) in periods_by_release.items() if s <= today <= e),
        None,
    )
    for release, (start, end) in periods_by_release.items():
        state = "closed" if end < today else ("active" if release == current else "planning")
        periods.append(
            {
                "name": release,
                "kind": "custom",
                "start": start.isoformat(),
                "end": end.isoformat(),
                "state": state,
                "current": release == current,
            }
        )

    # Proposals as initiatives; participating groups as dependencies. Only a release's
    # date is a date: a proposal without one asks nothing by a date, and one still open
    # whose release is out (stale: the data was never updated) asks nothing by it either.
    ids = _kep_ids(data)
    keps = {k.key: k for k in data.keps}
    initiatives, dependencies = [], []
    closed_participations = 0
    stale: list[Kep] = []
    stale_participations = 0
    undated: dict[str, int] = {}  # kep key -> participations without a release date
    for kep in data.keps:
        status = STATUS.get(kep.status, "proposed")
        target = periods_by_release.get(kep.latest_milestone or "", (None, None))[1]
        start = kep.created
        file = f"keps/{kep.key}/kep.yaml"
        if start and target and target < start:
            report.add(
                "date_order",
                f"Created {start}, after its latest release {kep.latest_milestone} ({target}); "
                "the target date was left empty.",
                file=file,
                path="latest-milestone",
                value=kep.latest_milestone,
                action=IGNORED,
            )
            target = None
        is_stale = status in OPEN and target is not None and target < today
        if is_stale:
            stale.append(kep)
            stale_participations += len(kep.participating)
            target = None
        owner = next((email_of[a.lower()] for a in kep.authors if a.lower() in email_of), None)
        initiatives.append(
            {
                "id": ids[kep.key],
                "team": kep.owning,
                "title": _title(kep)[:300],
                "status": status,
                "owner": owner,
                "start_date": start.isoformat() if start else None,
                "target_date": target.isoformat() if target else None,
                "progress": 100 if status == "done" else 0,
                "stage": kep.stage or "",
                "description": _description(kep, keps, ids, groups),
            }
        )
        if status not in OPEN and status != "done":
            closed_participations += len(kep.participating)
            continue  # dropped work asked nothing still standing; the description names them
        if is_stale:
            continue  # counted once below; the description names the groups
        if target is None and kep.participating:
            undated[kep.key] = len(kep.participating)
            continue
        for slug in kep.participating:
            dep: dict[str, Any] = {
                "id": f"{ids[kep.key]}/{slug}",
                "initiative": ids[kep.key],
                "provider": slug,
                "title": f"{_kep_label(kep)}: review and support from {groups[slug].name}"[:300],
                "need_by": target.isoformat(),
            }
            # The participating SIGs of an implemented proposal delivered their part, those
            # of one being implemented committed to it, by the release it targets; only a
            # provisional or deferred proposal's asks are still open requests.
            if status == "done":
                dep.update(state="delivered", committed_date=target.isoformat())
            elif status == "active":
                dep.update(state="accepted", committed_date=target.isoformat())
            dependencies.append(dep)
    if stale:
        examples = ", ".join(f"{_kep_label(k)} targeted {k.latest_milestone}" for k in stale[:3])
        report.add(
            "stale_proposals",
            f"stale: {len(stale)} proposals still open targeted a release that is out and "
            f"were not implemented (e.g. {examples}): imported open without a target date; "
            f"the {stale_participations} groups they involve are named in their "
            "descriptions, not made dependencies (a dependency needs a date, and none is "
            "known).",
            file="keps/",
            path="latest-milestone",
            action=IGNORED,
        )
    if undated:
        n = sum(undated.values())
        examples = ", ".join(_kep_label(keps[k]) for k in list(undated)[:3])
        report.add(
            "no_release",
            f"{len(undated)} proposals have no release date to go by (they name no release, "
            f"or one before they were created; e.g. {examples}): their "
            f"{n} participating groups are named in their descriptions, not made dependencies "
            "(a dependency needs a need-by date, and none is known).",
            file="keps/",
            path="latest-milestone",
            action=IGNORED,
        )

    initiative_links = _replacements(data, ids, report)

    # Meetings as cadences. A cadence has no place for a meeting's links (its Zoom, agenda
    # and recordings: they are in the team's description), nor a fortnightly meeting
    # without a start date a week to start on.
    cadences, used = [], set()
    linked, anchored = 0, 0
    for g in data.groups:
        chairs = [lead.handle.lower() for lead in g.leads if lead.role == "chair"]
        owner = next((email_of[h] for h in chairs if h in email_of), None)
        for meeting in g.meetings:
            base = f"{g.slug}/{slugify(meeting.description)[:80] or 'meeting'}"
            key, n = base, 2
            while key in used:
                key, n = f"{base}-{n}", n + 1
            used.add(key)
            linked += bool(meeting.url or meeting.archive_url or meeting.recordings_url)
            anchored += meeting.start is None and "INTERVAL=" in meeting.rrule
            cadences.append(
                {
                    "id": key,
                    "name": f"{g.name}: {meeting.description}"[:200],
                    "kind": "sync",
                    "scope": "team",
                    "team": g.slug,
                    "rrule": meeting.rrule,
                    "start_date": (meeting.start or CADENCE_START).isoformat(),
                    "time": meeting.time,
                    "timezone": meeting.timezone,
                    "owner": owner,
                }
            )

    if anchored:
        report.add(
            "assumed_start_week",
            f"{anchored} meetings held every two (or more) weeks give no start date: each "
            f"was started on the week of {CADENCE_START}, which may be the wrong one of its "
            "weeks; correct the cadence's start date in Accord.",
            file="sigs.yaml",
            path="meetings",
            action=DEFAULTED,
        )

    document = {
        "accord": 1,
        "organization": {"name": name},
        "team_kinds": team_kinds,
        "teams": teams,
        "people": people,
        "memberships": memberships,
        "team_links": team_links,
        "periods": periods,
        "initiatives": initiatives,
        "initiative_links": initiative_links,
        "dependencies": dependencies,
        "cadences": cadences,
    }
    report.summary = {
        "groups": len(data.groups),
        "teams": len(teams),
        "people": len(people),
        "emeritus_leads_not_imported": sum(1 for p in data.people.values() if not p.active),
        "memberships": len(memberships),
        "team_links": len(team_links),
        "periods": len(periods),
        "initiatives": len(initiatives),
        "dependencies": len(dependencies),
        "participations_in_closed_proposals": closed_participations,
        "stale_proposals": len(stale),
        "participations_without_a_release": sum(undated.values()) + stale_participations,
        "cadences": len(cadences),
        "meetings_with_links_in_team_descriptions": linked,
        "proposal_links": sum(len(k.replaces) + len(k.superseded_by) for k in data.keps),
        "initiative_links": len(initiative_links),
    }
    return document, report


def _replacements(data: Dataset, ids: dict[str, str], report: Report) -> list[dict[str, Any]]:
    """One "replaces" link per pair of proposals, whether the newer one says `replaces` or
    the older one says `superseded-by` (or both). Two proposals that each claim to replace
    the other are reported and neither link is taken."""
    pairs: dict[tuple[str, str], str] = {}  # (newer, older) -> file that said so first
    for kep in data.keps:
        file = f"keps/{kep.key}/kep.yaml"
        for older in kep.replaces:
            pairs.setdefault((kep.key, older), file)
        for newer in kep.superseded_by:
            pairs.setdefault((newer, kep.key), file)
    links = []
    for (newer, older), file in pairs.items():
        if (older, newer) in pairs:
            if newer > older:
                continue  # reported once, from the other side
            report.add(
                "contradictory_links",
                f"keps/{newer} and keps/{older} each say they replace the other; "
                "neither link was taken.",
                file=file,
                path="replaces",
                value=older,
            )
            continue
        links.append({"from": ids[newer], "to": ids[older], "kind": "replaces"})
    return links


def _meeting_links(group) -> str:
    """The links of a group's meetings (the meeting itself, its agenda and notes, its
    recordings), for the team's description: a cadence has no field for them."""
    lines = []
    for m in group.meetings:
        parts = [
            f"{label}{url}"
            for label, url in (
                ("", m.url),
                ("agenda and notes: ", m.archive_url),
                ("recordings: ", m.recordings_url),
            )
            if url
        ]
        if parts:
            lines.append(f"- {m.description}: " + "; ".join(parts))
    return ("Meetings:\n" + "\n".join(lines))[:5000] if lines else ""


def _kep_label(kep: Kep) -> str:
    return f"KEP-{kep.number}" if kep.number is not None else kep.key.rsplit("/", 1)[-1]


def _title(kep: Kep) -> str:
    return f"{_kep_label(kep)}: {kep.title}"


def _is_link(value: str) -> bool:
    """An address the team's mailing_list field takes (an e-mail or a web address)."""
    return bool(re.fullmatch(r"https?://\S+|[^@\s]+@[^@\s]+\.[^@\s]+", value or ""))


def _description(kep: Kep, keps: dict[str, Kep], ids: dict[str, str], groups) -> str:
    lines = [f"Kubernetes enhancement proposal keps/{kep.key}."]
    if kep.status:
        lines.append(f"Status: {kep.status}.")
    if kep.stage:
        lines.append(f"Stage: {kep.stage}.")
    if kep.milestones:
        lines.append(
            "Milestones: " + ", ".join(f"{s} {r}" for s, r in kep.milestones.items()) + "."
        )
    if kep.latest_milestone:
        lines.append(f"Latest milestone: {kep.latest_milestone}.")
    if kep.participating:
        lines.append("Participating: " + ", ".join(groups[s].name for s in kep.participating) + ".")
    if kep.replaces:
        lines.append("Replaces: " + ", ".join(_kep_label(keps[k]) for k in kep.replaces) + ".")
    if kep.superseded_by:
        lines.append(
            "Superseded by: " + ", ".join(_kep_label(keps[k]) for k in kep.superseded_by) + "."
        )
    if kep.see_also:
        lines.append("See also: " + ", ".join(_kep_label(keps[k]) for k in kep.see_also) + ".")
    if kep.feature_gates:
        lines.append("Feature gates: " + ", ".join(kep.feature_gates) + ".")
    if kep.authors:
        lines.append("Authors: " + ", ".join(f"@{a}" for a in kep.authors[:10]) + ".")
    return "\n".join(lines)


def _earlier_dependencies(document: dict[str, Any], report: Report, org_slug: str) -> None:
    """Dependencies an earlier import made that this one no longer makes (a proposal's
    that names no release or whose release is out: an older Accord gave them a date) are
    left as they are, since the import removes nothing; said once, with a count."""
    from accord.coordination.models import ACTIVE_STATES
    from accord.interchange.models import ExternalKey
    from accord.org.models import Organization

    org = Organization.objects.filter(slug=org_slug).first()
    if org is None:
        return
    made = {d["id"].lower() for d in document["dependencies"]}
    earlier = ExternalKey.objects.filter(
        org=org, section="dependencies", key__startswith="kep"
    ).values_list("key", "object_id")
    left = {pk for key, pk in earlier if key.lower() not in made}
    if not left:
        return
    from accord.coordination.models import Dependency

    open_ones = Dependency.objects.filter(pk__in=left, state__in=ACTIVE_STATES).count()
    if open_ones:
        report.add(
            "earlier_dependencies",
            f"{open_ones} open dependencies an earlier import made are no longer made (their "
            "proposal names no release, or is stale): the import removes nothing, so they "
            "stay as they are, with the date an older Accord gave them; cancel them in Accord "
            "if they no longer stand.",
            file="keps/",
            path="participating-sigs",
            action=IGNORED,
        )


def import_directory(
    directory: str | Path,
    *,
    org_slug: str = ROOT,
    name: str = "Kubernetes",
    strict: bool = False,
    dry_run: bool = False,
    today: dt.date | None = None,
):
    """Read, build and apply; returns the engine's Outcome (its report has everything)."""
    from accord.interchange import services

    data = kubernetes.read(directory)
    document, report = build(data, name=name, today=today)
    _earlier_dependencies(document, report, org_slug)
    return services.apply_data(
        document,
        org_slug=org_slug,
        strict=strict,
        dry_run=dry_run,
        report=report,
        name=Path(directory).name or str(directory),
        source_format="Kubernetes community data",
        keep_admins=True,
        baseline=ROOT,
        oddities=True,
    )
