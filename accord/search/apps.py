from django.apps import AppConfig
from django.db.models.signals import post_migrate, pre_migrate


class SearchConfig(AppConfig):
    name = "accord.search"
    label = "search"
    verbose_name = "Search"

    def ready(self) -> None:
        from accord.search import index

        # Table rebuilds by SQLite migrations would break the index's triggers (index.py).
        pre_migrate.connect(index.before_migrate, sender=self)
        post_migrate.connect(index.after_migrate, sender=self)
