"""Reading untrusted YAML with bounded cost.

PyYAML's own loaders expand aliases (the "billion laughs" bomb), recurse on nesting (deep
input crashes the C composer), turn `2023-14-05` into an exception and silently keep the last
of two duplicate keys. This module reads the event stream of the (C, when available) parser
and builds plain data itself, iteratively:

* size is capped before parsing; nesting depth is capped while parsing;
* aliases are refused outright, and so are tags other than the standard scalar ones;
* timestamps stay text (callers parse dates and report the impossible ones);
* YAML 1.1's sexagesimal numbers (`9:00` = 540) stay text;
* each mapping and list remembers the line of each key/item (`line_of`), and duplicate keys
  are collected with their line, for the caller to report.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml import events
from yaml.resolver import Resolver

MAX_BYTES = 10 * 1024 * 1024
MAX_DEPTH = 64
_Parser = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_resolver = Resolver()
_STD = "tag:yaml.org,2002:"
_ALLOWED_TAGS = {f"{_STD}{t}" for t in ("str", "int", "float", "bool", "null", "map", "seq")}
_INT = re.compile(r"[-+]?[0-9][0-9_]*")
_FLOAT = re.compile(r"[-+]?([0-9][0-9_]*)?\.[0-9_]*([eE][-+]?[0-9]+)?")


class YamlRefused(ValueError):
    """The input is not acceptable YAML; `line` (1-based) says where, when known."""

    def __init__(self, message: str, *, line: int | None = None, code: str = "invalid_yaml"):
        super().__init__(message)
        self.message = message
        self.line = line
        self.code = code


class LDict(dict):
    """A mapping that remembers the line of each key."""

    lines: dict[Any, int]


class LList(list):
    """A list that remembers the line of each item."""

    lines: list[int]


def line_of(container: Any, key: Any) -> int | None:
    """The 1-based line of `key` (a mapping key or a list index) in `container`, if known."""
    lines = getattr(container, "lines", None)
    if lines is None:
        return None
    try:
        return lines[key]
    except (KeyError, IndexError, TypeError):
        return None


@dataclass
class Loaded:
    data: Any
    duplicates: list[tuple[int, Any]] = field(default_factory=list)  # (line, key)


def _scalar(event: events.ScalarEvent) -> Any:
    value = event.value
    tag = event.tag
    if tag in (None, "!"):
        if event.style or tag == "!":
            return value  # quoted: always text
        tag = _resolver.resolve(yaml.ScalarNode, value, event.implicit)
    elif tag not in _ALLOWED_TAGS:
        raise YamlRefused(
            f"The tag {tag!r} is not allowed here; use plain values.",
            line=event.start_mark.line + 1,
            code="yaml_tag",
        )
    name = tag.rsplit(":", 1)[-1]
    if name == "null":
        return None
    if name == "bool":
        return value.lower() in ("yes", "true", "on", "y")
    if name == "int":
        return int(value.replace("_", "")) if _INT.fullmatch(value) else value
    if name == "float":
        return float(value.replace("_", "")) if _FLOAT.fullmatch(value) else value
    return value


def _checked(source: bytes | str, max_bytes: int) -> bytes | str:
    """`source` within `max_bytes`, as UTF-8 bytes (checked, not copied) or text."""
    if isinstance(source, bytes):
        if len(source) > max_bytes:
            raise YamlRefused(
                f"The file is {len(source):,} bytes; at most {max_bytes:,} are accepted.",
                code="too_large",
            )
        # Checked a megabyte at a time: a decoded copy of a large file would double its cost.
        decoder = codecs.getincrementaldecoder("utf-8")()
        view = memoryview(source)
        step = 1 << 20
        for at in range(0, len(source), step):
            try:
                decoder.decode(view[at : at + step], final=at + step >= len(source))
            except UnicodeDecodeError as exc:
                raise YamlRefused(
                    f"The file is not UTF-8 text (bad byte at offset {at + exc.start}).",
                    code="encoding",
                ) from None
        return source  # the parser skips a UTF-8 byte-order mark itself
    text = source.lstrip("\ufeff")
    if len(text) > max_bytes:
        raise YamlRefused(
            f"The file is {len(text):,} characters; at most {max_bytes:,} are accepted.",
            code="too_large",
        )
    return text


def load(source: bytes | str, *, max_bytes: int = MAX_BYTES, max_depth: int = MAX_DEPTH) -> Loaded:
    """Parse one YAML document from `source`; raise YamlRefused with a clear message."""
    return _build(_checked(source, max_bytes), max_depth)


def read_file(path, *, max_bytes: int = MAX_BYTES, max_depth: int = MAX_DEPTH) -> Loaded:
    """Like `load`, reading at most `max_bytes` + 1 bytes of the file."""
    with open(path, "rb") as fh:
        data = fh.read(max_bytes + 1)
    return load(data, max_bytes=max_bytes, max_depth=max_depth)


_Event = tuple[Any, int | None]


def _events(source: bytes | str) -> Iterator[_Event]:
    """The parser's events with their 1-based line; aliases and a second document refused."""
    documents = 0
    try:
        for event in yaml.parse(source, Loader=_Parser):
            line = event.start_mark.line + 1 if event.start_mark else None
            if isinstance(event, events.AliasEvent):
                raise YamlRefused(
                    f"Aliases (*{event.anchor}) are not accepted; write the value out.",
                    line=line,
                    code="yaml_alias",
                )
            if isinstance(event, events.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    raise YamlRefused("Only one YAML document per file is accepted.", line=line)
            yield event, line
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise YamlRefused(f"Not valid YAML: {exc.problem or exc.context}.", line=line) from None
    except yaml.YAMLError as exc:
        raise YamlRefused(f"Not valid YAML: {exc}.") from None


def _container(event: Any, line: int | None, depth: int, max_depth: int) -> Any:
    if event.tag not in (None, "!") and event.tag not in _ALLOWED_TAGS:
        raise YamlRefused(f"The tag {event.tag!r} is not allowed here.", line=line, code="yaml_tag")
    if depth >= max_depth:
        raise YamlRefused(
            f"The file nests deeper than {max_depth} levels.", line=line, code="too_deep"
        )
    if isinstance(event, events.SequenceStartEvent):
        container: Any = LList()
        container.lines = []
    else:
        container = LDict()
        container.lines = {}
    return container


def _key(value: Any, line: int | None) -> Any:
    if isinstance(value, LDict | LList):
        raise YamlRefused("Keys must be plain values, not lists or mappings.", line=line)
    try:
        hash(value)
    except TypeError:
        raise YamlRefused("Keys must be plain values.", line=line) from None
    return value


def _value(
    first: Any,
    line: int | None,
    stream: Iterator[_Event],
    duplicates: list[tuple[int, Any]],
    max_depth: int,
    depth: int = 0,
) -> Any:
    """The value that begins with event `first` (a scalar, a list or a mapping), reading
    `stream` up to its end, iteratively (deep input cannot exhaust the stack)."""
    if isinstance(first, events.ScalarEvent):
        return _scalar(first)
    # Each frame: [container, pending_key, key_line, line]
    stack: list[list[Any]] = [[_container(first, line, depth, max_depth), _NO_KEY, None, line]]
    for event, line in stream:
        if isinstance(event, events.ScalarEvent):
            value: Any = _scalar(event)
        elif isinstance(event, events.SequenceStartEvent | events.MappingStartEvent):
            container = _container(event, line, depth + len(stack), max_depth)
            stack.append([container, _NO_KEY, None, line])
            continue
        elif isinstance(event, events.SequenceEndEvent | events.MappingEndEvent):
            frame = stack.pop()
            if not stack:
                return frame[0]
            value, line = frame[0], frame[3]
        else:  # pragma: no cover - the parser gives nothing else inside a value
            continue
        frame = stack[-1]
        container = frame[0]
        if isinstance(container, LList):
            container.append(value)
            container.lines.append(line)
        elif frame[1] is _NO_KEY:
            frame[1], frame[2] = _key(value, line), line
        else:
            key = frame[1]
            if key in container:
                duplicates.append((frame[2], key))
            container[key] = value
            container.lines[key] = frame[2]
            frame[1] = _NO_KEY
    raise YamlRefused("Not valid YAML: the file ends inside a value.")  # pragma: no cover


_CONTENT = (events.ScalarEvent, events.SequenceStartEvent, events.MappingStartEvent)


def _build(source: bytes | str, max_depth: int) -> Loaded:
    duplicates: list[tuple[int, Any]] = []
    root: Any = None
    stream = _events(source)
    for event, line in stream:
        if isinstance(event, _CONTENT):
            root = _value(event, line, stream, duplicates, max_depth)
    return Loaded(root, duplicates)


class Duplicate(YamlRefused):
    """A mapping says the same key twice (`key`, at `line`)."""

    def __init__(self, key: Any, line: int | None):
        super().__init__(
            f"The key {key!r} appears twice in one mapping; say it once.",
            line=line,
            code="duplicate_key",
        )
        self.key = key


def sections(
    source: bytes | str, *, max_bytes: int = MAX_BYTES, max_depth: int = MAX_DEPTH
) -> Iterator[tuple[Any, int | None, Any]]:
    """The top-level mapping of `source` read one entry at a time, for files too large to
    hold as a tree: yields (key, line, value), where the value of a list is an iterator of
    (item, line) that reads one item at a time and must be consumed before the next entry
    (what is not is skipped). Raises YamlRefused (`Duplicate` for a key said twice, code
    `wrong_type` when the document is not a mapping) as soon as it meets the problem."""
    stream = _events(_checked(source, max_bytes))
    duplicates: list[tuple[int, Any]] = []
    seen: set[Any] = set()

    def check() -> None:
        if duplicates:
            line, key = duplicates[0]
            raise Duplicate(key, line)

    for event, line in stream:
        if not isinstance(event, _CONTENT):
            continue
        if not isinstance(event, events.MappingStartEvent):
            _value(event, line, stream, duplicates, max_depth)
            raise YamlRefused("The file must be a mapping of sections.", line=1, code="wrong_type")
        _container(event, line, 0, max_depth)
        for key_event, key_line in stream:
            if isinstance(key_event, events.MappingEndEvent):
                break
            key = _key(_value(key_event, key_line, stream, duplicates, max_depth, 1), key_line)
            if key in seen:
                raise Duplicate(key, key_line)
            seen.add(key)
            value_event, value_line = next(stream)
            if isinstance(value_event, events.SequenceStartEvent):
                _container(value_event, value_line, 1, max_depth)
                items = _items(stream, duplicates, max_depth, check)
                yield key, key_line, items
                for _ in items:  # what the caller left
                    pass
            else:
                value = _value(value_event, value_line, stream, duplicates, max_depth, 1)
                check()
                yield key, key_line, value
        for _ in stream:  # a second document or a syntax error after the mapping
            pass
        check()


def _items(
    stream: Iterator[_Event], duplicates: list, max_depth: int, check: Any
) -> Iterator[tuple[Any, int | None]]:
    for event, line in stream:
        if isinstance(event, events.SequenceEndEvent):
            return
        item = _value(event, line, stream, duplicates, max_depth, 2)
        check()
        yield item, line


class _NoKey:
    def __repr__(self) -> str:
        return "<no key>"


_NO_KEY = _NoKey()
