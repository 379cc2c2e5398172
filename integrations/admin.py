"""The integrations' admin: each concern's module registers its own models."""

from . import admin_opendata  # noqa: F401
