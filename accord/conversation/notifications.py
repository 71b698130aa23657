"""The notices conversation sends through the one delivery path (people can mute each)."""

KINDS = {
    "mention": "Someone mentions you (or your team) in a comment",
}
