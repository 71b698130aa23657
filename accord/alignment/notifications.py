"""The notices alignment sends through the one delivery path (people can mute each).

- `alignment_deleted`: someone else deleted an objective, key result or initiative that
  the person owns, or one of a team they lead, and it took history with it (values,
  confidence updates, work serving it: `services._tell_of_deletion`).
"""

KINDS = {
    "alignment_deleted": "Someone else deletes an objective, key result or initiative you own "
    "or your team's",
}
