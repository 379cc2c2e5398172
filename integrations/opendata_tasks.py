from celery import shared_task


@shared_task
def dump_open_data(force=False):
    """The nightly open-data dump (beat: hourly; it writes once a local day, so a missed
    night is made up at the next run and extra runs do nothing)."""
    from . import opendata  # noqa: PLC0415 — the app registry is ready in the worker

    return len(opendata.dump_all(force=force))
