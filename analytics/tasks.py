from celery import shared_task

from . import services


@shared_task
def refresh_rollup():
    """Fold the appeals' recent history into the rollup (beat: every few minutes)."""
    changed = services.refresh_rollup()
    return None if changed is None else len(changed)


@shared_task
def refresh_participation():
    """Recount participation per petition, poll, discussion and budget cycle (beat: every few
    minutes)."""
    services.refresh_participation()


@shared_task
def build_statutory_reports():
    """Last month's reports and last quarter's public review, once each (beat: hourly; what is
    already made is left as it is)."""
    from . import reports  # noqa: PLC0415 — WeasyPrint loads only in the worker that builds

    return reports.build_due()
