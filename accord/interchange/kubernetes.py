"""Reading the Kubernetes community's own data (sigs.yaml and keps/**/kep.yaml) into plain
dataclasses, with a report of every oddity found on the way.

Pure Python, no database: `read(directory)` returns a `Dataset`. Nothing here raises on bad
data; each problem becomes a `Problem` in `dataset.report` (file, line, path, value, why, and
whether the thing was skipped, corrected, ignored or defaulted).
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from accord.interchange import meetings, safeyaml
from accord.interchange.report import CORRECTED, DEFAULTED, IGNORED, SKIPPED, Report

GROUP_KINDS = {  # key in sigs.yaml -> kind
    "sigs": "sig",
    "workinggroups": "wg",
    "committees": "committee",
    "usergroups": "ug",
}
ARCHIVED_STATUSES = {"archived", "retired", "dissolved", "disbanded"}
LEAD_ROLES = {"chairs": "chair", "tech_leads": "tech_lead", "emeritus_leads": "emeritus"}
STATUSES = [
    "provisional",
    "implementable",
    "implemented",
    "deferred",
    "rejected",
    "withdrawn",
    "replaced",
    # Not in the template's list, but written by the project for proposals that are over:
    "superseded",  # by another proposal (as replaced)
    "removed",  # the feature was taken out again
]
# Names proposals use for groups that sigs.yaml spells otherwise: certain corrections.
GROUP_ALIASES = {
    "sig-arch": "sig-architecture",
    "sig-apimachinery": "sig-api-machinery",
    "sig-machinery": "sig-api-machinery",
    "sig-scheduler": "sig-scheduling",
    "sig-contribex": "sig-contributor-experience",
}
# Groups the project retired and took out of sigs.yaml; a proposal naming one is not
# pointed at another group of a similar name.
RETIRED_GROUPS = {
    "sig-usability",
    "sig-aws",
    "sig-azure",
    "sig-gcp",
    "sig-ibmcloud",
    "sig-openstack",
    "sig-vmware",
    "sig-service-catalog",
    "sig-big-data",
    "sig-cluster-ops",
    "wg-apply",
    "wg-component-standard",
    "wg-k8s-infra",
    "wg-multitenancy",
    "wg-resource-management",
    "wg-security-audit",
}
# The proposal template's own folders (keps/NNNN-kep-template, a provider's
# 0000-cloud-provider-template): not proposals. A proposal may have "template" in its name.
TEMPLATE_FOLDER = re.compile(r"(?:nnnn|0+)-.*template.*", re.I)
STAGES = ["alpha", "beta", "stable", "deprecated", "disabled", "removed"]
KEP_KEYS = {
    "title",
    "kep-number",
    "authors",
    "owning-sig",
    "participating-sigs",
    "status",
    "creation-date",
    "reviewers",
    "approvers",
    "editor",
    "see-also",
    "replaces",
    "superseded-by",
    "stage",
    "latest-milestone",
    "milestone",
    "feature-gates",
    "disable-supported",
    "metrics",
    "last-updated",
    "prr-approvers",
}
PLACEHOLDERS = {"", "tbd", "todo", "n/a", "na", "none", "never", "x.y", "0.0", "-", "?"}
MAX_FILE_BYTES = 2 * 1024 * 1024


@dataclass
class Person:
    handle: str  # GitHub login: the stable key
    name: str
    email: str = ""
    company: str = ""
    active: bool = False  # leads a group now (not only emeritus)


@dataclass
class Lead:
    handle: str
    role: str  # chair, tech_lead or emeritus


@dataclass
class Meeting:
    description: str
    rrule: str
    time: str  # HH:MM
    timezone: str  # IANA
    start: dt.date | None = None
    url: str = ""
    subproject: str = ""
    archive_url: str = ""  # the agenda and notes
    recordings_url: str = ""
    listed: int = 1  # times the group lists it (a group's subprojects repeat its meeting)


@dataclass
class Group:
    slug: str  # the directory name, e.g. sig-node
    kind: str  # sig, wg, committee, ug
    name: str
    label: str = ""
    mission: str = ""
    leads: list[Lead] = field(default_factory=list)
    meetings: list[Meeting] = field(default_factory=list)
    stakeholders: list[str] = field(default_factory=list)  # slugs of SIGs (working groups)
    slack: str = ""  # contact.slack: the channel's name
    mailing_list: str = ""  # contact.mailing_list: the list's address or archive
    archived: bool = False  # `archived: true` or `status: archived` (retired groups)
    subprojects: list[str] = field(default_factory=list)
    liaison: str = ""  # GitHub handle of the Steering Committee's liaison to the group


@dataclass
class Kep:
    key: str  # path under keps/, e.g. sig-node/5419-in-place-pod-level-resources-resize
    number: int | None
    title: str
    owning: str | None  # group slug
    participating: list[str] = field(default_factory=list)  # group slugs, owner excluded
    status: str | None = None
    stage: str | None = None
    latest_milestone: str | None = None
    milestones: dict[str, str] = field(default_factory=dict)  # stage -> release
    created: dt.date | None = None
    updated: dt.date | None = None
    authors: list[str] = field(default_factory=list)
    replaces: list[str] = field(default_factory=list)  # KEP keys
    superseded_by: list[str] = field(default_factory=list)  # KEP keys
    see_also: list[str] = field(default_factory=list)  # KEP keys
    feature_gates: list[str] = field(default_factory=list)  # names


@dataclass
class Release:
    name: str  # v1.30
    major: int
    minor: int


@dataclass
class Dataset:
    groups: list[Group] = field(default_factory=list)
    people: dict[str, Person] = field(default_factory=dict)  # by handle
    keps: list[Kep] = field(default_factory=list)
    releases: list[Release] = field(default_factory=list)
    report: Report = field(default_factory=Report)

    def group(self, slug: str) -> Group | None:
        return next((g for g in self.groups if g.slug == slug), None)


# --- small readers -------------------------------------------------------------------------


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _is_template(value: Any) -> bool:
    """Text copied from the KEP template and never filled in."""
    if not isinstance(value, str):
        return False
    v = value.strip().lower()
    return (
        "|" in v
        or v in {"yyyy-mm-dd", "nnnn", "sig-xyz", "sig-aaa", "sig-bbb", "sig-ccc"}
        or v.startswith("@jane.doe")
    )


_RELEASE = re.compile(r"v?(\d+)\.(\d+)")


class _Reader:
    def __init__(self, root: Path):
        self.root = root
        self.data = Dataset()
        self.report = self.data.report
        self.slugs: dict[str, Group] = {}
        self.by_name: dict[str, str] = {}
        self.releases: dict[str, Release] = {}

    # problems
    def add(self, kind, why, *, file, container=None, key=None, path="", value="", action=SKIPPED):
        line = safeyaml.line_of(container, key) if container is not None else None
        self.report.add(kind, why, file=file, line=line, path=path, value=value, action=action)

    def load(self, path: Path) -> Any:
        rel = str(path.relative_to(self.root))
        try:
            loaded = safeyaml.read_file(path, max_bytes=MAX_FILE_BYTES)
        except safeyaml.YamlRefused as exc:
            self.report.add(
                "yaml_error", f"{exc.message} The file was skipped.", file=rel, line=exc.line
            )
            return None
        except OSError as exc:
            self.report.add("unreadable_file", f"Cannot read the file: {exc.strerror}.", file=rel)
            return None
        for line, key in loaded.duplicates:
            self.report.add(
                "duplicate_key",
                f"The key {key!r} appears more than once in one mapping; the last value was kept.",
                file=rel,
                line=line,
                path=str(key),
                value=key,
                action=CORRECTED,
            )
        return loaded.data

    def date(self, value: Any, *, file, container, key) -> dt.date | None:
        if value is None:
            return None
        text = str(value).strip()
        if _is_template(text):
            self.add(
                "template_text",
                "Template text left in a date; no date taken.",
                file=file,
                container=container,
                key=key,
                path=key,
                value=text,
            )
            return None
        m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text)
        if not m:
            self.add(
                "not_a_date",
                "Expected a date (YYYY-MM-DD); no date taken.",
                file=file,
                container=container,
                key=key,
                path=key,
                value=text,
            )
            return None
        try:
            date = dt.date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError as exc:
            self.add(
                "impossible_date",
                f"No such day ({exc}); no date taken.",
                file=file,
                container=container,
                key=key,
                path=key,
                value=text,
            )
            return None
        if len(m[2]) < 2 or len(m[3]) < 2:
            self.add(
                "date_format",
                f"Date without leading zeros; read as {date.isoformat()}.",
                file=file,
                container=container,
                key=key,
                path=key,
                value=text,
                action=CORRECTED,
            )
        return date

    def release(self, value: Any, *, file, container, key, path) -> str | None:
        if value is None:
            return None
        text = str(value).strip()
        if text.lower() in PLACEHOLDERS or _is_template(text):
            self.add(
                "placeholder_milestone",
                "A placeholder, not a release; nothing taken.",
                file=file,
                container=container,
                key=key,
                path=path,
                value=text,
                action=IGNORED,
            )
            return None
        m = _RELEASE.fullmatch(text)
        if not m:
            self.add(
                "bad_milestone",
                "Not one release (expected vMAJOR.MINOR); nothing taken.",
                file=file,
                container=container,
                key=key,
                path=path,
                value=text,
            )
            return None
        name = f"v{int(m[1])}.{int(m[2])}"
        if not text.startswith("v"):
            self.add(
                "milestone_spelling",
                f"Release written without 'v'; read as {name}.",
                file=file,
                container=container,
                key=key,
                path=path,
                value=text,
                action=CORRECTED,
            )
        self.releases.setdefault(name, Release(name, int(m[1]), int(m[2])))
        return name

    # sigs.yaml -----------------------------------------------------------------------------

    def read_groups(self) -> None:
        path = self.root / "sigs.yaml"
        file = "sigs.yaml"
        if not path.exists():
            self.report.add("missing_file", "sigs.yaml is missing; no groups taken.", file=file)
            return
        doc = self.load(path)
        if not isinstance(doc, dict):
            if doc is not None:
                self.report.add(
                    "wrong_type", "sigs.yaml is not a mapping; no groups taken.", file=file
                )
            return
        for top, items in doc.items():
            if top not in GROUP_KINDS:
                if top != "gb_rep":
                    self.add(
                        "unknown_key",
                        "Unknown top-level section; ignored.",
                        file=file,
                        container=doc,
                        key=top,
                        path=str(top),
                        action=IGNORED,
                    )
                continue
            if items is None:
                continue
            if not isinstance(items, list):
                self.add(
                    "wrong_type",
                    "Expected a list of groups; section skipped.",
                    file=file,
                    container=doc,
                    key=top,
                    path=str(top),
                    value=items,
                )
                continue
            for i, raw in enumerate(items):
                self.read_group(GROUP_KINDS[top], raw, file, f"{top}[{i}]", items, i)
        # Working groups name their stakeholder SIGs by name ("Cluster Lifecycle").
        for group in self.data.groups:
            resolved = []
            for name_or_slug in group.stakeholders:
                slug = self.by_name.get(name_or_slug.lower()) or (
                    name_or_slug if name_or_slug in self.slugs else None
                )
                if slug is None:
                    self.report.add(
                        "unknown_group",
                        "Stakeholder SIG not found; link skipped.",
                        file=file,
                        path=f"{group.slug}.stakeholder_sigs",
                        value=name_or_slug,
                    )
                else:
                    resolved.append(slug)
            group.stakeholders = resolved

    def read_group(self, kind, raw, file, path, parent, index) -> None:
        if not isinstance(raw, dict):
            self.add(
                "wrong_type",
                "A group must be a mapping; skipped.",
                file=file,
                container=parent,
                key=index,
                path=path,
                value=raw,
            )
            return
        slug, name = _text(raw.get("dir")), _text(raw.get("name"))
        if not slug or not name:
            self.add(
                "missing_field",
                "A group needs `dir` and `name`; skipped.",
                file=file,
                container=parent,
                key=index,
                path=path,
                value=slug or name,
            )
            return
        if slug in self.slugs:
            self.add(
                "duplicate_group",
                "A group with this directory exists already; skipped.",
                file=file,
                container=raw,
                key="dir",
                path=f"{path}.dir",
                value=slug,
            )
            return
        group = Group(
            slug=slug,
            kind=kind,
            name=name,
            label=_text(raw.get("label")),
            mission=" ".join(_text(raw.get("mission_statement")).split()),
        )
        contact = raw.get("contact")
        if isinstance(contact, dict):
            group.slack = _text(contact.get("slack")).lstrip("#")
            group.mailing_list = _text(contact.get("mailing_list"))
            liaison = contact.get("liaison")  # the Steering Committee's liaison to the group
            if isinstance(liaison, dict):
                group.liaison = _text(liaison.get("github")).lower()
        status = _text(raw.get("status")).lower()
        group.archived = raw.get("archived") is True or status in ARCHIVED_STATUSES
        self.slugs[slug] = group
        self.by_name[name.lower()] = slug
        self.data.groups.append(group)
        stakeholders = raw.get("stakeholder_sigs") or []
        if isinstance(stakeholders, list):
            group.stakeholders = [str(s) for s in stakeholders if isinstance(s, str | int)]
        leadership = raw.get("leadership") or {}
        if isinstance(leadership, dict):
            for role_key, people in leadership.items():
                role = LEAD_ROLES.get(role_key)
                if role is None:
                    self.add(
                        "unknown_key",
                        "Unknown leadership role; ignored.",
                        file=file,
                        container=leadership,
                        key=role_key,
                        path=f"{path}.leadership.{role_key}",
                        action=IGNORED,
                    )
                    continue
                for j, person in enumerate(people or []):
                    self.read_lead(
                        group, role, person, file, f"{path}.leadership.{role_key}[{j}]", people, j
                    )
        for j, meeting in enumerate(raw.get("meetings") or []):
            self.read_meeting(group, meeting, file, f"{path}.meetings[{j}]", "")
        for j, sub in enumerate(raw.get("subprojects") or []):
            if isinstance(sub, dict) and _text(sub.get("name")):
                group.subprojects.append(_text(sub.get("name")))
                for k, meeting in enumerate(sub.get("meetings") or []):
                    self.read_meeting(
                        group,
                        meeting,
                        file,
                        f"{path}.subprojects[{j}].meetings[{k}]",
                        _text(sub.get("name")),
                    )

    def read_lead(self, group, role, raw, file, path, parent, index) -> None:
        if not isinstance(raw, dict) or not _text(raw.get("github")):
            self.add(
                "missing_field",
                "A lead needs a `github` handle; skipped.",
                file=file,
                container=parent,
                key=index,
                path=path,
                value=raw,
            )
            return
        handle = _text(raw["github"])
        key = handle.lower()
        name = _text(raw.get("name")) or handle
        email = _text(raw.get("email"))
        person = self.data.people.get(key)
        if person is None:
            person = Person(
                handle=handle, name=name, email=email, company=_text(raw.get("company"))
            )
            self.data.people[key] = person
        else:
            if email and person.email and email.lower() != person.email.lower():
                self.add(
                    "conflicting_email",
                    f"{handle} has another e-mail elsewhere "
                    f"({person.email}); the first one was kept.",
                    file=file,
                    container=raw,
                    key="email",
                    path=f"{path}.email",
                    value=email,
                    action=IGNORED,
                )
            person.email = person.email or email
            person.company = person.company or _text(raw.get("company"))
        person.active = person.active or role != "emeritus"
        if not any(lead.handle.lower() == key and lead.role == role for lead in group.leads):
            group.leads.append(Lead(handle=handle, role=role))

    def read_meeting(self, group, raw, file, path, subproject) -> None:
        if not isinstance(raw, dict):
            self.report.add(
                "wrong_type",
                "A meeting must be a mapping; skipped.",
                file=file,
                path=path,
                value=raw,
            )
            return
        description = _text(raw.get("description")) or "Meeting"
        problems = []
        schedule = meetings.parse_schedule(raw.get("frequency"), raw.get("day"))
        time = meetings.parse_time(raw.get("time"))
        zone = meetings.parse_zone(raw.get("tz"))
        if schedule.error:
            key = (
                "frequency"
                if "frequenc" in schedule.error
                or "which" in schedule.error
                or "cannot be taken" in schedule.error
                else "day"
            )
            problems.append(("meeting_" + key, key, schedule.error))
        if time.error:
            problems.append(("meeting_time", "time", time.error))
        if zone.error:
            kind = "ambiguous_timezone" if "ambiguous" in zone.error else "unknown_timezone"
            problems.append((kind, "tz", zone.error))
        for kind, key, why in problems:
            self.add(
                kind,
                f"{description!r} of {group.name}: {why}; meeting skipped.",
                file=file,
                container=raw,
                key=key,
                path=f"{path}.{key}",
                value=raw.get(key) or "",
            )
        for note in schedule.notes:
            self.add(
                "meeting_extra_text",
                f"{description!r} of {group.name}: {note}.",
                file=file,
                container=raw,
                key="frequency",
                path=f"{path}.frequency",
                value=raw.get("frequency") or "",
                action=IGNORED,
            )
        if problems:
            return
        meeting = Meeting(
            description=description,
            rrule=schedule.value.rrule,
            time=time.value,
            timezone=zone.value,
            start=schedule.value.start,
            url=_text(raw.get("url")),
            subproject=subproject,
            archive_url=_text(raw.get("archive_url")),
            recordings_url=_text(raw.get("recordings_url")),
        )
        # The same meeting (name, day, frequency, time, zone) listed again, by a subproject
        # of the group that holds it, is one meeting.
        same = next(
            (
                m
                for m in group.meetings
                if (m.description.lower(), m.rrule, m.time, m.timezone, m.start)
                == (
                    description.lower(),
                    meeting.rrule,
                    meeting.time,
                    meeting.timezone,
                    meeting.start,
                )
            ),
            None,
        )
        if same is not None:
            same.listed += 1
            return
        group.meetings.append(meeting)

    # keps/**/kep.yaml ----------------------------------------------------------------------

    def read_keps(self) -> None:
        keps_dir = self.root / "keps"
        if not keps_dir.is_dir():
            self.report.add("missing_file", "No keps/ directory; no proposals taken.", file="keps/")
            return
        raw_links: list[tuple[Kep, str, str, Any, str, Any]] = []
        numbers: dict[int, Kep] = {}
        for path in sorted(keps_dir.rglob("kep.yaml")):
            kep, doc = self.read_kep(path, numbers)
            if kep is None:
                continue
            file = str(path.relative_to(self.root))
            for field_name in ("replaces", "superseded-by", "see-also"):
                refs = doc.get(field_name)
                if refs is None:
                    continue
                if isinstance(refs, str):
                    refs = [refs]
                if not isinstance(refs, list):
                    self.add(
                        "wrong_type",
                        "Expected a list of proposals; ignored.",
                        file=file,
                        container=doc,
                        key=field_name,
                        path=field_name,
                        value=refs,
                    )
                    continue
                for i, ref in enumerate(refs):
                    raw_links.append((kep, file, field_name, refs, str(ref).strip(), i))
        by_key = {k.key: k for k in self.data.keps}
        see_also_elsewhere = 0
        for kep, file, field_name, refs, ref, i in raw_links:
            target = self.resolve_kep(ref, by_key, numbers)
            path = f"{field_name}[{i}]"
            if target is None and field_name == "see-also":
                see_also_elsewhere += 1  # documents, pull requests, placeholders: said once
                continue
            if target is None:
                if ref.lower() in PLACEHOLDERS:
                    self.add(
                        "placeholder_link",
                        "A placeholder, not a proposal; ignored.",
                        file=file,
                        container=refs,
                        key=i,
                        path=path,
                        value=ref,
                        action=IGNORED,
                    )
                elif _is_template(ref) or "sig-ccc" in ref:
                    self.add(
                        "template_text",
                        "Template text left in a link; ignored.",
                        file=file,
                        container=refs,
                        key=i,
                        path=path,
                        value=ref,
                    )
                elif re.match(r"\(?https?://", ref) and "/keps/" not in ref:
                    self.add(
                        "external_link",
                        "Points outside the proposals (a document or "
                        "pull request); not a link between proposals.",
                        file=file,
                        container=refs,
                        key=i,
                        path=path,
                        value=ref,
                        action=IGNORED,
                    )
                else:
                    self.add(
                        "unknown_proposal",
                        "No proposal matches this reference; link skipped.",
                        file=file,
                        container=refs,
                        key=i,
                        path=path,
                        value=ref,
                    )
                continue
            if target.key == kep.key:
                if field_name == "see-also":
                    continue  # a proposal pointing at itself says nothing
                self.add(
                    "self_reference",
                    "A proposal cannot replace or supersede itself; link ignored.",
                    file=file,
                    container=refs,
                    key=i,
                    path=path,
                    value=ref,
                    action=IGNORED,
                )
                continue
            bucket = {
                "replaces": kep.replaces,
                "superseded-by": kep.superseded_by,
                "see-also": kep.see_also,
            }[field_name]
            if target.key not in bucket:
                bucket.append(target.key)
        if see_also_elsewhere:
            self.report.add(
                "see_also_elsewhere",
                f"{see_also_elsewhere} see-also entries are not proposals under keps/ "
                "(documents, pull requests, placeholders); ignored.",
                file="keps/",
                path="see-also",
                action=IGNORED,
            )

    def resolve_kep(self, ref: str, by_key: dict[str, Kep], numbers: dict[int, Kep]) -> Kep | None:
        m = re.search(r"keps/([^\s)#?]+)", ref)
        if m:
            key = re.sub(r"/(README\.md|kep\.yaml)$", "", m[1].rstrip("/")).rstrip("/")
            if key in by_key:
                return by_key[key]
        m = re.fullmatch(r"(?:kep-?)?(\d+)", ref, re.I)
        if m and int(m[1]) in numbers:
            return numbers[int(m[1])]
        return None

    def read_kep(self, path: Path, numbers: dict[int, Kep]) -> tuple[Kep | None, Any]:
        file = str(path.relative_to(self.root))
        key = str(path.parent.relative_to(self.root / "keps"))
        doc = self.load(path)
        if doc is None:
            return None, None
        if not isinstance(doc, dict):
            self.report.add(
                "wrong_type", "A proposal file must be a mapping; skipped.", file=file, value=doc
            )
            return None, None
        raw_number = doc.get("kep-number")
        if TEMPLATE_FOLDER.fullmatch(path.parent.name) or _is_template(raw_number):
            self.report.add(
                "template_file",
                "The proposal template itself, not a proposal; skipped.",
                file=file,
                line=safeyaml.line_of(doc, "kep-number"),
                path="kep-number",
                value=raw_number,
            )
            return None, None
        title = _text(doc.get("title"))
        if not title:
            self.report.add(
                "missing_field", "A proposal needs a title; skipped.", file=file, path="title"
            )
            return None, None
        for extra in doc:
            if extra not in KEP_KEYS:
                self.add(
                    "unknown_key",
                    "Not a field of a proposal; ignored.",
                    file=file,
                    container=doc,
                    key=extra,
                    path=str(extra),
                    value=doc[extra],
                    action=IGNORED,
                )
        number = self.kep_number(raw_number, path, doc, file, numbers)
        kep = Kep(key=key, number=number, title=title[:300], owning=None)
        if number is not None and number not in numbers:
            numbers[number] = kep
        owning = doc.get("owning-sig")
        kep.owning = self.group_ref(
            owning, file=file, container=doc, key="owning-sig", path="owning-sig"
        )
        if kep.owning is None:
            self.add(
                "unknown_owner",
                "The owning group is unknown; proposal skipped.",
                file=file,
                container=doc,
                key="owning-sig",
                path="owning-sig",
                value=owning or "",
            )
            return None, None
        participating = doc.get("participating-sigs")
        if participating is not None and not isinstance(participating, list):
            self.add(
                "wrong_type",
                "Expected a list of groups; ignored.",
                file=file,
                container=doc,
                key="participating-sigs",
                path="participating-sigs",
                value=participating,
            )
            participating = []
        for i, ref in enumerate(participating or []):
            slug = self.group_ref(
                ref, file=file, container=participating, key=i, path=f"participating-sigs[{i}]"
            )
            if slug and slug != kep.owning and slug not in kep.participating:
                kep.participating.append(slug)
        kep.status = self.status(doc, file)
        kep.stage = self.stage(doc, file)
        kep.created = self.date(
            doc.get("creation-date"), file=file, container=doc, key="creation-date"
        )
        if "creation-date" not in doc or doc.get("creation-date") is None:
            self.add(
                "missing_field",
                "No creation date.",
                file=file,
                path="creation-date",
                action=IGNORED,
            )
        kep.updated = self.date(
            doc.get("last-updated"), file=file, container=doc, key="last-updated"
        )
        if kep.created and kep.updated and kep.updated < kep.created:
            self.add(
                "date_order",
                f"Last updated ({kep.updated}) before it was created "
                f"({kep.created}); the update date was dropped.",
                file=file,
                container=doc,
                key="last-updated",
                path="last-updated",
                value=str(kep.updated),
            )
            kep.updated = None
        kep.latest_milestone = self.release(
            doc.get("latest-milestone"),
            file=file,
            container=doc,
            key="latest-milestone",
            path="latest-milestone",
        )
        milestone = doc.get("milestone")
        if isinstance(milestone, dict):
            for stage, value in milestone.items():
                release = self.release(
                    value, file=file, container=milestone, key=stage, path=f"milestone.{stage}"
                )
                if release:
                    kep.milestones[str(stage)] = release
        elif milestone is not None:
            self.add(
                "wrong_type",
                "Expected stage: release pairs; ignored.",
                file=file,
                container=doc,
                key="milestone",
                path="milestone",
                value=milestone,
            )
        gates = doc.get("feature-gates")
        if isinstance(gates, list):
            for gate in gates:
                name = _text(gate.get("name")) if isinstance(gate, dict) else ""
                taken = name and not _is_template(name) and name.lower() not in PLACEHOLDERS
                if taken and name not in kep.feature_gates:
                    kep.feature_gates.append(name[:100])
        authors = doc.get("authors")
        if isinstance(authors, list):
            kep.authors = [str(a).strip().lstrip("@") for a in authors if isinstance(a, str)]
        self.data.keps.append(kep)
        return kep, doc

    def kep_number(self, raw, path, doc, file, numbers) -> int | None:
        line = safeyaml.line_of(doc, "kep-number")
        if raw is None:
            self.report.add(
                "missing_field", "No proposal number.", file=file, path="kep-number", action=IGNORED
            )
            return None
        if isinstance(raw, str):
            if not raw.strip().isdigit():
                self.report.add(
                    "bad_number",
                    "Not a number; none taken.",
                    file=file,
                    line=line,
                    path="kep-number",
                    value=raw,
                )
                return None
            self.report.add(
                "quoted_number",
                "Number written as text; read as a number.",
                file=file,
                line=line,
                path="kep-number",
                value=raw,
                action=CORRECTED,
            )
            raw = int(raw)
        if not isinstance(raw, int) or isinstance(raw, bool):
            self.report.add(
                "bad_number",
                "Not a number; none taken.",
                file=file,
                line=line,
                path="kep-number",
                value=raw,
            )
            return None
        if raw == 0:
            self.report.add(
                "placeholder_number",
                "Number 0 is a placeholder; none taken.",
                file=file,
                line=line,
                path="kep-number",
                value=raw,
                action=IGNORED,
            )
            return None
        m = re.match(r"(\d+)-", path.parent.name)
        if m and int(m[1]) != raw:
            self.report.add(
                "number_mismatch",
                f"The directory says {int(m[1])}, the file says {raw}; the file's number was kept.",
                file=file,
                line=line,
                path="kep-number",
                value=raw,
                action=IGNORED,
            )
        if raw in numbers:
            self.report.add(
                "duplicate_number",
                f"Number {raw} is also used by {numbers[raw].key}; links by number go to that one.",
                file=file,
                line=line,
                path="kep-number",
                value=raw,
                action=IGNORED,
            )
        return raw

    def group_ref(self, ref, *, file, container, key, path) -> str | None:
        if not isinstance(ref, str) or not ref.strip():
            self.add(
                "wrong_type",
                "Expected a group name such as sig-node.",
                file=file,
                container=container,
                key=key,
                path=path,
                value=ref or "",
            )
            return None
        ref = ref.strip()
        if ref in self.slugs:
            return ref
        alias = GROUP_ALIASES.get(ref.lower())
        if alias in self.slugs:
            self.add(
                "group_alias",
                f"Another name of {alias}; read as {alias}.",
                file=file,
                container=container,
                key=key,
                path=path,
                value=ref,
                action=CORRECTED,
            )
            return alias
        if ref.lower() in RETIRED_GROUPS:
            self.add(
                "retired_group",
                "A group the project retired (not in sigs.yaml, not a current group); "
                "reference skipped.",
                file=file,
                container=container,
                key=key,
                path=path,
                value=ref,
            )
            return None
        if _is_template(ref) or ref.lower() in PLACEHOLDERS:
            self.add(
                "template_text",
                "Template text or a placeholder instead of a group; ignored.",
                file=file,
                container=container,
                key=key,
                path=path,
                value=ref,
            )
            return None
        squashed = ref.lower().replace("-", "")
        close = [s for s in self.slugs if squashed in s.replace("-", "")]
        if len(close) != 1:
            close = difflib.get_close_matches(ref, list(self.slugs), n=1, cutoff=0.75)
        hint = f" (did you mean {close[0]}?)" if close else ""
        self.add(
            "unknown_group",
            f"No such group in sigs.yaml{hint}; reference skipped.",
            file=file,
            container=container,
            key=key,
            path=path,
            value=ref,
        )
        return None

    def status(self, doc, file) -> str | None:
        raw = doc.get("status")
        text = _text(raw).lower()
        if not text:
            self.add(
                "missing_field",
                "No status.",
                file=file,
                container=doc,
                key="status",
                path="status",
                action=IGNORED,
            )
            return None
        if text in STATUSES:
            return text
        if _is_template(text):
            self.add(
                "template_text",
                "Template text left in the status; no status taken.",
                file=file,
                container=doc,
                key="status",
                path="status",
                value=raw,
            )
            return None
        word = re.match(r"[a-z]+", text)
        if word and word[0] in STATUSES:
            self.add(
                "status_extra_text",
                f"Extra text after the status; read as {word[0]}.",
                file=file,
                container=doc,
                key="status",
                path="status",
                value=raw,
                action=CORRECTED,
            )
            return word[0]
        close = difflib.get_close_matches(text, STATUSES, n=1, cutoff=0.85)
        if close:
            self.add(
                "status_typo",
                f"Misspelt status; read as {close[0]}.",
                file=file,
                container=doc,
                key="status",
                path="status",
                value=raw,
                action=CORRECTED,
            )
            return close[0]
        self.add(
            "unknown_status",
            f"Not a proposal status ({', '.join(STATUSES)}); no status taken.",
            file=file,
            container=doc,
            key="status",
            path="status",
            value=raw,
        )
        return None

    def stage(self, doc, file) -> str | None:
        raw = doc.get("stage")
        text = _text(raw).lower()
        if not text:
            return None
        if text in STAGES:
            return text
        if _is_template(text):
            self.add(
                "template_text",
                "Template text left in the stage; no stage taken.",
                file=file,
                container=doc,
                key="stage",
                path="stage",
                value=raw,
            )
            return None
        word = re.match(r"[a-z]+", text)
        if word and word[0] in STAGES:
            self.add(
                "stage_extra_text",
                f"Extra text after the stage; read as {word[0]}.",
                file=file,
                container=doc,
                key="stage",
                path="stage",
                value=raw,
                action=CORRECTED,
            )
            return word[0]
        self.add(
            "unknown_stage",
            "Not a stage; no stage taken.",
            file=file,
            container=doc,
            key="stage",
            path="stage",
            value=raw,
        )
        return None

    def people_without_email(self) -> None:
        for person in self.data.people.values():
            if person.active and not person.email:
                self.report.add(
                    "missing_email",
                    f"{person.name} ({person.handle}) has no "
                    "e-mail; their GitHub no-reply address is used.",
                    file="sigs.yaml",
                    path=person.handle,
                    action=DEFAULTED,
                )


def noreply_email(handle: str) -> str:
    return f"{handle.lower()}@users.noreply.github.com"


def _repeated_meetings(data: Dataset) -> None:
    """Meetings a group lists more than once, said once per meeting."""
    for group in data.groups:
        for m in group.meetings:
            if m.listed > 1:
                data.report.add(
                    "duplicate_meeting",
                    f"{m.description!r} of {group.name} is listed {m.listed} times (by the "
                    "group and its subprojects) with the same day, time, zone and frequency; "
                    "taken once.",
                    file="sigs.yaml",
                    path=group.slug,
                    value=m.description,
                    action=IGNORED,
                )


def read(directory: str | Path) -> Dataset:
    """Everything in a checkout of the Kubernetes community data, and what was odd in it."""
    reader = _Reader(Path(directory))
    reader.read_groups()
    _repeated_meetings(reader.data)
    reader.read_keps()
    reader.people_without_email()
    data = reader.data
    data.releases = sorted(reader.releases.values(), key=lambda r: (r.major, r.minor))
    for person in data.people.values():
        if not person.email:
            person.email = noreply_email(person.handle)
    return data
