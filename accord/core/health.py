"""What `/healthz` checks: the database answers, and so does the task queue in use.

Each check returns None when healthy, else a short description of what failed; the
exception's text is kept to its first line so a probe's log stays readable.
"""

from __future__ import annotations

from django.db import connection, transaction


def _describe(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def check_database() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        return _describe(exc)
    return None


def check_tasks() -> str | None:
    """The default task backend can take work: for the database queue (the default), its
    table is there and readable; a backend with a `ping()` (e.g. one on Redis) is pinged;
    backends that run tasks in the request (immediate, dummy) have nothing to reach."""
    try:
        from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends

        backend = task_backends[DEFAULT_TASK_BACKEND_ALIAS]
    except Exception as exc:
        return _describe(exc)
    return _check_backend(backend)


def _check_backend(backend) -> str | None:
    try:
        from django_tasks_db.backend import DatabaseBackend
        from django_tasks_db.models import DBTaskResult

        if isinstance(backend, DatabaseBackend):
            # In a savepoint, so a missing table does not spoil an open transaction.
            with transaction.atomic():
                DBTaskResult.objects.order_by().values_list("pk", flat=True).first()
            return None
        ping = getattr(backend, "ping", None)
        if callable(ping):
            ping()
    except Exception as exc:
        return _describe(exc)
    return None


def checks() -> dict[str, str | None]:
    return {"database": check_database(), "tasks": check_tasks()}
