from django.apps import AppConfig


class IntelligenceConfig(AppConfig):
    name = "accord.intelligence"
    label = "intelligence"
    verbose_name = "Insights"
