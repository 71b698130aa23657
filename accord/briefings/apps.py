from django.apps import AppConfig


class BriefingsConfig(AppConfig):
    name = "accord.briefings"
    label = "briefings"
    verbose_name = "Briefings"
