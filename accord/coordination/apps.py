from django.apps import AppConfig


class CoordinationConfig(AppConfig):
    name = "accord.coordination"
    label = "coordination"
    verbose_name = "Coordination"

    def ready(self) -> None:
        # Blockers mean something: alignment asks us before an initiative is marked done,
        # and tells us when a target date moves (slips ripple to dependencies).
        from accord.alignment import services as alignment
        from accord.alignment import signals
        from accord.coordination import services

        if services.check_initiative_status not in alignment.INITIATIVE_STATUS_CHECKS:
            alignment.INITIATIVE_STATUS_CHECKS.append(services.check_initiative_status)
        signals.initiative_replanned.connect(
            services._on_replanned, dispatch_uid="coordination.slip_propagation"
        )
        signals.milestone_moved.connect(
            services._on_milestone_moved, dispatch_uid="coordination.milestone_need_by"
        )
        # A dependency's sides are the teams of its initiatives: they follow a moved one.
        signals.initiative_moved.connect(
            services._on_initiative_moved, dispatch_uid="coordination.sides_follow"
        )
        # A retired team's open requests are closed, and those asked of it answered.
        from accord.org import signals as org_signals

        org_signals.team_retired.connect(
            services._on_team_retired, dispatch_uid="coordination.team_retired"
        )
