"""One fix to django-ninja, applied before any app defines an endpoint.

ninja resolves string annotations (as written under `from __future__ import annotations`)
in the globals of the function it is given. For an endpoint wrapped by `@paginate` that
function is ninja's own wrapper, so a filter typed with one of the app's names
(`role: Role | None`, `since: dt.datetime | None`, `Literal[...]`) fails on every call,
and takes /api/v1/openapi.json down with it. Resolving them in the globals of the
unwrapped endpoint is what ninja means to do.
"""

from __future__ import annotations

import inspect
from typing import Any

from ninja.signature import details, utils


def typed_signature(call: Any) -> inspect.Signature:
    signature = inspect.signature(call)
    globalns = getattr(inspect.unwrap(call), "__globals__", {})
    return inspect.Signature(
        [
            param.replace(annotation=utils.get_typed_annotation(param, globalns))
            for param in signature.parameters.values()
        ]
    )


details.get_typed_signature = typed_signature
