from django.apps import AppConfig


class IntelligenceConfig(AppConfig):
    name = "accord.intelligence"
    label = "intelligence"
    verbose_name = "Insights"

    def ready(self) -> None:
        # Signals and health follow the organization's writes: each recorded event asks
        # for a (debounced) evaluation once its transaction commits.
        from django.db.models.signals import post_save

        from accord.activity.models import Event
        from accord.intelligence import tasks

        post_save.connect(tasks.on_event, sender=Event, dispatch_uid="intelligence.on_event")
