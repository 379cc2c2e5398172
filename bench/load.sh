#!/usr/bin/env bash
# Load run (issue 11): a fresh database seeded with the demo town, a Celery worker and the
# portal under gunicorn, then bench/load_locust.py headless. Prints locust's summary, the p95
# and the load average of the machine before and after.
#
#   bench/load.sh                      # 30 users for 5 minutes
#   USERS=50 DURATION=2m bench/load.sh
#
# Settings: the development profile with DEBUG=0 (the production profile adds only HTTPS
# redirects and Secure cookies, which a plain-HTTP load generator cannot send back).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PY=${PY:-.venv/bin/python}
[ -x "$PY" ] || PY=/work/main/.venv/bin/python
BIN=$(dirname "$PY")
PGHOST=${PGHOST:-127.0.0.1}
DB=${LOAD_DB:-edem_load}
PORT=${PORT:-8181}
USERS=${USERS:-30}
RATE=${RATE:-5}
DURATION=${DURATION:-5m}
WORKERS=${GUNICORN_WORKERS:-3}
mkdir -p var/load

export DJANGO_ENV=development DEBUG=0 LOG_LEVEL=WARNING CONN_MAX_AGE=60
export DATABASE_URL=${DATABASE_URL:-postgres://postgres@$PGHOST:5432/$DB}
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/8}
# A cache namespace of this run's own: sign-in rate limits and used TOTP codes of an earlier
# run (every user comes from 127.0.0.1) must not refuse this one's sign-ins.
export CACHE_KEY_PREFIX=edem-load-$(date +%s)
export CELERY_BROKER_URL=$REDIS_URL CELERY_TASK_ALWAYS_EAGER=0
export EMAIL_URL="" MEDIA_ROOT=$PWD/var/load/media ALLOWED_HOSTS=127.0.0.1,localhost
export SITE_URL=http://127.0.0.1:$PORT

if [ "${LOAD_KEEP_DB:-0}" != 1 ]; then
	dropdb -h "$PGHOST" -U postgres --if-exists "$DB"
	createdb -h "$PGHOST" -U postgres "$DB"
	"$PY" manage.py migrate --noinput >/dev/null
	"$PY" manage.py seed_demo --quiet
fi

"$BIN/celery" -A edem worker --pool solo -l WARNING --without-gossip --without-mingle \
	>var/load/worker.log 2>&1 &
worker=$!
"$PY" -m gunicorn edem.wsgi:application --bind "127.0.0.1:$PORT" --workers "$WORKERS" \
	--threads 2 --timeout 60 --keep-alive 75 >var/load/gunicorn.log 2>&1 &
web=$!
trap 'kill $web $worker 2>/dev/null; wait $web $worker 2>/dev/null' EXIT
for _ in $(seq 60); do curl -fs "http://127.0.0.1:$PORT/healthz/" >/dev/null && break; sleep 1; done

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
"$BIN/locust" -f bench/load_locust.py --headless -u "$USERS" -r "$RATE" -t "$DURATION" \
	--host "http://127.0.0.1:$PORT" --csv var/load/locust --only-summary 2>&1 | tail -n 60
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
USERS=$USERS "$PY" - <<'PY'
import csv
rows = list(csv.DictReader(open("var/load/locust_stats.csv")))
total = next(r for r in rows if r["Name"] == "Aggregated")
print(
    f"users {__import__('os').environ.get('USERS', '30')}: {float(total['Requests/s']):.1f} requests/s, "
    f"{total['Request Count']} requests, {total['Failure Count']} failures, "
    f"p50 {total['50%']} ms, p95 {total['95%']} ms, p99 {total['99%']} ms"
)
PY
