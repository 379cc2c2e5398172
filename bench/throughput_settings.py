"""Settings of bench/throughput.py's gunicorn: the portal's own, with a URLconf that adds the
floor page (bench only; the product's URLs never carry it)."""

from edem.settings import *  # noqa: F403

ROOT_URLCONF = "throughput_urls"
