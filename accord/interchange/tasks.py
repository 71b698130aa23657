"""Background work of organization files: large plans and applies, and picking up again
the ones whose worker died."""

from __future__ import annotations

from django_tasks import task

from accord.core.scheduler import periodic


@task()
def run_import(job_id: int) -> str:
    """Plan or apply one stored file (an ImportJob)."""
    from accord.interchange import services

    return services.run_job(job_id)


@periodic(every=60)
@task()
def resume_stalled_imports() -> int:
    """Queue again the import jobs whose worker was killed mid-way; they finish."""
    from accord.interchange import services

    return services.resume_stalled_jobs()


@periodic(every=3600)
@task()
def prune_import_jobs() -> int:
    """Forget finished import jobs (and the files they hold) after two weeks."""
    from accord.interchange import services

    return services.prune_jobs()
