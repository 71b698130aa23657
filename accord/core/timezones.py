"""Which time zones a person, an agent or a cadence may be given: the IANA zone of a place,
"Area/Location" (Europe/Paris, America/New_York), or UTC.

The zone database holds other names too: abbreviations and fixed offsets (EST, MST, HST,
Etc/GMT+5), POSIX-style rules (EST5EDT, CST6CDT) and old country names (US/Eastern, Japan).
They are almost always a mistake: EST has no daylight saving, so a New York team set to EST
meets an hour off all summer. New input naming one is refused with the zone usually meant
(`check`); a value already stored keeps working (`accord.core.services.validate_timezone`
takes the value kept), and reading a stored zone never goes through here.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
import zoneinfo
from importlib import resources

UTC = "UTC"
# The areas of the IANA names of places ("Area/Location").
AREAS = frozenset(
    {
        "Africa",
        "America",
        "Antarctica",
        "Arctic",
        "Asia",
        "Atlantic",
        "Australia",
        "Europe",
        "Indian",
        "Pacific",
    }
)

# Names of the zone database that are not a place -> the zone people usually mean by them.
USUAL = {
    "EST": "America/New_York",
    "EST5EDT": "America/New_York",
    "CST6CDT": "America/Chicago",
    "MST": "America/Denver",
    "MST7MDT": "America/Denver",
    "PST8PDT": "America/Los_Angeles",
    "HST": "Pacific/Honolulu",
    "CET": "Europe/Berlin",
    "MET": "Europe/Berlin",
    "EET": "Europe/Athens",
    "WET": "Europe/Lisbon",
    "US/Eastern": "America/New_York",
    "US/Central": "America/Chicago",
    "US/Mountain": "America/Denver",
    "US/Pacific": "America/Los_Angeles",
    "US/Alaska": "America/Anchorage",
    "US/Aleutian": "America/Adak",
    "US/Arizona": "America/Phoenix",
    "US/East-Indiana": "America/Indiana/Indianapolis",
    "US/Indiana-Starke": "America/Indiana/Knox",
    "US/Michigan": "America/Detroit",
    "US/Hawaii": "Pacific/Honolulu",
    "US/Samoa": "Pacific/Pago_Pago",
    "Navajo": "America/Denver",
    "Canada/Atlantic": "America/Halifax",
    "Canada/Central": "America/Winnipeg",
    "Canada/Eastern": "America/Toronto",
    "Canada/Mountain": "America/Edmonton",
    "Canada/Newfoundland": "America/St_Johns",
    "Canada/Pacific": "America/Vancouver",
    "Canada/Saskatchewan": "America/Regina",
    "Canada/Yukon": "America/Whitehorse",
    "Mexico/BajaNorte": "America/Tijuana",
    "Mexico/BajaSur": "America/Mazatlan",
    "Mexico/General": "America/Mexico_City",
    "Brazil/Acre": "America/Rio_Branco",
    "Brazil/DeNoronha": "America/Noronha",
    "Brazil/East": "America/Sao_Paulo",
    "Brazil/West": "America/Manaus",
    "Chile/Continental": "America/Santiago",
    "Chile/EasterIsland": "Pacific/Easter",
    "Cuba": "America/Havana",
    "Jamaica": "America/Jamaica",
    "GB": "Europe/London",
    "GB-Eire": "Europe/London",
    "Eire": "Europe/Dublin",
    "Iceland": "Atlantic/Reykjavik",
    "Poland": "Europe/Warsaw",
    "Portugal": "Europe/Lisbon",
    "Turkey": "Europe/Istanbul",
    "W-SU": "Europe/Moscow",
    "Egypt": "Africa/Cairo",
    "Libya": "Africa/Tripoli",
    "Israel": "Asia/Jerusalem",
    "Iran": "Asia/Tehran",
    "PRC": "Asia/Shanghai",
    "ROC": "Asia/Taipei",
    "ROK": "Asia/Seoul",
    "Hongkong": "Asia/Hong_Kong",
    "Singapore": "Asia/Singapore",
    "Japan": "Asia/Tokyo",
    "Kwajalein": "Pacific/Kwajalein",
    "NZ": "Pacific/Auckland",
    "NZ-CHAT": "Pacific/Chatham",
}
# A place for each whole-hour offset from UTC, for the hint of a fixed offset ("GMT+5").
BY_OFFSET = {
    -11: "Pacific/Pago_Pago",
    -10: "Pacific/Honolulu",
    -9: "America/Anchorage",
    -8: "America/Los_Angeles",
    -7: "America/Denver",
    -6: "America/Chicago",
    -5: "America/New_York",
    -4: "America/Halifax",
    -3: "America/Sao_Paulo",
    -2: "America/Noronha",
    -1: "Atlantic/Azores",
    0: "Europe/London",
    1: "Europe/Paris",
    2: "Europe/Athens",
    3: "Europe/Moscow",
    4: "Asia/Dubai",
    5: "Asia/Karachi",
    6: "Asia/Dhaka",
    7: "Asia/Bangkok",
    8: "Asia/Singapore",
    9: "Asia/Tokyo",
    10: "Australia/Sydney",
    11: "Pacific/Noumea",
    12: "Pacific/Auckland",
    13: "Pacific/Tongatapu",
    14: "Pacific/Kiritimati",
}
# Etc/GMT+5 is five hours *behind* UTC (POSIX's sign); "GMT+5" as people write it, ahead.
_ETC_OFFSET = re.compile(r"(?:Etc/)?GMT([+-])(\d{1,2})")
_WRITTEN_OFFSET = re.compile(r"(?:UTC|GMT)\s*([+\-\u2212])\s*(\d{1,2})(?::?(\d{2}))?", re.I)
# Other names of UTC.
_ZERO = frozenset(
    {
        "Etc/UTC",
        "Etc/UCT",
        "Etc/Universal",
        "Etc/Zulu",
        "UCT",
        "Universal",
        "Zulu",
        "GMT",
        "Etc/GMT",
        "GMT0",
        "Etc/GMT0",
        "Greenwich",
        "Etc/Greenwich",
    }
)


def is_place(name: str) -> bool:
    """Whether `name` is written as a zone people may choose: UTC or Area/Location."""
    return name == UTC or ("/" in name and name.split("/", 1)[0] in AREAS)


@functools.cache
def _by_lower() -> dict[str, str]:
    # Read from the zone database once (most of a second); only for names not written
    # exactly as a place is.
    return {name.lower(): name for name in zoneinfo.available_timezones()}


@functools.cache
def _zone_tab() -> dict[str, str]:
    """The `zone.tab` of the `tzdata` package: the canonical zone of each place -> the ISO
    3166 code of its country (Asia/Kolkata -> IN)."""
    table = resources.files("tzdata.zoneinfo").joinpath("zone.tab").read_text("utf-8")
    rows = (line.split("\t") for line in table.splitlines())
    return {row[2]: row[0] for row in rows if len(row) > 2 and not row[0].startswith("#")}


@functools.cache
def places() -> tuple[str, ...]:
    """The zones the time-zone selects offer, sorted: UTC and the canonical zone of each
    place, as listed in `zone.tab` of the `tzdata` package (one zone per region of a
    country). The database's other names of those places (Asia/Calcutta beside
    Asia/Kolkata, Europe/Belfast) are left out of the list; typed or stored, they are still
    accepted (`check`), and a form shows a stored one selected."""
    return tuple(sorted(_zone_tab().keys() | {UTC}))


# Countries people call otherwise than `iso3166.tab` does.
_COUNTRY_NAMES = {"GB": "United Kingdom"}


@functools.cache
def countries() -> dict[str, str]:
    """ISO 3166 code -> the country's usual English name, from the `iso3166.tab` of the
    `tzdata` package (IN -> India), but for the few in `_COUNTRY_NAMES`."""
    table = resources.files("tzdata.zoneinfo").joinpath("iso3166.tab").read_text("utf-8")
    rows = (line.split("\t") for line in table.splitlines())
    names = {row[0]: row[1].strip() for row in rows if len(row) > 1 and not row[0].startswith("#")}
    return names | _COUNTRY_NAMES


def city(zone: str) -> str:
    """The place a zone is named after, as people write it: "Buenos Aires" for
    America/Argentina/Buenos_Aires, "Knox, Indiana" for America/Indiana/Knox (the state
    named, not the country, which the label names already)."""
    parts = [p.replace("_", " ") for p in zone.split("/")[1:]]
    if not parts:
        return zone
    code = _zone_tab().get(zone)
    within = [p for p in parts[:-1] if p != countries().get(code or "")]
    return ", ".join([parts[-1], *reversed(within)])


def offset_text(offset: dt.timedelta | None) -> str:
    """An offset from UTC as the labels write it: "UTC+05:30", "UTC\u221203:00" (with a
    minus sign), "UTC+00:00"."""
    minutes = round((offset or dt.timedelta()).total_seconds() / 60)
    sign = "\u2212" if minutes < 0 else "+"
    hours, minutes = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{minutes:02d}"


@functools.cache
def _zone(name: str) -> zoneinfo.ZoneInfo:
    # Held, so that a label computed again (each hour) does not read the file again.
    return zoneinfo.ZoneInfo(name)


def label(zone: str, moment: dt.datetime) -> str:
    """How a select names a zone people may choose: its country, the place and the offset
    from UTC at `moment` ("India · Kolkata (UTC+05:30)", "Argentina · Cordoba
    (UTC\u221203:00)"; the place alone when it is the country: "Singapore (UTC+08:00)"),
    so that a person finds their own by the country they live in, without knowing the
    zone's name. UTC is "UTC"; a zone not listed (`places`) is its own name."""
    code = _zone_tab().get(zone)
    if code is None:
        return zone
    country, place = countries().get(code, code), city(zone)
    where = country if place == country else f"{country} \u00b7 {place}"
    return f"{where} ({offset_text(moment.astimezone(_zone(zone)).utcoffset())})"


def _folded(text: str) -> str:
    # "Åland Islands" with the A's, "Côte d'Ivoire" with the C's.
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def choices(moment: dt.datetime) -> list[tuple[str, str]]:
    """The zones people may choose (`places`) as (zone, `label`) for a select: UTC first,
    then by country and place, the offsets those at `moment` (at the start of its hour:
    the labels are made once an hour, not on every form)."""
    hour = moment.astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0)
    return list(_choices(hour))


