"""The notices conversation sends through the one delivery path (people can mute each)."""

KINDS = {
    "mention": "Someone mentions you (or your team) in a comment",
    # A dependency's news (accord.conversation.inbox: `_news`), also in the inbox.
    "dependency_answered": "A request of your team is accepted, declined, met with another "
    "date or scope, agreed, delivered or cancelled",
    "dependency_flagged": "A dependency of your team is flagged at risk or blocked, or cleared",
    "dependency_reminded": "The team that asked yours for something reminds you to answer",
}
