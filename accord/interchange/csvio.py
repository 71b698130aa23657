"""CSV in and out: one section per file, the same fields as the organization file.

The header says which fields the file speaks for. A column left out leaves that field as it
is on an existing object (a new one takes the field's default). An empty cell means the
field's default, or for a column like `allocation`, unknown. A column is known by its name
in any case, with or without spaces, `-` or `_` ("Start date" is start_date); other columns
(notes, cost centre) are ignored and named in the report, and one that looks like a known
column misspelt ("Emial") is ignored only once that is confirmed (`allow_ignored_columns`).
Values are read as the organization file reads them (enumerated ones in any case). Import
tolerates what Excel writes: a byte-order mark, `;` (or tab) separators, Windows line ends,
decimal commas with `;`, Windows-1252 text. Export streams a zip with one CSV per section,
UTF-8 with a BOM so Excel opens it as such.
"""

from __future__ import annotations

import csv
import difflib
import functools
import io
import re
import zipfile
from collections.abc import Iterator
from typing import Any

from accord.core import csvsafe
from accord.interchange import engine, safeyaml, services
from accord.interchange.engine import Kind
from accord.interchange.fields import BOOL_WORDS
from accord.interchange.report import CORRECTED, Problem, Report
from accord.org.models import Organization

LIST_SEPARATOR = "|"
# Lists whose items are lines that hold `|` themselves (an agenda section is "Title | source
# | minutes"): one item per line of the cell, as the cadence form writes them.
LINE_LISTS = {("cadences", "agenda")}
# Sections people exchange as CSV (the teams/people/memberships, objectives/key
# results and initiatives), preferred when a header would fit another section too. Every
# section's CSV imports: the zip export's (one file per section, named after it) import
# back unchanged.
CSV_SECTIONS = ("teams", "people", "memberships", "objectives", "key_results", "initiatives")


def kinds_by_section() -> dict[str, Kind]:
    return {k.section: k for k in services.all_kinds()}


def template(section: str) -> str:
    """The header row (and one example-free line end) of a section's CSV."""
    kind = kinds_by_section()[section]
    out = io.StringIO()
    header = [f.name for f in kind.fields] + list(EXTRA_COLUMNS.get(section, ()))
    csvsafe.writer(out, lineterminator="\r\n").writerow(header)
    return out.getvalue()


def _cell(value: Any, lines: bool = False) -> str | int | float:
    """A cell of the export: text (neutralised by the writer when a spreadsheet would run it
    as a formula) or a number as it is; a list's items between `|` (or one per line)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ("\n" if lines else LIST_SEPARATOR).join(str(v) for v in value)
    if isinstance(value, int | float):
        return value
    return str(value)


def rows(org: Organization, kind: Kind) -> Iterator[list[Any]]:
    yield [f.name for f in kind.fields]
    for data in kind.export_items(org):
        yield [_cell(data.get(f.name), (kind.section, f.name) in LINE_LISTS) for f in kind.fields]


class _Sink(io.RawIOBase):
    """A write-only stream whose bytes are handed out as they come (for streaming zips)."""

    def __init__(self):
        self.chunks: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, b) -> int:
        self.chunks.append(bytes(b))
        return len(b)

    def take(self) -> bytes:
        data = b"".join(self.chunks)
        self.chunks.clear()
        return data


def export_zip(org: Organization) -> Iterator[bytes]:
    """A zip of one CSV per section, produced piece by piece."""
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for kind in services.all_kinds():
            with zf.open(f"{kind.section}.csv", "w") as member:
                text = io.TextIOWrapper(member, encoding="utf-8-sig", newline="")
                writer = csvsafe.writer(text, lineterminator="\r\n")
                for n, row in enumerate(rows(org, kind)):
                    writer.writerow(row)
                    if n % 200 == 0:
                        text.flush()
                        yield sink.take()
                text.flush()
                text.detach()
            yield sink.take()
    yield sink.take()


# --- import -----------------------------------------------------------------------------


def _decode(source: bytes, report: Report, filename: str) -> str:
    try:
        return source.decode("utf-8-sig")
    except UnicodeDecodeError:
        report.add(
            "encoding",
            "Not UTF-8; read as Windows-1252 (Excel's default). Check accented letters.",
            file=filename,
            action=CORRECTED,
        )
        return source.decode("cp1252", errors="replace")


def _dialect(text: str) -> str:
    first = text.split("\n", 1)[0]
    counts = {sep: first.count(sep) for sep in (",", ";", "\t")}
    return max(counts, key=lambda s: counts[s]) if any(counts.values()) else ","


def _fits(kind: Kind, names: set[str], creating: bool = False) -> bool:
    """Whether a header of `names` is a CSV of `kind`: the columns naming its items (with
    `creating`, every column a new item needs too), nothing else."""
    needed = _creating(kind) if creating else set(_required(kind))
    return not _lacking(kind, names, needed) and names <= _columns(kind)


def guess_section(header: list[str], filename: str = "") -> str | None:
    """The section a CSV is of: the one its file is named after (`cadences.csv`, as the zip
    export names them, `Key results.csv`), whatever its header (a missing or misspelt
    column is then named against that section, and nothing of another section is made);
    else the one section whose columns the header fits, with every column its new items
    need, the usual ones (CSV_SECTIONS) first (`slug,name` is teams, not team kinds); else
    the one whose items the header names and updates (`email,title`: people). A header
    several other sections fit is refused (`Ambiguous`): name the file after its section or
    give the section. None when no section fits."""
    names = set(header)
    kinds = kinds_by_section()
    stem = section_of_filename(filename)
    if stem:
        return stem  # (a column it does not know, or one it lacks, is then named as such)
    for creating in (True, False):
        usual = [s for s in CSV_SECTIONS if _fits(kinds[s], names, creating)]
        if usual and (creating or len(usual) == 1):
            return usual[0]
        others = usual or [s for s, kind in kinds.items() if _fits(kind, names, creating)]
        if len(others) > 1:
            raise Ambiguous(others)
        if others:
            return others[0]
    # Nothing fits exactly: the usual section whose fields cover most of the header, a
    # column misspelt counting as the one it looks like ("perod": period), so the refusal
    # names the columns it does not know against it. If that section still lacks a
    # column naming its rows (only misspelt), none is chosen: the refusal names the misspelling
    # and what it needs, and nothing is read as another section the header half fits.
    covered = {s: _covered(kinds[s], names) for s in CSV_SECTIONS}
    candidates = [s for s in CSV_SECTIONS if not _lacking(kinds[s], covered[s])]
    candidates.sort(key=lambda s: -len(covered[s]))  # stable: the usual order breaks ties
    if candidates and not _lacking(kinds[candidates[0]], names):
        return candidates[0]
    return None


def _covered(kind: Kind, names: set[str]) -> set[str]:
    """The fields of `kind` the header's columns name, or look like misspelt (`near_miss`)."""
    fields = _columns(kind)
    covered = names & fields
    for name in sorted(names - fields):
        meant = near_miss(name, fields - covered)
        if meant:
            covered.add(meant)
    return covered