@functools.lru_cache(maxsize=2)
def _choices(hour: dt.datetime) -> tuple[tuple[str, str], ...]:
    labelled = [(zone, label(zone, hour)) for zone in places() if zone != UTC]
    labelled.sort(key=lambda pair: (_folded(pair[1]), pair[0]))
    return ((UTC, UTC), *labelled)


@functools.cache
def other_names() -> dict[str, str]:
    """The database's other names of the places `places` lists -> that place's zone
    (Asia/Calcutta -> Asia/Kolkata, Europe/Kiev -> Europe/Kyiv): browsers still report
    some of them as the device's zone. From the links of the `tzdata` package."""
    listed = set(places())
    table = resources.files("tzdata.zoneinfo").joinpath("tzdata.zi").read_text("utf-8")
    out = {}
    for line in table.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0] == "L":
            target, name = parts[1], parts[2]
            if name not in listed and target in listed and name.split("/")[0] in AREAS:
                out[name] = target
    return out


def _exists(name: str) -> bool:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
        return False
    return True


def check(value: object) -> tuple[str, str]:
    """(the zone in the database's own spelling, "") for a zone people may choose, written in
    any case ("europe/paris" is Europe/Paris); else (the text, why it is refused), naming the
    zone usually meant ("EST is a fixed offset without daylight saving; use
    America/New_York")."""
    text = str(value or "").strip()
    if is_place(text) and _exists(text):
        return text, ""
    name = _by_lower().get(text.lower(), "")
    if name and is_place(name):
        return name, ""
    return text, _why(text, name)


