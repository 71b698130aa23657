"""Reading one number out of an answer: pure functions, each raising PullError with a
message for the person who set the source."""

from __future__ import annotations

import csv
import io
import json
import math
from decimal import Decimal, InvalidOperation
from typing import Any

from jsonpath_ng.exceptions import JsonPathParserError
from jsonpath_ng.ext import parse as jsonpath_parse


class PullError(Exception):
    """A pull failed; `str()` says why, for the page."""


def compile_path(text: str):
    """A parsed JSONPath, or ValueError with the parser's reason."""
    try:
        return jsonpath_parse(text)
    except (JsonPathParserError, Exception) as exc:  # the lexer raises plain Exceptions
        raise ValueError(str(exc) or "not a JSONPath") from None


def to_number(value: Any, what: str) -> float:
    if isinstance(value, bool) or value is None or isinstance(value, dict | list):
        raise PullError(f"{what} is {json.dumps(value)[:80]}, not a number.")
    try:
        out = float(Decimal(str(value).strip().replace(",", "")))
    except (InvalidOperation, ValueError):
        raise PullError(f"{what} is {str(value)[:80]!r}, not a number.") from None
    if not math.isfinite(out):
        raise PullError(f"{what} is {value!r}, not a finite number.")
    return out


def _text(body: bytes) -> str:
    try:
        return body.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise PullError("The answer is not UTF-8 text.") from None


def read_json(body: bytes, path: str) -> float:
    try:
        data = json.loads(_text(body))
    except json.JSONDecodeError as exc:
        raise PullError(f"The answer is not JSON ({exc.msg} at line {exc.lineno}).") from None
    matches = compile_path(path).find(data)
    if not matches:
        raise PullError(f"{path} matches nothing in the answer.")
    if len(matches) > 1:
        raise PullError(f"{path} matches {len(matches)} values; it must match one.")
    return to_number(matches[0].value, f"The value at {path}")


def _index(spec: str, size: int, what: str) -> int:
    """A 1-based number (or "last") as a 0-based index within `size`."""
    if spec.strip().lower() in ("", "last"):
        if size == 0:
            raise PullError(f"The CSV has no {what}s.")
        return size - 1
    n = int(spec)
    if not 1 <= n <= size:
        raise PullError(f"The CSV has {size} {what}s; there is no {what} {n}.")
    return n - 1


def read_csv(
    body: bytes, column: str, row: str, key_column: str = "", key_value: str = ""
) -> float:
    """The cell at `column` (a header name or a 1-based number) of the row `row` ("last", a
    1-based number counting data rows after the header) or, with `key_column`, of the last
    row whose `key_column` holds `key_value`."""
    try:
        rows = [r for r in csv.reader(io.StringIO(_text(body))) if any(c.strip() for c in r)]
    except csv.Error as exc:
        raise PullError(f"The answer is not CSV ({exc}).") from None
    if not rows:
        raise PullError("The CSV is empty.")
    header, data = [h.strip() for h in rows[0]], rows[1:]

    def col(spec: str) -> int:
        if spec.strip().isdigit():
            return _index(spec, len(header), "column")
        if spec.strip() not in header:
            raise PullError(f"The CSV has no column {spec!r} (it has {', '.join(header)[:200]}).")
        return header.index(spec.strip())

    c = col(column)
    if key_column:
        k = col(key_column)
        found = [r for r in data if len(r) > k and r[k].strip() == key_value.strip()]
        if not found:
            raise PullError(f"No row of the CSV has {key_value!r} in {key_column!r}.")
        line = found[-1]
        where = f"{key_column}={key_value}"
    else:
        line = data[_index(row, len(data), "row")]
        where = f"row {row or 'last'}"
    if len(line) <= c:
        raise PullError(f"The CSV's {where} has no column {column!r}.")
    return to_number(line[c], f"The cell {column!r} of {where}")


def read_prometheus(body: bytes) -> float:
    """The value of an instant query's answer: a scalar, or a vector of exactly one series."""
    try:
        data = json.loads(_text(body))
    except json.JSONDecodeError:
        raise PullError("The answer is not the JSON of a Prometheus query.") from None
    if not isinstance(data, dict) or data.get("status") != "success":
        error = data.get("error") if isinstance(data, dict) else None
        raise PullError(f"The query failed: {error or 'no status success in the answer'}.")
    result = data.get("data") or {}
    kind, value = result.get("resultType"), result.get("result")
    if kind == "scalar" and isinstance(value, list) and len(value) == 2:
        return to_number(value[1], "The query's scalar")
    if kind == "vector" and isinstance(value, list):
        if len(value) != 1:
            raise PullError(
                f"The query answered {len(value)} series; aggregate it to one (e.g. sum(...))."
            )
        sample = value[0].get("value") if isinstance(value[0], dict) else None
        if not isinstance(sample, list) or len(sample) != 2:
            raise PullError("The query's series has no value.")
        return to_number(sample[1], "The query's value")
    raise PullError(f"The query answered a {kind or 'malformed'} result; use an instant vector.")
