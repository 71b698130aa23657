from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "accord.org"
    label = "org"
    verbose_name = "Organizations"