def section_of_filename(filename: str) -> str | None:
    """The section a file is named after (`objectives.csv`, `Key results.csv`,
    `team-links.csv`), or None."""
    stem = re.split(r"[/\\]", filename)[-1].strip().lower()
    stem = re.sub(r"[\s\-]+", "_", stem.removesuffix(".csv").strip())
    return stem if stem in kinds_by_section() else None


class Ambiguous(Exception):
    def __init__(self, sections: list[str]):
        super().__init__(sections)
        self.sections = sections


def _convert(kind: Kind, raw: dict[str, str], decimal_comma: bool) -> dict[str, Any]:
    """CSV text to the values the organization file has (numbers, booleans, lists). Every
    cell of the row is in the result (an empty cell as None: the field's default, or
    unknown); a field without a column is not, so it stays as it is (Context.partial), nor
    is one whose column a row shorter than the header does not reach (`raw` lacks it)."""
    out: dict[str, Any] = {}
    for f in kind.fields:
        if f.name not in raw:
            continue
        # A cell Accord's export neutralised ('=x) reads back as the text it was (=x).
        text = csvsafe.restore((raw.get(f.name) or "").strip())
        if text == "" or (f.null_means_unknown and text.lower() == "unknown"):
            out[f.name] = None  # the default; for `allocation`, not known
            continue
        value: Any = text
        if f.type in ("int", "number"):
            candidate = text.replace(",", ".") if decimal_comma else text
            try:
                number = float(candidate)
                value = int(number) if number.is_integer() and f.type == "int" else number
            except ValueError:
                value = text  # the validator names the problem
        elif f.type == "bool":
            value = BOOL_WORDS.get(text.lower(), text)  # else the validator names the problem
        elif f.type == "list" and (kind.section, f.name) in LINE_LISTS:
            value = _lines(text)
        elif f.type == "list":
            value = [v.strip() for v in text.split(LIST_SEPARATOR) if v.strip()]
        out[f.name] = value
    return out


