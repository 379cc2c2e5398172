# edem production image: one image, three roles (web, worker, beat), chosen by the command.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=edem.settings \
    STATIC_ROOT=/app/staticfiles \
    MEDIA_ROOT=/data/media

# gettext for compilemessages; Pango, HarfBuzz and fonts for WeasyPrint's PDFs.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        gettext \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
        fonts-dejavu-core fonts-liberation \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Dependencies first, so that a code change does not reinstall them. The project itself has
# no installable package (pyproject's packages = []): the code runs from /app.
COPY pyproject.toml README.md ./
RUN pip install .

COPY . .

# Compiled messages and collected static files are part of the image. collectstatic needs the
# production profile (hashed, compressed files for whitenoise), which refuses to start without
# SECRET_KEY and ALLOWED_HOSTS: dummy values for this one command, never kept in the image.
RUN python manage.py compilemessages --ignore=.venv --ignore=var --verbosity 0 \
    && env DJANGO_ENV=production \
        SECRET_KEY=build-time-only-not-a-secret-0123456789-abcdefghijklmnopqrstuvwxyz \
        ALLOWED_HOSTS=build.invalid \
        python manage.py collectstatic --noinput --verbosity 0

RUN useradd --system --uid 1000 --user-group --home-dir /app --no-create-home edem \
    && mkdir -p /app/var /data/media \
    && chown -R edem:edem /app/var /data/media \
    && chmod 0755 docker/entrypoint.sh

USER edem
EXPOSE 8000
ENTRYPOINT ["/app/docker/entrypoint.sh"]
CMD ["web"]
