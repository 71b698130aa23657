from django.apps import AppConfig


class RhythmConfig(AppConfig):
    name = "accord.rhythm"
    label = "rhythm"
    verbose_name = "Rhythm"
