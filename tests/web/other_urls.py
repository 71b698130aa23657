"""A URL configuration other than Accord's, for tests that swap it in."""

from django.http import HttpResponse
from django.urls import include, path


def page(request, **kwargs):
    return HttpResponse()


org_patterns = ([path("<slug:org_slug>/<slug:team_slug>/", page, name="team")], "org")

urlpatterns = [path("elsewhere/", include(org_patterns))]
