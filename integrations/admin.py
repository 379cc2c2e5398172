"""The integrations' admin pages, one module a concern."""

from .widget import admin as widget_admin  # noqa: F401
