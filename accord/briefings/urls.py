from django.urls import path

from accord.briefings import views

app_name = "briefings"

urlpatterns = [
    path("", views.index, name="index"),
    path("latest/", views.latest, name="latest"),
    path("<int:briefing_id>/", views.detail, name="detail"),
    path("schedule/", views.schedule, name="schedule"),
    path("teams/<int:team_id>/", views.team, name="team"),
]
