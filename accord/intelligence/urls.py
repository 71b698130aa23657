from django.urls import path

from accord.web.views import not_built

app_name = "intelligence"

urlpatterns = [
    path("", not_built, {"pillar": "intelligence"}, name="index"),
]
