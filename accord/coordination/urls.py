from django.urls import path

from accord.coordination import views

app_name = "coordination"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.new, name="new"),
    path("list/", views.dependency_list, name="list"),
    path("map/", views.dependency_map, name="map"),
    path("map.json", views.map_json, name="map_json"),
    path("teams/<slug:team_slug>/", views.team, name="team"),
    path("d/<int:dep_id>/", views.detail, name="detail"),
    path("d/<int:dep_id>/milestone/", views.need_by_milestone, name="need_by_milestone"),
    path("d/<int:dep_id>/edit/", views.edit, name="edit"),
    path("d/<int:dep_id>/remind/", views.remind, name="remind"),
    path("d/<int:dep_id>/<str:action>/", views.act, name="act"),
]
