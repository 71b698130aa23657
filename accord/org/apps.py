from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "accord.org"
    label = "org"
    verbose_name = "Organizations"

    def ready(self) -> None:
        from accord.activity import describe
        from accord.org import invitations

        # How this app's events read on pages (a person's or the organization's history):
        # the names their pages give, not the stored keys and values.
        describe.FIELDS.update({"slug": "Address"})  # of the organization and of a team
        describe.KIND_FIELDS.update(
            {("org.teamkind", "slug"): "Short name", ("org.teamrole", "slug"): "Short name"}
        )
        describe.VALUES.update({"signs_in_with": invitations.SIGNS_IN_WITH})
