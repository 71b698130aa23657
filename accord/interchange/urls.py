from django.urls import path

from accord.interchange import views

app_name = "interchange"

urlpatterns = [
    path("", views.index, name="index"),
    path("plan/", views.plan, name="plan"),
    path("apply/", views.apply, name="apply"),
    path("export.<str:fmt>", views.export, name="export"),
    path("my-data.yaml", views.export_me, name="export_me"),
    path("templates/<str:section>.csv", views.template, name="template"),
]
