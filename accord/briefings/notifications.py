"""The kind of notice briefings send through the one delivery path (people can mute it)."""

KINDS = {"briefing.weekly": "My weekly briefing"}
