"""The integrations' rows, one module a concern (each imported here so Django finds it)."""

from .gateway import GatewayLetter, InboundMessage  # noqa: F401
