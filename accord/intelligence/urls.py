from django.urls import path

from accord.intelligence import duplicate_views, settings_views, views

app_name = "intelligence"

urlpatterns = [
    path("", views.index, name="index"),
    path("teams/", views.team_search, name="team_search"),
    path("signals/<int:signal_id>/", views.signal_detail, name="signal"),
    path("signals/<int:signal_id>/duplicate/", duplicate_views.judge, name="judge_duplicate"),
    path("teams/<int:team_id>/panel/", views.team_panel, name="team_panel"),
    path("settings/", settings_views.settings_page, name="settings"),
    path("settings/reset/", settings_views.settings_reset, name="settings_reset"),
]
