"""Teams (a tree, by slug), people (by e-mail) and memberships (team + person)."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef
from django.db.models.functions import Lower
from django.utils.timezone import localdate

from accord.core.errors import ServiceError
from accord.interchange.engine import (
    Change,
    Context,
    Implied,
    Item,
    Kind,
    check_refs,
    keep_unsaid,
)
from accord.interchange.fields import F
from accord.org import services
from accord.org.models import (
    DEFAULT_TEAM_KINDS,
    DEFAULT_TEAM_ROLES,
    IdentityKind,
    Membership,
    MembershipRole,
    Person,
    PersonIdentity,
    Role,
    Team,
    TeamKind,
    TeamLink,
    TeamLinkKind,
    TeamRole,
    TeamState,
    TeamVacancy,
)


class TeamKinds(Kind):
    section = "team_kinds"
    noun = "kind of team"
    title = (
        "The organization's kinds of team (department, working group, guild…), by short "
        "name. A kind the file leaves out stays."
    )
    key_fields = ("slug",)
    fields = (
        F("slug", "slug", required=True, max_length=40, doc="Short name teams refer to."),
        F("name", "str", required=True, max_length=100, doc="Display name."),
    )

    def existing(self, org):
        if org is None:  # the file creates the organization: it starts with the defaults
            return {slug: (None, {"slug": slug, "name": name}) for slug, name in DEFAULT_TEAM_KINDS}
        return {
            k.slug.lower(): (k, {"slug": k.slug, "name": k.name})
            for k in TeamKind.objects.for_org(org).order_by("slug")
        }

    def write(self, ctx: Context, change: Change) -> None:
        after = {k: a for k, (_b, a) in change.fields.items()}
        if change.action == "create":
            # An organization the file creates starts with the default kinds already.
            kind = TeamKind.objects.for_org(ctx.org).filter(slug=after["slug"].lower()).first()
            if kind is None:
                kind = services.add_team_kind(ctx.org, None, name=after["name"], slug=after["slug"])
            elif kind.name != after["name"]:
                kind = services.rename_team_kind(ctx.org, None, kind, after["name"])
            ctx.remember(self.section, change.key, kind)
        elif "name" in after:
            kind = ctx.obj(self.section, change.key)
            if kind is None:  # a default kind of an organization this file creates
                kind = TeamKind.objects.for_org(ctx.org).get(slug=change.key)
            services.rename_team_kind(ctx.org, None, kind, after["name"])


class TeamRoles(Kind):
    section = "team_roles"
    noun = "role in teams"
    title = (
        "The organization's roles in teams (lead, co-lead, chair, member, liaison…), by short "
        "name; `lead`, `co-lead` and `chair` lead the team, with its admin rights. A role the "
        "file leaves out stays."
    )
    key_fields = ("slug",)
    fields = (
        F("slug", "slug", required=True, max_length=40, doc="Short name memberships refer to."),
        F("name", "str", required=True, max_length=100, doc="Display name."),
    )

    def existing(self, org):
        if org is None:  # the file creates the organization: it starts with the defaults
            return {slug: (None, {"slug": slug, "name": name}) for slug, name in DEFAULT_TEAM_ROLES}
        return {
            r.slug.lower(): (r, {"slug": r.slug, "name": r.name})
            for r in TeamRole.objects.for_org(org).order_by("slug")
        }

    def write(self, ctx: Context, change: Change) -> None:
        after = {k: a for k, (_b, a) in change.fields.items()}
        if change.action == "create":
            role = TeamRole.objects.for_org(ctx.org).filter(slug=after["slug"].lower()).first()
            if role is None:
                role = services.add_team_role(ctx.org, None, name=after["name"], slug=after["slug"])
            elif role.name != after["name"]:
                role = services.rename_team_role(ctx.org, None, role, after["name"])
            ctx.remember(self.section, change.key, role)
        elif "name" in after:
            role = ctx.obj(self.section, change.key)
            if role is None:  # a default role of an organization this file creates
                role = TeamRole.objects.for_org(ctx.org).get(slug=change.key)
            services.rename_team_role(ctx.org, None, role, after["name"])


TEAM_STATES = tuple(TeamState.values)


def _team_data(t: Team, parent_slug: str | None, kind_slug: str | None) -> dict[str, Any]:
    return {
        "slug": t.slug,
        "name": t.name,
        "parent": parent_slug,
        "description": t.description,
        "kind": kind_slug,
        "state": t.state,
        "retired_on": t.retired_on.isoformat() if t.retired_on else None,
        "mission": t.mission,
        **{name: getattr(t, name) for name in services.TEAM_LINKS},
    }


class Teams(Kind):
    section = "teams"
    noun = "team"
    title = (
        "Teams: a tree; each names its parent by slug. A retired team keeps its history; "
        "a current team cannot sit under a retired one."
    )
    key_fields = ("slug",)
    fields = (
        F("slug", "slug", required=True, max_length=80, doc="Stable key of the team."),
        F("name", "str", required=True, doc="Display name."),
        F("parent", "slug", max_length=80, ref="teams", doc="Slug of the parent team."),
        F("description", "text", default=""),
        # Left out, these three keep what Accord holds (files written before they existed).
        F(
            "kind",
            "slug",
            max_length=40,
            ref="team_kinds",
            auto=True,
            lower=True,
            doc="Short name of its kind (team_kinds). Left out: unchanged.",
        ),
        F(
            "state",
            "str",
            choices=TEAM_STATES,
            auto=True,
            doc="forming, active, advisory or retired. Left out: unchanged (new: active).",
        ),
        F(
            "retired_on",
            "date",
            auto=True,
            doc="When it retired (state retired only; default: the day of the apply).",
        ),
        F("mission", "text", default="", max_length=2000, doc="Why the team exists."),
        F("website", "str", default="", max_length=500, doc="Its web page (https://…)."),
        F("repository", "str", default="", max_length=500, doc="Its repository (https://…)."),
        F("chat", "str", default="", max_length=500, doc="Its chat channel (#name or address)."),
        F(
            "mailing_list",
            "str",
            default="",
            max_length=500,
            doc="Its mailing list (an address or the archive's address).",
        ),
    )

    def existing(self, org):
        if org is None:
            return {}
        teams = list(Team.objects.for_org(org).order_by("id"))
        slugs = {t.id: t.slug for t in teams}
        kinds = dict(TeamKind.objects.for_org(org).values_list("id", "slug"))
        return {
            t.slug.lower(): (t, _team_data(t, slugs.get(t.parent_id), kinds.get(t.kind_id)))
            for t in teams
        }

    def check(self, ctx: Context, items: list[Item]) -> None:
        for item in list(items):
            if item.data.get("retired_on") and item.data.get("state") != TeamState.RETIRED:
                ctx.skip(
                    "teams",
                    item,
                    f"{item.path}.retired_on",
                    item.data["retired_on"],
                    f"Team {item.key!r} has a retired_on date but its state is not retired; "
                    "item skipped.",
                    "invalid",
                )
        items = ctx.desired.sections["teams"] if ctx.desired else items
        parents = {i.key: (i.data["parent"] or "").lower() or None for i in items}
        for item in list(items):
            seen, current = {item.key}, parents.get(item.key)
            while current is not None and current in parents and current not in seen:
                seen.add(current)
                current = parents.get(current)
            if current == item.key:
                ctx.skip(
                    "teams",
                    item,
                    f"{item.path}.parent",
                    item.data["parent"],
                    f"Team {item.key!r} would be inside itself (a cycle through its parent "
                    f"{item.data['parent']!r}); item skipped.",
                    "cycle",
                )
        check_refs(ctx, self)  # children of a skipped team lose their parent too

    def export_items(self, org):
        """Depth first, parents before children; only ids and slugs are held in memory."""
        rows = Team.objects.for_org(org).values_list("id", "parent_id", "slug")
        children: dict[int | None, list[tuple[str, int]]] = {}
        parents: dict[int, int | None] = {}
        slugs: dict[int, str] = {}
        for pk, parent_id, slug in rows.iterator():
            children.setdefault(parent_id, []).append((slug, pk))
            parents[pk], slugs[pk] = parent_id, slug
        order: list[int] = []
        stack = sorted(children.get(None, []), reverse=True)
        while stack:
            _slug, pk = stack.pop()
            order.append(pk)
            stack.extend(sorted(children.get(pk, []), reverse=True))
        kinds = dict(TeamKind.objects.for_org(org).values_list("id", "slug"))
        for start in range(0, len(order), 500):
            chunk = order[start : start + 500]
            teams = Team.objects.in_bulk(chunk)
            for pk in chunk:
                team, parent = teams[pk], parents[pk]
                yield _team_data(team, slugs[parent] if parent else None, kinds.get(team.kind_id))

    def upsert(self, ctx: Context, changes: list[Change]) -> None:
        # Parents before children, in the tree the file describes, so no move makes a cycle.
        assert ctx.desired is not None
        tree = _topological(ctx.desired.sections.get("teams", []))
        order = {item.key: n for n, item in enumerate(tree)}
        for change in sorted(changes, key=lambda c: order.get(c.key, 0)):
            ctx.run(change, lambda c=change: self.write(ctx, c))

    def write(self, ctx: Context, change: Change) -> None:
        """Creates (a team may start retired) and changes; a reactivation here, parents
        first. Retiring an existing team waits for `finish`, sub-teams first."""
        after = {k: a for k, (_b, a) in change.fields.items()}
        if "parent" in after:
            after["parent"] = ctx.obj("teams", after["parent"]) if after["parent"] else None
        if after.get("kind"):
            # A default kind of an organization this file creates is found by its slug.
            after["kind"] = ctx.obj("team_kinds", after["kind"]) or after["kind"]
        state = after.pop("state", None)
        retired_on = after.pop("retired_on", None)
        if change.action == "create":
            team = services.create_team(
                ctx.org, None, **after, state=state or "active", retired_on=retired_on
            )
            ctx.remember("teams", change.key, team)
            return
        team = ctx.obj("teams", change.key)
        if state is not None and state != TeamState.RETIRED:
            if team.is_retired:
                team = services.reactivate_team(ctx.org, None, team, state=state)
            else:
                after["state"] = state
        if after:
            services.update_team(ctx.org, None, team, **after)

    def finish(self, ctx: Context, changes: list[Change]) -> None:
        """Retire what the file says is retired, sub-teams before their parents; a team
        already retired on another day is reactivated and retired again on the file's."""
        failed = ctx.failed.get(self.section, set())
        todo = []
        for change in changes:
            if change.action != "update" or change.key in failed:
                continue
            state = change.fields.get("state", (None, None))[1]
            day = change.fields.get("retired_on", (None, None))[1]
            team = ctx.obj("teams", change.key)
            if state == TeamState.RETIRED or (day is not None and team.is_retired):
                todo.append((change, day))
        if not todo:
            return
        parents = dict(Team.objects.for_org(ctx.org).values_list("id", "parent_id"))

        def depth(team_id):
            d = 0
            while parents.get(team_id):
                team_id, d = parents[team_id], d + 1
            return d

        todo.sort(key=lambda pair: -depth(ctx.obj("teams", pair[0].key).id))
        for change, day in todo:

            def retire(change=change, day=day):
                team = Team.objects.get(pk=ctx.obj("teams", change.key).pk)
                if team.is_retired:
                    team = services.reactivate_team(ctx.org, None, team)
                services.retire_team(ctx.org, None, team, on=day)

            ctx.run(change, retire, record=False)

    # What else holds a team, and how a plan counts it. A team still held by any of these
    # (that the same file does not remove) is not removed: the plan says what holds it.
    HOLDERS = (
        ("alignment.Objective", "team_id", "objectives", "objective(s)"),
        ("alignment.Initiative", "team_id", "initiatives", "initiative(s)"),
        ("rhythm.Cadence", "team_id", None, "cadence(s)"),
        ("rhythm.Cadence", "teams__id", None, "cadence(s) of several teams"),
        ("decisions.Issue", "team_id", None, "issue(s)"),
        ("decisions.Decision", "teams__id", None, "decision(s)"),
        ("decisions.ActionItem", "team_id", None, "action item(s)"),
    )

    def cascade(self, ctx: Context, changes: list[Change]) -> None:
        """One policy for removing a team: what only describes the team (its memberships,
        past terms, open positions and links to other teams) goes with it and is listed as
        removals of their own; a team still held by records the file keeps (objectives,
        initiatives, cadences, issues, decisions, action items, sub-teams) is not removed,
        and the plan says why."""
        from django.apps import apps
        from django.db.models import Count

        removing = {c.key for c in changes if c.section == "teams" and c.action == "remove"}
        if not removing or ctx.org is None:
            return
        teams = {key: ctx.existing_of("teams")[key][0] for key in removing}
        by_id = {team.pk: key for key, team in teams.items()}
        gone: dict[str, set[int]] = {}
        for c in changes:
            if c.action == "remove" and c.section in ("objectives", "initiatives"):
                gone.setdefault(c.section, set()).add(ctx.existing_of(c.section)[c.key][0].pk)
        held: dict[str, list[str]] = {}
        kept_children = (
            Team.objects.for_org(ctx.org)
            .filter(parent_id__in=list(by_id))
            .exclude(pk__in=list(by_id))
            .values("parent_id")
            .annotate(n=Count("id"))
        )
        for row in kept_children:
            held.setdefault(by_id[row["parent_id"]], []).append(f"{row['n']} sub-team(s)")
        for label, field, section, noun in self.HOLDERS:
            model = apps.get_model(label)
            rows = model.objects.filter(org=ctx.org, **{f"{field}__in": list(by_id)})
            if section and gone.get(section):
                rows = rows.exclude(pk__in=gone[section])
            for row in rows.values(field).annotate(n=Count("id", distinct=True)).order_by():
                held.setdefault(by_id[row[field]], []).append(f"{row['n']} {noun}")
        # A removed team's parent cannot go while that team stays.
        for key in list(held):
            team = teams[key]
            while team.parent_id in by_id and by_id[team.parent_id] not in held:
                parent_key = by_id[team.parent_id]
                held[parent_key] = [f"its sub-team {team.slug!r}, which stays"]
                team = teams[parent_key]
        refused = set()
        for key, reasons in held.items():
            refused.add(key)
            ctx.report.add(
                "in_use",
                f"Team {teams[key].slug!r} is left out of the file but is still used by "
                f"{', '.join(reasons)}; it is not removed. Remove or move those first.",
                path="teams",
                value=teams[key].slug,
            )
        changes[:] = [
            c
            for c in changes
            if not (c.section == "teams" and c.action == "remove" and c.key in refused)
        ]
        removing -= refused
        if not removing:
            return
        listed = {(c.section, c.key) for c in changes if c.action == "remove"}
        for c in changes:
            # A term of a team that goes is deleted with it, not ended first.
            if (
                c.section == "memberships"
                and c.action == "remove"
                and c.fields
                and c.key.split("/", 1)[0] in removing
            ):
                c.fields = {}
        for section, ends in (
            ("memberships", ("team",)),
            ("past_terms", ("team",)),
            ("vacancies", ("team",)),
            ("team_links", ("from", "to")),
        ):
            kind = next((k for k in ctx.kinds if k.section == section), None)
            if kind is None:
                continue
            for key, (_obj, data) in ctx.existing_of(section).items():
                if (section, key) in listed:
                    continue
                if any(str(data[end]).lower() in removing for end in ends):
                    changes.append(
                        Change(
                            section,
                            key,
                            "remove",
                            {},
                            "teams",
                            None,
                            kind.name_of(data),
                        )
                    )
                    listed.add((section, key))

    def remove_all(self, ctx: Context, changes: list[Change]) -> None:
        # Leaves first.
        parents = {t.id: t.parent_id for t in (ctx.obj("teams", c.key) for c in changes)}

        def depth(team_id):
            d = 0
            while parents.get(team_id):
                team_id, d = parents[team_id], d + 1
            return d

        for change in sorted(changes, key=lambda c: -depth(ctx.obj("teams", c.key).id)):
            ctx.run(change, lambda c=change: self.remove(ctx, c))

    def remove(self, ctx: Context, change: Change) -> None:
        team = Team.objects.get(pk=ctx.obj("teams", change.key).pk)
        for membership in Membership.objects.filter(team=team).select_related("team"):
            services.remove_membership(ctx.org, None, membership)
        services.delete_team(ctx.org, None, team)


