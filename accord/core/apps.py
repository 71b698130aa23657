from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _create_cache_tables(sender, using="default", **kwargs) -> None:
    """`accord migrate` also creates the database cache table (the default cache, which
    API token throttling counts in); it does nothing when the table exists or the cache
    is not a database one."""
    from django.core.management import call_command

    call_command("createcachetable", database=using, verbosity=0)


class CoreConfig(AppConfig):
    name = "accord.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        post_migrate.connect(_create_cache_tables, sender=self, dispatch_uid="accord-cache-table")