def _lines(text: str) -> list[str]:
    """A list of lines from its cell: one item per line. A one-line cell of an earlier
    export, which joined agenda sections with `|` too ("A | checkins | 10|B | none | 5"),
    is read as its sections of three parts when it reads so."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if len(lines) == 1:
        parts = [p.strip() for p in lines[0].split(LIST_SEPARATOR)]
        if len(parts) > 3 and len(parts) % 3 == 0 and all(p.isdigit() for p in parts[2::3]):
            return [" | ".join(parts[i : i + 3]) for i in range(0, len(parts), 3)]
    return lines


def _squashed(text: str) -> str:
    return re.sub(r"[\s_\-]+", "", text.strip().lower())


# Other names a spreadsheet gives a column (an HR export's "Job title", "E-mail address"),
# read as the field (in any case, with or without spaces, - or _, as field names are).
COLUMN_ALIASES = {
    "job title": "title",
    "job": "title",
    "position": "title",
    "e-mail": "email",
    "email address": "email",
    "e-mail address": "email",
    "mail": "email",
    "full name": "name",
    "display name": "name",
    "team role": "team_role",
    "role in team": "team_role",
    "role in the team": "team_role",
}
# Columns a section's CSV reads that are not fields of its items: a people CSV's team (by
# address or name) makes the person a member of it, in the role its team_role gives (a
# memberships CSV's role: `_TeamRoles`). Its own `role` is the person's role in the
# organization.
EXTRA_COLUMNS = {"people": ("team", "team_role")}
# A column another section calls otherwise: a memberships CSV's "Team role" is its role.
SECTION_COLUMNS = {("memberships", "team_role"): "role", ("past_terms", "team_role"): "role"}
# Required fields a CSV may leave out (column or cell), derived from another: a team's
# address from its name, as the team form derives it (field -> the one it derives from).
DERIVED = {("teams", "slug"): "name"}


@functools.cache
def _known_columns() -> dict[str, str]:
    """A header cell squashed (lower case, no spaces, - or _) -> the field it names."""
    known = {_squashed(f.name): f.name for kind in services.all_kinds() for f in kind.fields}
    return known | {_squashed(alias): name for alias, name in COLUMN_ALIASES.items()}


def _columns(kind: Kind) -> set[str]:
    """The columns a CSV of `kind` reads: its fields, and its EXTRA_COLUMNS."""
    return {f.name for f in kind.fields} | set(EXTRA_COLUMNS.get(kind.section, ()))


def _required(kind: Kind) -> tuple[str, ...]:
    """The columns every CSV of `kind` must have: those naming its items (its key), which
    is all a CSV updating them needs; a DERIVED one may be left out for the column it
    derives from. The other required fields are needed only by the rows creating an item
    (`_creating`; a row that would create one without them is skipped, saying so:
    `engine.refuse_incomplete`). A key column with a default (a link's `kind`) may be left
    out: its rows take the default."""
    fields = {f.name: f for f in kind.fields}
    return tuple(
        name
        for name in kind.key_fields
        if name not in fields or fields[name].required or fields[name].default is None
    )


def _creating(kind: Kind) -> set[str]:
    """The columns a CSV creating items of `kind` has: every required field."""
    return {f.name for f in kind.fields if f.required}


def _lacking(kind: Kind, names: set[str], needed=None) -> list[str]:
    """The columns of `needed` (default: `_required`) a header of `names` lacks, in the
    order of the fields; a DERIVED one is not lacking when the one it derives from is
    there (it is named instead when both are lacking)."""
    needed = set(_required(kind) if needed is None else needed)
    out = []
    for f in kind.fields:
        if f.name not in needed or f.name in names or f.name in out:
            continue
        source = DERIVED.get((kind.section, f.name))
        if source is None:
            out.append(f.name)
        elif source not in names and source not in out:
            out.append(source)
    return out


def column_names(cells: list[str]) -> list[str]:
    """The header's cells as field names: "Email", " start date ", "Time-zone" are email,
    start_date, timezone; a cell that names no field, lower-cased."""
    known = _known_columns()
    return [known.get(_squashed(cell)) or cell.strip().lower() for cell in cells]


def near_miss(cell: str, names: set[str]) -> str:
    """The field of `names` a column looks like misspelt ("Emial": email, "team_slug":
    team), or ""."""
    column = re.sub(r"[\s-]+", "_", cell.strip().lower())
    # A reference written as the thing and how it is named ("team_slug": team) before a
    # column merely spelt alike (team_role).
    stem = re.sub(r"_(slug|id|name|email|key)$", "", column)
    if stem != column and stem in names:
        return stem
    found = difflib.get_close_matches(column, sorted(names), n=1)
    return found[0] if found else ""


def ignored_text(ignored: dict[str, str]) -> str:
    """ "Ignored columns: Notes, Emial (did you mean email?)" """
    return "Ignored columns: " + ", ".join(
        f"{cell} (did you mean {meant}?)" if meant else cell for cell, meant in ignored.items()
    )


# Where a refusal about columns sends a person: the import page offers the templates (a
# page shows this as a link to them).
SEE_TEMPLATES = "See the CSV templates on the import page."
# A refusal names at most this many columns it does not know (a spreadsheet may have 50).
NAMED_COLUMNS = 10


def _a(section: str) -> str:
    """ "a people CSV", "an objectives CSV" """
    return f"{'an' if section[:1] in 'aeiou' else 'a'} {section} CSV"


def _listed(words: list[str]) -> str:
    """ "A and B", "A, B and C" """
    return ", ".join(words[:-1]) + " and " + words[-1] if len(words) > 1 else "".join(words)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _needs(section: str, missing: list[str]) -> str:
    """ "A people CSV needs the column email." (and, for an `id`, what one is)"""
    text = (
        f"{_capital(_a(section))} needs the column{'s' if len(missing) > 1 else ''} "
        f"{', '.join(missing)}."
    )
    if "id" in missing and kinds_by_section()[section].key_fields == ("id",):
        text += f" {id_help(section)}"
    return text


def _fields(kind) -> set[str]:
    return {f.name for f in kind.fields}


def _elsewhere(cell: str, section: str) -> str:
    """ " (it is a column of the memberships CSV)" when `cell` names a field another usual
    section has and `section` does not ("Team" in a people CSV), " (it looks like 'team',
    which belongs in a memberships CSV)" when it looks like one ("team_slug"), else ""."""
    name = column_names([cell])[0]
    kinds = kinds_by_section()
    others = [s for s in CSV_SECTIONS if s != section and name in {f.name for f in kinds[s].fields}]
    if not others:
        # Close to a column of another CSV: "team_slug" names a team, the memberships CSV's
        # column (a reference written as the thing and how it is named), "Objectiv" the
        # key-results CSV's objective.
        column = re.sub(r"[\s-]+", "_", cell.strip().lower())
        stem = re.sub(r"_(slug|id|name|email|key)$", "", column)
        rest = [s for s in CSV_SECTIONS if s != section]
        meant = next(
            ((stem, s) for s in rest if stem != column and stem in _fields(kinds[s])), None
        ) or next(((m, s) for s in rest if (m := near_miss(cell, _fields(kinds[s])))), None)
        if meant:
            return f" (it looks like {meant[0]!r}, which belongs in {_a(meant[1])})"
        return ""
    if len(others) == 1:
        return f" (it is a column of the {others[0]} CSV)"
    return f" (it is a column of the {', '.join(others[:-1])} and {others[-1]} CSVs)"