def _topological(items: list[Item]) -> list[Item]:
    by_key = {i.key: i for i in items}
    done: set[str] = set()
    out: list[Item] = []
    for item in items:
        chain = []
        current: Item | None = item
        while current is not None and current.key not in done and current not in chain:
            chain.append(current)
            parent = (current.data.get("parent") or "").lower()
            current = by_key.get(parent)
        for node in reversed(chain):
            done.add(node.key)
            out.append(node)
    return out


class People(Kind):
    section = "people"
    noun = "person"
    title = (
        "People, matched by e-mail — the primary address, or one of their other addresses "
        "or handles. A person missing from the file is deactivated."
    )
    key_fields = ("email",)
    removal_verb = "deactivate"
    fields = (
        F("email", "email", required=True, doc="Stable key of the person (case-insensitive)."),
        F("name", "str", required=True),
        F("title", "str", default=""),
        F("role", "str", default=Role.MEMBER.value, choices=tuple(Role.values)),
        F(
            "timezone",
            "timezone",
            auto=True,
            doc="IANA time zone, e.g. Europe/Paris. Left out: the organization's for a new "
            "person; unchanged for an existing one.",
        ),
        F("active", "bool", default=True),
        F(
            "emails",
            "list",
            items="address",
            default=[],
            auto=True,
            max_length=254,
            doc="Other e-mail addresses of the person. Left out, the person's stay as they are.",
        ),
        F(
            "handles",
            "list",
            items="handle",
            default=[],
            auto=True,
            max_length=260,
            doc="Handles elsewhere, kind:name (github:ada, slack:ada, matrix:ada:example.org; "
            "kinds github, gitlab, slack, matrix, irc, other). Left out, the person's stay.",
        ),
    )

    def existing(self, org):
        if org is None:
            return {}
        out = {}
        identities = _identities_by_person(org)
        # Agents are not people of the file: they are managed by their owners (docs/agents.md).
        people = (
            Person.objects.for_org(org)
            .exclude(email="")
            .exclude(kind="agent")
            .select_related("user")
        )
        for p in people.order_by("id"):
            out.setdefault(p.email.lower(), (p, self._data(p, identities)))
        return out

    def removable(self, key, data) -> bool:
        return bool(data["active"])

    def names_existing(self, ctx, item) -> bool:
        """By their primary address, or one of their others or handles (as
        `_match_identities` matches them)."""
        existing = ctx.existing_of(self.section)
        if item.key in existing:
            return True
        handles = set(item.data.get("handles") or ())
        return any(
            item.key in data["emails"] or handles & set(data["handles"])
            for _p, data in existing.values()
        )

    def export_items(self, org, *, people=None):
        qs = (
            Person.objects.for_org(org)
            .exclude(email="")
            .exclude(kind="agent")
            .order_by(Lower("email"), "id")
        )
        if people is not None:
            qs = qs.filter(pk__in=people)
        identities = _identities_by_person(org, people)
        previous = None  # ordered by e-mail, so the same e-mail twice comes together
        for p in qs.iterator(chunk_size=500):
            if p.email.lower() == previous:
                continue  # only the first of two people with one e-mail can be matched
            previous = p.email.lower()
            yield self._data(p, identities)

    @staticmethod
    def _data(p: Person, identities: dict[int, dict[str, list[str]]]) -> dict[str, Any]:
        return {
            "email": p.email,
            "name": p.name,
            "title": p.title,
            "role": p.role,
            "timezone": p.timezone,
            "active": p.is_active,
            **identities.get(p.pk, {"emails": [], "handles": []}),
        }

    def check(self, ctx: Context, items: list[Item]) -> None:
        assert ctx.desired is not None
        existing = ctx.existing_of("people")
        self._match_identities(ctx, items, existing)
        self._keep_actor(ctx, items, existing)
        if ctx.keep_admins:
            self._keep_admins(ctx, items, existing)
        # What the organization's people will be: the file's items, and those it leaves
        # alone (section not pruned, or items skipped as invalid).
        named = {i.key for i in items}
        kept = ctx.desired.skipped.get("people", set()) if ctx.prune else set(existing)
        after = {i.key: i.data for i in items}
        after.update({k: existing[k][1] for k in kept - named if k in existing})

        def admin(data) -> bool:
            return data["role"] == Role.ADMIN and data["active"]

        def signs_in(key) -> bool:  # only people who already have a login can sign in
            person = existing.get(key, (None,))[0]
            return person is not None and person.user is not None and person.user.is_active

        had_admin = any(admin(d) for _p, d in existing.values())
        had_login = any(admin(d) and signs_in(k) for k, (_p, d) in existing.items())
        has_admin = any(admin(d) for d in after.values())
        has_login = any(admin(d) and signs_in(k) for k, d in after.items())
        if (had_admin and not has_admin) or (had_login and not has_login):
            admins = sorted(
                k for k, (_p, d) in existing.items() if admin(d) and (signs_in(k) or not had_login)
            )
            keep = f" (e.g. {', '.join(admins[:3])})" if admins else ""
            ctx.refuse(
                "people",
                "no_admin",
                "The file leaves the organization without an active admin who can sign in. "
                f"Keep one in the file as an active admin{keep}: the people section, and so "
                "the whole file, cannot be applied.",
            )

    @staticmethod
    def _match_identities(ctx: Context, items: list[Item], existing) -> None:
        """One human is one person. An item whose e-mail is not a person's primary address
        but one of their other addresses, or whose handles are theirs, describes that
        person (its key becomes theirs, and references to it follow). An address or handle
        that belongs to someone else is a problem: the item is skipped and that person is
        left as they are."""
        assert ctx.desired is not None
        owner: dict[tuple[str, str], str] = {}  # ("email", address) or ("handle", h) -> key
        for key, (_p, data) in existing.items():
            owner[("email", key)] = key
            owner.update({("email", e): key for e in data["emails"]})
            owner.update({("handle", h): key for h in data["handles"]})
        named = {i.key for i in items}
        claimed: dict[tuple[str, str], Item] = {}
        skipped = ctx.desired.skipped.setdefault("people", set())
        for item in list(items):
            emails = sorted(set(item.data["emails"]) - {item.key})
            handles = sorted(set(item.data["handles"]))
            claims = [("email", item.key), *(("email", e) for e in emails)]
            claims += [("handle", h) for h in handles]
            owners = {owner[c]: c for c in claims if c in owner}
            others = {k: c for k, c in owners.items() if k != item.key}
            if item.key not in existing and len(others) == 1:
                target, claim = next(iter(others.items()))
                if target in named:
                    skipped.add(target)
                    ctx.skip(
                        "people",
                        item,
                        item.path,
                        item.key,
                        f"{claim[1]} belongs to {existing[target][1]['name']} ({target}), "
                        "who is described elsewhere in the file; item skipped.",
                        "identity_taken",
                    )
                    continue
                current = existing[target][1]
                emails = sorted({*current["emails"], *emails, item.key} - {target})
                handles = sorted({*current["handles"], *handles})
                ctx.notes.append(
                    f"{item.data['email']} ({item.path}) is {current['name']}, known by "
                    f"{claim[1]}: their primary address {current['email']} is kept."
                )
                ctx.aliases.setdefault("people", {})[item.key] = current["email"]
                item.key = target
                item.data = {**item.data, "email": current["email"]}
                keep_unsaid(ctx, People(), item)  # a CSV without a column keeps theirs
                others = {}
            if others:
                name, claim = next((existing[k][1]["name"], c) for k, c in others.items())
                skipped.update(others)
                ctx.skip(
                    "people",
                    item,
                    item.path,
                    claim[1],
                    f"{claim[1]} belongs to {name} ({next(iter(others))}); item skipped.",
                    "identity_taken",
                )
                continue
            item.data = {**item.data, "emails": emails, "handles": handles}
            for c in [("email", item.key), *(("email", e) for e in emails)] + [
                ("handle", h) for h in handles
            ]:
                first = claimed.setdefault(c, item)
                if first is not item:
                    ctx.skip(
                        "people",
                        item,
                        item.path,
                        c[1],
                        f"{c[1]} is also given for the person at {first.path}; item skipped.",
                        "identity_taken",
                    )
                    break

    @staticmethod
    def _keep_actor(ctx: Context, items: list[Item], existing) -> None:
        """The admin applying the file stays an active admin whatever the file says."""
        actor = ctx.actor
        if actor is None or actor.role != Role.ADMIN or not actor.is_active:
            return
        key = (actor.email or "").lower()
        if not key or existing.get(key, (None,))[0] is None:
            return  # not matchable by e-mail: no file can name (or remove) them
        assert ctx.desired is not None
        item = next((i for i in items if i.key == key), None)
        if item is None:
            if ctx.prune:
                ctx.desired.skipped.setdefault("people", set()).add(key)
                ctx.notes.append(
                    f"{actor.email} (you) is not in the file and stays an active admin: a file "
                    "never deactivates the admin applying it."
                )
            return
        if item.data["role"] != Role.ADMIN or not item.data["active"]:
            said = item.data["role"] if item.data["active"] else "inactive"
            item.data = {**item.data, "role": Role.ADMIN.value, "active": True}
            ctx.notes.append(
                f"{actor.email} (you) is {said} in the file ({item.path}) and stays an active "
                "admin: a file never demotes or deactivates the admin applying it."
            )

    @staticmethod
    def _keep_admins(ctx: Context, items: list[Item], existing) -> None:
        """An importer's data (the Kubernetes community's) knows nothing of who administers
        Accord: an active admin it names keeps the admin role, said once in the plan."""
        kept = []
        for item in items:
            current = existing.get(item.key, (None, None))[1]
            if current is None or current["role"] != Role.ADMIN or not current["active"]:
                continue
            if item.data["role"] != Role.ADMIN:
                item.data = {**item.data, "role": Role.ADMIN.value}
                kept.append(item.data["email"])
        if kept:
            n = len(kept)
            ctx.notes.append(
                f"kept {n} admin{'' if n == 1 else 's'} as admin ({', '.join(kept[:5])}"
                f"{', …' if n > 5 else ''}): the imported data never lowers an admin's role."
            )

    def upsert(self, ctx: Context, changes: list[Change]) -> None:
        # Grant admin before taking it away, so the organization always keeps one.
        def order(c: Change) -> int:
            role = c.fields.get("role", (None, None))[1]
            return 0 if c.action == "create" or role == Role.ADMIN else 1

        changes = sorted(changes, key=order)
        new = [c for c in changes if c.action == "create" and self._after(c)["is_active"]]
        ctx.run_many(new, lambda batch: self.create_many(ctx, batch), lambda c: self.write(ctx, c))
        bulk = {id(c) for c in new}
        for change in changes:
            if id(change) not in bulk:
                ctx.run(change, lambda c=change: self.write(ctx, c))

    @staticmethod
    def _after(change: Change) -> dict[str, Any]:
        after = {k: a for k, (_b, a) in change.fields.items()}
        after["is_active"] = after.pop("active", True)
        return after

    def create_many(self, ctx: Context, changes: list[Change]) -> list[Any]:
        rows = [self._after(c) for c in changes]
        for row in rows:
            del row["is_active"]
        return services.add_people(ctx.org, None, rows)

    def write(self, ctx: Context, change: Change) -> None:
        after = {k: a for k, (_b, a) in change.fields.items()}
        if "active" in after:
            after["is_active"] = after.pop("active")
        if change.action == "create":
            active = after.pop("is_active", True)
            person = services.add_person(ctx.org, None, **after)
            if not active:
                services.update_person(ctx.org, None, person, is_active=False)
            ctx.remember("people", change.key, person)
        else:
            services.update_person(ctx.org, None, ctx.obj("people", change.key), **after)

    def remove(self, ctx: Context, change: Change) -> None:
        services.update_person(ctx.org, None, ctx.obj("people", change.key), is_active=False)


