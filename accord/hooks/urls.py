from django.urls import path

from accord.hooks import views

app_name = "hooks"

urlpatterns = [
    path("", views.index, name="index"),
    path("<int:webhook_id>/", views.detail, name="detail"),
    path("<int:webhook_id>/pause/", views.pause, name="pause"),
    path("<int:webhook_id>/resume/", views.resume, name="resume"),
    path("<int:webhook_id>/rotate/", views.rotate, name="rotate"),
    path("<int:webhook_id>/delete/", views.delete, name="delete"),
    path("<int:webhook_id>/test/", views.send_test, name="send_test"),
    path(
        "<int:webhook_id>/deliveries/<int:delivery_id>/redeliver/",
        views.redeliver,
        name="redeliver",
    ),
    path(
        "<int:webhook_id>/deliveries/<int:delivery_id>/retry/",
        views.retry,
        name="retry",
    ),
]