def column_sentence(cell: str, meant: str = "", section: str | None = None) -> str:
    """What a column the import does not read is: "Column 'Tema' is not one Accord reads;
    did you mean 'team'?", or, in a CSV of a section, "Column 'Notes' is not a column of a
    teams CSV." """
    where = f"a column of {_a(section)}" if section else "one Accord reads"
    text = f"Column {cell!r} is not {where}"
    if meant:
        return f"{text}; did you mean {meant!r}?"
    return text + (_elsewhere(cell, section) if section else "") + "."


def column_sentences(ignored: dict[str, str], section: str | None = None) -> list[str]:
    """`column_sentence` of each column of `ignored` (its header cell -> the field it looks
    like misspelt, or ""), at most NAMED_COLUMNS of them and how many more."""
    lines = [column_sentence(c, m, section) for c, m in list(ignored.items())[:NAMED_COLUMNS]]
    if len(ignored) > NAMED_COLUMNS:
        lines.append(f"And {len(ignored) - NAMED_COLUMNS} more columns not read.")
    return lines


def column_warnings(outcome) -> list[str]:
    """The columns of a planned (or applied) CSV that are not imported, each as a sentence
    naming it and, when one is close, the column probably meant."""
    ignored = {cell: outcome.near_misses.get(cell, "") for cell in outcome.ignored_columns}
    return column_sentences(ignored, outcome.csv_section or None)


def _closest(header: list[str]) -> str | None:
    """The usual section whose columns the header has most of (None: none of them)."""
    kinds = kinds_by_section()
    names = set(header)
    best = max(CSV_SECTIONS, key=lambda s: len(names & {f.name for f in kinds[s].fields}))
    return best if names & {f.name for f in kinds[best].fields} else None


class Refused(services.Fatal):
    """A CSV whose columns cannot be read: the problem, and the section whose template
    would help (None: any of them)."""

    def __init__(self, problem: Problem, section: str | None = None):
        super().__init__(problem)
        self.section = section


def _header_problem(kind: str, why: str, filename: str, cells: list[str]) -> Problem:
    """A problem of the file's header (its first line), which it quotes."""
    return services.Problem(kind=kind, why=why, file=filename, line=1, value=",".join(cells)[:120])