ROLE_DOC = "Short name of one of the organization's roles (team_roles)."
# A term's role in its team, in any case ("LEAD" is lead).
TEAM_ROLE = F(
    "role", "slug", default=MembershipRole.MEMBER.value, max_length=40, lower=True, doc=ROLE_DOC
)
# Left out, an allocation is not given (`NOT_GIVEN`): a new term takes the services' rule
# (`default_allocation`), an existing one keeps its share.
ALLOCATION = F(
    "allocation",
    "int",
    default=services.NOT_GIVEN,
    minimum=0,
    maximum=100,
    auto=True,
    null_means_unknown=True,
    doc="Percent of their time; null when unknown (e.g. a volunteer). Left out: 100 for "
    "someone in no team yet, unknown for someone already in a team (a past term: 100); "
    "unchanged for an existing term.",
)


def _day(value: Any) -> str | None:
    return value.isoformat() if value else None


def _identities_by_person(org, people=None) -> dict[int, dict[str, list[str]]]:
    """Each person's (of `people`, ids, when given) other addresses and handles, in one
    query, as the file writes them."""
    out: dict[int, dict[str, list[str]]] = {}
    rows = PersonIdentity.objects.for_org(org).order_by("kind", "value")
    if people is not None:
        rows = rows.filter(person__in=people)
    for person_id, kind, value in rows.values_list("person_id", "kind", "value"):
        lists = out.setdefault(person_id, {"emails": [], "handles": []})
        if kind == IdentityKind.EMAIL:
            lists["emails"].append(value)
        else:
            lists["handles"].append(f"{kind}:{value}")
    for lists in out.values():
        lists["handles"].sort()
    return out


