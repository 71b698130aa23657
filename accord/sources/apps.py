from django.apps import AppConfig


class SourcesConfig(AppConfig):
    name = "accord.sources"
    label = "sources"
    verbose_name = "Sources and trackers"
