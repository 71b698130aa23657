from django.urls import path

from accord.web import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("activity/", views.activity, name="activity"),
    path("password/", views.password_change, name="password"),
    path("pick/<slug:kind>/", views.pick, name="pick"),
    path("views/save/", views.saved_view_save, name="saved_view_save"),
    path("views/<int:view_id>/delete/", views.saved_view_delete, name="saved_view_delete"),
    path("getting-started/hide/", views.getting_started_hide, name="getting_started_hide"),
    path("getting-started/show/", views.getting_started_show, name="getting_started_show"),
]