class Memberships(Kind):
    section = "memberships"
    noun = "membership"
    remove_first = True
    title = (
        "Who is in which team now, in which role, since when, with a share of their time. "
        "Ended terms are in past_terms."
    )
    key_fields = ("team", "person")
    fields = (
        F("team", "slug", required=True, max_length=80, ref="teams"),
        F("person", "email", required=True, ref="people", doc="E-mail of the person."),
        TEAM_ROLE,
        ALLOCATION,
        F("started_on", "date", doc="When the term started, if known."),
    )

    def existing(self, org):
        if org is None:
            return {}
        out = {}
        rows = (
            Membership.objects.for_org(org)
            .select_related("team", "person")
            .exclude(person__email="")
            .order_by("id")
        )
        for m in rows:
            data = {
                "team": m.team.slug,
                "person": m.person.email,
                "role": m.role,
                "allocation": m.allocation,
                "started_on": _day(m.started_on),
            }
            out[self.key_of(data)] = (m, data)
        return out

    def export_items(self, org, *, people=None):
        rows = (
            Membership.objects.for_org(org)
            .exclude(person__email="")
            .order_by(Lower("team__slug"), Lower("person__email"), "id")
        )
        if people is not None:
            rows = rows.filter(person__in=people)
        # Someone's only term at 100% is what leaving its allocation out gives: the file
        # leaves it out (`Implied`), as files always have.
        others = Membership.objects.filter(person=OuterRef("person")).exclude(pk=OuterRef("pk"))
        rows = rows.annotate(sole=~Exists(others)).values_list(
            "team__slug", "person__email", "role", "allocation", "started_on", "sole"
        )
        for team, person, role, allocation, started, sole in rows.iterator(chunk_size=500):
            item = {"team": team, "person": person, "role": role, "allocation": allocation}
            if started:
                item["started_on"] = started.isoformat()
            if allocation == 100 and sole:
                item = Implied(item, implied=("allocation",))
            yield item

    def check(self, ctx: Context, items: list[Item]) -> None:
        """The shares the file gives one person add up to at most 100%. A share it leaves
        out is not counted: the services' rule never refuses it (`default_allocation`)."""
        totals: dict[str, int] = {}
        for item in list(items):
            allocation = item.data["allocation"]
            if allocation is None or allocation is services.NOT_GIVEN:
                continue
            person = item.data["person"].lower()
            total = totals.get(person, 0) + allocation
            if total > 100:
                ctx.skip(
                    "memberships",
                    item,
                    f"{item.path}.allocation",
                    item.data["allocation"],
                    f"{item.data['person']} would be allocated {total}% in all (at most 100%); "
                    "item skipped.",
                    "over_allocated",
                )
                continue
            totals[person] = total

    def upsert(self, ctx: Context, changes: list[Change]) -> None:
        # Free time before giving it: removals (done first), lowered allocations, the rest.
        def order(c: Change) -> int:
            if c.action == "update":
                before, after = c.fields.get("allocation", (0, 0))
                return 0 if (after or 0) <= (before or 0) else 1
            return 2

        changes = sorted(changes, key=order)
        new = [c for c in changes if c.action == "create"]  # last in that order
        for change in changes[: len(changes) - len(new)]:
            ctx.run(change, lambda c=change: self.write(ctx, c))
        # The shares the file gives before those it leaves out, which then follow the
        # services' rule beside them (unknown for someone the file puts in another team).
        new.sort(key=lambda c: "allocation" not in c.fields)
        ctx.run_many(new, lambda batch: self.create_many(ctx, batch), lambda c: self.write(ctx, c))

    @staticmethod
    def _new(ctx: Context, change: Change) -> dict[str, Any]:
        """A new term's fields as the services take them: its team and person as objects.
        An allocation the file leaves out is not among them (`Created`): the services
        decide it."""
        row = {k: a for k, (_b, a) in change.fields.items()}
        row["team"], row["person"] = ctx.obj("teams", row["team"]), ctx.obj("people", row["person"])
        return row

    def create_many(self, ctx: Context, changes: list[Change]) -> list[Any]:
        return services.add_memberships(ctx.org, None, [self._new(ctx, c) for c in changes])

    def write(self, ctx: Context, change: Change) -> None:
        if change.action == "create":
            services.add_membership(ctx.org, None, **self._new(ctx, change))
        else:
            after = {k: a for k, (_b, a) in change.fields.items()}
            membership = ctx.obj("memberships", change.key)
            for name in ("team", "person"):
                if name in after:
                    raise ServiceError(f"The {name} of a membership is its key.")
            services.update_membership(ctx.org, None, membership, **after)

    def removal_fields(self, ctx: Context, key: str, data: dict[str, Any]):
        """A term the file leaves out ends today and is kept as a past term, as "End term"
        on the team page keeps it (past terms are never removed by a file, so applying the
        file again changes nothing). Unless the file's past_terms gives this term's end
        itself (a new past term of the same person in the same team): then that item is
        the term's record, and the current term is deleted."""
        assert ctx.desired is not None
        if self.section not in ctx.kept:  # once per apply: the terms the file ends itself
            items = ctx.desired.sections.get("past_terms") or []
            existing = ctx.existing_of("past_terms") if items else {}
            ctx.kept[self.section] = {
                self.key_of(item.data) for item in items if item.key not in existing
            }
        if key in ctx.kept[self.section]:
            return {}
        return {"ended_on": (None, localdate().isoformat())}

    def remove(self, ctx: Context, change: Change) -> None:
        membership = ctx.obj("memberships", change.key)
        if not Membership.objects.filter(pk=membership.pk).exists():
            return  # ended or deleted already (its team or person went first)
        if "ended_on" in change.fields:
            services.end_term(ctx.org, None, membership, on=change.fields["ended_on"][1])
        else:
            services.remove_membership(ctx.org, None, membership)


