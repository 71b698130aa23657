"""Untrusted YAML is read with bounded cost and clear refusals."""

from __future__ import annotations

import time

import pytest

from accord.interchange import safeyaml
from accord.interchange.safeyaml import YamlRefused

BILLION_LAUGHS = """
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


def _refusal(source, **kw) -> YamlRefused:
    with pytest.raises(YamlRefused) as info:
        safeyaml.load(source, **kw)
    return info.value


def test_it_refuses_a_billion_laughs_at_the_first_alias():
    started = time.monotonic()
    exc = _refusal(BILLION_LAUGHS)
    assert exc.code == "yaml_alias" and exc.line == 3
    assert time.monotonic() - started < 1


def test_it_refuses_oversized_input_before_parsing():
    exc = _refusal(b"a: 1\n" * 300_000, max_bytes=1_000_000)
    assert exc.code == "too_large"


def test_it_refuses_deep_nesting_without_crashing():
    exc = _refusal("[" * 1_000_000 + "]" * 1_000_000)
    assert exc.code == "too_deep"


def test_it_refuses_python_tags():
    assert _refusal("x: !!python/object/apply:os.system ['true']").code == "yaml_tag"


def test_it_refuses_broken_yaml_with_a_line():
    exc = _refusal("a: 1\nb: [\n")
    assert exc.code == "invalid_yaml" and exc.line == 3


def test_it_refuses_several_documents_and_bad_encoding():
    assert _refusal("a: 1\n---\nb: 2\n").line == 2
    assert _refusal(b"a: \xff\n").code == "encoding"


def test_it_keeps_dates_and_clock_times_as_text_and_reports_duplicate_keys():
    loaded = safeyaml.load("\ufeffa: 2023-14-05\nb: 9:00\nc: 010\nb: 10:00\nd: yes\n")
    assert loaded.data == {"a": "2023-14-05", "b": "10:00", "c": 10, "d": True}
    assert loaded.duplicates == [(4, "b")]
    assert safeyaml.line_of(loaded.data, "d") == 5
