"""The integrations in the admin, one module a concern."""

from .gateway import admin as gateway_admin  # noqa: F401
