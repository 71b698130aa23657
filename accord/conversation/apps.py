from django.apps import AppConfig


class ConversationConfig(AppConfig):
    name = "accord.conversation"
    label = "conversation"
    verbose_name = "Conversation"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from accord.activity.models import Event
        from accord.conversation import inbox

        # Requests to my teams, decisions waiting on me and items assigned to me reach the
        # inbox from the event every pillar already records, in the same transaction.
        post_save.connect(inbox.on_event, sender=Event, dispatch_uid="conversation.inbox")