def parse_csv(
    source: bytes,
    *,
    section: str | None = None,
    filename: str = "upload.csv",
    rows: bool = True,
) -> tuple[dict[str, Any], Report, dict[str, str]]:
    """An organization document with one section, from CSV bytes, what was odd, and the
    columns ignored: each as the header writes it -> the field it looks like misspelt, or
    "" (see `near_miss`). Without `rows`, the header alone is read (the section has no
    items): what a large file's columns are, before it is queued."""
    report = Report()
    if len(source) > services.engine.max_bytes():
        raise services.Fatal(
            services.Problem(
                kind="too_large",
                why=services.engine.too_large(len(source)),
                file=filename,
            )
        )
    text = _decode(source, report, filename)
    delimiter = _dialect(text)
    # Strict: a quote opened and never closed is an error, not a cell holding the rest of
    # the file (`_unreadable`).
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        cells = [h.strip() for h in next(reader)]
    except StopIteration:
        cells = []
    except csv.Error as exc:
        raise services.Fatal(
            _unreadable(exc, text, 1, reader.line_num, delimiter, filename)
        ) from None
    header = column_names(cells)
    try:
        section = section or guess_section(header, filename)
    except Ambiguous as exc:
        raise services.Fatal(
            _header_problem(
                "ambiguous_columns",
                f"The columns fit several sections ({', '.join(exc.sections)}); name the "
                f"file after its section (e.g. {exc.sections[0]}.csv) or give the section.",
                filename,
                cells,
            )
        ) from None
    kinds = kinds_by_section()
    if section not in kinds:
        # Name every column Accord does not know, with the one probably meant, and what the
        # nearest template still needs.
        usual = {f.name for s in CSV_SECTIONS for f in kinds[s].fields} - set(header)
        fields = set(_known_columns().values())
        unknown = {
            cell: near_miss(cell, usual)
            for cell, name in zip(cells, header, strict=True)
            if cell and name not in fields
        }
        closest = _closest([*header, *unknown.values()])
        if closest:
            # What the nearest template lacks, and the columns it does not read (misspelt,
            # or another template's).
            needs = _lacking(kinds[closest], set(header))
            theirs = _columns(kinds[closest])
            why = [
                *column_sentences(unknown),
                *column_sentences(
                    {
                        cell: ""
                        for cell, name in zip(cells, header, strict=True)
                        if cell and name in fields and name not in theirs
                    },
                    closest,
                ),
            ]
            if needs:
                why.insert(0, _needs(closest, needs))
        if not closest or not why:
            why = ["The columns match no CSV template.", *column_sentences(unknown)]
        raise Refused(
            _header_problem(
                "unknown_columns",
                " ".join([*why, SEE_TEMPLATES]),
                filename,
                cells,
            ),
            closest,
        )
    kind = kinds[section]
    header = [SECTION_COLUMNS.get((section, name), name) for name in header]
    names = _columns(kind)
    # Two columns giving one field ("Email" and its alias "Mail"): which one a row means is
    # not ours to guess (the later one would silently win), so the file is refused.
    given: dict[str, list[str]] = {}
    for cell, name in zip(cells, header, strict=True):
        if name in names:
            given.setdefault(name, []).append(cell)
    twice = [
        f"Columns {_listed([f'“{c}”' for c in both])} {'both' if len(both) == 2 else 'all'} "
        f"give {name}: keep one."
        for name, both in given.items()
        if len(both) > 1
    ]
    if twice:
        raise Refused(
            _header_problem(
                "duplicate_columns",
                " ".join(twice),
                filename,
                cells,
            ),
            section,
        )
    absent = names - set(header)
    # Columns the section does not have are ignored (a spreadsheet's notes, cost centre…);
    # empty header cells (Excel's trailing separators) without a word.
    ignored = {
        cell: near_miss(cell, absent)
        for cell, name in zip(cells, header, strict=True)
        if cell and name not in names
    }
    # What names the rows, and what a new item needs that a column looks like misspelt
    # ("perod": period): that column was meant, so it is named rather than ignored.
    meant = {m for m in ignored.values() if m in _creating(kind)}
    missing = _lacking(kind, set(header), {*_required(kind), *meant})
    if missing:
        why = [
            _needs(section, missing),
            *column_sentences(ignored, section),
            f"Its columns are "
            f"{', '.join([*(f.name for f in kind.fields), *EXTRA_COLUMNS.get(section, ())])}.",
            SEE_TEMPLATES,
        ]
        raise Refused(
            _header_problem(
                "missing_columns",
                " ".join(why),
                filename,
                cells,
            ),
            section,
        )
    items = safeyaml.LList()
    items.lines = []
    if not rows:
        return {section: items}, report, ignored
    keyed = kind.key_fields == ("id",)
    starts = reader.line_num + 1  # the line the next row begins on
    try:
        for row in reader:
            first, starts = starts, reader.line_num + 1
            if not any(cell.strip() for cell in row):
                continue
            # A row shorter than the header gives only the cells it has: the columns it does
            # not reach are not given for it, as if the file had no such column (`_convert`).
            raw = dict(zip(header, row, strict=False))
            item = _convert(kind, raw, decimal_comma=delimiter == ";")
            for extra in EXTRA_COLUMNS.get(section, ()):
                if extra in raw:  # (read by `_references`)
                    item[extra] = csvsafe.restore((raw.get(extra) or "").strip())
            problems = _row_problems(row, cells, delimiter)
            if keyed and item.get("id") is None:
                why = _skipped(f"The row has no id. {id_help(section)}")
                problems.append(("invalid_value", "id", "", why))
            items.append(engine.Rejected(item, problems) if problems else item)
            items.lines.append(first)
    except csv.Error as exc:
        raise services.Fatal(
            _unreadable(exc, text, starts, reader.line_num, delimiter, filename)
        ) from None
    return {section: items}, report, ignored


# An example of an id a person might choose, per section (else "<noun>-1").
ID_EXAMPLES = {"objectives": "okr-1", "key_results": "kr-1", "initiatives": "init-1"}


def id_help(section: str) -> str:
    """What a CSV's `id` column is, said where a file lacks it or a row leaves it empty."""
    kind = kinds_by_section()[section]
    example = ID_EXAMPLES.get(section) or f"{kind.noun.replace(' ', '-')}-1"
    plural = section.replace("_", " ")
    return (
        f"An id is any name you choose for the row, unique among the {plural} (e.g. "
        f"{example}); a row whose id Accord already has (an export writes each "
        f"{kind.noun}'s) updates that {kind.noun}, and Accord keeps the id for the next "
        "import."
    )


def _row_problems(row: list[str], cells: list[str], delimiter: str) -> list[tuple]:
    """What is wrong with a row as a row: cells beyond the header's last column (an unquoted
    "Doe, Jane" splits a name in two, and every cell after it moves one column on), which
    make it skipped rather than read into the wrong fields. Empty ones (a spreadsheet's
    trailing separators) are nothing."""
    beyond = [cell.strip() for cell in row[len(cells) :]]
    if not any(beyond):
        return []
    shown = delimiter.join(beyond).rstrip(delimiter)
    sep = {"\t": "a tab"}.get(delimiter, repr(delimiter))
    return [
        (
            "extra_cells",
            "",
            shown,
            _skipped(
                f"The row has {len(row)} cells and the header {len(cells)} columns: "
                f"{shown!r} is beyond the last column, so its cells may be in the wrong "
                f'columns. A cell holding {sep} must be in quotes ("Doe, Jane")'
            ),
        )
    ]


