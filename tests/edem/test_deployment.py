"""The docker compose deployment, read as data (no Docker engine here): only the proxy is
published, every long-running service has a health check (web readiness, proxy routing by
liveness, beat), and the example environment has no active placeholder."""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]


def test_only_the_proxy_is_published_and_gunicorn_is_not():
    published = {name for name, service in SERVICES.items() if service.get("ports")}
    assert published == {"proxy"}
    assert {port.split(":")[-1].split("/")[0] for port in SERVICES["proxy"]["ports"]} == {
        "80",
        "443",
    }
    for name, service in SERVICES.items():
        for port in service.get("ports", []):
            assert not str(port).startswith(("8000", "0.0.0.0")), (name, port)  # noqa: S104
    caddyfile = (ROOT / "docker" / "Caddyfile").read_text()
    assert "reverse_proxy web:8000" in caddyfile


def test_the_portal_trusts_exactly_the_one_proxy():
    assert SERVICES["web"]["environment"]["EDEM_TRUSTED_PROXIES"] == "${EDEM_TRUSTED_PROXIES:-1}"
    assert SERVICES["web"]["environment"]["DJANGO_ENV"] == "production"


def test_every_long_running_service_has_a_health_check_on_the_health_urls():
    for name, service in SERVICES.items():
        if name != "migrate":
            assert service.get("healthcheck", {}).get("test"), name
    assert SERVICES["web"]["healthcheck"]["test"][-1] == "/readyz/"
    assert SERVICES["beat"]["healthcheck"]["test"][-1] == "beat"
    caddyfile = (ROOT / "docker" / "Caddyfile").read_text()
    assert re.search(r"health_uri /healthz/", caddyfile)


def test_migrations_run_once_before_web_worker_and_beat():
    assert SERVICES["migrate"]["command"] == ["migrate"]
    assert SERVICES["migrate"]["restart"] == "no"
    for name in ("web", "worker", "beat"):
        assert SERVICES[name]["depends_on"]["migrate"] == {
            "condition": "service_completed_successfully"
        }, name
    assert SERVICES["web"]["environment"]["EDEM_MIGRATE_ON_START"] == "0"
    entrypoint = (ROOT / "docker" / "entrypoint.sh").read_text()
    assert "migrate)" in entrypoint and "EDEM_MIGRATE_ON_START" in entrypoint


def test_the_example_environment_has_no_active_placeholder_and_is_documented():
    readme = (ROOT / "README.md").read_text()
    active = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            active[name.strip()] = value.strip()
    # Only the required values, left empty: the portal or docker compose refuses to start.
    assert active == {
        "SECRET_KEY": "",
        "ALLOWED_HOSTS": "",
        "EDEM_DOMAIN": "",
        "POSTGRES_PASSWORD": "",
    }
    names = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), re.M))
    undocumented = {name for name in names if f"`{name}`" not in readme}
    assert undocumented == set()