class PastTerms(Kind):
    section = "past_terms"
    noun = "past term"
    title = (
        "Terms that have ended (who led a team, when): kept as history, no longer counted "
        "as membership. A past term is kept as it was; its end day is part of its key. A "
        "file adds past terms but never removes one it leaves out (history stays)."
    )
    key_fields = ("team", "person", "ended_on")
    fields = (
        F("team", "slug", required=True, max_length=80, ref="teams"),
        F("person", "email", required=True, ref="people", doc="E-mail of the person."),
        F("ended_on", "date", required=True, doc="The last day of the term."),
        TEAM_ROLE,
        F("started_on", "date", doc="When the term started, if known."),
        ALLOCATION,
    )

    def _rows(self, org):
        return (
            Membership.terms.for_org(org)
            .past()
            .exclude(person__email="")
            .order_by(Lower("team__slug"), Lower("person__email"), "ended_on", "id")
        )

    def _data(self, team, person, ended, role, started, allocation) -> dict[str, Any]:
        return {
            "team": team,
            "person": person,
            "ended_on": ended.isoformat(),
            "role": role,
            "started_on": _day(started),
            "allocation": allocation,
        }

    def existing(self, org):
        if org is None:
            return {}
        out = {}
        for m in self._rows(org).select_related("team", "person"):
            data = self._data(
                m.team.slug, m.person.email, m.ended_on, m.role, m.started_on, m.allocation
            )
            out[self.key_of(data)] = (m, data)
        return out

    def export_items(self, org, *, people=None):
        rows = self._rows(org).values_list(
            "team__slug", "person__email", "ended_on", "role", "started_on", "allocation"
        )
        if people is not None:
            rows = rows.filter(person__in=people)
        for row in rows.iterator(chunk_size=500):
            data = self._data(*row)
            if data["started_on"] is None:
                del data["started_on"]
            yield data

    def write(self, ctx: Context, change: Change) -> None:
        after = {k: a for k, (_b, a) in change.fields.items()}
        if change.action != "create":
            raise ServiceError(
                "A past term is kept as it was; remove it and describe it again to correct it."
            )
        team = ctx.obj("teams", after.pop("team"))
        person = ctx.obj("people", after.pop("person"))
        services.add_membership(ctx.org, None, person=person, team=team, **after)

    def removable(self, key, data) -> bool:
        """History stays: a past term the file leaves out is not removed (a term the same
        file ends would otherwise be removed by applying it again). Past terms go only with
        a team the file removes (Teams.cascade)."""
        return False

    def remove(self, ctx: Context, change: Change) -> None:
        membership = ctx.obj(self.section, change.key)
        if Membership.terms.filter(pk=membership.pk).exists():
            services.remove_membership(ctx.org, None, membership)


