"""Celery entry points: they only call services."""

from celery import shared_task
from django.utils import timezone

from . import services

DIGEST_HOUR = 8  # local time: the digest goes out with the first run from 08:00


@shared_task(name="appeals.community.tasks.send_area_digests", ignore_result=True)
def send_area_digests():
    """The daily digest of new public problems per area subscription. The beat runs it every
    hour; the service sends at most one digest per subscription and day."""
    if timezone.localtime().hour < DIGEST_HOUR:
        return 0
    return services.send_digests()
