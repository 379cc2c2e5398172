"""The integrations' rows, one module a concern (each imported here so Django finds it)."""

from .api import ApiClient
from .api_calls import ApiIdempotencyKey
from .gateway import GatewayLetter, InboundMessage
from .opendata import Open311Client, OpenDataFile
from .webhooks import WebhookAttempt, WebhookDelivery, WebhookSubscription
from .widget import WidgetSite

__all__ = [
    "ApiClient",
    "ApiIdempotencyKey",
    "GatewayLetter",
    "InboundMessage",
    "Open311Client",
    "OpenDataFile",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookSubscription",
    "WidgetSite",
]