class Vacancies(Kind):
    section = "vacancies"
    noun = "open position"
    title = 'Open positions: a team looks for someone in a role ("lead: position open").'
    key_fields = ("team", "role")
    fields = (
        F("team", "slug", required=True, max_length=80, ref="teams"),
        F("role", "slug", required=True, max_length=40, lower=True, doc=ROLE_DOC),
        F("since", "date", doc="Since when the position is open. Left out: today."),
        F("note", "str", default="", max_length=500),
    )

    def existing(self, org):
        if org is None:
            return {}
        out = {}
        for v in TeamVacancy.objects.for_org(org).select_related("team").order_by("id"):
            data = {"team": v.team.slug, "role": v.role, "since": v.since.isoformat()}
            data["note"] = v.note
            out[self.key_of(data)] = (v, data)
        return out

    def export_items(self, org):
        rows = (
            TeamVacancy.objects.for_org(org)
            .order_by(Lower("team__slug"), "role", "id")
            .values_list("team__slug", "role", "since", "note")
        )
        for team, role, since, note in rows.iterator(chunk_size=500):
            yield {"team": team, "role": role, "since": since.isoformat(), "note": note}

    def write(self, ctx: Context, change: Change) -> None:
        after = {k: a for k, (_b, a) in change.fields.items()}
        if change.action == "create":
            team = ctx.obj("teams", after.pop("team"))
            services.open_vacancy(ctx.org, None, team, **after)
        else:
            services.update_vacancy(ctx.org, None, ctx.obj(self.section, change.key), **after)

    def remove(self, ctx: Context, change: Change) -> None:
        vacancy = ctx.obj(self.section, change.key)
        if TeamVacancy.objects.filter(pk=vacancy.pk).exists():
            services.close_vacancy(ctx.org, None, vacancy)


