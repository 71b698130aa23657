from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "accord.org"
    label = "org"
    verbose_name = "Organizations"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from accord.activity import describe
        from accord.org import signed_out

        user_logged_in.connect(signed_out.signed_in, dispatch_uid="accord.org.signed_out")
        from accord.activity import queries as activity_queries
        from accord.org import invitations

        # How this app's events read on pages (a person's or the organization's history):
        # the names their pages give, not the stored keys and values.
        describe.FIELDS.update({"slug": "Address"})  # of the organization and of a team
        # An invitation's (or a sign-in link's) link to choose a password.
        describe.FIELDS.update({"link_expires_at": "Link works until"})
        describe.KIND_FIELDS.update(
            {("org.teamkind", "slug"): "Short name", ("org.teamrole", "slug"): "Short name"}
        )
        describe.VALUES.update({"signs_in_with": invitations.SIGNS_IN_WITH})
        # A team link's events name the team it is to by id, read as its name (as the log
        # last knew it, if deleted since), which makes the name they also keep redundant.
        activity_queries.REFERENCES.update({"to_team": "org.Team"})
        describe.HIDDEN.add("to_team_name")
        # A term's events keep the names of its person and team, read in its sentence
        # ("added Nora Lindqvist to Platform"), not as a change.
        describe.HIDDEN.update({"person_name", "team_name"})