def _unreadable(
    exc: csv.Error, text: str, first: int, last: int, delimiter: str, filename: str
) -> Problem:
    """The problem of a file that is not valid CSV, at the line it goes wrong: a quote
    opened on line `first` or after (the row's first line) and never closed, which would
    make the rest of the file one cell; a quoted cell with text after its closing quote."""
    lines = io.StringIO(text, newline="").readlines()
    message = str(exc)
    if "unexpected end of data" in message:
        line = _opened_quote(lines, first, delimiter)
        why = (
            f'Line {line} opens a quoted cell (") that is never closed: everything after it, '
            "to the end of the file, would be read into that one cell. Close the quote, or "
            'remove it; a quote meant as text inside a quoted cell is written twice ("").'
        )
    elif "expected after" in message:
        line = last
        why = (
            f"Line {line} has text after the closing quote of a quoted cell. A cell is "
            'either in quotes as a whole ("Doe, Jane") or not at all; a quote meant as text '
            'inside a quoted cell is written twice ("").'
        )
    else:
        line = last
        why = f"Line {line} is not valid CSV: {message}."
    value = lines[line - 1].rstrip("\r\n") if 0 < line <= len(lines) else ""
    return services.Problem(
        kind="invalid_csv", why=why, file=filename, line=line, value=value[:120]
    )


def _opened_quote(lines: list[str], first: int, delimiter: str) -> int:
    """The line of the quote left open, reading from the start of line `first` (a row's
    first line) as the CSV reader does: a quote opens a cell only at its start, and `""`
    inside one is a quote of its text."""
    quoted, at_start, opened = False, True, first
    for number, line in enumerate(lines[first - 1 :], start=first):
        i = 0
        while i < len(line):
            ch = line[i]
            if quoted:
                if ch == '"' and line[i + 1 : i + 2] == '"':
                    i += 1
                elif ch == '"':
                    quoted, at_start = False, False
            elif ch == '"' and at_start:
                quoted, opened = True, number
            else:
                at_start = ch in (delimiter, "\r", "\n")
            i += 1
    return opened


def _near(text: str, names: dict[str, str]) -> str:
    """ "; did you mean 'Field Sales' (field-sales)?" for the names like `text` (close to
    it, or beginning with it or it with them, in any case), or "". `names`: each name in
    lower case -> how to show what it names."""
    low = text.strip().lower()
    close = difflib.get_close_matches(low, list(names), n=3, cutoff=0.6)
    starts = [n for n in names if low and (n.startswith(low) or low.startswith(n))]
    found = list(dict.fromkeys(names[n] for n in [*close, *starts]))[:3]
    return "; did you mean " + " or ".join(found) + "?" if found else ""


class _Teams:
    """The teams a CSV row may name, by address (slug) or by exact name in any case: the
    organization's, and those the file itself describes (`add`)."""

    def __init__(self, org: Organization):
        self.slugs: dict[str, str] = {}
        self.names: dict[str, list[str]] = {}
        self.shown: dict[str, str] = {}  # a name or address in lower case -> "'Name' (slug)"
        # The organization's teams: address in lower case -> its parent's ("": top level).
        self.parents: dict[str, str] = {}
        for key, (_obj, data) in kinds_by_section()["teams"].existing(org).items():
            slug = data.get("slug") or key
            self.add(slug, data.get("name") or "")
            self.parents[slug.lower()] = (data.get("parent") or "").lower()

    def add(self, slug: str, name: str) -> None:
        self.slugs[slug.lower()] = slug
        shown = f"{name.strip()!r} ({slug})" if name.strip() else repr(slug)
        self.shown.update({n.lower(): shown for n in (name.strip(), slug) if n})
        if name:
            slugs = self.names.setdefault(name.strip().lower(), [])
            if slug not in slugs:
                slugs.append(slug)

    def find(self, text: str) -> tuple[str | None, str]:
        """The address of the team `text` names, or None and why not."""
        low = text.strip().lower()
        if low in self.slugs:
            return self.slugs[low], ""
        slugs = self.names.get(low, [])
        if len(slugs) == 1:
            return slugs[0], ""
        if slugs:
            return None, (
                f"{len(slugs)} teams are named {text!r}; give the address of the one meant "
                f"({', '.join(slugs)})."
            )
        return None, f"There is no team {text!r} (by address or name){_near(text, self.shown)}"


class _TeamRoles:
    """The organization's roles in a team (`TeamRole`: lead, co-lead, chair, member…, and
    lead and member always: `services.team_role`), as a people CSV's team_role cell may
    give one: by its key or its name, in any case, with or without "team" before it ("Team
    lead")."""

    def __init__(self, org: Organization):
        from accord.org.models import MembershipRole
        from accord.org.queries import team_role_names

        self.org = org
        self.names: dict[str, str] = {}  # a key or name in lower case -> the key
        self.shown: dict[str, str] = {}  # -> "'Lead' (lead)"
        roles = team_role_names(org)
        for slug, name in sorted({**dict(MembershipRole.choices), **roles}.items()):
            for word in (slug, name):
                self.names.setdefault(word.strip().lower(), slug)
                self.shown[word.strip().lower()] = f"{name!r} ({slug})"

    def find(self, text: str) -> tuple[str | None, str]:
        """The key of the role `text` names, or None and why not."""
        low = " ".join(text.strip().lower().split())
        for word in (low, low.removeprefix("team ").strip()):
            if word in self.names:
                return self.names[word], ""
        listed = ", ".join(dict.fromkeys(self.names.values()))
        return None, (
            f"There is no team role {text!r}{_near(text, self.shown) or '.'} The roles in a "
            f"team of {self.org.name} are: {listed} (Roles in teams, on the Teams page)"
        )


