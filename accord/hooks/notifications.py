"""Telling an organization's admins that one of its webhooks was paused after failing."""

from __future__ import annotations

# The kinds of notice webhooks send (people can mute each one).
KINDS = {
    "webhook_paused": "A webhook was paused after failing repeatedly",
}

# Only admins are told (they alone manage webhooks), so only they are offered its mute.
ROLES = {"webhook_paused": "admin"}
