"""The portal starts on its embedded default and refuses an unsafe production start."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRINT_SETTINGS = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, s.EMAIL_BACKEND, s.DEBUG, "
    "s.LANGUAGE_CODE, s.EDEM_JURISDICTION)"
)
OUR_VARIABLES = (
    "DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "EMAIL_URL", "SECRET_KEY", "ALLOWED_HOSTS",
    "DEBUG", "DJANGO_ENV", "CELERY_TASK_ALWAYS_EAGER", "EDEM_JURISDICTION",
)  # fmt: skip


def run(code_or_args, **env):
    clean = {k: v for k, v in os.environ.items() if k not in OUR_VARIABLES}
    clean.update({"DJANGO_SETTINGS_MODULE": "edem.settings", "EDEM_ENV_FILE": ""}, **env)
    args = code_or_args if isinstance(code_or_args, list) else ["-c", code_or_args]
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60
    )


def test_embedded_default_boots_on_sqlite_with_eager_celery_and_mail_to_files():
    result = run(PRINT_SETTINGS)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.sqlite3",
        "True",
        "edem.notifications.backends.EmlFileBackend",
        "True",
        "ru",
        "ru",
    ]


def test_configuration_comes_from_the_environment():
    result = run(
        PRINT_SETTINGS,
        DATABASE_URL="postgres://u@db.example.org:5432/edem",
        REDIS_URL="redis://cache.example.org:6379/0",
        EMAIL_URL="smtp://mail.example.org:25",
        EDEM_JURISDICTION="ua",
        DEBUG="0",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.postgresql",
        "False",
        "django.core.mail.backends.smtp.EmailBackend",
        "False",
        "ru",
        "ua",
    ]


def test_production_refuses_to_start_without_secret_key():
    result = run(PRINT_SETTINGS, DJANGO_ENV="production", ALLOWED_HOSTS="edem.example.org")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = run(PRINT_SETTINGS, DJANGO_ENV="production", SECRET_KEY="x" * 64)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


PRODUCTION = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": "k3y-" + "a1B2c3D4e5F6g7H8i9J0" * 3,
    "ALLOWED_HOSTS": "edem.example.org",
    "DATABASE_URL": "postgres://edem:pw@postgres:5432/edem",
    "REDIS_URL": "redis://redis:6379/0",
    "EDEM_TRUSTED_PROXIES": "1",
}


def test_production_passes_check_deploy_with_only_hsts_preload_silenced():
    result = run(["manage.py", "check", "--deploy", "--fail-level", "DEBUG"], **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (1 silenced)." in result.stdout, result.stdout
    silenced = run(
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SILENCED_SYSTEM_CHECKS)",
        **PRODUCTION,
    )
    assert silenced.stdout.strip() == "['security.W021']", silenced.stdout + silenced.stderr


def test_production_with_hsts_preload_silences_nothing():
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "DEBUG"],
        **PRODUCTION,
        SECURE_HSTS_PRELOAD="1",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout, result.stdout


def test_a_dot_env_file_is_read_and_the_environment_wins(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("EDEM_JURISDICTION=ua\nREDIS_URL=redis://from-file:6379/0\n")
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.EDEM_JURISDICTION, s.REDIS_URL)"
    )
    result = run(code, EDEM_ENV_FILE=str(env_file))
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["ua", "redis://from-file:6379/0"]
    result = run(code, EDEM_ENV_FILE=str(env_file), REDIS_URL="redis://from-env:6379/1")
    assert result.stdout.split() == ["ua", "redis://from-env:6379/1"]


def test_the_settings_read_the_dot_env_beside_the_code_by_default():
    code = "import django; django.setup(); from django.conf import settings as s; print(s.ENV_FILE)"
    clean = {k: v for k, v in os.environ.items() if k not in (*OUR_VARIABLES, "EDEM_ENV_FILE")}
    clean["DJANGO_SETTINGS_MODULE"] = "edem.settings"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip() == str(ROOT / ".env"), result.stderr