def _skipped(why: str) -> str:
    return f"{why}{'' if why.endswith(('.', '?')) else '.'} Row skipped."


def _people_by_name(org: Organization) -> tuple[dict[str, list[str]], dict[str, str]]:
    """A person's name in lower case -> the e-mail addresses of the people of that name;
    and -> "'Name' (e-mail)" for a name only one person has (what a near miss offers)."""
    out: dict[str, list[str]] = {}
    shown: dict[str, str] = {}
    for key, (_obj, data) in kinds_by_section()["people"].existing(org).items():
        name = (data.get("name") or "").strip()
        if name:
            email = data.get("email") or key
            out.setdefault(name.lower(), []).append(email)
            shown[name.lower()] = f"{name!r} ({email})"
    return out, {n: text for n, text in shown.items() if len(out[n]) == 1}


def _references(document: dict[str, Any], org: Organization) -> None:
    """Read the references a spreadsheet writes as people write them: a team by its
    address or its exact name, a person of a memberships CSV by e-mail or exact unique
    name; a team with no address gets one derived from its name (the organization's team
    of that name keeps its own); a people CSV's team column makes the person a member,
    and a row repeating a person's row but for its team (someone in two teams) names
    only that membership.
    A row naming what is not there is `Rejected`, saying why (and the names probably
    meant)."""
    section = next(iter(document))
    items = document[section]
    if section not in ("teams", "people", "memberships"):
        return
    teams = _Teams(org)
    ambiguous = {}
    if section == "teams":
        ambiguous = _derive_slugs(items, teams, org)
        for row in items:
            if row.get("slug") and row.get("name"):
                teams.add(str(row["slug"]), str(row["name"]))
    people, shown = _people_by_name(org) if section == "memberships" else ({}, {})
    roles: _TeamRoles | None = None  # read when a row gives a team role
    memberships = safeyaml.LList()
    memberships.lines = []
    described: dict[str, dict[str, Any]] = {}  # a people CSV's person rows, by address
    repeated: set[int] = set()  # rows saying again only who someone is, for another team
    for i, row in enumerate(items):
        # (what its reader found wrong already: `_row_problems`)
        problems = [*getattr(row, "problems", ()), *ambiguous.get(i, ())]
        fields = {"teams": ("parent",), "memberships": ("team",)}.get(section, ())
        for name in fields:
            value = row.get(name)
            if isinstance(value, str) and value:
                slug, why = teams.find(value)
                if slug:
                    row[name] = slug
                else:
                    problems.append(("missing_reference", name, value, _skipped(why)))
        if section == "memberships":
            person = row.get("person")
            if isinstance(person, str) and person and "@" not in person:
                emails = people.get(person.strip().lower(), [])
                if len(emails) == 1:
                    row["person"] = emails[0]
                else:
                    why = (
                        f"{len(emails)} people are named {person!r}; give the e-mail address of "
                        "the one meant."
                        if emails
                        else f"There is no one named {person!r} in the organization "
                        f"(give their e-mail address){_near(person, shown)}"
                    )
                    problems.append(("missing_reference", "person", person, _skipped(why)))
        if section == "people" and _team_role_as_role(row.get("role")):
            roles = roles or _TeamRoles(org)
            if roles.find(row["role"])[0] is not None:  # "lead" in the organization's role
                why = (
                    f"{row['role']!r} is a role in a team, and the role column is the "
                    "person's role in the organization (viewer, member, leader or admin): give "
                    "a role in their team in a team_role column, beside team"
                )
                problems.append(("invalid_value", "role", row["role"], _skipped(why)))
        if section == "people" and ("team" in row or "team_role" in row):
            team, given = row.pop("team", ""), row.pop("team_role", "")
            email = row.get("email")
            if isinstance(email, str) and email and not problems:
                first = described.setdefault(email.strip().lower(), row)
                if first is not row and first == row:
                    repeated.add(i)  # the person once; each row's team a membership
            role = None
            if given:
                roles = roles or _TeamRoles(org)
                role, why = roles.find(given)
                if role is None:
                    problems.append(("invalid_value", "team_role", given, _skipped(why)))
                elif not team:
                    why = (
                        f"The row gives the team role {given!r} but no team; give the team "
                        "in the team column (or leave the role empty)"
                    )
                    problems.append(("invalid_value", "team_role", given, _skipped(why)))
            if team:
                slug, why = teams.find(team)
                if slug is None:
                    problems.append(("missing_reference", "team", team, _skipped(why)))
                elif row.get("email") and not problems:  # (a row skipped makes no member)
                    # An empty role cell: a new member's role is member, an existing one's
                    # stays as it is.
                    term = {"team": slug, "person": row["email"]}
                    memberships.append(term if role is None else {**term, "role": role})
                    memberships.lines.append(safeyaml.line_of(items, i))
        if problems:
            items[i] = engine.Rejected(row, problems)
    if repeated:
        kept = [i for i in range(len(items)) if i not in repeated]
        lines = [safeyaml.line_of(items, i) for i in kept]
        items[:] = [items[i] for i in kept]
        items.lines = lines
    if memberships:
        document["memberships"] = memberships


