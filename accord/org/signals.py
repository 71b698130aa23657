"""Signals other apps may listen to. Sent inside the write's transaction."""

from __future__ import annotations

from django.dispatch import Signal

# Sent by services.update_team after a team moved under another parent (or to the top),
# with team, old_parent_id, new_parent_id: figures kept per subtree follow the move.
team_moved = Signal()

# Sent by services.delete_team after the team is gone, with org_id, team_id and
# parent_id: figures kept for it and its ancestors let go of it.
team_deleted = Signal()

# Sent by services.retire_team once the team is retired (before its terms end), with org,
# actor and team: what cannot go on without it is closed, each with "<team> was retired".
team_retired = Signal()
