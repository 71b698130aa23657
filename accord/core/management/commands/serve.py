"""accord serve: the web app under gunicorn."""

from __future__ import annotations

import logging
import os
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, connections
from django.db.migrations.executor import MigrationExecutor

from accord.core import staticfiles

# Requests served at once by each worker process: enough for slow clients not to hold up
# the rest; more would mostly wait on Python's one-thread-at-a-time interpreter.
THREADS = 4

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
        parser.add_argument(
            "--threads",
            type=int,
            default=THREADS,
            help=f"Requests each worker process serves at once (default {THREADS}).",
        )

    def handle(self, *args, host: str, port: int, workers: int, threads: int, **options):
        from gunicorn.app.base import BaseApplication

        pending = pending_migrations()
        if pending:
            raise CommandError(
                f"The database needs {pending} migration(s); run `accord migrate` first."
            )
        if not 1 <= port <= 65535:
            raise CommandError(f"--port must be between 1 and 65535, not {port}.")
        for name, value in (("--workers", workers), ("--threads", threads)):
            if value < 1:
                raise CommandError(f"{name} must be at least 1, not {value}.")
        missing = staticfiles.NpmFinder().missing()
        if missing:
            raise CommandError(missing)
        if staticfiles.ensure_collected():
            self.stdout.write(f"Static files collected into {settings.STATIC_ROOT}.")

        from accord.wsgi import application

        class App(BaseApplication):
            def load_config(self):
                self.cfg.set("bind", f"{host}:{port}")
                self.cfg.set("workers", workers)
                # Threads, not one request per process: a client sending slowly (an upload
                # over a poor connection) holds one thread, not a whole worker, so the others
                # still answer; and connections are kept alive between a page and its files.
                # The timeout is how long a worker may stop answering its master, not how
                # long a request may take.
                self.cfg.set("worker_class", "gthread")
                self.cfg.set("threads", threads)
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
        # answers interleaved. Each worker thread opens its own on its first request.
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
