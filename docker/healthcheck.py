"""Health checks of the edem containers (docker-compose.yml): ``python docker/healthcheck.py
ROLE``; exit status 0 means healthy.

web   GET /readyz/ (database, cache, broker, outbox backlog, beat's last run; 503 when not
      ready), with the Host header of the first of ALLOWED_HOSTS and X-Forwarded-Proto: https,
      as the proxy sends them. ``web /healthz/`` checks liveness only.
beat  the newest run of an enabled periodic task is recent: beat sends the outbox sweep every
      minute and django-celery-beat writes the run times to the database every few minutes.
"""

import os
import sys
import urllib.error
import urllib.request
from datetime import timedelta

BEAT_MAX_SILENCE = timedelta(minutes=int(os.environ.get("EDEM_BEAT_MAX_SILENCE_MINUTES", "10")))


def web(path="/readyz/"):
    host = os.environ.get("ALLOWED_HOSTS", "").split(",")[0].strip().lstrip(".")
    host = "localhost" if host in ("", "*") else host
    request = urllib.request.Request(  # noqa: S310 (a fixed http:// URL)
        f"http://127.0.0.1:8000{path}", headers={"Host": host, "X-Forwarded-Proto": "https"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return 0 if response.status == 200 else 1
    except urllib.error.HTTPError as error:
        print(error.code, error.read(2000).decode(errors="replace"))
    except OSError as error:
        print(error)
    return 1


def beat():
    sys.path.insert(0, os.getcwd())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "edem.settings")
    import django

    django.setup()
    from django.utils import timezone
    from django_celery_beat.models import PeriodicTask

    last = (
        PeriodicTask.objects.filter(enabled=True, last_run_at__isnull=False)
        .order_by("-last_run_at")
        .values_list("last_run_at", flat=True)
        .first()
    )
    if last is None or timezone.now() - last > BEAT_MAX_SILENCE:
        print(f"beat: last periodic task sent at {last}")
        return 1
    return 0


if __name__ == "__main__":
    role = sys.argv[1] if len(sys.argv) > 1 else "web"
    if role == "web":
        sys.exit(web(*sys.argv[2:3]))
    if role == "beat":
        sys.exit(beat())
    sys.exit(f"unknown role {role!r}")
