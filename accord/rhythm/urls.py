from django.urls import path

from accord.web.views import not_built

app_name = "rhythm"

urlpatterns = [
    path("", not_built, {"pillar": "rhythm"}, name="index"),
]
