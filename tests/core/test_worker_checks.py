"""`accord worker` runs the system checks before any work, but not those of the URLs (a
worker serves no page; importing every view and API schema to check them was most of its
start-up)."""

from __future__ import annotations

import pytest
from django.core import checks
from django.core.management.base import SystemCheckError

from accord.core.management.commands.worker import Command

ran: list[str] = []


def failing_model_check(app_configs, **kwargs):
    ran.append("models")
    return [checks.Error("the models are wrong", id="accord.E999")]


def url_check(app_configs, **kwargs):
    ran.append("urls")
    return []


def test_the_worker_stops_on_a_failing_check_and_skips_only_the_url_checks():
    registry = checks.registry.registry
    every = set(registry.registered_checks)
    registry.register(failing_model_check, checks.Tags.models)
    registry.register(url_check, checks.Tags.urls)
    try:
        with pytest.raises(SystemCheckError, match="the models are wrong"):
            Command().check()
    finally:
        registry.registered_checks = every
    assert ran == ["models"]
    assert registry.registered_checks == every
