"""Periods, objectives, key results, initiatives, dependencies and cadences in the file.

Objects without a slug are matched by an `id`: the key they were created with (kept in
ExternalKey), or `<kind>-<database id>` for objects made elsewhere in Accord.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from itertools import chain
from typing import Any

from django.db.models import Q

from accord.core.errors import ServiceError
from accord.interchange.engine import Change, Context, Kind
from accord.interchange.fields import F
from accord.interchange.kinds_org import Links
from accord.interchange.models import ExternalKey
from accord.rhythm.forms import agenda_from_text, agenda_to_text
from accord.rhythm.templates_catalog import SECTION_SOURCES

REASON = "Changed by an organization file."


def _num(value: Any) -> Any:
    if value is None:
        return None
    value = float(value)
    return int(value) if value.is_integer() else value


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


class Keyed(Kind):
    """A section whose items are matched by `id`."""

    key_fields = ("id",)
    model_label = ""  # app_label.Model

    def rows(self, org) -> Iterable[tuple[Any, dict[str, Any]]]:
        """(object, its data) of the section, in the file's order. A kind with a field
        naming a person also takes `people` (ids): then only the objects naming one of
        them, and only the keys of what those refer to (`export_items`)."""
        raise NotImplementedError

    def keys(self, org, ids: Iterable[int] | None = None) -> dict[int, str]:
        """object id -> its key where one was given (every one, or those of `ids`)."""
        rows = ExternalKey.objects.for_org(org).filter(section=self.section)
        if ids is not None:
            rows = rows.filter(object_id__in=sorted(set(ids)))
        return dict(rows.values_list("object_id", "key"))

    def key_map(self, org, ids: Iterable[int] | None = None) -> dict[int, str]:
        """object id -> key, for every object of this section (or those of `ids`)."""
        from django.apps import apps

        model = apps.get_model(self.model_label)
        pks = model.objects.filter(org=org)
        if ids is not None:
            ids = sorted(set(ids))
            pks = pks.filter(pk__in=ids)
        keys = self.keys(org, ids)
        return {
            pk: keys.get(pk) or self.implicit(pk)
            for pk in pks.values_list("id", flat=True).iterator()
        }

    def implicit(self, pk: int) -> str:
        return f"{self.noun.replace(' ', '-')}-{pk}"

    def existing(self, org):
        if org is None:
            return {}
        keys = dict(
            ExternalKey.objects.for_org(org)
            .filter(section=self.section)
            .values_list("object_id", "key")
        )
        out = {}
        for obj, data in self.rows(org):
            key = keys.get(obj.pk) or self.implicit(obj.pk)
            out[key.lower()] = (obj, {"id": key, **data})
        return out

    def export_items(self, org, *, people=None):
        """Streamed: one object at a time from the database (see rows). With `people`,
        only the objects naming them, read from theirs alone (`Kind.export_items`)."""
        if people is None:
            keys, rows = self.keys(org), self.rows(org)
        else:
            rows = list(self.rows(org, people=people))  # type: ignore[call-arg]
            keys = self.keys(org, [obj.pk for obj, _data in rows])
        for obj, data in rows:
            yield {"id": keys.get(obj.pk) or self.implicit(obj.pk), **data}

    def created(self, ctx: Context, change: Change, obj: Any) -> None:
        key = change.fields["id"][1]
        if key.lower() != self.implicit(obj.pk):
            ctx.stage_key(self.section, key, obj)  # written in bulk, in this transaction
        ctx.remember(self.section, change.key, obj)

    def after(self, change: Change) -> dict[str, Any]:
        """The new values of a change, dates as dates."""
        dates = {f.name for f in self.fields if f.type == "date"}
        return {
            k: dt.date.fromisoformat(a) if k in dates and a else a
            for k, (_b, a) in change.fields.items()
            if k != "id"
        }

    def refs(self, ctx: Context, section: str, keys: list[str] | None) -> list[Any]:
        return [ctx.obj(section, k) for k in keys or []]

    def person(self, ctx: Context, email: str | None):
        return ctx.obj("people", email) if email else None

    def team(self, ctx: Context, slug: str | None):
        return ctx.obj("teams", slug) if slug else None


# --- periods -----------------------------------------------------------------------------


class Periods(Kind):
    section = "periods"
    noun = "period"
    title = "Periods (quarters, halves, releases…), matched by name."
    key_fields = ("name",)
    fields = (
        F("name", "str", required=True, max_length=100, doc="Stable key of the period."),
        F(
            "kind",
            "str",
            default="quarter",
            choices=("quarter", "half", "year", "release", "custom"),
        ),
        F("start", "date", required=True),
        F("end", "date", required=True),
        F("state", "str", default="planning", choices=("planning", "active", "closed")),
        F(
            "current",
            "bool",
            default=False,
            auto=True,
            doc="Makes it the organization's current period (one at a time).",
        ),
    )

    def existing(self, org):
        if org is None:
            return {}
        from accord.alignment.models import Period

        return {
            p.name.lower(): (
                p,
                {
                    "name": p.name,
                    "kind": p.kind,
                    "start": _iso(p.start),
                    "end": _iso(p.end),
                    "state": p.state,
                    "current": p.is_current,
                },
            )
            for p in Period.objects.for_org(org).order_by("start", "name")
        }

    def export_items(self, org):
        return [data for _o, data in self.existing(org).values()]

    def check(self, ctx, items):
        for item in list(items):
            if item.data["end"] < item.data["start"]:
                ctx.skip(
                    self.section,
                    item,
                    f"{item.path}.end",
                    item.data["end"],
                    "The period ends before it starts; item skipped.",
                    "invalid_value",
                )
        if sum(1 for i in items if i.data["current"]) > 1:
            ctx.report.add(
                "invalid_value",
                "More than one period is marked current; only the last one will be.",
                path=self.section,
                action="corrected",
            )

    def write(self, ctx, change):
        from accord.alignment import services

        after = {k: a for k, (_b, a) in change.fields.items()}
        after.pop("current", None)
        state = after.pop("state", None)
        if change.action == "create":
            period = services.create_period(
                ctx.org, None, state="planning" if state == "closed" else state, **after
            )
            ctx.remember(self.section, change.key, period)
        else:
            period = ctx.obj(self.section, change.key)
            if state and state != "closed":
                after["state"] = state
            if after:
                services.update_period(ctx.org, None, period, **after)

    def finish(self, ctx, changes):
        """Closing and the current period come last: closed periods freeze their contents."""
        from accord.alignment import services

        for change in changes:
            state = change.fields.get("state", (None, None))[1]
            current = change.fields.get("current", (None, None))[1]

            def finish_one(state=state, current=current, change=change):
                period = ctx.obj(self.section, change.key)
                if current:
                    services.set_current_period(ctx.org, None, period)
                if state == "closed":
                    services.close_period(ctx.org, None, period)

            if state == "closed" or current:
                ctx.run(change, finish_one, record=False)


# --- milestones ----------------------------------------------------------------------------


MILESTONE_KINDS = (
    "feature_freeze",
    "code_freeze",
    "release_candidate",
    "release",
    "planning",
    "other",
)


class Milestones(Kind):
    section = "milestones"
    noun = "milestone"
    title = (
        "Milestones (feature freeze, release…), matched by name: a fixed date, or relative "
        "to another milestone by a number of days (R-4 weeks: anchor the release, -28)."
    )
    key_fields = ("name",)
    fields = (
        F("name", "str", required=True, max_length=200, doc="Stable key of the milestone."),
        F("kind", "str", default="other", choices=MILESTONE_KINDS),
        F("date", "date", doc="Its date; left out for a milestone relative to another."),
        F("anchor", "str", max_length=200, ref="milestones", doc="The milestone it follows."),
        F("offset_days", "int", default=0, minimum=-3660, maximum=3660, doc="Days from it."),
        F("period", "str", max_length=100, ref="periods"),
        F("teams", "list", items="slug", ref="teams", default=[], doc="None: everyone."),
        F("description", "text", default=""),
    )

    def existing(self, org):
        if org is None:
            return {}
        from accord.alignment.models import Milestone

        qs = (
            Milestone.objects.for_org(org)
            .select_related("anchor", "period")
            .prefetch_related("teams")
            .order_by("date", "name")
        )
        return {
            m.name.lower(): (
                m,
                {
                    "name": m.name,
                    "kind": m.kind,
                    "date": None if m.anchor_id else _iso(m.date),
                    "anchor": m.anchor.name if m.anchor else None,
                    "offset_days": m.offset_days if m.anchor_id else 0,
                    "period": m.period.name if m.period else None,
                    "teams": sorted(t.slug for t in m.teams.all()),
                    "description": m.description,
                },
            )
            for m in qs
        }

    def export_items(self, org):
        return [data for _o, data in self.existing(org).values()]

    def check(self, ctx, items):
        by_key = {i.key: i for i in items}
        for item in list(items):
            data = item.data
            data["teams"] = sorted(data["teams"])
            if data["anchor"]:
                if data["date"]:
                    ctx.report.add(
                        "invalid_value",
                        "A relative milestone takes its date from its anchor; date ignored.",
                        path=f"{item.path}.date",
                        line=item.line,
                        value=data["date"],
                        action="corrected",
                    )
                    data["date"] = None
            else:
                data["offset_days"] = 0
                if not data["date"]:
                    ctx.skip(
                        self.section,
                        item,
                        f"{item.path}.date",
                        None,
                        "A milestone needs a date or an anchor; item skipped.",
                        "invalid_value",
                    )
        for item in list(items):  # anchors that come back to themselves
            seen, node = set(), item
            while node is not None and node.data["anchor"]:
                if node.key in seen:
                    ctx.skip(
                        self.section,
                        item,
                        f"{item.path}.anchor",
                        item.data["anchor"],
                        "Its anchors come back to it (a cycle); item skipped.",
                        "cycle",
                    )
                    break
                seen.add(node.key)
                node = by_key.get(node.data["anchor"].lower())

    def upsert(self, ctx, changes):
        """Anchors first, so a milestone is written after the one it is relative to."""
        pending = {c.key: c for c in changes}
        done: set[str] = set()

        def visit(change, depth=0):
            if change.key in done or depth > len(changes):
                return
            anchor = change.fields.get("anchor", (None, None))[1]
            if anchor and anchor.lower() in pending:
                visit(pending[anchor.lower()], depth + 1)
            done.add(change.key)
            ctx.run(change, lambda c=change: self.write(ctx, c))

        for change in changes:
            visit(change)

    def write(self, ctx, change):
        from accord.alignment import milestones

        after = {k: a for k, (_b, a) in change.fields.items()}
        if after.get("date"):
            after["date"] = dt.date.fromisoformat(after["date"])
        else:
            after.pop("date", None)
        if "anchor" in after:
            after["anchor"] = ctx.obj(self.section, after["anchor"]) if after["anchor"] else None
        if "period" in after:
            after["period"] = ctx.obj("periods", after["period"]) if after["period"] else None
        if "teams" in after:
            after["teams"] = [ctx.obj("teams", t) for t in after["teams"] or []]
        if change.action == "create":
            m = milestones.create_milestone(ctx.org, None, **after)
            ctx.remember(self.section, change.key, m)
        else:
            m = ctx.obj(self.section, change.key)
            if after:
                milestones.update_milestone(ctx.org, None, m, **after)


# --- objectives and key results ------------------------------------------------------------


class Objectives(Keyed):
    model_label = "alignment.Objective"
    section = "objectives"
    noun = "objective"
    title = "Objectives of a period: the whole organization's or a team's."
    fields = (
        F("id", "key", required=True, doc="Stable key (kept across applies)."),
        F("title", "str", required=True, max_length=300),
        F("period", "str", required=True, max_length=100, ref="periods"),
        F("level", "str", default="team", choices=("org", "team")),
        F("team", "slug", max_length=80, ref="teams"),
        F("owner", "email", ref="people"),
        F(
            "status",
            "str",
            default="active",
            choices=("draft", "active", "achieved", "missed", "dropped"),
        ),
        F("description", "text", default=""),
        F(
            "parents",
            "list",
            items="key",
            ref="objectives",
            default=[],
            doc="Objectives it serves.",
        ),
    )

    def rows(self, org, people=None):
        from accord.alignment.models import Objective, ObjectiveLink

        qs = Objective.objects.for_org(org).select_related("period", "team", "owner")
        links = ObjectiveLink.objects.for_org(org)
        if people is not None:
            qs = qs.filter(owner__in=people)
            links = links.filter(child__in=qs.values("pk"))
        parents: dict[int, list[int]] = {}
        for child, parent in links.order_by("id").values_list("child_id", "parent_id"):
            parents.setdefault(child, []).append(parent)
        keys = self.key_map(org, None if people is None else [*chain(*parents.values())])
        for o in qs.order_by("period__start", "id").iterator(chunk_size=500):
            yield (
                o,
                {
                    "title": o.title,
                    "period": o.period.name,
                    "level": o.level,
                    "team": o.team.slug if o.team else None,
                    "owner": o.owner.email if o.owner and o.owner.email else None,
                    "status": o.status,
                    "description": o.description,
                    "parents": [keys[p] for p in parents.get(o.pk, [])],
                },
            )

    def write(self, ctx, change):
        from accord.alignment import services

        after = self.after(change)
        parents = after.pop("parents", None)
        for name in ("team", "owner", "period"):
            if name in after:
                section = {"team": "teams", "owner": "people", "period": "periods"}[name]
                after[name] = ctx.obj(section, after[name]) if after[name] else None
        if change.action == "create":
            obj = services.create_objective(ctx.org, None, **after)
            self.created(ctx, change, obj)
        else:
            obj = ctx.obj(self.section, change.key)
            if after:
                services.update_objective(ctx.org, None, obj, **after)
        if parents is not None:
            ctx.later.append((change, lambda: self.link(ctx, obj, parents)))

    def link(self, ctx, obj, parents):
        from accord.alignment import services
        from accord.alignment.models import ObjectiveLink

        wanted = [ctx.obj(self.section, p) for p in parents]
        current = {link.parent_id: link for link in ObjectiveLink.objects.filter(child=obj)}
        for parent in wanted:
            if parent.pk not in current:
                services.link_objective(ctx.org, None, obj, parent)
        for pk in set(current) - {p.pk for p in wanted}:
            services.unlink_objective(ctx.org, None, current[pk])

    def remove(self, ctx, change):
        from accord.alignment import services

        services.delete_objective(ctx.org, None, ctx.obj(self.section, change.key))


class KeyResults(Keyed):
    model_label = "alignment.KeyResult"
    section = "key_results"
    noun = "key result"
    title = "Key results of an objective: a metric from start to target."
    fields = (
        F("id", "key", required=True),
        F("objective", "key", required=True, ref="objectives"),
        F("name", "str", required=True, max_length=300),
        F("unit", "str", default="", max_length=30),
        F(
            "direction",
            "str",
            default="increase",
            choices=("increase", "decrease", "above", "below", "range"),
        ),
        F("start", "number", default=0),
        F("target", "number", default=0),
        F("current", "number", default=0, doc="Set when created; later values are check-ins."),
        F("range_low", "number"),
        F("range_high", "number"),
        F("milestone", "bool", default=False),
        F("weight", "number", default=1, minimum=0.000001),
        F("owner", "email", ref="people"),
    )

    def rows(self, org, people=None):
        from accord.alignment.models import KeyResult

        qs = KeyResult.objects.for_org(org).select_related("owner")
        ids = None
        if people is not None:
            qs = qs.filter(owner__in=people)
            ids = qs.values_list("objective_id", flat=True)
        objectives = Objectives().key_map(org, ids)
        for kr in qs.order_by("objective_id", "position", "id").iterator(chunk_size=500):
            yield (
                kr,
                {
                    "objective": objectives[kr.objective_id],
                    "name": kr.name,
                    "unit": kr.unit,
                    "direction": kr.direction,
                    "start": _num(kr.start),
                    "target": _num(kr.target),
                    "current": _num(kr.current),
                    "range_low": _num(kr.range_low),
                    "range_high": _num(kr.range_high),
                    "milestone": kr.is_milestone,
                    "weight": _num(kr.weight),
                    "owner": kr.owner.email if kr.owner and kr.owner.email else None,
                },
            )

    def write(self, ctx, change):
        from accord.alignment import services

        after = self.after(change)
        if "milestone" in after:
            after["is_milestone"] = after.pop("milestone")
        if "owner" in after:
            after["owner"] = self.person(ctx, after["owner"])
        if change.action == "create":
            objective = ctx.obj("objectives", after.pop("objective"))
            obj = services.create_key_result(ctx.org, None, objective, **after, as_history=True)
            self.created(ctx, change, obj)
            return
        obj = ctx.obj(self.section, change.key)
        if "objective" in after:
            raise ServiceError("A key result cannot move to another objective.")
        current = after.pop("current", None)
        if after:
            services.update_key_result(ctx.org, None, obj, **after)
        if current is not None:
            services.record_key_result_value(ctx.org, None, obj, current, REASON)

    def remove(self, ctx, change):
        from accord.alignment import services

        services.delete_key_result(ctx.org, None, ctx.obj(self.section, change.key))


# --- initiatives ---------------------------------------------------------------------------


class Initiatives(Keyed):
    model_label = "alignment.Initiative"
    section = "initiatives"
    noun = "initiative"
    title = "Initiatives: the work a team does. Active ones are ranked in file order."
    fields = (
        F("id", "key", required=True),
        F("team", "slug", required=True, max_length=80, ref="teams"),
        F("title", "str", required=True, max_length=300),
        F(
            "status",
            "str",
            default="proposed",
            choices=("proposed", "active", "paused", "done", "dropped"),
        ),
        F("owner", "email", ref="people"),
        F("start_date", "date"),
        F("target_date", "date"),
        F("effort_weeks", "number", minimum=0),
        F("progress", "int", default=0, minimum=0, maximum=100),
        F("stage", "str", default="", max_length=40, doc="Free text, e.g. alpha, beta, stable."),
        F("description", "text", default=""),
        F("objectives", "list", items="key", ref="objectives", default=[]),
        F("key_results", "list", items="key", ref="key_results", default=[]),
    )

    def rows(self, org, people=None):
        from accord.alignment.models import Initiative, InitiativeKeyResult, InitiativeObjective

        qs = Initiative.objects.for_org(org).select_related("team", "owner")
        served = InitiativeObjective.objects.for_org(org).order_by("id")
        moved = InitiativeKeyResult.objects.for_org(org).order_by("id")
        if people is not None:
            qs = qs.filter(owner__in=people)
            served = served.filter(initiative__in=qs.values("pk"))
            moved = moved.filter(initiative__in=qs.values("pk"))
        served_ids = list(served.values_list("initiative_id", "objective_id"))
        moved_ids = list(moved.values_list("initiative_id", "key_result_id"))
        objectives = Objectives().key_map(
            org, None if people is None else [o for _i, o in served_ids]
        )
        kr_keys = KeyResults().key_map(org, None if people is None else [k for _i, k in moved_ids])
        links_o: dict[int, list[str]] = {}
        for i, o in served_ids:
            links_o.setdefault(i, []).append(objectives[o])
        links_k: dict[int, list[str]] = {}
        for i, k in moved_ids:
            links_k.setdefault(i, []).append(kr_keys[k])
        for i in qs.order_by("team__slug", "rank", "next_rank", "id").iterator(chunk_size=500):
            yield (
                i,
                {
                    "team": i.team.slug,
                    "title": i.title,
                    "status": i.status,
                    "owner": i.owner.email if i.owner and i.owner.email else None,
                    "start_date": _iso(i.start_date),
                    "target_date": _iso(i.target_date),
                    "effort_weeks": _num(i.effort_weeks),
                    "progress": i.progress,
                    "stage": i.stage,
                    "description": i.description,
                    "objectives": links_o.get(i.pk, []),
                    "key_results": links_k.get(i.pk, []),
                },
            )

    def write(self, ctx, change):
        from accord.alignment import services

        after = self.after(change)
        objectives = after.pop("objectives", None)
        key_results = after.pop("key_results", None)
        if "owner" in after:
            after["owner"] = self.person(ctx, after["owner"])
        if "team" in after:
            after["team"] = ctx.obj("teams", after["team"])
        if change.action == "create":
            progress = after.get("progress")
            status = after.get("status")
            obj = services.create_initiative(
                ctx.org,
                None,
                objectives=self.refs(ctx, "objectives", objectives),
                key_results=self.refs(ctx, "key_results", key_results),
                **after,
            )
            if status == "done" and progress != 100:
                services.update_initiative(ctx.org, None, obj, progress=progress)
            self.created(ctx, change, obj)
            return
        obj = ctx.obj(self.section, change.key)
        status = after.pop("status", None)
        if status is not None:
            wanted_progress = after.get("progress", obj.progress)
            obj = services.set_initiative_status(ctx.org, None, obj, status, REASON)
            if obj.progress != wanted_progress:  # "done" sets 100; the file says otherwise
                after["progress"] = wanted_progress
        if after:
            services.update_initiative(ctx.org, None, obj, reason=REASON, **after)
        for section, wanted, attr in (
            ("objectives", objectives, "objective"),
            ("key_results", key_results, "key_result"),
        ):
            if wanted is None:
                continue
            targets = self.refs(ctx, section, wanted)
            current = set(
                getattr(obj, "objective_links" if attr == "objective" else "kr_links").values_list(
                    f"{attr}_id", flat=True
                )
            )
            for t in targets:
                if t.pk not in current:
                    services.link_initiative(ctx.org, None, obj, **{attr: t})
            for t_pk in current - {t.pk for t in targets}:
                model = obj.objectives.model if attr == "objective" else obj.key_results.model
                services.unlink_initiative(ctx.org, None, obj, **{attr: model.objects.get(pk=t_pk)})

    def remove(self, ctx, change):
        from accord.alignment import services

        services.delete_initiative(ctx.org, None, ctx.obj(self.section, change.key))


# --- dependencies --------------------------------------------------------------------------

# The states a dependency can be in (a file enters it as it stands: see Dependencies.write).
PATHS = {
    "requested": [],
    "negotiating": ["propose"],
    "accepted": ["accept"],
    "delivered": ["accept", "confirm_delivery"],
    "declined": ["decline"],
    "cancelled": ["cancel"],
}


class Dependencies(Keyed):
    model_label = "coordination.Dependency"
    section = "dependencies"
    noun = "dependency"
    title = "Dependencies: a team's initiative needs something from another team by a date."
    fields = (
        F("id", "key", required=True),
        F("initiative", "key", required=True, ref="initiatives", doc="The requester's initiative."),
        F("provider", "slug", required=True, max_length=80, ref="teams", doc="The team asked."),
        F("title", "str", required=True, max_length=300),
        F("need_by", "date", required=True),
        F(
            "need_by_milestone",
            "str",
            max_length=200,
            ref="milestones",
            doc="The milestone the need-by date follows (its date wins).",
        ),
        F("priority", "str", default="medium", choices=("low", "medium", "high", "critical")),
        F("state", "str", default="requested", choices=tuple(PATHS)),
        F("provider_initiative", "key", ref="initiatives", doc="The provider's initiative."),
        F("committed_date", "date"),
        F("proposed_date", "date", doc="While negotiating: the date proposed."),
        F(
            "marked_delivered_on",
            "date",
            doc="Accepted, and said delivered by the team asked on this day: the asker confirms.",
        ),
        F("flag", "str", choices=("at_risk", "blocked")),
        F("flag_note", "text", default=""),
        F("resolution", "text", default="", doc="Why it was declined or cancelled."),
        F("description", "text", default=""),
    )

    def rows(self, org):
        from accord.coordination.models import Dependency

        initiatives = Initiatives().key_map(org)
        qs = Dependency.objects.for_org(org).select_related("provider_team", "need_by_milestone")
        for d in qs.order_by("id").iterator(chunk_size=500):
            provider_initiative = d.provider_initiative_id or d.proposed_initiative_id
            yield (
                d,
                {
                    "initiative": initiatives[d.requester_initiative_id],
                    "provider": d.provider_team.slug,
                    "title": d.title,
                    "need_by": _iso(d.need_by),
                    "need_by_milestone": d.need_by_milestone.name if d.need_by_milestone else None,
                    "priority": d.priority,
                    "state": d.state,
                    "provider_initiative": initiatives.get(provider_initiative),
                    "committed_date": _iso(d.committed_date),
                    "proposed_date": _iso(d.proposed_date),
                    "marked_delivered_on": _iso(d.marked_delivered_on),
                    "flag": d.flag or None,
                    "flag_note": d.flag_note,
                    "resolution": d.resolution,
                    "description": d.description,
                },
            )

    def write(self, ctx, change):
        from accord.coordination import services

        after = self.after(change)
        if change.action == "update":
            raise ServiceError(
                "A dependency changes through its own actions (accept, deliver…) in Accord, "
                "not through a file."
            )
        # A file describes dependencies as they stand: entered as history, in their state,
        # whatever happened since (the requesting initiative finished, dates passed), so
        # everything an export writes is read back.
        provider_initiative = after.pop("provider_initiative", None)
        milestone = after.pop("need_by_milestone", None)
        if milestone:
            after["need_by_milestone"] = ctx.obj("milestones", milestone)
        dep = services.record_dependency(
            ctx.org,
            None,
            requester_initiative=ctx.obj("initiatives", after.pop("initiative")),
            provider_team=ctx.obj("teams", after.pop("provider")),
            provider_initiative=(
                ctx.obj("initiatives", provider_initiative) if provider_initiative else None
            ),
            state=after.pop("state", None) or "requested",
            flag=after.pop("flag", None) or "",
            **{k: v for k, v in after.items() if v is not None},
        )
        self.created(ctx, change, dep)

    def removable(self, key, data) -> bool:
        return False  # dependencies are a record between teams; a file never deletes them


# --- cadences ------------------------------------------------------------------------------


def _schedule_problem(data: dict) -> str | None:
    """What the rhythm's engine says of a cadence's whole schedule (rule, start, time, zone):
    a rule that never happens soon after its start, a start out of range."""
    from accord.core.errors import ServiceError
    from accord.rhythm import recurrence

    try:
        recurrence.Schedule(
            rrule=data["rrule"],
            start_date=dt.date.fromisoformat(data["start_date"]),
            time=None if data["all_day"] else dt.time.fromisoformat(data["time"]),
            timezone=data["timezone"],
            all_day=data["all_day"],
        ).validate()
    except ServiceError as exc:
        return exc.message
    except (KeyError, TypeError, ValueError):
        return None  # a missing or malformed field is reported on its own
    return None


def _all_day_problem(data: dict) -> tuple[str, str] | None:
    """(field, why) when the all-day flag, the time and the duration disagree; else None,
    with a meeting's duration filled in (60 minutes) as the rhythm's services would."""
    if data["all_day"]:
        if data["time"] is not None:
            return "time", "An all-day cadence has no time of day: remove time or all_day."
        if data["duration_minutes"] is not None:
            return "duration_minutes", "An all-day cadence has no duration_minutes."
        if data["kind"] == "checkin":
            return "all_day", "Check-ins are due at a time of day: a check-in is not all day."
        return None
    if data["time"] is None:
        return "time", "time is required unless the cadence is all_day."
    if data["duration_minutes"] is None:
        data["duration_minutes"] = 60
    return None


def _fill_timezones(ctx, section: str, items: list) -> tuple[str, list[str]]:
    """Give each cadence that leaves out its time zone the one it will have: an existing
    cadence's own (unchanged), a new one's the organization's (as a cadence made from a
    template starts in it; a new organization's: its default, UTC). Done here, where the
    organization is known, so its schedule is checked and its plan shown in that zone.
    Returns that zone and the new cadences given it."""
    from accord.org.models import Organization

    if ctx.org is not None:
        zone = ctx.org.timezone
    else:
        zone = Organization._meta.get_field("timezone").default
    existing = ctx.existing_of(section)
    new = []
    for item in items:
        if item.data.get("timezone") is None:
            current = existing.get(item.key)
            if current is None:
                new.append(item.data["id"])
            given = current[1]["timezone"] if current is not None else zone
            item.data = {**item.data, "timezone": given}
    return zone, new


def _note_zones(ctx, zone: str, new: list[str], items: list) -> None:
    """Say in the plan which new cadences are in the organization's zone (those not
    skipped), since the file does not."""
    kept = {item.key for item in items}
    new = [name for name in new if name.lower() in kept]
    if new:
        shown = ", ".join(new[:5]) + (f" and {len(new) - 5:,} more" if len(new) > 5 else "")
        ctx.notes.append(
            f"New cadences without a time zone are in the organization's, {zone}: {shown}."
        )


def _agenda_line(line: str) -> dict:
    """One agenda section of a file ("Title | source | minutes"), as the cadence form reads
    it (`rhythm.forms.agenda_from_text`)."""
    return agenda_from_text(line, [])[0]


class Cadences(Keyed):
    model_label = "rhythm.Cadence"
    section = "cadences"
    noun = "cadence"
    removal_verb = "deactivate"
    title = "Cadences: the operating rhythm, as RFC 5545 rules in a time zone."
    fields = (
        F("id", "key", required=True),
        F("name", "str", required=True),
        F(
            "kind",
            "str",
            default="sync",
            choices=("checkin", "sync", "review", "planning", "retro", "custom"),
        ),
        F("scope", "str", default="team", choices=("team", "subtree", "teams", "org")),
        F("team", "slug", max_length=80, ref="teams"),
        F("teams", "list", items="slug", ref="teams", default=[]),
        F("rrule", "rrule", required=True, max_length=300, doc="e.g. FREQ=WEEKLY;BYDAY=MO"),
        F("start_date", "date", required=True),
        F(
            "all_day",
            "bool",
            default=False,
            doc="Dates, not meetings (a release day): no time and no duration.",
        ),
        F("time", "time", doc="Local time of day, HH:MM; required unless all_day."),
        F(
            "timezone",
            "timezone",
            doc="IANA time zone, e.g. Europe/Paris. Left out: the organization's time zone for "
            "a new cadence; unchanged for an existing one.",
        ),
        F(
            "duration_minutes",
            "int",
            minimum=1,
            maximum=24 * 60,
            doc="60 if left out; none for an all-day cadence.",
        ),
        F("owner", "email", ref="people"),
        F("active", "bool", default=True),
        # The settings below are Accord's own when left out (a new cadence: its template's).
        F(
            "agenda",
            "list",
            items="str",
            auto=True,
            doc='Sections, each "Title | source | minutes" as the cadence form writes them '
            "(sources: " + ", ".join(SECTION_SOURCES) + "). Left out: unchanged.",
        ),
        F(
            "participants",
            "list",
            items="email",
            ref="people",
            auto=True,
            doc="People taking part beyond the teams in scope. Left out: unchanged.",
        ),
        F(
            "participation",
            "str",
            choices=("everyone", "leads"),
            auto=True,
            doc="Who of its teams takes part: everyone in them, or the teams' leads only "
            "(a meeting of several teams). Left out: unchanged.",
        ),
        F(
            "checkin_owed_by",
            "str",
            choices=("everyone", "leads"),
            auto=True,
            doc="Who owes a check-in: everyone in scope, or team leads only.",
        ),
        F(
            "window_opens_hours",
            "int",
            minimum=0,
            maximum=24 * 14,
            auto=True,
            doc="A check-in opens this many hours before it is due.",
        ),
        F(
            "late_after_hours",
            "int",
            minimum=0,
            maximum=24 * 14,
            auto=True,
            doc="A check-in counts as late (not missed) this many hours after it is due.",
        ),
    )

    def check(self, ctx, items):
        zone, new = _fill_timezones(ctx, self.section, items)
        for item in list(items):
            for line in item.data.get("agenda") or []:
                source = _agenda_line(line)["source"]
                if source not in SECTION_SOURCES:
                    ctx.skip(
                        self.section,
                        item,
                        f"{item.path}.agenda",
                        line,
                        f"Unknown agenda source {source!r}; use one of "
                        f"{', '.join(SECTION_SOURCES)}. Item skipped.",
                        "invalid_value",
                    )
                    break
        for item in list(items):
            scope, team, teams = item.data["scope"], item.data["team"], item.data["teams"]
            why = ""
            if scope in ("team", "subtree") and (not team or teams):
                why = f"A cadence of scope {scope} names one team (team) and no teams list."
            elif scope == "teams" and (team or not teams):
                why = "A cadence of scope teams lists its teams (teams) and names no single team."
            elif scope == "org" and (team or teams):
                why = "A cadence of the whole organization names no team."
            if why:
                ctx.skip(
                    self.section,
                    item,
                    f"{item.path}.scope",
                    scope,
                    f"{why} Item skipped.",
                    "invalid_value",
                )
            elif problem := _all_day_problem(item.data):
                ctx.skip(
                    self.section,
                    item,
                    f"{item.path}.{problem[0]}",
                    item.data[problem[0]],
                    f"{problem[1]} Item skipped.",
                    "invalid_value",
                )
            elif problem := _schedule_problem(item.data):
                ctx.skip(
                    self.section,
                    item,
                    f"{item.path}.rrule",
                    item.data["rrule"],
                    f"{problem} Item skipped.",
                    "invalid_value",
                )
        _note_zones(ctx, zone, new, items)

    def rows(self, org, people=None):
        from accord.rhythm.models import Cadence

        qs = (
            Cadence.objects.for_org(org)
            .select_related("team", "owner")
            .prefetch_related("teams", "extra_participants")
        )
        if people is not None:
            joined = Cadence.objects.filter(org=org, extra_participants__in=people)
            qs = qs.filter(Q(owner__in=people) | Q(pk__in=joined.values("pk")))
        for c in qs.order_by("id").iterator(chunk_size=500):
            yield (
                c,
                {
                    "name": c.name,
                    "kind": c.kind,
                    "scope": c.scope,
                    "team": c.team.slug if c.team else None,
                    "teams": sorted(t.slug for t in c.teams.all()),
                    "rrule": c.rrule,
                    "start_date": _iso(c.start_date),
                    "all_day": c.all_day,
                    "time": c.time.strftime("%H:%M") if c.time is not None else None,
                    "timezone": c.timezone,
                    "duration_minutes": c.duration_minutes,
                    "owner": c.owner.email if c.owner and c.owner.email else None,
                    "active": c.is_active,
                    "agenda": agenda_to_text(c.agenda).splitlines(),
                    "participants": sorted(p.email for p in c.extra_participants.all() if p.email),
                    "participation": c.participation,
                    "checkin_owed_by": c.checkin_owed_by,
                    "window_opens_hours": c.window_opens_hours,
                    "late_after_hours": c.late_after_hours,
                },
            )

    def write(self, ctx, change):
        from accord.rhythm import services

        after = self.after(change)
        teams = after.pop("teams", None)
        if "team" in after:
            after["team"] = self.team(ctx, after["team"])
        if "owner" in after:
            after["owner"] = self.person(ctx, after["owner"])
        if after.get("time") is not None:
            after["time"] = dt.time.fromisoformat(after["time"])
        if "timezone" in after:
            after["timezone_name"] = after.pop("timezone")
        active = after.pop("active", None)
        team_objs = self.refs(ctx, "teams", teams) if teams is not None else None
        if after.get("participants") is not None:
            after["extra_participants"] = self.refs(ctx, "people", after.pop("participants"))
        else:
            after.pop("participants", None)
        for name in ("checkin_owed_by", "participation", "window_opens_hours", "late_after_hours"):
            if after.get(name) is None:
                after.pop(name, None)
        agenda = after.pop("agenda", None)
        if change.action == "create":
            if agenda is not None:
                after["agenda"] = [_agenda_line(line) for line in agenda]
            obj = services.create_cadence(ctx.org, None, teams=team_objs or (), **after)
            if active is False:
                services.update_cadence(ctx.org, None, obj, is_active=False)
            self.created(ctx, change, obj)
            return
        obj = ctx.obj(self.section, change.key)
        if active is not None:
            after["is_active"] = active
        if agenda is not None:  # sections keep their keys (and notes) while titles stay
            after["agenda"] = agenda_from_text("\n".join(agenda), obj.agenda)
        services.update_cadence(ctx.org, None, obj, teams=team_objs, **after)

    def remove(self, ctx, change):
        from accord.rhythm import services

        obj = ctx.obj(self.section, change.key)
        if obj.is_active:
            services.update_cadence(ctx.org, None, obj, is_active=False)

    def removable(self, key, data) -> bool:
        return bool(data["active"])


# --- decisions -----------------------------------------------------------------------------


class Decisions(Keyed):
    model_label = "decisions.Decision"
    section = "decisions"
    noun = "decision"
    title = "Decisions: question, approver and roles, outcome, and where they stand."
    fields = (
        F("id", "key", required=True),
        F("question", "str", required=True, max_length=300),
        F("approver", "email", required=True, ref="people", doc="The one person who decides."),
        F(
            "status",
            "str",
            default="open",
            choices=("open", "proposed", "decided", "superseded", "reversed"),
        ),
        F("driver", "email", ref="people"),
        F("contributors", "list", items="email", ref="people", default=[]),
        F("informed", "list", items="email", ref="people", default=[]),
        F("teams", "list", items="slug", ref="teams", default=[], doc="Teams it affects."),
        F("context", "text", default=""),
        F("outcome", "text", default=""),
        F("rationale", "text", default=""),
        F("decide_by", "date"),
        F("revisit_on", "date"),
        F("revisit_trigger", "str", default="", max_length=300),
        F("opened_at", "datetime", auto=True, doc="When it was opened (defaults to now)."),
        F("decided_at", "datetime", auto=True, doc="When it was decided (defaults to then)."),
        F("superseded_by", "key", ref="decisions"),
        F("reason", "text", default="", doc="Why it was superseded or reversed."),
        F(
            "chosen_option",
            "key",
            ref="decision_options",
            doc="The option proposed or decided for, one of its own (see decision_options).",
        ),
    )

    def check(self, ctx, items):
        for item in list(items):
            if item.data["status"] == "superseded" and not item.data["superseded_by"]:
                ctx.skip(
                    self.section,
                    item,
                    f"{item.path}.superseded_by",
                    "",
                    "A superseded decision names the decision that replaced it "
                    "(superseded_by); item skipped.",
                    "missing_field",
                )

    def rows(self, org, people=None):
        from accord.decisions.models import Decision

        qs = (
            Decision.objects.for_org(org)
            .select_related("approver", "driver")
            .prefetch_related("contributors", "informed", "teams")
            .order_by("opened_at", "id")
        )
        if people is None:
            keys, options = self.keys(org), DecisionOptions().key_map(org)
            found: Iterable[Any] = qs.iterator(chunk_size=500)
        else:
            roles = Decision.objects.filter(org=org)
            roles = roles.filter(contributors__in=people) | roles.filter(informed__in=people)
            qs = qs.filter(
                Q(approver__in=people) | Q(driver__in=people) | Q(pk__in=roles.values("pk"))
            )
            found = list(qs)
            keys = self.keys(org, [d.superseded_by_id for d in found if d.superseded_by_id])
            chosen = [d.chosen_option_id for d in found if d.chosen_option_id]
            options = DecisionOptions().key_map(org, chosen)
        for d in found:
            yield (
                d,
                {
                    "question": d.question,
                    "approver": d.approver.email,
                    "status": d.status,
                    "driver": d.driver.email if d.driver and d.driver.email else None,
                    "contributors": sorted(p.email for p in d.contributors.all() if p.email),
                    "informed": sorted(p.email for p in d.informed.all() if p.email),
                    "teams": sorted(t.slug for t in d.teams.all()),
                    "context": d.context,
                    "outcome": d.outcome,
                    "rationale": d.rationale,
                    "decide_by": _iso(d.decide_by),
                    "revisit_on": _iso(d.revisit_on),
                    "revisit_trigger": d.revisit_trigger,
                    "opened_at": _utc(d.opened_at),
                    "decided_at": _utc(d.decided_at),
                    "superseded_by": (
                        keys.get(d.superseded_by_id) or self.implicit(d.superseded_by_id)
                        if d.superseded_by_id
                        else None
                    ),
                    "reason": d.supersede_reason or d.reversal_reason,
                    "chosen_option": options.get(d.chosen_option_id),
                },
            )

    def write(self, ctx, change):
        from accord.decisions import services

        after = self.after(change)
        status = after.pop("status", None)
        chosen = after.pop("chosen_option", None)
        superseded_by = after.pop("superseded_by", None)
        reason = after.pop("reason", None)
        decided_at = after.pop("decided_at", None)
        for name in ("opened_at",):
            if after.get(name):
                after[name] = dt.datetime.fromisoformat(after[name])
        for name in ("approver", "driver"):
            if name in after:
                after[name] = self.person(ctx, after[name])
        roles = {
            name: self.refs(ctx, "people" if name != "teams" else "teams", after.pop(name))
            for name in ("contributors", "informed", "teams")
            if name in after
        }
        if change.action == "create":
            obj = services.create_decision(ctx.org, None, **after, **roles)
            self.created(ctx, change, obj)
            status = status or "open"
        else:
            obj = ctx.obj(self.section, change.key)
            after.pop("opened_at", None)
            if after or roles:
                obj = services.update_decision(ctx.org, None, obj, **after, **roles)
        when = dt.datetime.fromisoformat(decided_at) if decided_at else None

        def settle(obj=obj):
            """Move it forward to the file's status, for the option the file names."""
            option = ctx.obj("decision_options", chosen) if chosen else None
            onward = ("decided", "superseded", "reversed")
            target = status or obj.status
            if option is not None and not (
                (obj.status == "open" and target != "open")
                or (obj.status == "proposed" and target in onward)
            ):
                raise ServiceError(
                    "An option is chosen when the decision is proposed or decided; this one is "
                    f"{obj.status} and the file does not move it on."
                )
            if status == "proposed" and obj.status == "open":
                # as the file says it stands
                services.propose(ctx.org, None, obj, option=option, as_history=True)
            if status in onward and obj.status in ("open", "proposed"):
                obj = services.decide(
                    ctx.org, None, obj, decided_at=when, option=option, as_history=True
                )
            if status == "reversed" and obj.status == "decided":
                services.reverse(ctx.org, None, obj, reason or REASON)
            if status == "superseded" and obj.status == "decided" and superseded_by:
                self._applied(ctx)[1].append(
                    (
                        change,
                        lambda: services.supersede(
                            ctx.org,
                            None,
                            obj,
                            ctx.obj(self.section, superseded_by),
                            reason or REASON,
                        ),
                    )
                )

        if chosen or change.key in self._applied(ctx)[0]:
            # its options are written after this section: it moves on after them
            ctx.later.append((change, settle))
        else:
            settle()

    def _applied(self, ctx) -> tuple[set[str], list]:
        """For the apply in progress: the keys of the decisions the file gives options, and
        the supersessions to make once every decision stands as the file says."""
        if self.section not in ctx.kept:
            items = ctx.desired.sections.get("decision_options") or []
            ctx.kept[self.section] = ({str(i.data["decision"]).lower() for i in items}, [])
        return ctx.kept[self.section]

    def finish(self, ctx, changes):
        """Supersede in the file's order, after every decision was decided (some only after
        their options were written)."""
        for change, supersede in self._applied(ctx)[1]:
            if change.key not in ctx.failed.get(self.section, set()):
                ctx.run(change, supersede, record=False)

    def removable(self, key, data) -> bool:
        return False  # decisions are a record; a file never deletes them


