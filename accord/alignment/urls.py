from django.urls import path

from accord.web.views import not_built

app_name = "alignment"

urlpatterns = [
    path("", not_built, {"pillar": "alignment"}, name="index"),
]
