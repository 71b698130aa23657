import json

import pytest


def send(client, method: str, url: str, body=None, **headers):
    """A JSON request: send(client, "patch", url, {"name": "X"}, HTTP_IF_MATCH='"2"')."""
    if method in ("get", "delete"):
        return getattr(client, method)(url, **headers)
    return getattr(client, method)(
        url, json.dumps(body or {}), content_type="application/json", **headers
    )


FUZZ_CASES = pytest.StashKey[list[str]]()


@pytest.hookimpl(tryfirst=True)  # before -k and -m leave tests out
def pytest_collection_modifyitems(config, items):
    """The ids of the fuzzer's cases as collected, whatever is selected to run after:
    tests/api/test_fuzz_openapi.py checks that they differ."""
    config.stash[FUZZ_CASES] = [
        item.nodeid
        for item in items
        if item.path.name == "test_fuzz_openapi.py"
        and getattr(item, "originalname", "").startswith("test_no_request_")
    ]
