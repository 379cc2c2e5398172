"""The integrations' admin: each concern's module registers its own models."""

from . import admin_opendata  # noqa: F401
from .api import admin as api_admin  # noqa: F401
from .gateway import admin as gateway_admin  # noqa: F401
from .webhooks import admin as webhooks_admin  # noqa: F401
from .widget import admin as widget_admin  # noqa: F401
