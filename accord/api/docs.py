"""The API's browsable documentation, served entirely from Accord itself.

Swagger UI comes from the npm package `swagger-ui-dist` (package.json), served as static
files like the other front-end packages, and starts from a static script: the page works
offline and under the Content Security Policy, with no third-party script.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from ninja.openapi.docs import DocsBase


class LocalSwaggerUI(DocsBase):
    def render_page(self, request: HttpRequest, api: Any, **kwargs: Any) -> HttpResponse:
        return render(
            request,
            "api/docs.html",
            {"api": api, "openapi_url": self.get_openapi_url(api, kwargs)},
        )
