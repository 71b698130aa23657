from django.apps import AppConfig


class HooksConfig(AppConfig):
    name = "accord.hooks"
    label = "hooks"
    verbose_name = "Webhooks"

    def ready(self) -> None:
        from accord.activity import services as activity
        from accord.hooks import outbox

        # Every recorded event queues one delivery per matching subscription, in the
        # transaction that records it.
        if outbox.queue_event not in activity.LISTENERS:
            activity.LISTENERS.append(outbox.queue_event)