def _team_role_as_role(value: Any) -> bool:
    """Whether a people CSV's role cell is not a role in the organization (it may be one in
    a team, written in the wrong column)."""
    from accord.org.models import Role

    return isinstance(value, str) and value.strip().lower() not in Role.values


def _leads_text(outcome) -> str:
    """What a people CSV's team_role column makes of whom: "Made 2 team leads: ann@… (lead
    of platform), bo@… (chair of guild)", or "Would make …" in a plan; "" when none."""
    from accord.org.models import is_leading_role

    made = []
    for c in outcome.changes:
        role = c.fields.get("role", (None, None))[1] if c.section == "memberships" else None
        if c.action in ("create", "update") and role and is_leading_role(role):
            team, _, person = str(c.key).partition("/")
            made.append(f"{person} ({role} of {team})")
    if not made:
        return ""
    shown = ", ".join(made[:10]) + (f" and {len(made) - 10} more" if len(made) > 10 else "")
    verb = "Made" if outcome.applied else "Would make"
    return f"{verb} {len(made)} team lead{'' if len(made) == 1 else 's'}: {shown}."


def _derive_slugs(items, teams: _Teams, org: Organization) -> dict[int, list[tuple]]:
    """A team row without an address gets the one its name has in the organization, else
    one derived from the name as the team form derives it (`unique_slug`), unused. When
    several teams have that name, the one under the row's parent is meant (a `parent` cell
    left empty: the top-level one); when that still leaves several, or the file has no
    parent column, the row is skipped, asking for the address: its problems per row."""
    from accord.core.services import unique_slug
    from accord.org.models import Team

    taken = {str(row["slug"]).lower() for row in items if row.get("slug")}
    queryset = Team.objects.for_org(org)
    problems: dict[int, list[tuple]] = {}
    for i, row in enumerate(items):
        name = row.get("name")
        if row.get("slug") or not isinstance(name, str) or not name.strip():
            continue
        known = teams.names.get(name.strip().lower(), [])
        if len(known) > 1 and "parent" in row:
            parent = row["parent"]
            under = teams.find(parent)[0] if isinstance(parent, str) and parent.strip() else ""
            # (a parent there is none of: no team of the name is under it; the row is
            # skipped for that parent)
            known = [
                s
                for s in known
                if under is not None and teams.parents.get(s.lower()) == under.lower()
            ]
        if len(known) > 1:
            problems[i] = [
                (
                    "ambiguous_reference",
                    "slug",
                    name,
                    _skipped(
                        f"{len(known)} teams are named {name!r} ({', '.join(known)}); add a "
                        "slug column giving the address of the one meant (or a parent column "
                        "giving its parent)"
                    ),
                )
            ]
            continue
        if len(known) == 1:
            row["slug"] = known[0]
        else:
            row["slug"] = unique_slug(queryset, name, taken=taken)
        taken.add(row["slug"].lower())
    return problems


def import_csv(
    source: bytes,
    *,
    org_slug: str,
    section: str | None = None,
    strict: bool = False,
    dry_run: bool = False,
    filename: str = "upload.csv",
    actor=None,
    progress=None,
    allow_ignored_columns: bool = False,
):
    """Create and update what the CSV describes (never removes anything) in the
    organization at `org_slug`, which must exist (a CSV never creates one). Only the fields
    the header names are changed: a column left out leaves that field as it is. Columns
    the section does not have are ignored and named (`Outcome.ignored_columns`); when one
    looks like a known column misspelt, nothing is written unless `allow_ignored_columns`
    confirms that it is meant to be ignored (the plan of a dry run says so)."""
    if not Organization.objects.filter(slug=org_slug).exists():
        return services.Outcome(
            None,
            fatal=Problem(
                kind="no_organization",
                why=f"No organization at address {org_slug!r}; a CSV import does not create one.",
                value=org_slug,
            ),
        )
    try:
        document, report, ignored = parse_csv(source, section=section, filename=filename)
    except services.Fatal as exc:
        return services.Outcome(
            None, fatal=exc.problem, csv_section=getattr(exc, "section", None) or ""
        )
    _references(document, Organization.objects.get(slug=org_slug))
    near = {cell: meant for cell, meant in ignored.items() if meant}
    unconfirmed = bool(near) and not dry_run and not allow_ignored_columns
    outcome = services.apply_data(
        document,
        org_slug=org_slug,
        strict=strict,
        dry_run=dry_run or unconfirmed,  # not confirmed: planned, nothing written
        partial=True,
        report=report,
        actor=actor,
        trial=not services.is_large(source),
        chunked=services.is_large(source),
        progress=progress,
        name=filename,
        source_format=f"CSV ({next(iter(document))})",
    )
    outcome.ignored_columns, outcome.near_misses = list(ignored), near
    outcome.csv_section = next(iter(document))
    if ignored:
        outcome.notes.insert(0, ignored_text(ignored))
    if outcome.csv_section == "people" and (leads := _leads_text(outcome)):
        outcome.notes.append(leads)
    if unconfirmed and outcome.ok:
        outcome.aborted = outcome.unconfirmed = True
        outcome.stopped = (
            f"Not imported: {outcome.near_miss_text()}. Rename the column"
            f"{'s' if len(near) > 1 else ''}, or confirm that "
            f"{'they are' if len(near) > 1 else 'it is'} meant to be ignored. "
            "Nothing was changed."
        )
    return outcome
