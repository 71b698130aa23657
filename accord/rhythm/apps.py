from django.apps import AppConfig


class RhythmConfig(AppConfig):
    name = "accord.rhythm"
    label = "rhythm"
    verbose_name = "Rhythm"

    def ready(self) -> None:
        from accord.org.services import ON_DEACTIVATION
        from accord.rhythm import services

        ON_DEACTIVATION.append(services.revoke_feeds_of)
