"""The plan page says "the organization already matches the file" only when it does.

A file whose only row was unreadable was headed "No changes: the organization already
matches the file" above its list of problems. A plan that changes nothing because its rows
would be skipped says that instead; a file whose rows match the organization still says it
matches.
"""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.conftest import login

pytestmark = pytest.mark.urls("tests.interchange.urls")

MATCHES = "the organization already matches the file"


def _plan(cast, name: str, text: str) -> str:
    page = login(cast.admin).post(
        "/o/acme/interchange/plan/", {"file": SimpleUploadedFile(name, text.encode())}
    )
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", page.content.decode()))


def test_a_file_whose_rows_all_have_problems_does_not_say_it_matches(cast):
    text = _plan(cast, "people.csv", "email,name\r\nnot-an-address,\r\n")
    assert MATCHES not in text
    assert "No changes: 1 row would be skipped for the problems below" in text
    assert "Problems (" in text


def test_a_file_that_matches_says_so(cast):
    text = _plan(cast, "people.csv", f"email,name\r\n{cast.member.email},{cast.member.name}\r\n")
    assert f"No changes: {MATCHES}." in text