class DecisionOptions(Keyed):
    """The options a decision considered, in the order the file lists them. They change
    while their decision is open or proposed; once it is decided they are its record."""

    model_label = "decisions.DecisionOption"
    section = "decision_options"
    noun = "decision option"
    title = "The options a decision considered, with their pros and cons."
    fields = (
        F("id", "key", required=True),
        F("decision", "key", required=True, ref="decisions"),
        F("title", "str", required=True, max_length=200),
        F("pros", "text", default=""),
        F("cons", "text", default=""),
    )

    def rows(self, org):
        from accord.decisions.models import DecisionOption

        decisions = Decisions().key_map(org)
        qs = DecisionOption.objects.for_org(org).order_by(
            "decision__opened_at", "decision_id", "position", "id"
        )  # in the order of the decisions' own section
        for option in qs.iterator(chunk_size=500):
            yield (
                option,
                {
                    "decision": decisions[option.decision_id],
                    "title": option.title,
                    "pros": option.pros,
                    "cons": option.cons,
                },
            )

    def write(self, ctx, change):
        from accord.decisions import services

        after = self.after(change)
        if change.action == "create":
            decision = ctx.obj("decisions", after.pop("decision"))
            obj = services.add_option(ctx.org, None, decision, **after)
            self.created(ctx, change, obj)
            return
        if "decision" in after:
            raise ServiceError("An option cannot move to another decision.")
        services.update_option(ctx.org, None, ctx.obj(self.section, change.key), **after)

    def remove(self, ctx, change):
        from accord.decisions import services

        services.remove_option(ctx.org, None, ctx.obj(self.section, change.key))


