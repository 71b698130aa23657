"""The notices conversation sends through the one delivery path (people can mute each)."""

KINDS = {
    "mention": "Someone mentions you (or your team) in a comment",
    # A new request of a team (accord.conversation.inbox: `_dependency`), also in the inbox.
    "dependency_requested": "Another team asks yours for something (a new dependency request)",
    # A dependency's news (accord.conversation.inbox: `_news`), also in the inbox.
    "dependency_answered": "A request of your team is accepted, declined, met with another "
    "date or scope, agreed, delivered or cancelled",
    "dependency_flagged": "A dependency of your team is flagged at risk or blocked, or cleared",
    "dependency_reminded": "The team that asked yours for something reminds you to answer",
}
