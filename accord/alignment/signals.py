"""Signals other apps may listen to. Sent inside the write's transaction."""

from __future__ import annotations

from django.dispatch import Signal

# Sent by services.replan_initiative (the one place that changes a target date), with
# initiative, old_target_date, new_target_date, reason, actor.
initiative_replanned = Signal()

# Sent by services.set_initiative_status after the change, with initiative, old_status,
# new_status, actor.
initiative_status_changed = Signal()

# Sent by services.update_initiative when an initiative changes team, after the move, with
# org, initiative (already in its new team), old_team, new_team, actor. Coordination moves
# the sides of the dependencies the initiative anchors; a receiver may refuse the move by
# raising ServiceError (the whole write is then undone).
initiative_moved = Signal()

# Sent by milestones.update_milestone for every milestone whose date changes (the one
# moved and each relative to it), with milestone, old_date, new_date, actor.
milestone_moved = Signal()
