"""The project's URLs with the import/export pages mounted where they will live."""

from django.urls import include, path

from accord.urls import urlpatterns as project_urls

urlpatterns = [
    path("o/<slug:org_slug>/interchange/", include("accord.interchange.urls")),
    *project_urls,
]
