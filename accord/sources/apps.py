from django.apps import AppConfig


class SourcesConfig(AppConfig):
    name = "accord.sources"
    label = "sources"
    verbose_name = "Sources and trackers"

    def ready(self) -> None:
        from accord.activity import describe

        # How this app's events read on pages (the history of a key result or initiative).
        describe.VERBS.update(
            {
                "source_set": "set the source of",
                "source_cleared": "stopped pulling",
                "tracker_linked": "linked a tracker item to",
                "tracker_unlinked": "unlinked the tracker item of",
                "integration_set": "changed",
            }
        )
        describe.FIELDS.update(
            {
                "json_path": "JSONPath",
                "csv_column": "CSV column",
                "csv_row": "CSV row",
                "key_column": "Key column",
                "key_value": "Key value",
                "header_name": "Header",
                "header_secret": "Header value",
                "base_url": "API base URL",
            }
        )
