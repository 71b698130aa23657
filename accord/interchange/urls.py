from django.urls import path

from accord.interchange import views

app_name = "interchange"

urlpatterns = [
    path("", views.index, name="index"),
    path("plan/", views.plan, name="plan"),
    path("apply/", views.apply, name="apply"),
    path("jobs/<int:job_id>/", views.job, name="job"),
    path("jobs/<int:job_id>/progress/", views.job_progress, name="job_progress"),
    path("jobs/<int:job_id>/apply/", views.job_apply, name="job_apply"),
    path("export.<str:fmt>", views.export, name="export"),
    path("my-data.yaml", views.export_me, name="export_me"),
    path("templates/<str:section>.csv", views.template, name="template"),
]
