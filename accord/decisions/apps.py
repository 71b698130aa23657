from django.apps import AppConfig


class DecisionsConfig(AppConfig):
    name = "accord.decisions"
    label = "decisions"
    verbose_name = "Decisions"

    def ready(self) -> None:
        # The stored follow-through rolls up the team tree: it follows moves and deletions.
        from accord.org import signals

        signals.team_moved.connect(_moved, dispatch_uid="decisions.follow_through_moved")
        signals.team_deleted.connect(_deleted, dispatch_uid="decisions.follow_through_deleted")
        # A retired team's open issues go up to the team above, which can still solve them.
        signals.team_retired.connect(_retired, dispatch_uid="decisions.issues_of_retired")


def _moved(sender, team, old_parent_id, new_parent_id, **kwargs) -> None:
    from accord.decisions import followthrough

    followthrough.team_moved(team.org_id, team.pk, old_parent_id, new_parent_id)


def _deleted(sender, org_id, team_id, parent_id, **kwargs) -> None:
    from accord.decisions import followthrough

    followthrough.team_deleted(org_id, team_id, parent_id)


def _retired(sender, org, actor, team, **kwargs) -> None:
    from accord.decisions import services
    from accord.decisions.models import Issue, IssueStatus

    if team.parent_id is None:  # nothing above: they stay, listed on its page
        return
    issues = Issue.objects.filter(org=org, team=team, status=IssueStatus.OPEN).order_by("pk")
    for issue in issues:
        services.escalate_issue(org, actor, issue, reason=f"{team.name} was retired")
