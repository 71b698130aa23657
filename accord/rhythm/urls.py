from django.urls import path

from accord.rhythm import views

app_name = "rhythm"

urlpatterns = [
    path("", views.my_week, name="index"),
    path("settings/", views.my_settings, name="settings"),
    path("cadences/", views.cadence_list, name="cadences"),
    path("cadences/new/", views.cadence_new, name="cadence_new"),
    path("cadences/<int:cadence_id>/", views.cadence_detail, name="cadence"),
    path("cadences/<int:cadence_id>/edit/", views.cadence_edit, name="cadence_edit"),
    path("cadences/<int:cadence_id>/<str:key>/", views.meeting, name="meeting"),
    path("cadences/<int:cadence_id>/<str:key>/checkin/", views.checkin, name="checkin"),
    path(
        "cadences/<int:cadence_id>/<str:key>/checkins/",
        views.checkin_round,
        name="checkin_round",
    ),
    path(
        "cadences/<int:cadence_id>/<str:key>/checkins/remind/",
        views.checkin_remind,
        name="checkin_remind",
    ),
    path("cadences/<int:cadence_id>/<str:key>/move/", views.occurrence_change, name="occurrence"),
    path("cadences/<int:cadence_id>/<str:key>/ics/", views.meeting_ics, name="meeting_ics"),
    path(
        "cadences/<int:cadence_id>/<str:key>/notes/live/",
        views.meeting_notes,
        name="meeting_notes",
    ),
    path(
        "cadences/<int:cadence_id>/<str:key>/<str:action>/",
        views.meeting_action,
        name="meeting_action",
    ),
    path("teams/<slug:team_slug>/", views.team_rhythm, name="team"),
    path(
        "teams/<slug:team_slug>/measurables/<int:measurable_id>/",
        views.measurable_edit,
        name="measurable_edit",
    ),
]
