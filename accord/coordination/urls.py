from django.urls import path

from accord.web.views import not_built

app_name = "coordination"

urlpatterns = [
    path("", not_built, {"pillar": "coordination"}, name="index"),
]
