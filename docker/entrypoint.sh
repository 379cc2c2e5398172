#!/bin/sh
# Entry point of the edem image. The first argument is the role:
#   migrate apply the migrations and write the beat schedule, then exit (docker compose runs it
#           once before the other roles start)
#   web     the same (unless EDEM_MIGRATE_ON_START=0), then serve with gunicorn on :8000
#   worker  a Celery worker
#   beat    Celery beat, reading the schedule from the database (django-celery-beat)
# Anything else is run as a command (`docker compose run --rm web python manage.py shell`).
set -eu

role="${1:-web}"
migrate() {
	python manage.py migrate --noinput
	python manage.py sync_beat_schedule
}

case "$role" in
migrate)
	migrate
	;;
web)
	if [ "${EDEM_MIGRATE_ON_START:-1}" != "0" ]; then
		migrate
	fi
	exec gunicorn edem.wsgi:application \
		--bind 0.0.0.0:8000 \
		--workers "${GUNICORN_WORKERS:-3}" \
		--timeout 60 \
		--access-logfile - \
		--worker-tmp-dir /dev/shm
	;;
worker)
	exec celery -A edem worker -l info --concurrency "${CELERY_CONCURRENCY:-2}"
	;;
beat)
	exec celery -A edem beat -l info \
		--scheduler django_celery_beat.schedulers:DatabaseScheduler
	;;
*)
	exec "$@"
	;;
esac
