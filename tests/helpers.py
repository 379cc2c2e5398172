"""Small helpers shared by tests."""

from django.core.signals import request_finished
from django.db import close_old_connections


def read_streaming(response):
    """The body of a streaming response (FileResponse), closing its file the way Django's test
    client does for ordinary responses: without letting ``request_finished`` close the test's
    database connection."""
    body = b"".join(response.streaming_content)
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)
    return body
