from django.apps import AppConfig


class AlignmentConfig(AppConfig):
    name = "accord.alignment"
    label = "alignment"
    verbose_name = "Alignment"

    def ready(self) -> None:
        from accord.activity import describe

        # An event's rank is the one it had then: moving another item of the stack shifts
        # it without an event of its own (one per shifted item would be hundreds), so the
        # history says so and the initiative's page shows its rank now beside it.
        describe.FIELDS.update({"rank": "Rank at the time"})
        # A removed value's event keeps the entry it was, beside the key result's value
        # (`current`) before and after: its own keys are named as that entry's.
        describe.KIND_FIELDS.update(
            {
                ("alignment.keyresult.value_voided", "value"): "Removed value",
                ("alignment.keyresult.value_voided", "recorded_at"): "Recorded on",
                ("alignment.keyresult.value_voided", "recorded_by"): "Recorded by",
            }
        )