# --- issues ------------------------------------------------------------------------------


class Issues(Keyed):
    """Issues with their owner and rank. Votes are each person's own act: an export writes
    their count (up minus down), applying a file never casts or changes one."""

    model_label = "decisions.Issue"
    section = "issues"
    noun = "issue"
    title = "Issues: a problem a team solves, with its owner, rank and votes."
    fields = (
        F("id", "key", required=True),
        F("title", "str", required=True, max_length=300),
        F(
            "team",
            "slug",
            required=True,
            ref="teams",
            doc="The team it sits with now (after any escalation).",
        ),
        F("description", "text", default=""),
        F("severity", "str", default="medium", choices=("low", "medium", "high", "critical")),
        F("raised_by", "email", ref="people"),
        F("owner", "email", ref="people", doc="Who brings it to the meeting and sees it through."),
        F("rank", "int", minimum=1, maximum=999, doc="Its place in the team's list; 1 first."),
        F("status", "str", default="open", choices=("open", "solved", "dropped")),
        F("resolution", "text", default="", doc="How it was solved, or why it was dropped."),
        F("opened_at", "datetime", auto=True, doc="When it was raised (defaults to now)."),
        F(
            "votes",
            "int",
            default=0,
            export_only=True,
            doc="Votes up minus votes down, as exported; ignored when a file is applied.",
        ),
    )

    def rows(self, org, people=None):
        from django.db.models import Sum

        from accord.decisions.models import Issue

        qs = (
            Issue.objects.for_org(org)
            .select_related("team", "raised_by", "owner")
            .annotate(score=Sum("votes__value"))
        )
        if people is not None:
            qs = qs.filter(Q(raised_by__in=people) | Q(owner__in=people))
        for i in qs.order_by("opened_at", "id").iterator(chunk_size=500):
            yield (
                i,
                {
                    "title": i.title,
                    "team": i.team.slug,
                    "description": i.description,
                    "severity": i.severity,
                    "raised_by": i.raised_by.email if i.raised_by and i.raised_by.email else None,
                    "owner": i.owner.email if i.owner and i.owner.email else None,
                    "rank": i.rank,
                    "status": i.status,
                    "resolution": i.resolution,
                    "opened_at": _utc(i.opened_at),
                    "votes": i.score or 0,
                },
            )

    def write(self, ctx, change):
        from accord.decisions import services

        after = self.after(change)
        after.pop("votes", None)  # each person's own: never cast from a file
        status = after.pop("status", None)
        resolution = after.pop("resolution", None)
        steps = {k: after.pop(k) for k in ("owner", "rank") if k in after}
        if change.action == "create":
            opened_at = after.get("opened_at")
            obj = services.raise_issue(
                ctx.org,
                None,
                self.team(ctx, after["team"]),
                after["title"],
                description=after.get("description") or "",
                severity=after.get("severity") or "medium",
                opened_at=dt.datetime.fromisoformat(opened_at) if opened_at else None,
                raised_by=self.person(ctx, after.get("raised_by")),
            )
            self.created(ctx, change, obj)
            steps = {k: v for k, v in steps.items() if v is not None}
        else:
            obj = ctx.obj(self.section, change.key)
            if "team" in after:
                raise ServiceError(
                    "An issue moves to another team by escalation, not by a file; "
                    f"it stays with {obj.team.name}.",
                    fields={"team": ["Escalate it instead."]},
                )
            fields = {k: after[k] for k in ("title", "description", "severity") if k in after}
            if fields:
                obj = services.update_issue(ctx.org, None, obj, **fields)
        # Owner and rank belong to an open issue: set them before it is closed.
        if "owner" in steps and obj.status == "open":
            obj = services.set_issue_owner(ctx.org, None, obj, self.person(ctx, steps["owner"]))
        if "rank" in steps and obj.status == "open":
            obj = services.rank_issue(ctx.org, None, obj, steps["rank"])
        if status == "solved" and obj.status == "open":
            services.solve_issue(ctx.org, None, obj, resolution or REASON)
        elif status == "dropped" and obj.status == "open":
            services.drop_issue(ctx.org, None, obj, resolution or REASON)

    def removable(self, key, data) -> bool:
        return False  # issues are a record; a file never deletes them


