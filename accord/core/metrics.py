"""`/metrics`: Prometheus metrics (django-prometheus), for a scraper holding the token.

Off unless ACCORD_METRICS is set: then the address answers 404, as for any unknown page,
and django-prometheus' middleware is not in the stack at all. When on, a request without
`Authorization: Bearer <ACCORD_METRICS_TOKEN>` answers 401.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.http import Http404, HttpResponse
from django.views.decorators.cache import never_cache


@never_cache
def metrics(request):
    if not settings.ACCORD_METRICS:
        raise Http404("Metrics are off.")
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    expected = settings.ACCORD_METRICS_TOKEN
    if not (
        scheme.lower() == "bearer"
        and expected
        and secrets.compare_digest(token.strip().encode(), expected.encode())
    ):
        response = HttpResponse(
            "A bearer token is needed.\n", status=401, content_type="text/plain"
        )
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    from django_prometheus.exports import ExportToDjangoView

    return ExportToDjangoView(request)