def _why(text: str, name: str) -> str:
    if not name:
        written = _WRITTEN_OFFSET.fullmatch(text)
        if written and (int(written[2]) or int(written[3] or 0)):
            hours = int(written[2]) * (-1 if written[1] in "-\u2212" else 1)
            return (
                f"{text!r} is a fixed offset, not a time zone: it would not follow daylight "
                f"saving; use the zone of a place{_example(hours)}."
            )
        return f"Unknown time zone {text!r}; use an IANA name such as Europe/Paris."
    if name in USUAL:
        usual = USUAL[name]
        if name in ("EST", "MST", "HST"):
            return f"{name} is a fixed offset without daylight saving; use {usual}."
        return f"{name} is a legacy name, not the zone of a place; use {usual}."
    etc = _ETC_OFFSET.fullmatch(name)
    if etc and int(etc[2]):
        hours = int(etc[2]) * (1 if etc[1] == "-" else -1)
        return (
            f"{name} is a fixed offset (UTC{hours:+d}; such names reverse the sign) without "
            f"daylight saving; use the zone of a place{_example(hours)}."
        )
    if etc or name in _ZERO:
        uk = " (or Europe/London for the time in the UK)" if "G" in name else ""
        return f"{name} is another name of UTC; use UTC{uk}."
    return f"{name} is not the zone of a place; use an IANA name such as Europe/Paris."


def _example(hours: int) -> str:
    usual = BY_OFFSET.get(hours)
    return f", such as {usual}" if usual else " (Area/Location, such as Europe/Paris)"
