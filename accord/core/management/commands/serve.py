"""accord serve: the web app under gunicorn."""

from __future__ import annotations

import logging
import os
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, connections
from django.db.migrations.executor import MigrationExecutor

logger = logging.getLogger("accord.serve")


def pending_migrations() -> int:
    executor = MigrationExecutor(connection)
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))


class Command(BaseCommand):
    help = "Serve the web app and API with gunicorn."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1", help="Address to listen on.")
        parser.add_argument("--port", type=int, default=8000, help="Port to listen on.")
        parser.add_argument("--workers", type=int, default=2, help="Gunicorn worker processes.")

    def handle(self, *args, host: str, port: int, workers: int, **options):
        from gunicorn.app.base import BaseApplication

        pending = pending_migrations()
        if pending:
            raise CommandError(
                f"The database needs {pending} migration(s); run `accord migrate` first."
            )
        if not 1 <= port <= 65535:
            raise CommandError(f"--port must be between 1 and 65535, not {port}.")

        from accord.wsgi import application

        class App(BaseApplication):
            def load_config(self):
                self.cfg.set("bind", f"{host}:{port}")
                self.cfg.set("workers", workers)
                if settings.ACCORD_LOG_FORMAT == "json":
                    # Accord writes one JSON line per request itself (accord.core.logs);
                    # gunicorn's own messages go through the same JSON handler.
                    self.cfg.set("accesslog", None)
                    self.cfg.set("logconfig_dict", _gunicorn_json_logging())
                else:
                    self.cfg.set("accesslog", "-")
                self.cfg.set("timeout", 60)

            def load(self):
                return application

        self.stdout.write(f"Accord at http://{host}:{port}/ (database: {_db_label()})")
        unsaid = _site_url_unsaid(port)
        if unsaid:
            logger.warning(unsaid)
        # The workers are forked from this process: a connection it opened (the migration
        # check above) would be one socket shared by every worker, their queries and
        # answers interleaved. Each worker opens its own on its first request.
        connections.close_all()
        App().run()


def _site_url_unsaid(port: int) -> str:
    """A warning when links in e-mails, feeds and webhooks will not lead to this server:
    SITE_URL was left at its default while the server answers on another port."""
    if os.environ.get("SITE_URL") or port == urlsplit(settings.SITE_URL).port:
        return ""
    return (
        f"SITE_URL is not set: links in e-mails, calendar feeds and webhooks will point at "
        f"{settings.SITE_URL}, not at this server. Set SITE_URL to the address people use "
        f"to reach it (e.g. SITE_URL=http://localhost:{port})."
    )


def _db_label() -> str:
    db = settings.DATABASES["default"]
    return f"{db['ENGINE'].rsplit('.', 1)[-1]} {db.get('NAME')}"


def _gunicorn_json_logging() -> dict:
    # gunicorn's messages go to the JSON handler; its access lines are left out, since
    # Accord's own per-request line carries the same and the request id.
    return {
        **settings.LOGGING,
        "loggers": {
            **settings.LOGGING["loggers"],
            "gunicorn.error": {"level": "INFO", "handlers": [], "propagate": True},
            "gunicorn.access": {"level": "WARNING", "handlers": [], "propagate": True},
        },
    }
