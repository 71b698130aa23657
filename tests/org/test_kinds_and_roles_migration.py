"""Organizations `accord generate` made before it gave them the default kinds of team and
roles in a team get them when Accord is upgraded; an organization that has them keeps its
own, and one whose admins removed them all is left as they made it."""

from __future__ import annotations

import pytest

from tests.activity.test_delivery_migration import empty_database, migrate  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("org", "0013_verbose_names"), ("activity", "0010_notification_text_kept")]
AFTER = [("org", "0014_kinds_and_roles_of_generated_organizations")]


def test_organizations_made_without_kinds_and_roles_get_the_defaults(empty_database):  # noqa: F811
    apps = migrate(BEFORE)
    Org = apps.get_model("org", "Organization")
    Kind = apps.get_model("org", "TeamKind")
    Role = apps.get_model("org", "TeamRole")
    Event = apps.get_model("activity", "Event")
    generated = Org.objects.create(name="Synthetic", slug="synthetic")
    own = Org.objects.create(name="Acme", slug="acme")
    Kind.objects.create(org=own, slug="tribe", name="Tribe")
    Role.objects.create(org=own, slug="captain", name="Captain")
    pruned = Org.objects.create(name="Globex", slug="globex")
    Role.objects.create(org=pruned, slug="lead", name="Lead")
    kind = Kind.objects.create(org=pruned, slug="guild", name="Guild")
    Event.objects.create(
        org=pruned, verb="deleted", target_type="org.teamkind", target_id=str(kind.pk)
    )
    kind.delete()

    apps = migrate(AFTER)
    Kind = apps.get_model("org", "TeamKind")
    Role = apps.get_model("org", "TeamRole")

    def lists(org):
        kinds = set(Kind.objects.filter(org_id=org.pk).values_list("slug", flat=True))
        return kinds, set(Role.objects.filter(org_id=org.pk).values_list("slug", flat=True))

    assert lists(generated) == (
        {"department", "team", "sig", "working-group", "committee", "guild"},
        {"lead", "co-lead", "chair", "member", "liaison"},
    )
    assert lists(own) == ({"tribe"}, {"captain"})
    assert lists(pruned) == (set(), {"lead"})
