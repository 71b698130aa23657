import json


def send(client, method: str, url: str, body=None, **headers):
    """A JSON request: send(client, "patch", url, {"name": "X"}, HTTP_IF_MATCH='"2"')."""
    if method in ("get", "delete"):
        return getattr(client, method)(url, **headers)
    return getattr(client, method)(
        url, json.dumps(body or {}), content_type="application/json", **headers
    )
