from django.apps import AppConfig


class CoordinationConfig(AppConfig):
    name = "accord.coordination"
    label = "coordination"
    verbose_name = "Coordination"
