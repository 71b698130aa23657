from django.urls import path

from accord.web.views import not_built

app_name = "decisions"

urlpatterns = [
    path("", not_built, {"pillar": "decisions"}, name="index"),
]
