"""The integrations' rows, one module a concern (each imported here so Django finds it)."""

from .widget import WidgetSite  # noqa: F401
