"""The notices the organization app sends through the one delivery path (people can mute
each)."""

KINDS = {
    # `leaving.hand_over`: one notice listing all that was handed to the person.
    "work_handed_to_you": "Someone's open work is handed to you",
}