class Links(Kind):
    """A section of links `from` -> `to` of some `kind`; all three are the key."""

    key_fields = ("from", "to", "kind")
    target = ""  # the section both ends refer to
    remove_first = True  # so a link turned around is not refused as a cycle
    one_way = False  # refuse a -> b together with b -> a

    def name_of(self, data: dict[str, Any]) -> str:
        # Spaces cannot appear in slugs or ids, so this key reads both ends unambiguously.
        return f"{data['from']} -> {data['to']} ({data['kind']})"

    def check(self, ctx: Context, items: list[Item]) -> None:
        taken: set[str] = set()  # in file order: the later of a -> b and b -> a is skipped
        for item in list(items):
            a, b, kind = (str(item.data[f]) for f in self.key_fields)
            inverse = self.key_of({"from": b, "to": a, "kind": kind})
            if a.lower() == b.lower():
                ctx.skip(
                    self.section,
                    item,
                    f"{item.path}.to",
                    item.data["to"],
                    f"A {self.noun} from {item.data['from']!r} to itself; item skipped.",
                    "self_link",
                )
            elif self.one_way and inverse in taken:
                ctx.skip(
                    self.section,
                    item,
                    item.path,
                    item.key,
                    f"{item.data['from']!r} and {item.data['to']!r} would {kind} each other; "
                    "this one was skipped.",
                    "cycle",
                )
            else:
                taken.add(item.key)

    def upsert(self, ctx: Context, changes: list[Change]) -> None:
        # Every item is all key: a change is a creation.
        for change in changes:
            ctx.run(change, lambda c=change: self.write(ctx, c))

    def write(self, ctx: Context, change: Change) -> None:
        after = {k: a for k, (_b, a) in change.fields.items()}
        if change.action != "create":
            raise ServiceError(f"The ends and kind of a {self.noun} are its key.")
        self.link(
            ctx,
            ctx.obj(self.target, after["from"]),
            ctx.obj(self.target, after["to"]),
            after["kind"],
        )

    def remove(self, ctx: Context, change: Change) -> None:
        link = ctx.obj(self.section, change.key)
        if type(link).objects.filter(pk=link.pk).exists():
            self.unlink(ctx, link)


