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

import re
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


def load(source: bytes | str, *, max_bytes: int = MAX_BYTES, max_depth: int = MAX_DEPTH) -> Loaded:
    """Parse one YAML document from `source`; raise YamlRefused with a clear message."""
    if isinstance(source, bytes):
        if len(source) > max_bytes:
            raise YamlRefused(
                f"The file is {len(source):,} bytes; at most {max_bytes:,} are accepted.",
                code="too_large",
            )
        try:
            text = source.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise YamlRefused(
                f"The file is not UTF-8 text (bad byte at offset {exc.start}).", code="encoding"
            ) from None
    else:
        text = source.lstrip("\ufeff")
        if len(text) > max_bytes:
            raise YamlRefused(
                f"The file is {len(text):,} characters; at most {max_bytes:,} are accepted.",
                code="too_large",
            )
    return _build(text, max_depth)


def read_file(path, *, max_bytes: int = MAX_BYTES, max_depth: int = MAX_DEPTH) -> Loaded:
    """Like `load`, reading at most `max_bytes` + 1 bytes of the file."""
    with open(path, "rb") as fh:
        data = fh.read(max_bytes + 1)
    return load(data, max_bytes=max_bytes, max_depth=max_depth)


def _build(text: str, max_depth: int) -> Loaded:
    duplicates: list[tuple[int, Any]] = []
    # Each frame: [container, pending_key, key_line]
    stack: list[list[Any]] = []
    root: Any = None
    documents = 0

    def attach(value: Any, line: int) -> None:
        nonlocal root
        if not stack:
            root = value
            return
        frame = stack[-1]
        container = frame[0]
        if isinstance(container, LList):
            container.append(value)
            container.lines.append(line)
        elif frame[1] is _NO_KEY:
            if isinstance(value, LDict | LList):
                raise YamlRefused("Keys must be plain values, not lists or mappings.", line=line)
            try:
                hash(value)
            except TypeError:
                raise YamlRefused("Keys must be plain values.", line=line) from None
            frame[1], frame[2] = value, line
        else:
            key = frame[1]
            if key in container:
                duplicates.append((frame[2], key))
            container[key] = value
            container.lines[key] = frame[2]
            frame[1] = _NO_KEY

    try:
        for event in yaml.parse(text, Loader=_Parser):
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
            elif isinstance(event, events.ScalarEvent):
                attach(_scalar(event), line)
            elif isinstance(event, events.SequenceStartEvent | events.MappingStartEvent):
                if event.tag not in (None, "!") and event.tag not in _ALLOWED_TAGS:
                    raise YamlRefused(
                        f"The tag {event.tag!r} is not allowed here.", line=line, code="yaml_tag"
                    )
                if len(stack) >= max_depth:
                    raise YamlRefused(
                        f"The file nests deeper than {max_depth} levels.",
                        line=line,
                        code="too_deep",
                    )
                if isinstance(event, events.SequenceStartEvent):
                    container: Any = LList()
                    container.lines = []
                else:
                    container = LDict()
                    container.lines = {}
                stack.append([container, _NO_KEY, None, line])
            elif isinstance(event, events.SequenceEndEvent | events.MappingEndEvent):
                frame = stack.pop()
                attach(frame[0], frame[3])
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise YamlRefused(f"Not valid YAML: {exc.problem or exc.context}.", line=line) from None
    except yaml.YAMLError as exc:
        raise YamlRefused(f"Not valid YAML: {exc}.") from None
    return Loaded(root, duplicates)


class _NoKey:
    def __repr__(self) -> str:
        return "<no key>"


_NO_KEY = _NoKey()
