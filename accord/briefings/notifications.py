"""Briefings send their notice ("briefing.weekly") through the one delivery path, but it is
not among the kinds a person can mute: the weekly briefing has its own setting ("Send me
my weekly briefing", with its day and hour: `BriefingSchedule`), the one truth of whether
it is e-mailed. Mutes of it saved before are that setting turned off (migration 0002)."""

KINDS: dict[str, str] = {}