class TeamLinks(Links):
    section = "team_links"
    noun = "team link"
    title = (
        "Links between teams. With kind stakeholder, `to` is a stakeholder of `from` "
        "(a SIG of a working group); with kind liaison, `person`, a member of `from`, "
        "represents it to `to`."
    )
    target = "teams"
    fields = (
        F("from", "slug", required=True, max_length=80, ref="teams", doc="Slug of a team."),
        F("to", "slug", required=True, max_length=80, ref="teams", doc="Slug of the team linked."),
        F(
            "kind",
            "str",
            default=TeamLinkKind.STAKEHOLDER.value,
            choices=tuple(TeamLinkKind.values),
        ),
        F(
            "person",
            "email",
            ref="people",
            doc="For kind liaison (and only then): e-mail of the member of `from` who liaises.",
        ),
    )

    def existing(self, org):
        if org is None:
            return {}
        out = {}
        rows = (
            TeamLink.objects.for_org(org)
            .select_related("from_team", "to_team", "person")
            .order_by("id")
        )
        for link in rows:
            data = {
                "from": link.from_team.slug,
                "to": link.to_team.slug,
                "kind": link.kind,
                "person": link.person.email if link.person_id else None,
            }
            out[self.key_of(data)] = (link, data)
        return out

    def export_items(self, org, *, people=None):
        rows = (
            TeamLink.objects.for_org(org)
            .order_by(Lower("from_team__slug"), Lower("to_team__slug"), "kind", "id")
            .values_list("from_team__slug", "to_team__slug", "kind", "person__email")
        )
        if people is not None:
            rows = rows.filter(person__in=people)
        for a, b, kind, person in rows.iterator(chunk_size=500):
            item = {"from": a, "to": b, "kind": kind}
            if person:
                item["person"] = person
            yield item

    def upsert(self, ctx: Context, changes: list[Change]) -> None:
        for change in changes:
            ctx.run(change, lambda c=change: self.write(ctx, c))

    def write(self, ctx: Context, change: Change) -> None:
        after = {k: a for k, (_b, a) in change.fields.items()}
        if change.action == "create":
            person = ctx.obj("people", after["person"]) if after.get("person") else None
            link = services.link_teams(
                ctx.org,
                None,
                ctx.obj(self.target, after["from"]),
                ctx.obj(self.target, after["to"]),
                after["kind"],
                person=person,
            )
            ctx.remember(self.section, change.key, link)
            return
        if set(after) - {"person"}:
            raise ServiceError(f"The ends and kind of a {self.noun} are its key.")
        # Another liaison: the link is made again with the new person.
        link = ctx.obj(self.section, change.key)
        a, b, kind = link.from_team, link.to_team, link.kind
        services.unlink_teams(ctx.org, None, a, b, kind)
        person = ctx.obj("people", after["person"]) if after["person"] else None
        services.link_teams(ctx.org, None, a, b, kind, person=person)

    def unlink(self, ctx, link):
        services.unlink_teams(ctx.org, None, link.from_team, link.to_team, link.kind)


def people_kinds() -> list[Kind]:
    return [
        TeamKinds(),
        TeamRoles(),
        Teams(),
        People(),
        Memberships(),
        PastTerms(),
        Vacancies(),
        TeamLinks(),
    ]
