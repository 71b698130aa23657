from django.urls import path

from accord.sources import views

app_name = "sources"

urlpatterns = [
    path("key-results/<int:kr_id>/edit/", views.kr_source_edit, name="kr_source_edit"),
    path("key-results/<int:kr_id>/pull/", views.kr_pull, name="kr_pull"),
    path("key-results/<int:kr_id>/clear/", views.kr_clear, name="kr_clear"),
    path(
        "measurables/<int:measurable_id>/edit/",
        views.measurable_source_edit,
        name="measurable_source_edit",
    ),
    path("measurables/<int:measurable_id>/pull/", views.measurable_pull, name="measurable_pull"),
    path("measurables/<int:measurable_id>/clear/", views.measurable_clear, name="measurable_clear"),
    path("initiatives/<int:initiative_id>/tracker/", views.tracker_set, name="tracker_set"),
    path("initiatives/<int:initiative_id>/pull/", views.tracker_pull, name="tracker_pull"),
    path("initiatives/<int:initiative_id>/clear/", views.tracker_clear, name="tracker_clear"),
    path("integrations/", views.integrations, name="integrations"),
    path("integrations/<str:tracker>/", views.integration_set, name="integration_set"),
]
