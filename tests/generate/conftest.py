"""The generated organizations of these tests: `generated` (tests/conftest.py) by size."""

from __future__ import annotations

import pytest


@pytest.fixture(params=["small", "large"])
def org(request, generated, db):
    return generated[request.param]
