from django.apps import AppConfig


class ActivityConfig(AppConfig):
    name = "accord.activity"
    label = "activity"
    verbose_name = "Activity"

    def ready(self) -> None:
        from accord.activity import signins

        signins.connect()