def _utc(value: dt.datetime | None) -> str | None:
    return value.astimezone(dt.UTC).isoformat() if value else None


class InitiativeLinks(Links):
    section = "initiative_links"
    noun = "initiative link"
    title = (
        "Links between initiatives. With kind replaces, `from` replaces `to` (so `to` is "
        "replaced by `from`); say it once, from the newer one."
    )
    target = "initiatives"
    one_way = True
    fields = (
        F("from", "key", required=True, ref="initiatives", doc="Id of an initiative."),
        F("to", "key", required=True, ref="initiatives", doc="Id of the initiative it replaces."),
        F("kind", "str", default="replaces", choices=("replaces",)),
    )

    def _data(self, org):
        from accord.alignment.models import InitiativeLink

        keys = Initiatives().key_map(org)
        rows = InitiativeLink.objects.for_org(org).order_by("id")
        for link in rows.iterator(chunk_size=500):
            yield (
                link,
                {
                    "from": keys[link.from_initiative_id],
                    "to": keys[link.to_initiative_id],
                    "kind": link.kind,
                },
            )

    def existing(self, org):
        if org is None:
            return {}
        return {self.key_of(data): (link, data) for link, data in self._data(org)}

    def export_items(self, org):
        items = [data for _link, data in self._data(org)]
        yield from sorted(items, key=lambda d: (d["from"].lower(), d["to"].lower(), d["kind"]))

    def link(self, ctx, a, b, kind):
        from accord.alignment import services

        services.link_initiatives(ctx.org, None, a, b, kind)

    def unlink(self, ctx, link):
        from accord.alignment import services

        services.unlink_initiatives(
            ctx.org, None, link.from_initiative, link.to_initiative, link.kind
        )


def pillar_kinds() -> list[Kind]:
    return [
        Periods(),
        Milestones(),
        Objectives(),
        KeyResults(),
        Initiatives(),
        InitiativeLinks(),
        Dependencies(),
        Cadences(),
        Decisions(),
        DecisionOptions(),
        Issues(),
    ]
